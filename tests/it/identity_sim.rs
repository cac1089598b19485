//! The edit-history simulator: random edits of the primer's cards, each resolved against the
//! lock of the unedited build, counting what a learner would get. Fixed seed, so the figures
//! are the same on every run; README's identity section quotes them.
//!
//! It edits the rendered notes (drafts), not the markdown, so that the truth is known: every
//! note of the edited build descends from one note of the first build (its *fact*), or is new.
//! A note that takes its own fact's GUID is a **true keep**; one that takes another note's GUID
//! is a **false match** (a learner's reviews move to another fact); a note whose fact existed
//! but which got a new GUID is a **duplicate** (the learner gets it twice, the old copy with
//! the reviews). Each trial applies 10 edits to 10 different notes of one deck:
//!
//! - typo: two letters swapped in the answer; reword: a fifth of the answer's words replaced;
//! - rename: the note's last heading gets a new word (key, subject and breadcrumb), with a
//!   typo in the answer (a rename with an edit); move: the note goes under another heading of
//!   its deck, text unchanged;
//! - split: the answer's second half becomes a new note beside it; merge: another note's answer
//!   is appended and that note deleted; insert: a new note made of words from other notes;
//!   delete; reorder: two notes swap places.
//!
//! A second test tries one edit exhaustively: every table row of the primer split beside every
//! deleted sibling row of its table, the case a random history once got wrong.
//!
//! What it does not do: edit the markdown (so the rules' own reactions to an edit, such as a
//! list crossing 3↔4 items, are left to `identity_lists.rs`), or chain edits across builds.

use std::collections::{BTreeMap, HashMap};

use primer_anki::identity::lock::Lock;
use primer_anki::identity::{DeckDrafts, assign};
use primer_anki::render::NoteDraft;

use crate::support::primer_dir;

/// xorshift64*: a fixed-seed generator, enough for sampling edits.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const EDITS: [&str; 9] = [
    "typo", "reword", "rename", "move", "split", "merge", "insert", "delete", "reorder",
];

/// A note of the edited build and the note of the first build it descends from.
struct Edited {
    draft: NoteDraft,
    fact: Option<usize>,
    edit: Option<&'static str>,
}

fn typo(text: &mut String, rng: &mut Rng) {
    let chars: Vec<char> = text.chars().collect();
    let letters: Vec<usize> = (0..chars.len().saturating_sub(1))
        .filter(|&i| chars[i].is_ascii_lowercase() && chars[i + 1].is_ascii_lowercase())
        .collect();
    if letters.is_empty() {
        return;
    }
    let i = letters[rng.below(letters.len())];
    let mut chars = chars;
    chars.swap(i, i + 1);
    *text = chars.into_iter().collect();
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(String::from).collect()
}

/// The key up to the rule: the deck and the heading path.
fn heading_prefix(draft: &NoteDraft) -> Option<(String, String)> {
    let at = draft.key.find(&format!("/{}", draft.rule))?;
    Some((draft.key[..at].to_string(), draft.key[at..].to_string()))
}

fn rename(draft: &mut NoteDraft, rng: &mut Rng) -> bool {
    let Some((prefix, rest)) = heading_prefix(draft) else {
        return false;
    };
    if !prefix.contains('/') {
        return false;
    }
    draft.key = format!("{prefix} revised{rest}");
    draft.fields.context.push_str(" revised");
    if let Some(at) = draft.fields.front.find("</span>") {
        draft.fields.front.insert_str(at, " revised");
    }
    typo(&mut draft.fields.back, rng);
    true
}

/// Applies `edit` to note `target` of `notes`; false when it does not apply to that note.
fn apply(edit: &'static str, notes: &mut Vec<Edited>, target: usize, rng: &mut Rng) -> bool {
    let n = notes.len();
    match edit {
        "typo" => typo(&mut notes[target].draft.fields.back, rng),
        "reword" => {
            let mut w = words(&notes[target].draft.fields.back);
            if w.len() < 5 {
                return false;
            }
            for _ in 0..w.len().div_ceil(5) {
                let donor = words(&notes[rng.below(n)].draft.fields.back);
                if donor.is_empty() {
                    continue;
                }
                let at = rng.below(w.len());
                w[at] = donor[rng.below(donor.len())].clone();
            }
            notes[target].draft.fields.back = w.join(" ");
        }
        "rename" => return rename(&mut notes[target].draft, rng),
        "move" => {
            let other = rng.below(n);
            let (Some((to, _)), Some((from, rest))) = (
                heading_prefix(&notes[other].draft),
                heading_prefix(&notes[target].draft),
            ) else {
                return false;
            };
            if to == from {
                return false;
            }
            let context = notes[other].draft.fields.context.clone();
            let draft = &mut notes[target].draft;
            draft.key = format!("{to}{rest}");
            draft.fields.context = context;
        }
        "split" => {
            let w = words(&notes[target].draft.fields.back);
            if w.len() < 8 {
                return false;
            }
            let half = w.len() / 2;
            let mut second = notes[target].draft.clone();
            second.key.push_str(" second part");
            second.fields.back = w[half..].join(" ");
            notes[target].draft.fields.back = w[..half].join(" ");
            notes.insert(
                target + 1,
                Edited {
                    draft: second,
                    fact: None,
                    edit: Some("split"),
                },
            );
        }
        "merge" => {
            let other = (target + 1) % n;
            if notes[other].edit.is_some() || notes[other].draft.kind != notes[target].draft.kind {
                return false;
            }
            let appended = notes[other].draft.fields.back.clone();
            notes[target].draft.fields.back.push(' ');
            notes[target].draft.fields.back.push_str(&appended);
            notes.remove(other);
        }
        "insert" => {
            let mut draft = notes[target].draft.clone();
            let text: Vec<String> = (0..12)
                .filter_map(|_| {
                    let w = words(&notes[rng.below(n)].draft.fields.back);
                    (!w.is_empty()).then(|| w[rng.below(w.len())].clone())
                })
                .collect();
            draft.key = format!("{} inserted {}", draft.key, rng.below(1_000_000));
            draft.fields.front = text[..text.len() / 2].join(" ");
            draft.fields.back = text[text.len() / 2..].join(" ");
            notes.insert(
                target,
                Edited {
                    draft,
                    fact: None,
                    edit: Some("insert"),
                },
            );
            return true;
        }
        "delete" => {
            notes.remove(target);
            return true;
        }
        "reorder" => {
            let other = rng.below(n);
            notes.swap(target, other);
        }
        _ => unreachable!(),
    }
    true
}

/// `drafts` after 10 random edits of different notes; also how many were deletions.
fn edit_deck(drafts: &[NoteDraft], rng: &mut Rng) -> (Vec<Edited>, usize) {
    let mut notes: Vec<Edited> = drafts
        .iter()
        .cloned()
        .enumerate()
        .map(|(i, draft)| Edited {
            draft,
            fact: Some(i),
            edit: None,
        })
        .collect();
    let (mut applied, mut deletes, mut attempts) = (0, 0, 0);
    while applied < 10 && attempts < 100 {
        attempts += 1;
        let target = rng.below(notes.len());
        if notes[target].edit.is_some() || notes[target].draft.pin.is_some() {
            continue;
        }
        let edit = EDITS[rng.below(EDITS.len())];
        let fact = notes[target].fact;
        if apply(edit, &mut notes, target, rng) {
            applied += 1;
            deletes += usize::from(edit == "delete");
            let changes_target = !matches!(edit, "insert" | "delete");
            if let Some(at) = notes
                .iter()
                .position(|n| changes_target && n.fact == fact && n.edit.is_none())
            {
                notes[at].edit = Some(edit);
            }
        }
    }
    (notes, deletes)
}

#[derive(Default)]
struct Tally {
    edits: usize,
    kept: usize,
    false_matches: usize,
    duplicates: usize,
}

#[test]
fn random_edit_histories_keep_renamed_notes_and_match_no_other_fact() {
    let mut content = primer_anki::input::load(&primer_dir()).unwrap();
    // The three English decks, the figures below were measured on. The edits are made on
    // words split at spaces, which a Japanese or Chinese sentence does not have.
    content
        .decks
        .retain(|d| d.lang == primer_anki::input::Lang::En);
    assert_eq!(content.decks.len(), 3);
    let rendered =
        primer_anki::build::render_content(&content, &content.base_url, &mut Vec::new()).unwrap();
    let mut rng = Rng(0x5eed_1d3a_7c0f_fee5);
    let mut tallies: BTreeMap<&str, Tally> = BTreeMap::new();
    let (mut false_matches, mut new_notes_matched, mut skipped, mut same_key) = (0, 0, 0, 0);
    const TRIALS: usize = 360;
    for trial in 0..TRIALS {
        let deck = &rendered[trial % rendered.len()];
        let mut lock = Lock::default();
        let first = [DeckDrafts {
            name: &deck.spec.name,
            id: deck.spec.id,
            drafts: &deck.drafts,
        }];
        let (v1, _) = assign(&first, &mut lock, 1_700_000_000).unwrap();
        let old_guids: Vec<String> = v1[0].iter().map(|n| n.guid.clone()).collect();
        let owner: HashMap<&str, usize> = old_guids
            .iter()
            .enumerate()
            .map(|(i, g)| (g.as_str(), i))
            .collect();
        let (notes, deletes) = edit_deck(&deck.drafts, &mut rng);
        let drafts: Vec<NoteDraft> = notes.iter().map(|n| n.draft.clone()).collect();
        let second = [DeckDrafts {
            name: &deck.spec.name,
            id: deck.spec.id,
            drafts: &drafts,
        }];
        let Ok((v2, _)) = assign(&second, &mut lock, 1_700_001_000) else {
            skipped += 1;
            continue; // an edit made two notes share a key: a build error, not a learner's loss
        };
        // A deleted note is kept by nobody: a false match would show on the note that took it.
        tallies.entry("delete").or_default().edits += deletes;
        for (note, edited) in v2[0].iter().zip(&notes) {
            let took = owner.get(note.guid.as_str()).copied();
            // An edit is counted on the note it edited, or on the note it inserted (not on the
            // second half of a split, which is new).
            let counted = edited.fact.is_some() || edited.edit == Some("insert");
            let tally = edited.edit.filter(|_| counted).map(|e| {
                let t = tallies.entry(e).or_default();
                t.edits += 1;
                t
            });
            if let Some(t) = took.filter(|t| Some(*t) != edited.fact) {
                eprintln!(
                    "false match ({:?}): {} took the GUID of {}",
                    edited.edit, edited.draft.key, deck.drafts[t].key
                );
                if edited.draft.key == deck.drafts[t].key {
                    // Moved onto the very key a vanished note had (the same item under the
                    // same heading): one identity by design, not a similarity match.
                    same_key += 1;
                    continue;
                }
            }
            match (edited.fact, took) {
                (Some(f), Some(t)) if f == t => {
                    if let Some(t) = tally {
                        t.kept += 1;
                    }
                }
                (Some(_), Some(_)) => {
                    false_matches += 1;
                    if let Some(t) = tally {
                        t.false_matches += 1;
                    }
                }
                (None, Some(_)) => {
                    new_notes_matched += 1;
                    if let Some(t) = tally {
                        t.false_matches += 1;
                    }
                }
                (Some(_), None) => {
                    if let Some(t) = tally {
                        t.duplicates += 1;
                    }
                }
                (None, None) => {}
            }
        }
    }
    judge(
        &tallies,
        [false_matches, new_notes_matched, same_key, skipped],
        TRIALS,
    );
}

/// Prints the figures and checks them: few trials skipped, no more false matches than measured,
/// at least 95% of renames with an edit kept.
fn judge(tallies: &BTreeMap<&str, Tally>, counts: [usize; 4], trials: usize) {
    let [false_matches, new_notes_matched, same_key, skipped] = counts;
    let mut report = String::new();
    for (edit, t) in tallies {
        report.push_str(&format!(
            "{edit}: {} edits, {} kept, {} false matches, {} duplicates\n",
            t.edits, t.kept, t.false_matches, t.duplicates
        ));
    }
    eprintln!(
        "{report}false matches {false_matches}, new notes matched {new_notes_matched}, {same_key} moved onto a vanished note's own key, {skipped} of {trials} trials skipped (two notes with one key)"
    );
    assert!(skipped * 10 < trials, "{skipped} trials skipped");
    // Measured with this seed: none. (A new note asking what a kept note asks, the second
    // half of a split, is never matched; `split_rows_beside_a_deleted_sibling` tries every
    // such case of the primer's tables.)
    assert_eq!(false_matches + new_notes_matched, 0, "{report}");
    let renamed = &tallies["rename"];
    assert!(
        renamed.kept * 100 >= renamed.edits * 95,
        "rename with an edit kept {} of {}\n{report}",
        renamed.kept,
        renamed.edits
    );
}

/// Every table row (long enough to split, as `apply` splits) split in two beside every sibling
/// row of its table deleted: the second half is a new note, and must never take the deleted
/// sibling's GUID, however alike the rows are (`Read 1 MB … from X` rows differ by one word).
#[test]
fn split_rows_beside_a_deleted_sibling_never_take_its_guid() {
    let mut content = primer_anki::input::load(&primer_dir()).unwrap();
    content
        .decks
        .retain(|d| d.lang == primer_anki::input::Lang::En);
    let rendered =
        primer_anki::build::render_content(&content, &content.base_url, &mut Vec::new()).unwrap();
    let (mut cases, mut taken) = (0, Vec::new());
    for deck in &rendered {
        let (name, id, drafts) = (&deck.spec.name, deck.spec.id, &deck.drafts);
        let mut lock = Lock::default();
        let v1 = assign(&[DeckDrafts { name, id, drafts }], &mut lock, 1_700_000_000).unwrap();
        let rows: Vec<usize> = (0..drafts.len())
            .filter(|&i| drafts[i].rule.contains("table"))
            .collect();
        for &row in &rows {
            let w = words(&drafts[row].fields.back);
            let table = heading_prefix(&drafts[row]).map(|p| p.0);
            for &sibling in rows.iter().filter(|&&s| s != row) {
                if w.len() < 8 || heading_prefix(&drafts[sibling]).map(|p| p.0) != table {
                    continue;
                }
                let mut edited = drafts.clone();
                let mut second = edited[row].clone();
                second.key.push_str(" second part");
                second.fields.back = w[w.len() / 2..].join(" ");
                edited[row].fields.back = w[..w.len() / 2].join(" ");
                edited.insert(row + 1, second);
                edited.remove(if sibling > row { sibling + 1 } else { sibling });
                let at = if sibling < row { row } else { row + 1 };
                let decks = [DeckDrafts {
                    name,
                    id,
                    drafts: &edited,
                }];
                let Ok((v2, _)) = assign(&decks, &mut lock.clone(), 1_700_001_000) else {
                    continue; // the second half's key is another row's
                };
                cases += 1;
                if v2[0][at].guid == v1.0[0][sibling].guid {
                    taken.push(format!("{} -> {}", edited[at].key, drafts[sibling].key));
                }
            }
        }
    }
    eprintln!(
        "{cases} splits beside a deleted sibling row, {} took its GUID",
        taken.len()
    );
    assert!(cases >= 100, "{cases}");
    assert!(taken.is_empty(), "{taken:#?}");
}
