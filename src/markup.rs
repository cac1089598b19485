//! Leaf helpers for markup text, shared by every stage and tool: HTML escaping, HTML → visible
//! text with one entity decoder, URL schemes, relative URL paths and percent-encoding, and
//! line and column counting.
//!
//! Nothing here knows about cards or packages; it imports nothing from the crate.

use std::path::{Component, Path, PathBuf};

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let bytes = text.as_bytes();
    // Copy the runs between special characters whole: most text has none. memchr finds them
    // (a vector search; a byte-by-byte one was the better part of escaping, 2% of a build of
    // one-paragraph sections): the brackets and ampersands by one search, the quotes by
    // another, taken in the order they come.
    let mut markup = memchr::memchr3_iter(b'&', b'<', b'>', bytes).peekable();
    let mut quotes = memchr::memchr2_iter(b'"', b'\'', bytes).peekable();
    let mut start = 0;
    loop {
        let at = match (markup.peek(), quotes.peek()) {
            (Some(&m), Some(&q)) if m < q => markup.next(),
            (Some(_), None) => markup.next(),
            (_, Some(_)) => quotes.next(),
            (None, None) => None,
        };
        let Some(at) = at else { break };
        out.push_str(&text[start..at]);
        out.push_str(match bytes[at] {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => "&#39;",
        });
        start = at + 1;
    }
    out.push_str(&text[start..]);
    out
}

/// A display path as a URL path: `/` separators, spaces and reserved characters escaped.
pub fn file_url(file: &Path) -> String {
    let parts: Vec<String> = file
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(percent(&s.to_string_lossy())),
            _ => None,
        })
        .collect();
    parts.join("/")
}

pub fn percent(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Whether a URL starts with a scheme (`https:`, `mailto:`): a letter, then letters, digits,
/// `+`, `-` or `.`, then a colon — so `images/a:b.png` is a path, not a URL.
pub fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            scheme
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

/// Joins a relative path onto a directory, resolving `.` and `..`; `None` if it escapes.
pub fn join_relative(dir: &Path, rel: &str) -> Option<PathBuf> {
    let mut parts: Vec<String> = dir
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    for seg in rel.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s.to_string()),
        }
    }
    Some(parts.iter().collect())
}

/// Decodes `%XX` escapes in a URL path; anything else, malformed escapes included, is kept.
pub fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        match b {
            b'0'..=b'9' => Some(b - b'0'),
            b'a'..=b'f' => Some(b - b'a' + 10),
            b'A'..=b'F' => Some(b - b'A' + 10),
            _ => None,
        }
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        // Work on bytes, not string slices: `%` followed by a multi-byte character must not
        // split it.
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let (Some(hi), Some(lo)) = (hex(bytes[i + 1]), hex(bytes[i + 2]))
        {
            out.push(hi * 16 + lo);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Visible text of an HTML field: tags dropped (block tags become spaces), the common entities
/// decoded, `<style>`/`<script>` content removed.
pub fn html_to_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(start) = rest.find('<') {
        out.push_str(&rest[..start]);
        let after = &rest[start..];
        let skip_to = if starts_with_ignore_case(after, "<style") {
            find_ignore_case(after, "</style>").map(|i| i + "</style>".len())
        } else if starts_with_ignore_case(after, "<script") {
            find_ignore_case(after, "</script>").map(|i| i + "</script>".len())
        } else {
            after.find('>').map(|i| i + 1)
        };
        match skip_to {
            Some(n) => {
                out.push(' ');
                rest = &after[n..];
            }
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    if out.contains('&') {
        decode_entities(&out)
    } else {
        out
    }
}

/// Whether `text` starts with the ASCII `prefix`, ignoring ASCII case.
pub fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|start| start.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Byte offset of the first match of the ASCII `needle` in `text`, ignoring ASCII case.
fn find_ignore_case(text: &str, needle: &str) -> Option<usize> {
    text.as_bytes()
        .windows(needle.len())
        .position(|window| window.eq_ignore_ascii_case(needle.as_bytes()))
}

pub fn decode_entities(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        // Entities are short: look for the `;` within 12 bytes, on a char boundary.
        let mut window = after.len().min(12);
        while !after.is_char_boundary(window) {
            window -= 1;
        }
        let end = after[..window].find(';');
        let decoded = end.and_then(|end| {
            let name = &after[1..end];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" | "#39" => Some('\''),
                "nbsp" => Some(' '),
                _ if name.starts_with("#x") || name.starts_with("#X") => {
                    u32::from_str_radix(&name[2..], 16)
                        .ok()
                        .and_then(char::from_u32)
                }
                _ if name.starts_with('#') => name[1..].parse().ok().and_then(char::from_u32),
                _ => None,
            };
            c.map(|c| (c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` cut to at most `max` characters, with an ellipsis when it was longer.
pub fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let kept: String = s.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", kept.trim_end())
    }
}

/// Text from an untrusted package or manifest made safe to print on one terminal line: control
/// characters (C0, DEL, C1) and bidirectional overrides are shown escaped (`\u{1b}`), so
/// no escape sequence reaches the terminal; line breaks and tabs become spaces; the result is
/// cut to `max` characters.
pub fn printable(s: &str, max: usize) -> String {
    let mut out = String::new();
    for (count, c) in s.chars().enumerate() {
        // Enough input for `max` characters even if every one is escaped: stop reading early,
        // so a 10 MB field costs no more than a short one.
        if count > max {
            out.push_str("  ");
            break;
        }
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control()
                || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}') =>
            {
                out.extend(c.escape_unicode())
            }
            c => out.push(c),
        }
    }
    shorten(&out, max)
}

/// [`printable`], with every ASCII punctuation character markdown could read as syntax
/// (emphasis, links, HTML, headings, tables, mentions) escaped with a backslash, for text
/// that goes into release notes.
pub fn markdown_text(s: &str, max: usize) -> String {
    let mut out = String::new();
    for c in printable(s, max).chars() {
        if c.is_ascii_punctuation()
            && !matches!(
                c,
                ',' | '.' | ':' | ';' | '?' | '\'' | '"' | '/' | '=' | '%' | '$'
            )
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A place in a text: its byte offset, and its 1-based line and column (in characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPlace {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
}

/// The place of byte `offset` in `text`, counted on from an earlier place `from` over the text
/// between them only: places asked for in order along a text (findings, images) cost one
/// pass over it together, not one pass each from its start. `None` when `offset` comes before
/// `from` or either is not on a character boundary: then count from a line's start instead.
pub fn count_on(text: &str, from: TextPlace, offset: usize) -> Option<TextPlace> {
    let step = text.get(from.offset..offset)?;
    let (line, column) = match memchr::memrchr(b'\n', step.as_bytes()) {
        Some(last) => (
            from.line + memchr::memchr_iter(b'\n', step.as_bytes()).count(),
            step[last + 1..].chars().count() + 1,
        ),
        None => (from.line, from.column + step.chars().count()),
    };
    Some(TextPlace {
        offset,
        line,
        column,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn escaping_replaces_exactly_the_five_specials(text in "[a-z &<>\"'é]{0,50}") {
            let by_char: String = text
                .chars()
                .map(|c| match c {
                    '&' => "&amp;".to_string(),
                    '<' => "&lt;".to_string(),
                    '>' => "&gt;".to_string(),
                    '"' => "&quot;".to_string(),
                    '\'' => "&#39;".to_string(),
                    c => c.to_string(),
                })
                .collect();
            proptest::prop_assert_eq!(escape(&text), by_char);
        }
    }

    #[test]
    fn printable_text_has_no_escape_sequences_and_a_width() {
        assert_eq!(printable("a\u{1b}[2Jb\nc", 80), "a\\u{1b}[2Jb c");
        assert_eq!(printable("x\u{202e}y\u{9b}", 80), "x\\u{202e}y\\u{9b}");
        assert_eq!(printable(&"w".repeat(10_000_000), 10).chars().count(), 10);
        assert_eq!(
            markdown_text("**b** <img src=x> [l](u) @team # h | t", 80),
            "\\*\\*b\\*\\* \\<img src=x\\> \\[l\\]\\(u\\) \\@team \\# h \\| t"
        );
    }

    #[test]
    fn html_to_text_drops_tags_and_styles() {
        assert_eq!(
            html_to_text("<style>p{}</style><p>a&lt;b</p>")
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["a<b"]
        );
        assert_eq!(
            html_to_text("x<STYLE a>p{}</Style>y<sCrIpT>1</SCRIPT>z<script>never closed"),
            "x y z"
        );
        assert_eq!(html_to_text("a<b"), "a");
        assert_eq!(html_to_text("caf&#xE9; &amp;c"), "café &c");
    }

    #[test]
    fn escaping_replaces_exactly_the_five_special_characters() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("plain é text"), "plain é text");
        assert_eq!(
            escape("<a href=\"x\">Tom & 'Jerry'</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; &#39;Jerry&#39;&lt;/a&gt;"
        );
        assert_eq!(escape("&&é<"), "&amp;&amp;é&lt;");
    }

    #[test]
    fn percent_decoding_never_splits_a_character() {
        assert_eq!(percent_decode("a%20b"), "a b");
        assert_eq!(percent_decode("%aé"), "%aé");
        assert_eq!(percent_decode("%é%"), "%é%");
        assert_eq!(percent_decode("%zz"), "%zz");
    }

    #[test]
    fn relative_paths_resolve() {
        assert_eq!(
            join_relative(Path::new("a/b"), "../c/d.md"),
            Some(PathBuf::from("a/c/d.md"))
        );
        assert_eq!(join_relative(Path::new(""), "../x"), None);
        assert_eq!(file_url(Path::new("a b/c.md")), "a%20b/c.md");
    }

    /// Line and column of `offset` counted from the text's start, character by character.
    fn place_afresh(text: &str, offset: usize) -> TextPlace {
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        TextPlace {
            offset,
            line: before.matches('\n').count() + 1,
            column: text[line_start..offset].chars().count() + 1,
        }
    }

    proptest::proptest! {
        #[test]
        fn counting_on_from_place_to_place_agrees_with_counting_afresh(
            text in "[a\\n\\ré€]{0,40}",
            picks in proptest::collection::vec(0usize..60, 0..8),
        ) {
            let mut offsets: Vec<usize> = picks
                .into_iter()
                .map(|p| p.min(text.len()))
                .filter(|&o| text.is_char_boundary(o))
                .collect();
            offsets.sort_unstable();
            let mut from = TextPlace { offset: 0, line: 1, column: 1 };
            for offset in offsets {
                let next = count_on(&text, from, offset);
                proptest::prop_assert_eq!(next, Some(place_afresh(&text, offset)));
                from = next.unwrap_or(from);
            }
        }
    }

    #[test]
    fn counting_back_or_off_a_character_boundary_is_refused() {
        let text = "ab\né";
        let end = TextPlace {
            offset: 5,
            line: 2,
            column: 2,
        };
        assert_eq!(count_on(text, end, 3), None);
        assert_eq!(count_on(text, place_afresh(text, 0), 4), None);
        assert_eq!(
            count_on(text, place_afresh(text, 0), 3),
            Some(place_afresh(text, 3))
        );
    }
}
