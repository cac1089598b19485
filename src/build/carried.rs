//! Identities restored from the lock a package of ours carries (see `apkg::carried`): read
//! back from the decks given to `build --adopt`, it restores every identity of a lost or stale
//! lock.

use std::path::PathBuf;

use crate::apkg::carried::carried_lock;
use crate::error::Result;
use crate::identity::lock::Lock;

/// Adds to `lock` every identity the `adopted` packages carry that `lock` lacks (a key it does
/// not know, with a GUID it does not use), and the decks and note types it lacks. Returns, per
/// package that carries a lock, how many identities it restored.
pub(super) fn restore(lock: &mut Lock, adopted: &[PathBuf]) -> Result<Vec<(PathBuf, usize)>> {
    let mut restored = Vec::new();
    for path in adopted {
        let Some(carried) = carried_lock(path)? else {
            continue;
        };
        let mut guids: std::collections::HashSet<String> = lock
            .decks
            .values()
            .chain(lock.gone.values())
            .flat_map(|notes| notes.values().map(|n| n.guid.clone()))
            .collect();
        let mut count = 0;
        for (deck, notes) in &carried.decks {
            let mut notes: Vec<_> = notes.iter().collect();
            notes.sort_by(|a, b| a.0.cmp(b.0));
            for (key, note) in notes {
                if lock.contains(deck, key) || !guids.insert(note.guid.clone()) {
                    continue;
                }
                lock.insert(deck, key, note.clone());
                count += 1;
            }
        }
        // The notes it records as removed, which learners may still have: a key of theirs that
        // comes back takes its old GUID again (see `Lock::gone`).
        for (deck, notes) in &carried.gone {
            let mut notes: Vec<_> = notes.iter().collect();
            notes.sort_by(|a, b| a.0.cmp(b.0));
            for (key, note) in notes {
                let known = lock.contains(deck, key) || lock.gone_note(deck, key).is_some();
                if known || !guids.insert(note.guid.clone()) {
                    continue;
                }
                let gone = lock.gone.entry(deck.clone()).or_default();
                gone.insert(key.clone(), note.clone());
            }
        }
        for (name, deck) in carried.deck_info {
            let known = lock.deck_info.values().any(|d| d.id == deck.id);
            if !known && !lock.deck_info.contains_key(&name) {
                lock.deck_info.insert(name, deck);
            }
        }
        for (id, notetype) in carried.notetypes {
            lock.notetypes.entry(id).or_insert(notetype);
        }
        restored.push((path.clone(), count));
    }
    Ok(restored)
}
