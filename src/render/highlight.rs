//! Code blocks → highlighted HTML: syntect marks tokens with `hl-` classes (never inline
//! styles, which would break night mode); the stylesheet colours them.

use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::sanitize::sanitize;
use crate::markup::escape;

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Highlights code with class names (`hl-` + syntect scopes), never inline colours.
pub fn highlight(code: &str, lang: Option<&str>) -> String {
    let syntax = lang.and_then(|l| SYNTAXES.find_syntax_by_token(l));
    let mut body = String::new();
    match syntax {
        Some(syntax) => {
            let mut generator = ClassedHTMLGenerator::new_with_class_style(
                syntax,
                &SYNTAXES,
                ClassStyle::SpacedPrefixed { prefix: "hl-" },
            );
            let mut ok = true;
            for line in LinesWithEndings::from(code) {
                if generator
                    .parse_html_for_line_which_includes_newline(line)
                    .is_err()
                {
                    ok = false;
                    break;
                }
            }
            if ok {
                body = generator.finalize();
            } else {
                body = escape(code);
            }
        }
        None => body.push_str(&escape(code)),
    }
    let lang_class = lang
        .map(|l| {
            l.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect::<String>()
        })
        .filter(|l| !l.is_empty())
        .map(|l| format!(" language-{l}"))
        .unwrap_or_default();
    sanitize(&format!(
        "<pre class=\"code\"><code class=\"hl{lang_class}\">{}</code></pre>",
        body.trim_end_matches('\n')
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn highlighting_uses_classes() {
        let html = highlight("def f(x):\n    return 1\n", Some("python"));
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }
}
