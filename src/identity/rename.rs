//! Recognising a renamed or moved note: a new note of a deck is matched to a key of that deck
//! that vanished from the lock when their question and answer texts are alike enough (see
//! [`similarity`](super::similarity)), with a bonus when only the heading path changed. The
//! matched note keeps its GUID, note id and review history.

use std::collections::{HashMap, HashSet};

use super::digest::FileNotes;
use super::lock::LockedNote;
use super::similarity::Signature;

/// A renamed or moved note is recognised when the estimated Jaccard similarity of its question
/// and answer (word and word-pair sets, see [`similarity`](super::similarity)) with a vanished note of the same
/// deck reaches this, after adding [`SAME_ITEM_BONUS`] when the rule and item are unchanged.
pub const RENAME_THRESHOLD: f64 = 0.5;

/// Evidence that a note only moved: the last two key components (rule and item, e.g.
/// `definition/consumer` or `message queue/summary`) are equal under another heading path.
pub const SAME_ITEM_BONUS: f64 = 0.2;

/// A rename found by [`match_renames`].
pub(super) struct RenameMatch {
    /// (file, index) of the new note.
    pub(super) new: (usize, usize),
    /// Its identity.
    pub(super) identity: String,
    /// Position in the deck's vanished list.
    pub(super) old: usize,
    pub(super) similarity: f64,
    pub(super) same_item: bool,
}

/// Greedy best-first matching of new notes to vanished lock keys of one deck: every pair
/// scoring at least [`RENAME_THRESHOLD`] is a candidate, the best pair is taken, both sides
/// leave the pool, and so on. Ties break on the keys, so the result is stable.
///
/// A pair is only considered when both notes are of one note type (a lock line without a type
/// counts as the same) and were made by one rule (the rule is a part of the key: a list never
/// becomes a definition). A new note more like one of `unchanged` (the signatures, as the lock
/// has them, of the deck's notes that this build keeps under their key, changed or not) than
/// like any vanished note is a new fact beside an existing one, not a renamed one; so is a new
/// note that asks the very question a kept note asks (a split note's second half): neither is
/// ever matched.
pub(super) fn match_renames(
    files: &[FileNotes],
    unmatched: &[(usize, usize)],
    vanished: &[(String, LockedNote)],
    unchanged: &Unchanged,
) -> Vec<RenameMatch> {
    let wanted: HashSet<(usize, usize)> = unmatched.iter().copied().collect();
    let mut candidates = Vec::new();
    for (file_index, file) in files.iter().enumerate() {
        for c in &file.candidates {
            let new = (file_index, c.index as usize);
            if !wanted.contains(&new) || unchanged.asks(file.notes[new.1].question) {
                continue;
            }
            let first = candidates.len();
            let mut best_vanished: f64 = 0.0;
            for (position, (old_key, old)) in vanished.iter().enumerate() {
                let Some(old_signature) = old.signature else {
                    continue;
                };
                if old.kind.is_some_and(|k| k != c.kind) || !same_rule(&c.identity, c.rule, old_key)
                {
                    continue;
                }
                let similarity = c.signature.similarity(&old_signature);
                let same_item = same_item(&c.identity, old_key);
                let score = similarity + if same_item { SAME_ITEM_BONUS } else { 0.0 };
                if score >= RENAME_THRESHOLD {
                    best_vanished = best_vanished.max(similarity);
                    candidates.push((
                        score,
                        c.identity.as_str(),
                        old_key.as_str(),
                        new,
                        position,
                        similarity,
                        same_item,
                    ));
                }
            }
            if candidates.len() > first && unchanged.any_at_least(&c.signature, best_vanished) {
                candidates.truncate(first);
            }
        }
    }
    candidates.sort_by(|a, b| {
        b.0.total_cmp(&a.0)
            .then_with(|| a.1.cmp(b.1))
            .then_with(|| a.2.cmp(b.2))
    });
    let mut used_new = HashSet::new();
    let mut used_old = HashSet::new();
    let mut out = Vec::new();
    for (_, identity, _, new, old, similarity, same_item) in candidates {
        if used_new.contains(&new) || used_old.contains(&old) {
            continue;
        }
        used_new.insert(new);
        used_old.insert(old);
        out.push(RenameMatch {
            new,
            identity: identity.to_string(),
            old,
            similarity,
            same_item,
        });
    }
    out.sort_by_key(|m| m.new);
    out
}

/// The signatures (as the lock has them) and question hashes of a deck's notes that a build
/// keeps under their key, changed or not, to ask whether a new note is at least as like one of
/// them as like a vanished note, or asks what one of them asks. Up to [`Unchanged::SCAN`] notes are
/// compared one by one; beyond, only those sharing a band (two adjacent signature bytes) with
/// the new note — a pair of similarity 0.5 shares one of the 16 bands with probability 0.99,
/// unrelated notes about once in 4,000 — so a big deck costs a few hundred comparisons a note.
#[derive(Debug, Default)]
pub(super) struct Unchanged {
    signatures: Vec<Signature>,
    bands: HashMap<(u8, u16), Vec<u32>>,
    /// The question hashes of the kept notes.
    questions: HashSet<u64>,
}

impl Unchanged {
    const SCAN: usize = 20_000;

    pub(super) fn new(signatures: Vec<Signature>, questions: HashSet<u64>) -> Self {
        let mut bands: HashMap<(u8, u16), Vec<u32>> = HashMap::new();
        if signatures.len() > Self::SCAN {
            for (index, s) in signatures.iter().enumerate() {
                for band in Self::bands_of(s) {
                    bands.entry(band).or_default().push(index as u32);
                }
            }
        }
        Unchanged {
            signatures,
            bands,
            questions,
        }
    }

    /// A kept note asks the question of hash `question`.
    fn asks(&self, question: u64) -> bool {
        self.questions.contains(&question)
    }

    fn bands_of(s: &Signature) -> impl Iterator<Item = (u8, u16)> + '_ {
        s.0.chunks_exact(2)
            .enumerate()
            .map(|(band, pair)| (band as u8, u16::from_be_bytes([pair[0], pair[1]])))
    }

    /// Some unchanged note has at least `similarity` with `s`.
    fn any_at_least(&self, s: &Signature, similarity: f64) -> bool {
        if self.signatures.len() <= Self::SCAN {
            return self
                .signatures
                .iter()
                .any(|u| s.similarity(u) >= similarity);
        }
        Self::bands_of(s).any(|band| {
            self.bands.get(&band).is_some_and(|indices| {
                indices
                    .iter()
                    .any(|&i| s.similarity(&self.signatures[i as usize]) >= similarity)
            })
        })
    }
}

/// The old key `old` was made by `rule`, the rule of the new note `identity`. Keys end in
/// `rule/item`, `rule` (no item), and either may carry a `/N` that tells repeated keys of a
/// file apart, so the rule is one of the last three components; pins name no rule, and match
/// any.
fn same_rule(identity: &str, rule: &str, old: &str) -> bool {
    if identity.starts_with("pin:") || old.starts_with("pin:") {
        return true;
    }
    let parts: Vec<&str> = old.split('/').skip(1).collect();
    let n = parts.len();
    let number = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    match parts.as_slice() {
        [.., r] if *r == rule => true,
        [.., r, _] if *r == rule => true,
        [.., r, _, last] if *r == rule && number(last) => true,
        _ => n == 0,
    }
}

/// The last two components of two keys are equal (and the keys are not pins).
fn same_item(a: &str, b: &str) -> bool {
    fn tail(k: &str) -> Option<(&str, &str)> {
        let mut parts = k.rsplitn(3, '/');
        let item = parts.next()?;
        let rule = parts.next()?;
        parts.next()?;
        Some((item, rule))
    }
    !a.starts_with("pin:") && !b.starts_with("pin:") && tail(a).is_some() && tail(a) == tail(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_is_one_of_the_last_key_parts() {
        assert!(same_rule("d/b/list/x", "list", "d/a/list/intro"));
        assert!(same_rule("d/b/list", "list", "d/a/list"));
        assert!(same_rule("d/b/list", "list", "d/a/list/2"));
        assert!(same_rule("d/b/list", "list", "d/a/list/intro/2"));
        assert!(!same_rule(
            "d/b/list",
            "list",
            "d/a/definition/list of things"
        ));
        assert!(!same_rule("d/b/summary", "summary", "d/a/list"));
        assert!(!same_rule(
            "d/b/definition/x",
            "definition",
            "d/a/keyterm/x"
        ));
        assert!(same_rule("pin:x", "list", "d/a/summary"));
    }

    #[test]
    fn unchanged_notes_are_found_by_band_in_a_big_deck() {
        let text = |i: usize| format!("fact {i} about caches queues and replicas number {}", i * 7);
        let signatures: Vec<Signature> = (0..Unchanged::SCAN + 1)
            .map(|i| Signature::of(&text(i), "answer"))
            .collect();
        let unchanged = Unchanged::new(signatures, HashSet::new());
        assert!(!unchanged.bands.is_empty());
        // An edit of note 12345 is found; an unrelated text is not.
        let edited = Signature::of(&format!("{} indeed", text(12345)), "answer");
        let similarity = edited.similarity(&Signature::of(&text(12345), "answer"));
        assert!(similarity >= 0.5, "{similarity}");
        assert!(unchanged.any_at_least(&edited, similarity));
        let unrelated = Signature::of("tombstones mark deleted entries for replicas", "x");
        assert!(!unchanged.any_at_least(&unrelated, 0.5));
    }
}
