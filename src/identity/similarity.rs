//! How alike two notes' texts are, from a compact signature the lock file can hold.
//!
//! The lock keeps hashes, not content, so to recognise a renamed or moved note the build needs
//! something it can compare without the old text. Each note gets a **b-bit MinHash signature**
//! of its question and answer text (the Context, Source and Further Reading fields are left
//! out: they change when a heading is renamed or a section moves, which is exactly when
//! matching has to work):
//!
//! - the text is stripped of markup and normalised like identity keys (case, punctuation,
//!   whitespace), then split into words; the token set is every word plus every pair of
//!   adjacent words, so both vocabulary and word order count;
//! - for each of [`SLOTS`] seeded hash functions the smallest token hash is kept, and of it
//!   only the low 8 bits (b-bit MinHash, Li & König 2010): 32 bytes, 64 hex characters a note;
//! - two signatures estimate the Jaccard similarity of the token sets as the share of equal
//!   slots, corrected for the 1/256 chance that two different minima share their low byte.

use crate::markup::{html_to_text, starts_with_ignore_case};

/// Number of hash functions (bytes) in a signature.
pub const SLOTS: usize = 32;

/// A note's signature: one byte per slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Signature(pub [u8; SLOTS]);

impl Signature {
    /// The signature of a note's question and answer (HTML allowed).
    pub fn of(front: &str, back: &str) -> Signature {
        // The words of "front back": the two texts' words one after the other.
        let mut tokens = Vec::with_capacity((front.len() + back.len()) / 3);
        push_html_word_hashes(front, &mut tokens);
        push_html_word_hashes(back, &mut tokens);
        // Tokens: every word, then every pair of adjacent words (hashed from the two words).
        let words = tokens.len();
        for i in 1..words {
            let pair = mix(tokens[i - 1].rotate_left(17) ^ tokens[i]);
            tokens.push(pair);
        }
        let mins = slot_minima(&tokens);
        let mut out = [0u8; SLOTS];
        for (byte, min) in out.iter_mut().zip(mins) {
            *byte = if tokens.is_empty() {
                0
            } else {
                (min & 0xff) as u8
            };
        }
        Signature(out)
    }

    /// Estimated Jaccard similarity of the two notes' token sets, 0.0 to 1.0.
    pub fn similarity(&self, other: &Signature) -> f64 {
        let equal = self
            .0
            .iter()
            .zip(other.0.iter())
            .filter(|(a, b)| a == b)
            .count() as f64;
        let chance = 1.0 / 256.0;
        ((equal / SLOTS as f64 - chance) / (1.0 - chance)).clamp(0.0, 1.0)
    }

    pub fn to_hex(&self) -> String {
        let mut out = String::with_capacity(SLOTS * 2);
        self.write_hex(&mut out);
        out
    }

    /// Appends the 64 hex digits to `out`.
    pub fn write_hex<W: std::fmt::Write>(&self, out: &mut W) {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        // One write of all the digits: a write per digit showed in the profile of big builds.
        let mut hex = [0u8; SLOTS * 2];
        for (pair, b) in hex.chunks_exact_mut(2).zip(self.0) {
            pair[0] = DIGITS[usize::from(b >> 4)];
            pair[1] = DIGITS[usize::from(b & 15)];
        }
        let _ = out.write_str(std::str::from_utf8(&hex).expect("hex digits are ASCII"));
    }

    pub fn from_hex(hex: &str) -> Option<Signature> {
        if hex.len() != SLOTS * 2 || !hex.is_ascii() {
            return None;
        }
        let mut out = [0u8; SLOTS];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&hex[i * 2..i * 2 + 2], 16).ok()?;
        }
        Some(Signature(out))
    }
}

/// For each slot, the smallest of that slot's hash over all tokens. Double hashing gives
/// SLOTS independent-enough hash functions from one token.
///
/// This loop is most of a signature's cost, and its 32 slots are independent: on CPUs with
/// AVX-512 (or AVX2) the same code is compiled a second time with those instructions, which
/// the compiler vectorises. The results are identical either way.
#[allow(unsafe_code)] // calls the target-feature copies, after checking the CPU has them
fn slot_minima(tokens: &[u64]) -> [u64; SLOTS] {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512dq") {
            // SAFETY: the CPU supports the features the function was compiled for.
            return unsafe { slot_minima_avx512(tokens) };
        }
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: as above.
            return unsafe { slot_minima_avx2(tokens) };
        }
    }
    slot_minima_portable(tokens)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx512dq")]
fn slot_minima_avx512(tokens: &[u64]) -> [u64; SLOTS] {
    slot_minima_portable(tokens)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn slot_minima_avx2(tokens: &[u64]) -> [u64; SLOTS] {
    slot_minima_portable(tokens)
}

#[inline(always)]
fn slot_minima_portable(tokens: &[u64]) -> [u64; SLOTS] {
    let mut mins = [u64::MAX; SLOTS];
    for &token in tokens {
        let base = mix(token);
        let step = mix(token ^ 0x9e37_79b9_7f4a_7c15) | 1;
        for (slot, min) in mins.iter_mut().enumerate() {
            let h = mix(base.wrapping_add((slot as u64).wrapping_mul(step)));
            *min = (*min).min(h);
        }
    }
    mins
}

/// Appends [`word_hashes`] of `html_to_text(html)` to `out`. ASCII HTML with no entity and no
/// `<style>` or `<script>` (nearly every field) is hashed as it is scanned: a tag is a space
/// to `html_to_text`, so it ends a word; a `<` without a `>` ends the text. The typographic
/// punctuation `normalize_key` drops (curly quotes, dashes: `key::dropped_punctuation_len`)
/// may be in it too.
fn push_html_word_hashes(html: &str, out: &mut Vec<u64>) {
    let start = out.len();
    if !html.contains('&') && push_ascii_html_word_hashes(html, out) {
        return;
    }
    out.truncate(start);
    out.extend(word_hashes(&html_to_text(html)));
}

/// [`push_html_word_hashes`] of ASCII HTML without entities; false (with some hashes pushed)
/// at a `<style` or `<script`, whose content `html_to_text` drops, and at a non-ASCII
/// character other than dropped punctuation.
fn push_ascii_html_word_hashes(html: &str, out: &mut Vec<u64>) -> bool {
    let bytes = html.as_bytes();
    let mut words = AsciiWords::new();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if !b.is_ascii() {
            // Dropped: a word goes on across it, as across ASCII punctuation.
            match crate::key::dropped_punctuation_len(&bytes[at..]) {
                Some(len) => at += len,
                None => return false,
            }
            continue;
        }
        if b == b'<' {
            // Every character before was whole: `at` is a char boundary.
            let tag = &html[at..];
            if starts_with_ignore_case(tag, "<style") || starts_with_ignore_case(tag, "<script") {
                return false;
            }
            let Some(end) = bytes[at..].iter().position(|&c| c == b'>') else {
                break;
            };
            words.end(out);
            at += end + 1;
            continue;
        }
        words.byte(b, out);
        at += 1;
    }
    words.end(out);
    true
}

/// The words of ASCII text hashed byte by byte as `normalize_key` makes them: alphanumerics
/// (lowercased) make words, whitespace, `/` and the vertical tab (whitespace to
/// `char::is_whitespace`, not to `u8::is_ascii_whitespace`) end them, anything else is dropped.
struct AsciiWords {
    hash: u64,
    in_word: bool,
}

impl AsciiWords {
    fn new() -> Self {
        AsciiWords {
            hash: FNV_OFFSET,
            in_word: false,
        }
    }

    #[inline(always)]
    fn byte(&mut self, b: u8, out: &mut Vec<u64>) {
        if b.is_ascii_alphanumeric() {
            self.hash = fnv_step(self.hash, b.to_ascii_lowercase());
            self.in_word = true;
        } else if b.is_ascii_whitespace() || b == b'/' || b == 0x0b {
            self.end(out);
        }
    }

    /// Ends the word being hashed, if any.
    #[inline(always)]
    fn end(&mut self, out: &mut Vec<u64>) {
        if self.in_word {
            out.push(mix(self.hash));
            self.hash = FNV_OFFSET;
            self.in_word = false;
        }
    }
}

/// The hash ([`token_hash`]) of every word of `normalize_key(text)`. Text that is already
/// NFKC (nearly all) is hashed as it is scanned, without building the normalised string:
/// alphanumerics (lowercased) make words, whitespace and `/` separate them, anything else is
/// dropped, exactly as `normalize_key` does.
fn word_hashes(text: &str) -> Vec<u64> {
    use unicode_normalization::{IsNormalized, is_nfkc_quick};
    if !text.is_ascii() && is_nfkc_quick(text.chars()) != IsNormalized::Yes {
        let normalised = crate::key::normalize_key(text);
        return normalised.split_whitespace().map(token_hash).collect();
    }
    if text.is_ascii() {
        return ascii_word_hashes(text);
    }
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut hash = FNV_OFFSET;
    let mut in_word = false;
    let mut buf = [0u8; 4];
    let mut step = |c: char| {
        if c.is_alphanumeric() {
            for &b in c.encode_utf8(&mut buf).as_bytes() {
                hash = fnv_step(hash, b);
            }
            in_word = true;
        } else if (c.is_whitespace() || c == '/') && in_word {
            out.push(mix(hash));
            hash = FNV_OFFSET;
            in_word = false;
        }
    };
    for c in text.chars() {
        if c.is_ascii() {
            step(c.to_ascii_lowercase());
        } else {
            c.to_lowercase().for_each(&mut step);
        }
    }
    if in_word {
        out.push(mix(hash));
    }
    out
}

/// [`word_hashes`] of ASCII text, byte by byte.
fn ascii_word_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 5);
    let mut words = AsciiWords::new();
    for b in text.bytes() {
        words.byte(b, &mut out);
    }
    words.end(&mut out);
    out
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;

#[inline(always)]
fn fnv_step(hash: u64, byte: u8) -> u64 {
    (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
}

/// FNV-1a over the word's bytes: stable across Rust versions and platforms (the signatures
/// live in the lock file), and much cheaper than a cryptographic hash.
fn token_hash(word: &str) -> u64 {
    mix(word.bytes().fold(FNV_OFFSET, fnv_step))
}

/// splitmix64 finaliser.
#[inline(always)]
fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scanned_word_hashes_equal_those_of_the_normalised_text() {
        for text in [
            "Plain ASCII text, with punctuation: don't / split",
            "  leading and trailing  ",
            "which term means “The copy of ledger data”? — Straße ÉCOLE",
            "tabs\tand\nnewlines\u{b}vertical",
            "ﬁ ligature and ① circled (not NFKC)",
            "",
            "/",
            "x/y/z",
            "İstanbul ΣΊΣΥΦΟΣ",
        ] {
            let expected: Vec<u64> = crate::key::normalize_key(text)
                .split_whitespace()
                .map(token_hash)
                .collect();
            assert_eq!(word_hashes(text), expected, "{text:?}");
        }
    }

    #[test]
    fn html_is_hashed_as_its_text_is() {
        for html in [
            "<p>A buffer between <b>producers</b> and consumers.</p>",
            "a<br>b</i>c d/e",
            "<p>cut <a href=\"x\"",
            "x <STYLE>p { color: red }</style> y",
            "x <script>alert(1)</script> y <em>z</em>",
            "Tom &amp; Jerry &lt;3 <b>x</b>",
            "naïve <b>café</b> ﬁ",
            "",
            "<>",
            "word<",
            "tabs\tand\u{b}vertical<hr/>next",
        ] {
            let mut scanned = vec![7];
            push_html_word_hashes(html, &mut scanned);
            let mut expected = vec![7];
            expected.extend(word_hashes(&html_to_text(html)));
            assert_eq!(scanned, expected, "{html:?}");
        }
    }

    proptest::proptest! {
        /// Scanning the HTML gives the words of its text, whatever the tags and bytes.
        #[test]
        fn scanned_html_gives_the_words_of_its_text(
            html in "([a-zA-Z0-9 ]|<|>|<b>|</p>|<br/>|<STYLE>|</style>|<script|&amp;|&|/|-|\t|\x0b|\n|é|“|”|’|—|…|›|«|\u{a0}|<a title=“x”>)*",
        ) {
            let mut scanned = Vec::new();
            push_html_word_hashes(&html, &mut scanned);
            proptest::prop_assert_eq!(scanned, word_hashes(&html_to_text(&html)));
        }
    }

    #[test]
    fn vectorised_minima_equal_the_portable_ones() {
        let mut state = 7u64;
        for len in [0usize, 1, 2, 31, 200] {
            let tokens: Vec<u64> = (0..len)
                .map(|_| {
                    state = mix(state.wrapping_add(1));
                    state
                })
                .collect();
            assert_eq!(slot_minima(&tokens), slot_minima_portable(&tokens));
        }
    }

    #[test]
    fn identical_text_is_fully_similar_and_markup_does_not_matter() {
        let a = Signature::of(
            "<b>What is</b> a queue?",
            "<p>A buffer between producers &amp; consumers.</p>",
        );
        let b = Signature::of(
            "What is a queue?",
            "A buffer between producers & consumers.",
        );
        assert_eq!(a, b);
        assert!((a.similarity(&b) - 1.0).abs() < 1e-9);
    }

    #[test]
    fn a_small_edit_stays_similar_and_unrelated_text_does_not() {
        let a = Signature::of(
            "Why add jitter to exponential backoff?",
            "So that many clients retrying at once spread out instead of hitting the server together.",
        );
        let typo = Signature::of(
            "Why add jitter to exponential backoff?",
            "So that many clients retrying at once spread out instead of hitting the server at once.",
        );
        let other = Signature::of(
            "What does a write-ahead log record?",
            "Each change, durably, before it is applied.",
        );
        assert!(a.similarity(&typo) >= 0.5, "{}", a.similarity(&typo));
        assert!(a.similarity(&other) < 0.2, "{}", a.similarity(&other));
    }

    #[test]
    fn hex_round_trips() {
        let s = Signature::of("x y", "z");
        assert_eq!(Signature::from_hex(&s.to_hex()), Some(s));
        assert_eq!(Signature::from_hex("zz"), None);
    }

    #[test]
    fn ascii_word_hashes_follow_the_normalised_text_for_every_byte() {
        for b in 0u8..128 {
            let c = char::from(b);
            for text in [format!("a{c}b"), format!("{c}xy{c}{c}Z{c}"), format!("{c}")] {
                let expected: Vec<u64> = crate::key::normalize_key(&text)
                    .split_whitespace()
                    .map(token_hash)
                    .collect();
                assert_eq!(word_hashes(&text), expected, "byte {b:#04x}");
            }
        }
    }
}
