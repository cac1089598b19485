//! `primer-anki diff OLD.apkg NEW.apkg`: what a learner's collection will see when they import
//! NEW over OLD — notes added, changed (with a short field diff), renamed or moved, removed —
//! in a form fit for release notes. Notes are matched by GUID, as Anki's importer does. When
//! both decks carry their lock (decks of ours, see `carried`), a note removed under a key and
//! added under the same key is a note type change: Anki gets a new note and keeps the old one.
//! A note OLD lacks but whose GUID OLD's lock records as removed (a `gone` line: it was in an
//! earlier release) is restored, not added: a learner who still has it gets it updated in
//! place, since Anki matches by GUID and an import never deletes a note.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Serialize;

use crate::apkg::carried::carried_lock;
use crate::apkg::{ApkgContents, ApkgNote, read_apkg};
use crate::error::Result;
use crate::identity::lock::{Lock, kind_label};

/// Fields whose change means the note moved (another heading, file or section), not that its
/// question or answer changed.
const PLACE_FIELDS: &[&str] = &["Context", "Source"];

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NoteRef {
    pub guid: String,
    pub deck: String,
    /// The note's first field as text, shortened.
    pub title: String,
    /// The Context field (heading path) as text, if the note type has one.
    pub context: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldChange {
    pub field: String,
    /// A short word-level diff: `… kept [-old-]{+new+} kept …`.
    pub diff: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Changed {
    #[serde(flatten)]
    pub note: NoteRef,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Moved {
    #[serde(flatten)]
    pub note: NoteRef,
    pub from_deck: String,
    pub from_context: String,
    pub from_source: String,
    pub to_source: String,
    /// Changes to the question, answer or other fields made together with the move.
    pub changes: Vec<FieldChange>,
}

/// A key whose note changed note type: the learner gets the new note as a new one and keeps
/// the old one (with its reviews) until they delete it.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TypeChanged {
    pub key: String,
    pub from: String,
    pub to: String,
    pub old: NoteRef,
    pub new: NoteRef,
}

#[derive(Debug, Clone, Default, Serialize, PartialEq, Eq)]
pub struct DiffReport {
    pub old: String,
    pub new: String,
    pub added: Vec<NoteRef>,
    /// Notes of an earlier release that OLD lacks (known from OLD's carried lock): learners who
    /// kept them get them updated, the others get them as new. Not in `added`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub restored: Vec<NoteRef>,
    pub changed: Vec<Changed>,
    pub moved: Vec<Moved>,
    pub removed: Vec<NoteRef>,
    pub unchanged: usize,
    /// Note types whose templates or styling changed (by name).
    pub notetypes_changed: Vec<String>,
    /// Notes whose note type changed under the same key (known from the decks' carried locks);
    /// neither in `added` nor in `removed`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub type_changed: Vec<TypeChanged>,
}

/// Compare two packages.
pub fn diff_files(old: &Path, new: &Path) -> Result<DiffReport> {
    let a = read_apkg(old)?;
    let b = read_apkg(new)?;
    let mut report = diff(&a, &b);
    if let Some(old_lock) = carried_lock(old)? {
        pick_restored(&mut report, &old_lock);
        if let Some(new_lock) = carried_lock(new)? {
            pair_type_changes(&mut report, &old_lock, &new_lock);
        }
    }
    report.old = old.display().to_string();
    report.new = new.display().to_string();
    Ok(report)
}

/// Moves each added note whose GUID `old` (OLD's lock) records as removed to `restored`: the
/// note was published before OLD, so a learner may still have it (an import never deletes a
/// note) and Anki, matching by GUID, updates theirs rather than adding one.
fn pick_restored(report: &mut DiffReport, old: &Lock) {
    let gone: std::collections::HashSet<&str> = old
        .gone
        .values()
        .flat_map(|notes| notes.values().map(|n| n.guid.as_str()))
        .collect();
    if gone.is_empty() {
        return;
    }
    let (restored, added) = std::mem::take(&mut report.added)
        .into_iter()
        .partition(|n| gone.contains(n.guid.as_str()));
    report.added = added;
    report.restored = restored;
}

/// Moves each added note whose key (in `new`'s lock) is that of a removed note (in `old`'s)
/// to `type_changed`: the same card under another note type, which Anki takes as a new note.
fn pair_type_changes(report: &mut DiffReport, old: &Lock, new: &Lock) {
    let by_guid = |lock: &Lock| -> BTreeMap<String, (String, String)> {
        lock.sorted()
            .into_iter()
            .map(|(deck, key, n)| {
                let kind = n.kind.map_or("?", kind_label).to_string();
                (n.guid.clone(), (format!("{deck}\0{key}"), kind))
            })
            .collect()
    };
    let (old_keys, new_keys) = (by_guid(old), by_guid(new));
    let mut removed_by_key: BTreeMap<&str, usize> = BTreeMap::new();
    for (index, note) in report.removed.iter().enumerate() {
        if let Some((key, _)) = old_keys.get(&note.guid) {
            removed_by_key.insert(key, index);
        }
    }
    let mut paired_removed = Vec::new();
    let mut added = Vec::new();
    for note in std::mem::take(&mut report.added) {
        let pair = new_keys
            .get(&note.guid)
            .and_then(|(key, kind)| Some((key, kind, *removed_by_key.get(key.as_str())?)));
        let Some((key, kind, index)) = pair else {
            added.push(note);
            continue;
        };
        let old_note = report.removed[index].clone();
        paired_removed.push(index);
        report.type_changed.push(TypeChanged {
            key: key
                .split_once('\0')
                .map_or(key.as_str(), |k| k.1)
                .to_string(),
            from: old_keys[&old_note.guid].1.clone(),
            to: kind.clone(),
            old: old_note,
            new: note,
        });
    }
    report.added = added;
    let mut index = 0;
    report.removed.retain(|_| {
        index += 1;
        !paired_removed.contains(&(index - 1))
    });
}

fn field<'a>(contents: &ApkgContents, note: &'a ApkgNote, name: &str) -> &'a str {
    contents
        .notetypes
        .get(&note.notetype_id)
        .and_then(|nt| nt.fields.iter().position(|f| f == name))
        .and_then(|i| note.fields.get(i))
        .map_or("", String::as_str)
}

fn note_ref(contents: &ApkgContents, note: &ApkgNote) -> NoteRef {
    NoteRef {
        guid: note.guid.clone(),
        deck: note.deck.clone().unwrap_or_default(),
        title: crate::markup::shorten(
            &crate::apkg::field_text(note.fields.first().map_or("", String::as_str)),
            100,
        ),
        context: crate::apkg::field_text(field(contents, note, "Context")),
    }
}

/// Compare two read packages note by note (by GUID).
pub fn diff(old: &ApkgContents, new: &ApkgContents) -> DiffReport {
    let mut report = DiffReport::default();
    let old_by_guid: BTreeMap<&str, &ApkgNote> =
        old.notes.iter().map(|n| (n.guid.as_str(), n)).collect();
    let new_by_guid: BTreeMap<&str, &ApkgNote> =
        new.notes.iter().map(|n| (n.guid.as_str(), n)).collect();
    for note in &new.notes {
        let Some(before) = old_by_guid.get(note.guid.as_str()) else {
            report.added.push(note_ref(new, note));
            continue;
        };
        // Compare by field name, so a note moved to another note type (adoption) diffs sensibly.
        let mut changes = Vec::new();
        let mut moved = before.deck != note.deck;
        for (index, value) in note.fields.iter().enumerate() {
            let name = new.field_name(note, index);
            let old_value = old
                .notetypes
                .get(&before.notetype_id)
                .and_then(|nt| nt.fields.iter().position(|f| *f == name))
                .and_then(|i| before.fields.get(i))
                .or_else(|| {
                    (before.notetype_id != note.notetype_id)
                        .then(|| before.fields.get(index))
                        .flatten()
                })
                .map_or("", String::as_str);
            if old_value == value {
                continue;
            }
            if PLACE_FIELDS.contains(&name.as_str()) {
                moved = true;
                continue;
            }
            changes.push(FieldChange {
                field: name,
                diff: word_diff(
                    &crate::apkg::field_text(old_value),
                    &crate::apkg::field_text(value),
                ),
            });
        }
        if before.tags != note.tags {
            changes.push(FieldChange {
                field: "Tags".into(),
                diff: word_diff(&before.tags.join(" "), &note.tags.join(" ")),
            });
        }
        if moved {
            report.moved.push(Moved {
                note: note_ref(new, note),
                from_deck: before.deck.clone().unwrap_or_default(),
                from_context: crate::apkg::field_text(field(old, before, "Context")),
                from_source: field(old, before, "Source").to_string(),
                to_source: field(new, note, "Source").to_string(),
                changes,
            });
        } else if !changes.is_empty() {
            report.changed.push(Changed {
                note: note_ref(new, note),
                changes,
            });
        } else {
            report.unchanged += 1;
        }
    }
    for note in &old.notes {
        if !new_by_guid.contains_key(note.guid.as_str()) {
            report.removed.push(note_ref(old, note));
        }
    }
    for (id, nt) in &new.notetypes {
        if let Some(before) = old.notetypes.get(id)
            && before.mtime != nt.mtime
        {
            report.notetypes_changed.push(nt.name.clone());
        }
    }
    report
}

/// A short word-level diff: the common prefix and suffix are cut to a few words of context.
pub fn word_diff(old: &str, new: &str) -> String {
    const CONTEXT: usize = 4;
    let a: Vec<&str> = old.split_whitespace().collect();
    let b: Vec<&str> = new.split_whitespace().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut out = String::new();
    if prefix > CONTEXT {
        out.push_str("… ");
    }
    let lead = &a[prefix.saturating_sub(CONTEXT)..prefix];
    for w in lead {
        let _ = write!(out, "{w} ");
    }
    let removed = a[prefix..a.len() - suffix].join(" ");
    let added = b[prefix..b.len() - suffix].join(" ");
    if !removed.is_empty() {
        let _ = write!(out, "[-{}-] ", crate::markup::shorten(&removed, 120));
    }
    if !added.is_empty() {
        let _ = write!(out, "{{+{}+}} ", crate::markup::shorten(&added, 120));
    }
    let trail = &a[a.len() - suffix..];
    for w in trail.iter().take(CONTEXT) {
        let _ = write!(out, "{w} ");
    }
    if suffix > CONTEXT {
        out.push('…');
    }
    out.trim_end().to_string()
}

impl DiffReport {
    /// Markdown release notes.
    pub fn to_text(&self) -> String {
        // Every string comes from the packages and the text goes into release notes: no control
        // character, nothing markdown would read as syntax, and a sane width.
        let md = |s: &str| crate::markup::markdown_text(s, 200);
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Deck changes: {} → {}\n",
            md(&self.old),
            md(&self.new)
        );
        let restored = if self.restored.is_empty() {
            String::new()
        } else {
            format!(", {} restored", self.restored.len())
        };
        let _ = writeln!(
            out,
            "{} added{restored}, {} changed, {} renamed or moved, {} removed, {} unchanged\n",
            self.added.len(),
            self.changed.len(),
            self.moved.len(),
            self.removed.len(),
            self.unchanged
        );
        let place = |n: &NoteRef| {
            if n.context.is_empty() {
                md(&n.deck)
            } else {
                format!("{} › {}", md(&n.deck), md(&n.context))
            }
        };
        // Notes a learner may still hold: named with their GUID, to find them in the browser.
        let list_with_guids = |out: &mut String, notes: &[NoteRef]| {
            for n in notes {
                let _ = writeln!(
                    out,
                    "- {} — {} (guid {})",
                    place(n),
                    md(&n.title),
                    md(&n.guid)
                );
            }
            out.push('\n');
        };
        if !self.added.is_empty() {
            let _ = writeln!(out, "## Added ({})\n", self.added.len());
            for n in &self.added {
                let _ = writeln!(out, "- {} — {}", place(n), md(&n.title));
            }
            out.push('\n');
        }
        if !self.restored.is_empty() {
            let _ = writeln!(
                out,
                "## Restored ({})\n\nNotes of an earlier release that {} did not have. Anki matches notes by GUID and an import never deletes one: learners who kept these get them updated in place, with their reviews; the others get them as new.\n",
                self.restored.len(),
                md(&self.old)
            );
            list_with_guids(&mut out, &self.restored);
        }
        if !self.changed.is_empty() {
            let _ = writeln!(out, "## Changed ({})\n", self.changed.len());
            for c in &self.changed {
                let _ = writeln!(out, "- {} — {}", place(&c.note), md(&c.note.title));
                for f in &c.changes {
                    let _ = writeln!(out, "  - {}: {}", md(&f.field), md(&f.diff));
                }
            }
            out.push('\n');
        }
        if !self.moved.is_empty() {
            let _ = writeln!(out, "## Renamed or moved ({})\n", self.moved.len());
            for m in &self.moved {
                let from = if m.from_context.is_empty() {
                    md(&m.from_deck)
                } else {
                    format!("{} › {}", md(&m.from_deck), md(&m.from_context))
                };
                let _ = writeln!(
                    out,
                    "- {} → {} — {}",
                    from,
                    place(&m.note),
                    md(&m.note.title)
                );
                if m.from_source != m.to_source && !m.from_source.is_empty() {
                    let _ = writeln!(
                        out,
                        "  - Source: {} → {}",
                        md(&m.from_source),
                        md(&m.to_source)
                    );
                }
                for f in &m.changes {
                    let _ = writeln!(out, "  - {}: {}", md(&f.field), md(&f.diff));
                }
            }
            out.push('\n');
        }
        if !self.type_changed.is_empty() {
            let _ = writeln!(
                out,
                "## Note type changed ({})\n\nAnki cannot change a note's type on import: learners get each as a new note and keep the old one, with its reviews, until they delete it.\n",
                self.type_changed.len()
            );
            for t in &self.type_changed {
                let _ = writeln!(
                    out,
                    "- {} — {} ({} → {}; old guid {}, new guid {})",
                    place(&t.new),
                    md(&t.new.title),
                    md(&t.from),
                    md(&t.to),
                    md(&t.old.guid),
                    md(&t.new.guid)
                );
            }
            out.push('\n');
        }
        if !self.removed.is_empty() {
            let _ = writeln!(
                out,
                "## Removed ({})\n\nAnki never deletes notes on import: learners who want these gone delete them by hand.\n",
                self.removed.len()
            );
            list_with_guids(&mut out, &self.removed);
        }
        if !self.notetypes_changed.is_empty() {
            let _ = writeln!(out, "## Note types restyled\n");
            for name in &self.notetypes_changed {
                let _ = writeln!(out, "- {}", md(name));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_diff_shows_the_change_with_a_little_context() {
        assert_eq!(
            word_diff("a b c d e f g h", "a b c d X f g h"),
            "a b c d [-e-] {+X+} f g h"
        );
        assert_eq!(
            word_diff(
                "one two three four five six seven",
                "one two three four five six eight"
            ),
            "… three four five six [-seven-] {+eight+}"
        );
        assert_eq!(word_diff("x", "x y"), "x {+y+}");
    }
}
