//! Rule 12 — object-oriented design notebooks (already converted to markdown). The generic
//! rules run (constraints and assumptions are `* question? * answer` lists: one card per
//! question). Python code gives the class design: one card listing the classes, and one card
//! per class showing its skeleton (class line, base classes, method signatures), highlighted.

use std::sync::LazyLock;

use regex::Regex;

use super::{CardBody, Cx, Piece};
use crate::document::{BlockKind, Inline};

static CLASS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^class\s+(\w+)\s*(?:\(([^)]*)\))?\s*:").unwrap());
static METHOD: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\s+)def\s+(\w+)\s*\(").unwrap());
static MEMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+([A-Z][A-Z0-9_]*)\s*=").unwrap());

pub fn section(cx: &mut Cx<'_>, index: usize) {
    let doc = cx.doc;
    if doc.sections[index].level <= 1 {
        return;
    }
    cx.generic_section(index, true);
    let mut classes: Vec<ClassInfo> = Vec::new();
    for block in &doc.sections[index].blocks {
        if let BlockKind::Code { lang, text } = &block.kind
            && lang.as_deref().is_none_or(|l| l.starts_with("py"))
        {
            classes.extend(parse_classes(text, block.line));
        }
    }
    if classes.is_empty() {
        return;
    }
    let exercise = cx
        .exercise_title(index)
        .unwrap_or_else(|| cx.subject(index));
    let names: Vec<Vec<Inline>> = classes
        .iter()
        .map(|c| match &c.bases {
            Some(b) => vec![
                Inline::Code(c.name.clone()),
                Inline::Text(format!(" ({b})")),
            ],
            None => vec![Inline::Code(c.name.clone())],
        })
        .collect();
    let n = names.len();
    let line = classes[0].line;
    cx.push(
        index,
        "classes",
        "",
        line,
        None,
        CardBody::Basic {
            front: vec![
                Piece::Subject(exercise.clone()),
                Piece::Text(format!(": name the {n} classes of the design.")),
            ],
            back: vec![Piece::List(names)],
        },
    );
    for class in classes {
        let what = if class.methods.is_empty() {
            "which members does it define?"
        } else {
            "which methods does it define?"
        };
        let front = vec![
            Piece::Subject(exercise.clone()),
            Piece::Text(": class ".into()),
            Piece::Inlines(vec![Inline::Code(class.name.clone())]),
            Piece::Text(format!(" — {what}")),
        ];
        let back = vec![Piece::Code {
            lang: Some("python".into()),
            text: class.skeleton,
        }];
        cx.push(
            index,
            "class",
            &class.name,
            class.line,
            None,
            CardBody::Basic { front, back },
        );
    }
}

struct ClassInfo {
    name: String,
    bases: Option<String>,
    methods: Vec<String>,
    skeleton: String,
    line: usize,
}

fn parse_classes(code: &str, block_line: usize) -> Vec<ClassInfo> {
    let mut out: Vec<ClassInfo> = Vec::new();
    let mut pending_decorator: Option<String> = None;
    for (n, line) in code.lines().enumerate() {
        if let Some(c) = CLASS.captures(line) {
            let bases = c
                .get(2)
                .map(|b| b.as_str().trim().to_string())
                .filter(|b| !b.is_empty() && b != "object");
            out.push(ClassInfo {
                name: c[1].to_string(),
                bases,
                methods: Vec::new(),
                skeleton: line.trim_end().to_string(),
                line: block_line + n + 1,
            });
            continue;
        }
        if !line.starts_with(' ') && !line.trim().is_empty() {
            // Top-level code ends the class.
            if !line.trim_start().starts_with('@') {
                pending_decorator = None;
            }
            if let Some(last) = out.last_mut()
                && !line.starts_with('#')
            {
                let _ = last;
            }
            continue;
        }
        let Some(class) = out.last_mut() else {
            continue;
        };
        if line.trim_start().starts_with('@') && line.starts_with("    @") {
            pending_decorator = Some(line.trim_end().to_string());
            continue;
        }
        if let Some(m) = METHOD.captures(line)
            && m[1].len() == 4
        {
            if let Some(d) = pending_decorator.take() {
                class.skeleton.push('\n');
                class.skeleton.push_str(&d);
            }
            let signature = line.trim_end().trim_end_matches(':').trim_end();
            class.skeleton.push('\n');
            class.skeleton.push_str(signature);
            class.skeleton.push_str(": ...");
            class.methods.push(m[2].to_string());
        } else if let Some(m) = MEMBER.captures(line)
            && line.starts_with("    ")
            && !line.starts_with("     ")
        {
            class.skeleton.push('\n');
            class.skeleton.push_str(line.trim_end());
            let _ = m;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeletons_keep_signatures() {
        let code = "%%writefile x.py\nclass Colour(Enum):\n\n    RED = 0\n\n\nclass Box(object):\n\n    def __init__(self, size):\n        self.size = size\n\n    @property\n    def area(self):\n        return 1\n";
        let classes = parse_classes(code, 10);
        assert_eq!(classes.len(), 2);
        assert_eq!(classes[0].skeleton, "class Colour(Enum):\n    RED = 0");
        assert_eq!(
            classes[1].skeleton,
            "class Box(object):\n    def __init__(self, size): ...\n    @property\n    def area(self): ..."
        );
        assert_eq!(classes[1].line, 17);
    }
}
