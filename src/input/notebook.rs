//! Jupyter notebooks → markdown: markdown cells verbatim, code cells as fenced blocks in the
//! notebook's language. Outputs are dropped (they are results, not design).

use std::path::Path;

use serde_json::Value;

use crate::error::{Error, Result};

/// Converts a notebook (`.ipynb` JSON, nbformat 4; v3 `worksheets` also read) to markdown.
pub fn notebook_to_markdown(json: &str, file: &Path) -> Result<String> {
    let value: Value = serde_json::from_str(json).map_err(|e| {
        Error::new(format!("not a valid Jupyter notebook: {e}"))
            .in_file(file)
            .help("the file must be notebook JSON (nbformat 4); open and re-save it in Jupyter")
    })?;
    let language = value
        .pointer("/metadata/language_info/name")
        .or_else(|| value.pointer("/metadata/kernelspec/language"))
        .and_then(Value::as_str)
        .map(|l| l.trim().to_lowercase())
        .filter(|l| {
            !l.is_empty()
                && l.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-_#".contains(c))
        })
        .unwrap_or_else(|| "python".to_string());
    let cells = match value.get("cells") {
        Some(Value::Array(cells)) => cells.clone(),
        _ => match value.pointer("/worksheets/0/cells") {
            Some(Value::Array(cells)) => cells.clone(),
            _ => {
                return Err(Error::new("notebook has no `cells` list")
                    .in_file(file)
                    .help("the file must be notebook JSON with a top-level `cells` array"));
            }
        },
    };
    let mut out = String::new();
    for cell in &cells {
        let kind = cell.get("cell_type").and_then(Value::as_str).unwrap_or("");
        let source = match cell.get("source").or_else(|| cell.get("input")) {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Array(lines)) => lines.iter().filter_map(Value::as_str).collect(),
            _ => String::new(),
        };
        if source.trim().is_empty() {
            continue;
        }
        match kind {
            "markdown" => {
                out.push_str(source.trim_end());
                out.push_str("\n\n");
            }
            "code" => {
                let source: String = source
                    .lines()
                    .filter(|l| {
                        !l.trim_start().starts_with("%%") && !l.trim_start().starts_with('%')
                    })
                    .collect::<Vec<_>>()
                    .join("\n");
                let fence = fence_for(&source);
                out.push_str(&format!(
                    "{fence}{language}\n{}\n{fence}\n\n",
                    source.trim_end()
                ));
            }
            _ => {}
        }
    }
    Ok(out)
}

/// A backtick fence longer than any run of backticks in the code.
fn fence_for(code: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in code.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_become_markdown_and_fences() {
        let nb = r##"{"cells":[{"cell_type":"markdown","source":["# Title\n","text"]},
            {"cell_type":"code","source":"%%writefile a.py\nx = '```'\n","outputs":[]}],
            "metadata":{"language_info":{"name":"python"}}}"##;
        let md = notebook_to_markdown(nb, Path::new("n.ipynb")).unwrap();
        assert_eq!(md, "# Title\ntext\n\n````python\nx = '```'\n````\n\n");
    }

    #[test]
    fn broken_json_names_the_file() {
        let err = notebook_to_markdown("{not json", Path::new("dir/n.ipynb")).unwrap_err();
        assert!(err.to_string().contains("dir/n.ipynb"), "{err}");
        assert!(err.help.is_some());
    }
}
