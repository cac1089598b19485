//! Identity keys: the one place they are normalised, assembled, numbered and hashed.
//!
//! A note's key says where it lives: deck, heading path, rule and item, each normalised so that
//! case, punctuation, whitespace and markup do not matter, joined with `/`. The extract stage
//! names rule and item, render assembles and numbers the key, identity turns it (or an author's
//! pin) into a GUID. Leaf module: it imports nothing from the crate.

use sha2::{Digest, Sha256};
use unicode_normalization::UnicodeNormalization;

/// Normalises a key component: NFKC, lowercase, markup and punctuation removed, whitespace
/// collapsed. Used for identity keys, tags and title matching.
pub fn normalize_key(text: &str) -> String {
    let mut out = String::new();
    normalize_key_into(text, &mut out);
    out
}

/// [`normalize_key`] written into `out` (emptied first), so that a caller normalising many
/// texts reuses one buffer.
pub fn normalize_key_into(text: &str, out: &mut String) {
    // NFKC leaves ASCII unchanged, and most keys are ASCII, some with typographic quotes or
    // dashes: skip the Unicode machinery.
    if normalize_ascii_key(text, out) {
        return;
    }
    normalize_unicode_key(text, out);
}

/// [`normalize_key`] by Unicode's rules, character by character.
fn normalize_unicode_key(text: &str, out: &mut String) {
    out.clear();
    out.reserve(text.len());
    let mut space = false;
    let mut push = |c: char| {
        if is_caseless_letter(c) || c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c.is_whitespace() || c == '/' {
            space = true;
        }
    };
    if unicode_normalization::is_nfkc_quick(text.chars())
        == unicode_normalization::IsNormalized::Yes
    {
        // Already NFKC (curly quotes, dashes, most accented text): no need to rebuild it.
        // Mostly ASCII with a few curly quotes or dashes: lowercase ASCII without the tables;
        // Chinese, Japanese and Korean letters have no case: no lowercase table either.
        for c in text.chars() {
            if c.is_ascii() {
                push(c.to_ascii_lowercase());
            } else if is_caseless_letter(c) {
                push(c);
            } else {
                c.to_lowercase().for_each(&mut push);
            }
        }
    } else {
        text.nfkc().flat_map(char::to_lowercase).for_each(&mut push);
    }
}

/// Letters without case in the blocks that make up most Chinese, Japanese and Korean text
/// (kana, the unified ideographs, Hangul syllables): alphanumeric and their own lowercase,
/// told by range instead of by Unicode's tables, which were a tenth of the translations' build.
fn is_caseless_letter(c: char) -> bool {
    matches!(c,
        '\u{3041}'..='\u{3096}' // hiragana
        | '\u{30A1}'..='\u{30FA}' // katakana
        | '\u{3400}'..='\u{4DBF}' // CJK unified ideographs extension A
        | '\u{4E00}'..='\u{9FFF}' // CJK unified ideographs
        | '\u{AC00}'..='\u{D7A3}' // Hangul syllables
    )
}

/// [`normalize_key`] of ASCII text, byte by byte: the same rules without decoding characters.
/// (`char::is_whitespace` also counts the vertical tab, which `u8::is_ascii_whitespace` does not.)
/// The typographic punctuation of [`dropped_punctuation_len`] is dropped like ASCII
/// punctuation. False (and `into` unspecified) for text with any other non-ASCII character.
fn normalize_ascii_key(text: &str, into: &mut String) -> bool {
    // Bytes, not chars: pushing a char encodes it, which was most of the cost here. The output
    // is never longer than the input (a space stands for at least one separator byte), so it
    // is written by index into a buffer of that size, one table lookup a byte.
    let mut out = std::mem::take(into).into_bytes();
    out.clear();
    out.resize(text.len(), 0);
    let mut len = 0;
    let mut space = false;
    let bytes = text.as_bytes();
    // Bytes left of a punctuation mark being dropped.
    let mut skip = 0;
    for (at, &b) in bytes.iter().enumerate() {
        if skip > 0 {
            skip -= 1;
            continue;
        }
        match ASCII_KEY_BYTE[usize::from(b)] {
            DROPPED => {}
            SEPARATOR => space = true,
            NON_ASCII => match dropped_punctuation_len(&bytes[at..]) {
                Some(n) => skip = n - 1,
                None => {
                    *into = String::from_utf8(out).unwrap_or_default();
                    return false;
                }
            },
            kept => {
                if space && len > 0 {
                    out[len] = b' ';
                    len += 1;
                }
                space = false;
                out[len] = kept;
                len += 1;
            }
        }
    }
    out.truncate(len);
    *into = String::from_utf8(out).expect("ASCII bytes are UTF-8");
    true
}

/// The length of the character `bytes` (UTF-8) starts with, when it is typographic punctuation
/// that NFKC keeps as punctuation and [`normalize_key`] drops: curly quotes, guillemets, en
/// and em dashes, the ellipsis (NFKC's "..."). These are the non-ASCII characters of most
/// English text, and of our own questions.
pub fn dropped_punctuation_len(bytes: &[u8]) -> Option<usize> {
    match bytes {
        // ‘ ’ “ ” – — … ‹ ›
        [
            0xe2,
            0x80,
            0x98 | 0x99 | 0x9c | 0x9d | 0x93 | 0x94 | 0xa6 | 0xb9 | 0xba,
            ..,
        ] => Some(3),
        // « »
        [0xc2, 0xab | 0xbb, ..] => Some(2),
        _ => None,
    }
}

/// What [`normalize_ascii_key`] makes of each byte: an alphanumeric its lowercase, whitespace,
/// `/` and the vertical tab [`SEPARATOR`], a byte of a non-ASCII character [`NON_ASCII`],
/// anything else [`DROPPED`].
const ASCII_KEY_BYTE: [u8; 256] = {
    let mut table = [NON_ASCII; 256];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        if byte.is_ascii_alphanumeric() {
            table[b] = byte.to_ascii_lowercase();
        } else if byte.is_ascii_whitespace() || byte == b'/' || byte == 0x0b {
            table[b] = SEPARATOR;
        } else {
            table[b] = DROPPED;
        }
        b += 1;
    }
    table
};
const DROPPED: u8 = 0;
const SEPARATOR: u8 = 1;
const NON_ASCII: u8 = 2;

/// A 128-bit fingerprint of a key, for sets that must tell keys apart but need not keep them:
/// a file of a million cards would otherwise hold every key twice. Two runs of foldhash's
/// quality hash with different fixed seeds (SipHash, twice per key, showed in the profile of
/// big builds); a collision between keys of one file is not a practical concern. In memory
/// only: the hash is not promised to stay the same across foldhash versions.
pub fn fingerprint(key: &str) -> u128 {
    use std::hash::BuildHasher;
    let half = |seed: u64| foldhash::quality::FixedState::with_seed(seed).hash_one(key);
    (u128::from(half(0x243f_6a88_85a3_08d3)) << 64) | u128::from(half(0x1319_8a2e_0370_7344))
}

/// A set of [`fingerprint`]s: already hashes, so the set's own hasher need only be cheap.
pub type FingerprintSet = std::collections::HashSet<u128, foldhash::fast::FixedState>;

/// A map keyed by [`fingerprint`]s (see [`FingerprintSet`]).
pub type FingerprintMap<V> = std::collections::HashMap<u128, V, foldhash::fast::FixedState>;

/// A fixed deck id for a deck name (used where no manifest gives one), never 1.
pub fn deck_id(name: &str) -> i64 {
    (1 << 40) + (hash_u64(&format!("primer-anki/deck/{name}")) % (1 << 40)) as i64
}

/// The first 8 bytes of the SHA-256 of `key`, big-endian: stable across builds and versions.
pub fn hash_u64(key: &str) -> u64 {
    let digest = Sha256::digest(key.as_bytes());
    u64::from_be_bytes(digest[..8].try_into().expect("sha256 has 32 bytes"))
}

/// Appends a non-empty part to an identity key, `/`-separated; empty parts are left out.
pub fn push_part(key: &mut String, part: &str) {
    if part.is_empty() {
        return;
    }
    if !key.is_empty() {
        key.push('/');
    }
    key.push_str(part);
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// The identity of an author's pin (`<!-- id: … -->`): it wins over the card's key.
pub fn pin_identity(pin: &str) -> String {
    format!("pin:{}", normalize_key(pin))
}

/// Numbers repeated keys within one file: the second card with a key gets `key/2`, the third
/// `key/3`. Keys are remembered by [`fingerprint`]: a big file has many.
#[derive(Default)]
pub struct Numbering {
    seen: FingerprintMap<u32>,
}

impl Numbering {
    /// `key` itself the first time, `key/N` the N-th time.
    pub fn number(&mut self, key: String) -> String {
        let seen = self.seen.entry(fingerprint(&key)).or_insert(0);
        *seen += 1;
        if *seen > 1 {
            format!("{key}/{seen}")
        } else {
            key
        }
    }
}

/// A stable positive id from a name, in Anki's recommended notetype range [2^30, 2^31), which
/// never collides with Anki's own millisecond-timestamp ids.
pub fn notetype_id(key: &str) -> i64 {
    (1 << 30) + (crate::key::hash_u64(key) % (1 << 30)) as i64
}

/// The id of our basic note type. Derived once: every note of a build asks for it, and a
/// SHA-256 per note showed in the profile of the second pass.
pub fn basic_id() -> i64 {
    static ID: std::sync::LazyLock<i64> =
        std::sync::LazyLock::new(|| notetype_id("primer-anki/notetype/basic"));
    *ID
}

/// The id of our cloze note type, derived once like [`basic_id`].
pub fn cloze_id() -> i64 {
    static ID: std::sync::LazyLock<i64> =
        std::sync::LazyLock::new(|| notetype_id("primer-anki/notetype/cloze"));
    *ID
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_normalised() {
        assert_eq!(
            normalize_key("  **Master-Slave**  Replication! "),
            "masterslave replication"
        );
        assert_eq!(normalize_key("Disadvantage(s): `CDN`"), "disadvantages cdn");
        assert_eq!(normalize_key("Ｆｕｌｌ width"), "full width");
    }

    proptest::proptest! {
        #[test]
        fn typographic_punctuation_is_dropped_as_the_unicode_rules_drop_it(
            text in "[aZ9 /\t.,\u{2018}\u{2019}\u{201c}\u{201d}\u{2013}\u{2014}\u{2026}\u{2039}\u{203a}\u{ab}\u{bb}\u{a0}\u{e9}\u{301}\u{5b57}\u{2015}\u{2022}]{0,24}"
        ) {
            let mut unicode = String::new();
            normalize_unicode_key(&text, &mut unicode);
            proptest::prop_assert_eq!(normalize_key(&text), unicode);
        }
    }

    #[test]
    fn the_ascii_shortcut_normalises_like_the_unicode_rules() {
        // Every ASCII byte, between letters and at the edges, through both paths: the
        // Unicode path is reached by appending a non-ASCII letter and removing it after.
        for b in 0u8..128 {
            let c = char::from(b);
            for text in [format!("a{c}b"), format!("{c}x{c}{c}y{c}"), format!("{c}")] {
                let unicode = normalize_key(&format!("{text} é"));
                let expected = unicode.strip_suffix('é').unwrap_or(&unicode).trim_end();
                let mut ascii = String::from("left over");
                assert!(normalize_ascii_key(&text, &mut ascii));
                assert_eq!(ascii, expected, "byte {b:#04x}");
            }
        }
    }

    #[test]
    fn caseless_letters_are_what_the_unicode_tables_say() {
        // Every character of every range, checked against the tables it stands in for.
        let caseless: Vec<char> = (0..=u32::from(char::MAX))
            .filter_map(char::from_u32)
            .filter(|&c| is_caseless_letter(c))
            .collect();
        assert!(caseless.len() > 30_000, "{}", caseless.len());
        for c in caseless {
            assert!(c.is_alphanumeric(), "{c:?} U+{:04X}", u32::from(c));
            assert_eq!(c.to_lowercase().collect::<String>(), c.to_string(), "{c:?}");
            assert!(!c.is_whitespace());
        }
        assert_eq!(
            normalize_key("  日本語 の/キー、한국어 "),
            "日本語 の キー한국어"
        );
    }
}
