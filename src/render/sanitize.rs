//! The HTML allow-list every content fragment goes through: no scripts, styles, event handlers
//! or unsafe URLs, whatever the markdown's raw HTML holds.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

static SANITIZER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
    let mut b = ammonia::Builder::default();
    let tags: HashSet<&str> = [
        "a",
        "b",
        "blockquote",
        "br",
        "code",
        "del",
        "div",
        "em",
        "figcaption",
        "figure",
        "i",
        "img",
        "li",
        "ol",
        "p",
        "pre",
        "s",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "table",
        "tbody",
        "td",
        "th",
        "thead",
        "tr",
        "ul",
        "hr",
        "kbd",
    ]
    .into_iter()
    .collect();
    let mut attrs: HashMap<&str, HashSet<&str>> = HashMap::new();
    attrs.insert("a", ["href", "title"].into_iter().collect());
    attrs.insert("img", ["src", "alt", "title"].into_iter().collect());
    attrs.insert("ol", ["start"].into_iter().collect());
    b.tags(tags)
        .tag_attributes(attrs)
        .generic_attributes(["class"].into_iter().collect())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(None);
    b
});

/// Cleans HTML with our allow-list: no scripts, styles, event handlers or unsafe URLs.
pub fn sanitize(html: &str) -> String {
    // Most fragments are plain text with a little emphasis; parsing each with html5ever was
    // the costliest step of rendering. Those come back from ammonia unchanged, so skip it.
    if is_plain_inline(html) {
        return html.to_string();
    }
    RECENT.with_borrow_mut(|recent| recent.clean(html))
}

thread_local! {
    static RECENT: RefCell<Recent> = RefCell::new(Recent::default());
}

/// The fragments a thread cleaned lately, with what ammonia made of them: the cards of one
/// section repeat its figure, its further reading and its linked sentences, and each clean is
/// an HTML parse and serialisation (a tenth of the primer's build).
#[derive(Default)]
struct Recent {
    cleaned: HashMap<String, String, foldhash::fast::FixedState>,
    bytes: usize,
}

/// The most [`Recent`] holds, inputs and outputs together, before it starts afresh.
const RECENT_BYTES: usize = 1 << 20;

impl Recent {
    fn clean(&mut self, html: &str) -> String {
        if let Some(clean) = self.cleaned.get(html) {
            return clean.clone();
        }
        let clean = SANITIZER.clean(html).to_string();
        let size = html.len() + clean.len();
        if size <= RECENT_BYTES / 4 {
            if self.bytes + size > RECENT_BYTES {
                self.cleaned.clear();
                self.bytes = 0;
            }
            self.cleaned.insert(html.to_string(), clean.clone());
            self.bytes += size;
        }
        clean
    }
}

/// True when ammonia would return `html` unchanged: text with nothing the HTML parser rewrites
/// or the serialiser escapes, and only balanced `<strong>`, `<em>`, `<code>` and `<del>` tags
/// without attributes, none inside itself.
fn is_plain_inline(html: &str) -> bool {
    const TAGS: [&str; 4] = ["strong", "em", "code", "del"];
    let plain = |c: char| {
        !matches!(c, '&' | '<' | '>' | '\u{a0}' | '\u{fffd}')
            && (c >= ' ' || c == '\n' || c == '\t')
            && c != '\u{7f}'
    };
    // Every character that is not plain has one of these bytes in its UTF-8 (U+00A0 starts
    // with 0xC2, U+FFFD with 0xEF): text without them, nearly all of it, is plain without
    // decoding a character. No early exit, so that the check runs over whole vectors.
    let plain_text = |text: &str| {
        let suspect = text.bytes().fold(false, |any, b| {
            any | (b < b' ') | (b == b'&') | (b == b'>') | (b == 0x7f) | (b == 0xc2) | (b == 0xef)
        });
        !suspect || text.chars().all(plain)
    };
    let mut open: Vec<&str> = Vec::new();
    let mut rest = html;
    loop {
        let text_end = rest.find('<').unwrap_or(rest.len());
        if !plain_text(&rest[..text_end]) {
            return false;
        }
        rest = &rest[text_end..];
        if rest.is_empty() {
            return open.is_empty();
        }
        let Some(close) = rest.find('>') else {
            return false;
        };
        let tag = &rest[1..close];
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return false;
            }
        } else if !TAGS.contains(&tag) || open.contains(&tag) {
            return false;
        } else {
            open.push(tag);
        }
        rest = &rest[close + 1..];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn text_is_plain_exactly_when_each_character_is(
            text in "[a-z &>\u{a0}\u{c2}\u{ef}\u{fffd}\u{ffff}\u{7f}\u{1}\n\t\r\u{e9}\u{5b57}]{0,30}"
        ) {
            let by_char = text.chars().all(|c| {
                !matches!(c, '&' | '>' | '\u{a0}' | '\u{fffd}')
                    && (c >= ' ' || c == '\n' || c == '\t')
                    && c != '\u{7f}'
            });
            proptest::prop_assert_eq!(is_plain_inline(&text), by_char);
        }
    }

    #[test]
    fn plain_fragments_skip_ammonia_only_when_it_would_change_nothing() {
        let samples = [
            "plain text",
            "a <strong>b</strong> c",
            "<em>x <code>y</code></em>",
            "<strong><strong>x</strong></strong>",
            "<em>x</strong>",
            "<b>x</b>",
            "x\ny\tz",
            "tab\u{7}bell",
            "cr\r\nlf",
            "nbsp\u{a0}here",
            "quote \" and ' apostrophe",
            "<em></em>",
            "<code></code> trailing",
            "é ü “curly” — dash",
            "<del>gone</del><strong>x</strong>",
            "<em>unclosed",
            "</em>",
            "x > y",
            "<em class=\"a\">x</em>",
        ];
        for html in samples {
            let clean = SANITIZER.clean(html).to_string();
            if is_plain_inline(html) {
                assert_eq!(clean, html, "fast path would differ for {html:?}");
            }
            assert_eq!(sanitize(html), clean, "{html:?}");
        }
        // Random fragments from pieces that matter to the parser.
        let pieces = [
            "a",
            " ",
            "\n",
            "<strong>",
            "</strong>",
            "<em>",
            "</em>",
            "<code>",
            "</code>",
            "<del>",
            "</del>",
            "é",
            "\"",
            "'",
            "x y",
            "\t",
        ];
        let mut state = 1u64;
        for _ in 0..5000 {
            let mut html = String::new();
            for _ in 0..(state % 9) {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                html.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            if is_plain_inline(&html) {
                assert_eq!(SANITIZER.clean(&html).to_string(), html, "{html:?}");
            }
        }
    }

    #[test]
    fn sanitizer_removes_scripts_and_handlers() {
        let out = sanitize(
            "<p onclick=\"x()\" style=\"color:red\">a<script>alert(1)</script><a href=\"javascript:alert(1)\">l</a></p>",
        );
        assert!(!out.contains("script"), "{out}");
        assert!(!out.contains("onclick"), "{out}");
        assert!(!out.contains("style"), "{out}");
        assert!(!out.contains("javascript"), "{out}");
    }

    #[test]
    fn a_fragment_cleaned_again_comes_back_the_same_and_memory_stays_bounded() {
        let html = "<p>see <a href=\"https://example.org\" onclick=\"x()\">this</a></p>";
        let first = sanitize(html);
        assert_eq!(sanitize(html), first);
        assert_eq!(first, SANITIZER.clean(html).to_string());
        let mut recent = Recent::default();
        // About 16 KB an entry: the memory fills and starts afresh a few times over.
        let padding = "word ".repeat(1600);
        for n in 0..200 {
            let html = format!("<p>{n} {padding}<a href=\"https://example.org/{n}\">x</a></p>");
            assert_eq!(recent.clean(&html), SANITIZER.clean(&html).to_string());
            assert!(recent.bytes <= RECENT_BYTES, "{}", recent.bytes);
        }
        assert!(recent.cleaned.len() < 200);
        let huge = format!("<p>{}</p>", "x".repeat(RECENT_BYTES / 4));
        assert_eq!(recent.clean(&huge), SANITIZER.clean(&huge).to_string());
        assert!(!recent.cleaned.contains_key(&huge));
    }
}
