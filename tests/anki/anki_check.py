#!/usr/bin/env python3
"""Real-Anki verification harness for primer-anki.

The Rust integration tests build `.apkg` files and then run this script to
learn what the *real* Anki library (PyPI `anki`, pinned in requirements.txt)
does with them: how the importer classifies each note, whether every card
renders, whether media is complete, whether "Check Database" finds anything,
and whether review history survives a later version of the deck.

Contract with the caller:
  * stdout carries exactly one JSON document (everything else Anki or this
    script might print goes to stderr);
  * exit 0 when the checks ran (even if they found problems: the Rust side
    asserts on the JSON), exit 2 on usage errors (bad arguments, missing
    input files), exit 1 only if the harness itself crashed;
  * every collection lives in a fresh temporary directory that is removed
    afterwards; nothing is written anywhere else.

Subcommands (see README.md in this directory for the JSON they print):
  import DECK.apkg [DECK2.apkg ...]
  sequence [--answer N] [--merge-notetypes] [--update-notes MODE]
           [--update-notetypes MODE] STEP1.apkg STEP2.apkg ...
  csv-import FILE.csv [--twice] [--notetypes-from DECK.apkg] [--then OTHER.csv]
  inspect DECK.apkg
"""

from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import re
import sqlite3
import sys
import tempfile
import traceback
import zipfile
from typing import Any, Iterator

# Keep the JSON channel clean: Anki (or a hook) printing to stdout would
# corrupt the document the Rust test parses. We write JSON to the saved
# stream at the end and point sys.stdout at stderr for everything else.
_JSON_OUT = sys.stdout
sys.stdout = sys.stderr

USAGE_EXIT = 2

try:
    import anki
    from anki.collection import Collection
    from anki.import_export_pb2 import (
        CsvMetadata,
        ImportAnkiPackageOptions,
        ImportAnkiPackageRequest,
        ImportAnkiPackageUpdateCondition,
        ImportCsvRequest,
    )
    from anki.scheduler_pb2 import CardAnswer
except ImportError as exc:  # pragma: no cover - environment problem
    print(
        f"anki_check: cannot import the 'anki' package ({exc}).\n"
        "Set up the venv: python3 -m venv .venv && "
        ".venv/bin/pip install -r tests/anki/requirements.txt",
        file=sys.stderr,
    )
    sys.exit(USAGE_EXIT)

try:
    from anki.buildinfo import version as ANKI_VERSION
except Exception:  # pragma: no cover
    ANKI_VERSION = getattr(anki, "version", "unknown")


# ---------------------------------------------------------------------------
# Small utilities
# ---------------------------------------------------------------------------


class UsageError(Exception):
    """Raised for bad input the caller can fix (exit code 2)."""


UPDATE_CONDITIONS = {
    "if-newer": ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_IF_NEWER,
    "always": ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_ALWAYS,
    "never": ImportAnkiPackageUpdateCondition.IMPORT_ANKI_PACKAGE_UPDATE_CONDITION_NEVER,
}

# The categories of ImportResponse.Log that hold lists of notes. The .apkg
# importer fills new/updated/duplicate/conflicting; the CSV importer also
# uses first_field_match/missing_notetype/missing_deck/empty_first_field.
LOG_NOTE_CATEGORIES = (
    "new",
    "updated",
    "duplicate",
    "conflicting",
    "first_field_match",
    "missing_notetype",
    "missing_deck",
    "empty_first_field",
)


@contextlib.contextmanager
def fresh_collection() -> Iterator[Collection]:
    """Open a brand-new, empty collection in a private temp dir.

    Why: each check must start from a known state, and the harness must never
    touch a user's profile or the repository. The directory (collection file
    plus its media folder) is deleted when the block ends.
    """
    with tempfile.TemporaryDirectory(prefix="anki_check_") as tmp:
        col = Collection(os.path.join(tmp, "collection.anki2"))
        try:
            yield col
        finally:
            col.close()


def existing_file(path: str) -> str:
    """Return the absolute path of an existing file, else a usage error.

    Why absolute: the Rust backend resolves paths itself; relative paths
    would depend on the backend's idea of the working directory.
    """
    if not os.path.isfile(path):
        raise UsageError(f"no such file: {path}")
    return os.path.abspath(path)


def package_options(
    *,
    merge_notetypes: bool = False,
    update_notes: str = "if-newer",
    update_notetypes: str = "if-newer",
) -> ImportAnkiPackageOptions:
    """Importer options. The defaults are what a fresh Anki GUI offers:
    update notes/notetypes if newer, no merge, no scheduling, no deck configs.
    """
    return ImportAnkiPackageOptions(
        merge_notetypes=merge_notetypes,
        update_notes=UPDATE_CONDITIONS[update_notes],
        update_notetypes=UPDATE_CONDITIONS[update_notetypes],
        with_scheduling=False,
        with_deck_configs=False,
    )


def import_package(col: Collection, path: str, options: ImportAnkiPackageOptions) -> Any:
    """Run Anki's real .apkg importer and return its ImportResponse."""
    request = ImportAnkiPackageRequest(package_path=path, options=options)
    response = col.import_anki_package(request)
    # The Python ModelManager caches note types it has read, and the backend's import does not
    # clear that cache: without this, a note type updated by the import reads back stale.
    col.models._clear_cache()
    return response


def package_guids(path: str) -> dict[int, str]:
    """Note id -> GUID as stored inside a legacy package (collection.anki21,
    else collection.anki2). Needed because the import log only carries note
    ids: for a *conflicting* note that id is the package's own id, which is
    not in the collection. Returns {} for .anki21b (zstd) or unreadable files.
    """
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            member = next(
                (n for n in ("collection.anki21", "collection.anki2") if n in names), None
            )
            if member is None or "collection.anki21b" in names:
                return {}
            with tempfile.TemporaryDirectory(prefix="anki_check_pkg_") as tmp:
                db_path = zf.extract(member, tmp)
                con = sqlite3.connect(db_path)
                try:
                    return {int(i): g for i, g in con.execute("select id, guid from notes")}
                finally:
                    con.close()
    except (zipfile.BadZipFile, sqlite3.Error, OSError):
        return {}


def guid_of(
    col: Collection, note_id: int, package_map: dict[int, str], prefer_package: bool = False
) -> str | None:
    """GUID for a note id from an import log. For new/updated/duplicate
    notes the id is the note's id in the collection (a new note may have been
    given a fresh id if its package id was taken); for conflicting notes it is
    the package's id, so those are looked up in the package first."""
    row = col.db.first("select guid from notes where id = ?", note_id)
    in_collection = row[0] if row else None
    in_package = package_map.get(int(note_id))
    if prefer_package:
        return in_package or in_collection
    return in_collection or in_package


def log_counts(log: Any) -> dict[str, int]:
    """Counts of every category of an import log, plus found_notes."""
    counts = {"found_notes": int(log.found_notes)}
    for name in LOG_NOTE_CATEGORIES:
        counts[name] = len(getattr(log, name))
    return counts


def log_guids(
    col: Collection, log: Any, package_map: dict[int, str]
) -> dict[str, list[str | None]]:
    """The GUIDs behind each non-empty log category (resolved via the
    collection, because the log only carries note ids and fields)."""
    out: dict[str, list[str | None]] = {}
    for name in LOG_NOTE_CATEGORIES:
        entries = getattr(log, name)
        if entries:
            guids = (
                guid_of(col, e.id.nid, package_map, prefer_package=(name == "conflicting"))
                for e in entries
            )
            out[name] = sorted(guids, key=lambda g: (g is None, g or ""))
    return out


def import_summary(
    col: Collection, response: Any, package_path: str | None = None
) -> dict[str, Any]:
    """Counts plus GUIDs per category for one import."""
    summary: dict[str, Any] = log_counts(response.log)
    package_map = package_guids(package_path) if package_path else {}
    summary["guids"] = log_guids(col, response.log, package_map)
    return summary


# ---------------------------------------------------------------------------
# Collection summaries
# ---------------------------------------------------------------------------


def notetype_summaries(col: Collection) -> list[dict[str, Any]]:
    """Every notetype with id, name, kind, field/template names and the number
    of notes using it. Stock notetypes of a fresh collection are included
    (notes == 0), so callers filter on `notes > 0` or on the name."""
    use = dict(col.db.all("select mid, count(*) from notes group by mid"))
    out = []
    for entry in col.models.all_names_and_ids():
        nt = col.models.get(entry.id)
        out.append(
            {
                "id": int(entry.id),
                "name": entry.name,
                "kind": "cloze" if nt["type"] == 1 else "standard",
                "mod": int(nt["mod"]),
                "fields": [f["name"] for f in nt["flds"]],
                "templates": [t["name"] for t in nt["tmpls"]],
                "notes": int(use.get(entry.id, 0)),
            }
        )
    return sorted(out, key=lambda n: n["name"])


def deck_summaries(col: Collection) -> list[dict[str, Any]]:
    """Every deck with id, full name (`::` separated) and its card count."""
    use = dict(col.db.all("select did, count(*) from cards group by did"))
    out = [
        {"id": int(d.id), "name": d.name, "cards": int(use.get(d.id, 0))}
        for d in col.decks.all_names_and_ids()
    ]
    return sorted(out, key=lambda d: d["name"])


def note_rows(col: Collection) -> list[dict[str, Any]]:
    """All notes: id, guid, notetype name, mod (seconds), tags and fields by
    name. Sorted by guid so the output is stable."""
    names = {e.id: e.name for e in col.models.all_names_and_ids()}
    out = []
    for nid in col.db.list("select id from notes order by guid"):
        note = col.get_note(nid)
        out.append(
            {
                "id": int(note.id),
                "guid": note.guid,
                "notetype": names.get(note.mid),
                "mod": int(note.mod),
                "tags": list(note.tags),
                "fields": dict(note.items()),
            }
        )
    return out


def collection_summary(col: Collection) -> dict[str, Any]:
    """Counts and structure of the whole collection."""
    return {
        "notes": col.note_count(),
        "cards": col.card_count(),
        "notetypes": notetype_summaries(col),
        "decks": deck_summaries(col),
        "duplicate_guids": duplicate_guids(col),
        "notes_without_cards": notes_without_cards(col),
        "cards_with_invalid_ord": cards_with_invalid_ord(col),
    }


def notes_without_cards(col: Collection) -> list[str]:
    """GUIDs of notes that have no card. The importer never generates cards,
    so such a note is invisible in review until Check Database silently
    creates a card for it (it reports no problem when it does)."""
    return col.db.list(
        "select guid from notes where id not in (select nid from cards) order by guid"
    )


def cards_with_invalid_ord(col: Collection) -> list[dict[str, Any]]:
    """Cards of standard notetypes whose ord has no template. The importer
    keeps them; Check Database deletes them."""
    out = []
    for cid, guid, mid, ord_ in col.db.all(
        "select c.id, n.guid, n.mid, c.ord from cards c join notes n on n.id = c.nid"
    ):
        nt = col.models.get(mid)
        if nt and nt["type"] == 0 and ord_ >= len(nt["tmpls"]):
            out.append({"card_id": int(cid), "guid": guid, "ord": int(ord_)})
    return out


def duplicate_guids(col: Collection) -> list[str]:
    """GUIDs held by more than one note. Anki does not prevent this inside a
    single package, and Check Database does not repair it."""
    return col.db.list("select guid from notes group by guid having count(*) > 1 order by guid")


# ---------------------------------------------------------------------------
# Rendering
# ---------------------------------------------------------------------------

# Anki never raises for a broken template when rendering a card: it returns
# an explanation as the card text, always ending with a link into the manual,
# e.g. "Front template has a problem:<br>Found '{{X}}', but there is no
# field called 'X'<br><a href='https://docs.ankiweb.net/templates/errors.html
# #template-syntax-error'>More information</a>", or for a blank front
# "The front of this card is blank.<br><a href='...errors.html
# #front-of-card-is-blank'>...". The anchor names the kind of error.
TEMPLATE_ERROR_RE = re.compile(r"docs\.ankiweb\.net/templates/errors\.html#([A-Za-z0-9_-]+)")
STYLE_RE = re.compile(r"<style\b[^>]*>.*?</style>", re.S | re.I)
SCRIPT_RE = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
TAG_RE = re.compile(r"<[^>]*>")
# Non-text content that still makes a side non-empty: images/media tags and
# the audio placeholders Anki substitutes for [sound:...] (`[anki:play:q:0]`).
RAW_CLOZE_RE = re.compile(r"\{\{c\d+::")
# Anki wraps interpolated values in its translated strings in Unicode
# first-strong-isolate / pop-directional-isolate marks (U+2068/U+2069);
# we strip them so callers can match plain text.
BIDI_MARKS_RE = re.compile("[\u2068\u2069]")
MEDIA_CONTENT_RE = re.compile(r"<(img|audio|video|object|source|svg|math)\b|\[anki:play:|\[sound:", re.I)


def visible_text(rendered: str) -> str:
    """What a reader would see as text: no CSS, scripts, tags, entities or
    surrounding whitespace."""
    text = STYLE_RE.sub("", rendered)
    text = SCRIPT_RE.sub("", text)
    text = TAG_RE.sub("", text)
    text = html.unescape(text).replace("\u00a0", " ")
    return BIDI_MARKS_RE.sub("", text).strip()


def side_problems(rendered: str) -> list[dict[str, str]]:
    """Problems of one rendered side.

    kinds: "template-error" (Anki's error text for a broken template; detail
    is the manual anchor, e.g. "template-syntax-error"), "blank-front"
    (Anki's "The front of this card is blank." text), "raw-cloze" (cloze
    markup left unrendered: a cloze notetype whose template lacks
    {{cloze:Field}} renders the text verbatim, without any error), and
    "empty" (no visible text and no media at all).
    """
    problems = []
    for anchor in TEMPLATE_ERROR_RE.findall(rendered):
        kind = "blank-front" if anchor == "front-of-card-is-blank" else "template-error"
        problems.append({"kind": kind, "detail": anchor})
    text = visible_text(rendered)
    if RAW_CLOZE_RE.search(text):
        problems.append({"kind": "raw-cloze", "detail": RAW_CLOZE_RE.search(text).group(0)})
    body = SCRIPT_RE.sub("", STYLE_RE.sub("", rendered))
    if not text and not MEDIA_CONTENT_RE.search(body):
        problems.append({"kind": "empty", "detail": ""})
    return problems


def render_check(col: Collection) -> dict[str, Any]:
    """Render question and answer of every card the way the reviewer does
    (`card.question()` / `card.answer()`), and list each problem found."""
    problems = []
    cids = col.db.list("select id from cards order by nid, ord")
    for cid in cids:
        card = col.get_card(cid)
        note = card.note()
        base = {"card_id": int(card.id), "guid": note.guid, "ord": int(card.ord)}
        try:
            base["template"] = card.template().get("name")
            sides = (("question", card.question()), ("answer", card.answer()))
        except Exception as exc:
            # e.g. IndexError from card.template() when the card's ord has
            # no template (Anki keeps such cards on import).
            problems.append(
                dict(base, template=None, side="both", kind="render-exception",
                     detail=f"{type(exc).__name__}: {exc}", text="")
            )
            continue
        for side, text in sides:
            for problem in side_problems(text):
                problems.append(
                    dict(base, side=side, kind=problem["kind"], detail=problem["detail"],
                         text=visible_text(text)[:300])
                )
    return {"cards_checked": len(cids), "ok": not problems, "problems": problems}


# ---------------------------------------------------------------------------
# Media and Check Database
# ---------------------------------------------------------------------------


def media_check(col: Collection) -> dict[str, Any]:
    """Which media files the import copied, which ones notes reference, and
    which referenced ones are missing. Two views: our own reference scan
    (`col.media.files_in_str` over every note's fields) and Anki's Check
    Media (`col.media.check()`), which also lists unused files."""
    media_dir = col.media.dir()
    files = sorted(os.listdir(media_dir)) if os.path.isdir(media_dir) else []
    referenced: set[str] = set()
    for nid, mid, flds in col.db.all("select id, mid, flds from notes"):
        referenced.update(col.media.files_in_str(mid, flds))
    present = set(files)
    check = col.media.check()
    return {
        "files": files,
        "referenced": sorted(referenced),
        "missing": sorted(referenced - present),
        "check_missing": sorted(check.missing),
        "check_unused": sorted(check.unused),
        "check_missing_note_ids": [int(n) for n in check.missing_media_notes],
    }


def check_database(col: Collection) -> dict[str, Any]:
    """Tools > Check Database. `col.fix_integrity()` returns (text, ok); on
    success the text is only Anki's 'Database rebuilt and optimized.' line,
    which it appends unconditionally, so we drop that line and report the
    real problems as a list."""
    rebuilt = col.tr.database_check_rebuilt()
    text, ok = col.fix_integrity()
    problems = [
        BIDI_MARKS_RE.sub("", line)
        for line in text.split("\n")
        if line.strip() and line != rebuilt
    ]
    return {"ok": bool(ok), "problems": problems}


# ---------------------------------------------------------------------------
# Subcommand: import
# ---------------------------------------------------------------------------


def check_one_package(path: str) -> dict[str, Any]:
    """Full check of one package in its own fresh collection."""
    result: dict[str, Any] = {"package": path}
    with fresh_collection() as col:
        options = package_options()
        try:
            response = import_package(col, path, options)
        except Exception as exc:  # the importer rejected the file
            result["error"] = f"{type(exc).__name__}: {exc}"
            return result
        result["import"] = import_summary(col, response, path)
        result["collection"] = collection_summary(col)
        result["notes"] = note_rows(col)
        result["render"] = render_check(col)
        result["media"] = media_check(col)
        result["check_database"] = check_database(col)
        # Check Database may add/remove cards or decks; report the effect.
        result["after_check_database"] = {
            "notes": col.note_count(),
            "cards": col.card_count(),
            "decks": [d["name"] for d in deck_summaries(col)],
        }
        try:
            again = import_package(col, path, options)
            result["reimport"] = import_summary(col, again, path)
        except Exception as exc:
            result["reimport"] = {"error": f"{type(exc).__name__}: {exc}"}
    return result


def cmd_import(args: argparse.Namespace) -> dict[str, Any]:
    paths = [existing_file(p) for p in args.packages]
    return {"command": "import", "results": [check_one_package(p) for p in paths]}


# ---------------------------------------------------------------------------
# Subcommand: sequence
# ---------------------------------------------------------------------------

SCHED_KEYS = ("nid", "ord", "type", "queue", "due", "ivl", "reps")


def snapshot(col: Collection) -> dict[str, Any]:
    """State that a later import must not destroy: notes by guid, cards by id
    (scheduling columns), and the full revlog."""
    notes = {}
    for nid, guid, mod, flds, mid, tags in col.db.all(
        "select id, guid, mod, flds, mid, tags from notes"
    ):
        notes[guid] = {
            "id": int(nid),
            "mod": int(mod),
            "fields": flds.split("\x1f"),
            "mid": int(mid),
            "tags": tags.split(),
        }
    cards = {}
    for row in col.db.all(
        "select c.id, c.nid, c.ord, c.type, c.queue, c.due, c.ivl, c.reps, n.guid, n.flds, "
        "(select count() from revlog r where r.cid = c.id) "
        "from cards c join notes n on n.id = c.nid"
    ):
        cards[int(row[0])] = dict(
            zip(SCHED_KEYS, (int(v) for v in row[1:8])),
            card_id=int(row[0]),
            guid=row[8],
            asks=card_asks(row[9], int(row[2])),
            revlog=int(row[10]),
        )
    revlog = [tuple(r) for r in col.db.all("select * from revlog order by id")]
    return {"notes": notes, "cards": cards, "revlog": revlog}


CLOZE_DELETION = re.compile(r"\{\{c(\d+)::(.*?)\}\}", re.S)


def card_asks(flds: str, ord_: int) -> str:
    """What a card asks for, as plain text: for a cloze note the text of its deletions (empty
    when the note no longer has that cloze number: an empty card), else the first two fields
    (question | answer)."""
    fields = flds.split("\x1f")
    front = fields[0]
    deletions = CLOZE_DELETION.findall(front)
    if not deletions:
        back = visible_text(fields[1]) if len(fields) > 1 else ""
        return f"{visible_text(front)} | {back}"
    return " / ".join(visible_text(c) for n, c in deletions if int(n) == ord_ + 1)


def answer_first_cards(col: Collection, count: int) -> list[dict[str, Any]]:
    """Answer `count` new cards "Good" through the v3 scheduler, in due order
    (cards.due, then ord, then id), so real revlog rows and learning state
    exist. We build the answer from the backend's scheduling states, exactly
    as the reviewer does (`answerCard` compat does the same internally)."""
    answered = []
    cids = col.db.list("select id from cards where queue = 0 order by due, ord, id limit ?", count)
    for cid in cids:
        card = col.get_card(cid)
        card.start_timer()
        states = col._backend.get_scheduling_states(card.id)
        col.sched.answer_card(
            col.sched.build_answer(card=card, states=states, rating=CardAnswer.GOOD)
        )
        card.load()
        answered.append(
            {
                "card_id": int(card.id),
                "guid": card.note().guid,
                "asks": card_asks("\x1f".join(card.note().fields), int(card.ord)),
                "ord": int(card.ord),
                "type": int(card.type),
                "queue": int(card.queue),
                "due": int(card.due),
                "ivl": int(card.ivl),
                "reps": int(card.reps),
            }
        )
    return answered


def compare_snapshots(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """What an import step did, judged from the collection itself rather than
    from the importer's own log."""
    new, updated, mtime_only, unchanged = [], [], [], []
    for guid, note in after["notes"].items():
        old = before["notes"].get(guid)
        if old is None:
            new.append(guid)
        elif old["fields"] != note["fields"]:
            updated.append(guid)
        elif old["mod"] != note["mod"] or old["tags"] != note["tags"]:
            mtime_only.append(guid)
        else:
            unchanged.append(guid)
    vanished = sorted(set(before["notes"]) - set(after["notes"]))

    sched_changes = []
    for cid, card in before["cards"].items():
        now = after["cards"].get(cid)
        keys = SCHED_KEYS[2:]
        if now is None or any(card[k] != now[k] for k in keys):
            sched_changes.append(
                {
                    "card_id": cid,
                    "guid": card["guid"],
                    "ord": card["ord"],
                    "before": {k: card[k] for k in keys},
                    "after": None if now is None else {k: now[k] for k in keys},
                }
            )
    after_revlog = set(after["revlog"])
    lost_revlog = [r[0] for r in before["revlog"] if r not in after_revlog]

    return {
        "guids": {
            "new": sorted(new),
            "updated": sorted(updated),
            "mtime_or_tags_only": sorted(mtime_only),
            "unchanged": sorted(unchanged),
            "vanished": vanished,
        },
        "scheduling_preserved": not sched_changes,
        "scheduling_changes": sched_changes,
        "revlog_rows_before": len(before["revlog"]),
        "revlog_rows_after": len(after["revlog"]),
        "revlog_preserved": not lost_revlog,
        "revlog_lost_ids": lost_revlog,
        "note_mtimes": {
            guid: {
                "before": before["notes"][guid]["mod"] if guid in before["notes"] else None,
                "after": note["mod"],
            }
            for guid, note in sorted(after["notes"].items())
        },
    }


def step_state(col: Collection) -> dict[str, Any]:
    """Collection-level facts reported after every step."""
    in_use = [nt for nt in notetype_summaries(col) if nt["notes"] > 0]
    return {
        "notes_total": col.note_count(),
        "cards_total": col.card_count(),
        "notetype_count": len(in_use),
        "notetypes_in_use": {nt["name"]: nt["notes"] for nt in in_use},
        "notetypes": in_use,
        "decks": [d for d in deck_summaries(col) if d["cards"] > 0],
        "duplicate_guids": duplicate_guids(col),
        "revlog_rows": int(col.db.scalar("select count() from revlog")),
    }


def legacy_import(col: Collection, path: str) -> dict[str, Any]:
    """Import with Anki's legacy Python importer (`anki.importing.apkg.AnkiPackageImporter`,
    what Anki 2.1.54 and older ran, and what AnkiDroid 2.15 and older ported). It was deleted
    after Anki 26.08.1, so this needs the 25.9 wheel (tests/anki/requirements-legacy.txt); it
    has no options: it never merges note types and updates a note when its mtime is newer and
    its note type unchanged. Its log lines are all it reports."""
    try:
        from anki.importing.apkg import AnkiPackageImporter
    except ImportError as exc:
        raise UsageError(
            f"this anki ({ANKI_VERSION}) has no legacy importer ({exc}): "
            "use the venv of tests/anki/requirements-legacy.txt"
        ) from exc
    import anki.lang

    if anki.lang.current_i18n is None:
        # The importer's log strips HTML through the translation backend, as the desktop
        # app sets it up at start.
        anki.lang.set_lang("en_US")
    importer = AnkiPackageImporter(col, path)
    importer.run()
    return {"importer": "legacy", "anki_version": ANKI_VERSION, "log": list(importer.log)}


def cmd_sequence(args: argparse.Namespace) -> dict[str, Any]:
    paths = [existing_file(p) for p in args.packages]
    if args.answer < 0:
        raise UsageError("--answer must be >= 0")
    if args.importer == "legacy" and (
        args.merge_notetypes or args.always_from or args.update_notes != "if-newer"
    ):
        raise UsageError("the legacy importer has no options: drop --merge-notetypes and --update-*")
    options = package_options(
        merge_notetypes=args.merge_notetypes,
        update_notes=args.update_notes,
        update_notetypes=args.update_notetypes,
    )
    out: dict[str, Any] = {
        "command": "sequence",
        "options": {
            "merge_notetypes": args.merge_notetypes,
            "update_notes": args.update_notes,
            "update_notetypes": args.update_notetypes,
            "answer": args.answer,
            "answer_at": args.answer_at,
            "importer": args.importer,
        },
        "steps": [],
        "answered": [],
    }
    with fresh_collection() as col:
        for index, path in enumerate(paths, start=1):
            before = snapshot(col)
            step: dict[str, Any] = {"step": index, "package": path}
            out["steps"].append(step)
            step_options = options
            if args.always_from and index >= args.always_from:
                step_options = package_options(
                    merge_notetypes=args.merge_notetypes,
                    update_notes="always",
                    update_notetypes=args.update_notetypes,
                )
            try:
                if args.importer == "legacy":
                    step["import"] = legacy_import(col, path)
                else:
                    response = import_package(col, path, step_options)
                    step["import"] = import_summary(col, response, path)
            except Exception as exc:
                step["error"] = f"{type(exc).__name__}: {exc}"
                break
            step.update(compare_snapshots(before, snapshot(col)))
            step.update(step_state(col))
            if index == args.answer_at:
                out["answered"] = answer_first_cards(col, args.answer)
                step["revlog_rows"] = int(col.db.scalar("select count() from revlog"))
        out["final_cards"] = sorted(
            snapshot(col)["cards"].values(), key=lambda c: (c["guid"], c["ord"])
        )
    return out


# ---------------------------------------------------------------------------
# Subcommand: csv-import
# ---------------------------------------------------------------------------


def csv_metadata_summary(col: Collection, md: Any) -> dict[str, Any]:
    """The header directives Anki understood. Column numbers are 1-based, 0
    means "not set" (Anki's own convention)."""
    notetype = None
    if md.HasField("global_notetype"):
        nt = col.models.get(md.global_notetype.id)
        notetype = nt["name"] if nt else int(md.global_notetype.id)
    deck = None
    if md.HasField("deck_id"):
        d = col.decks.get(md.deck_id, default=False)
        deck = d["name"] if d else int(md.deck_id)
    elif md.HasField("deck_name"):
        deck = md.deck_name
    return {
        "delimiter": CsvMetadata.Delimiter.Name(md.delimiter),
        "is_html": md.is_html,
        "column_labels": list(md.column_labels),
        "global_notetype": notetype,
        "notetype_column": int(md.notetype_column) if md.HasField("notetype_column") else 0,
        "deck": deck,
        "deck_column": int(md.deck_column) if md.HasField("deck_column") else 0,
        "guid_column": int(md.guid_column),
        "tags_column": int(md.tags_column),
        "global_tags": list(md.global_tags),
        "dupe_resolution": CsvMetadata.DupeResolution.Name(md.dupe_resolution),
        "match_scope": CsvMetadata.MatchScope.Name(md.match_scope),
    }


def cmd_csv_import(args: argparse.Namespace) -> dict[str, Any]:
    path = existing_file(args.file)
    out: dict[str, Any] = {"command": "csv-import", "file": path, "imports": []}
    then = [existing_file(f) for f in (args.then or [])]
    with fresh_collection() as col:
        if args.notetypes_from:
            # The learner imported our .apkg once (note types, decks, media); the CSV is then
            # imported into a collection that has the note types but none of the notes.
            package = existing_file(args.notetypes_from)
            try:
                import_package(col, package, package_options())
            except Exception as exc:
                out["error"] = f"{type(exc).__name__}: {exc}"
                return out
            col.remove_notes(col.find_notes(""))
            out["notetypes_from"] = package
        try:
            # delimiter=None: let Anki honour `#separator:` or guess.
            md = col.get_csv_metadata(path, None)
        except Exception as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
            return out
        out["metadata"] = csv_metadata_summary(col, md)
        steps = [(path, md)] * (2 if args.twice else 1)
        for other in then:
            steps.append((other, None))
        for step_path, step_md in steps:
            try:
                if step_md is None:
                    step_md = col.get_csv_metadata(step_path, None)
                response = col.import_csv(ImportCsvRequest(path=step_path, metadata=step_md))
            except Exception as exc:
                out["imports"].append({"error": f"{type(exc).__name__}: {exc}"})
                break
            out["imports"].append(import_summary(col, response))
        out["notes_total"] = col.note_count()
        out["cards_total"] = col.card_count()
        out["notes_per_notetype"] = dict(
            sorted(
                (nt["name"], nt["notes"]) for nt in notetype_summaries(col) if nt["notes"] > 0
            )
        )
        # Deck names are read through the API: the decks table stores them
        # with \x1f instead of "::".
        per_deck = col.db.all("select did, count(distinct nid) from cards group by did")
        out["notes_per_deck"] = dict(
            sorted((col.decks.name(did), int(n)) for did, n in per_deck)
        )
        out["duplicate_guids"] = duplicate_guids(col)
        out["notes"] = note_rows(col)
    return out


# ---------------------------------------------------------------------------
# Subcommand: inspect
# ---------------------------------------------------------------------------


def cmd_inspect(args: argparse.Namespace) -> dict[str, Any]:
    """Plain summary of a package as Anki sees it after import."""
    path = existing_file(args.package)
    out: dict[str, Any] = {"command": "inspect", "package": path}
    with fresh_collection() as col:
        try:
            response = import_package(col, path, package_options())
        except Exception as exc:
            out["error"] = f"{type(exc).__name__}: {exc}"
            return out
        out["import"] = import_summary(col, response, path)
        out["collection"] = collection_summary(col)
        out["notes"] = note_rows(col)
        out["cards"] = sorted(
            snapshot(col)["cards"].values(), key=lambda c: (c["guid"], c["ord"])
        )
        out["media_files"] = sorted(os.listdir(col.media.dir()))
    return out


# ---------------------------------------------------------------------------
# CLI
# ---------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse already exits 2 on bad usage; this only adds a clearer
    prefix to the message."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        print(f"anki_check: usage error: {message}", file=sys.stderr)
        sys.exit(USAGE_EXIT)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="anki_check.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("import", help="import each package into a fresh collection and check it")
    p.add_argument("packages", nargs="+", metavar="DECK.apkg")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("sequence", help="import packages one after another into one collection")
    p.add_argument("--answer", type=int, default=0, metavar="N",
                   help="after step 1 (or --answer-at), answer the first N new cards 'Good'")
    p.add_argument("--answer-at", type=int, default=1, metavar="STEP",
                   help="the step after which --answer answers (default 1)")
    p.add_argument("--always-from", type=int, default=0, metavar="STEP",
                   help="from this step on, import with 'Update notes: Always'")
    p.add_argument("--merge-notetypes", action="store_true")
    p.add_argument("--importer", choices=["new", "legacy"], default="new",
                   help="legacy: Anki's Python importer of 2.1.54 and older (needs anki 25.9)")
    p.add_argument("--update-notes", choices=sorted(UPDATE_CONDITIONS), default="if-newer")
    p.add_argument("--update-notetypes", choices=sorted(UPDATE_CONDITIONS), default="if-newer")
    p.add_argument("packages", nargs="+", metavar="STEP.apkg")
    p.set_defaults(func=cmd_sequence)

    p = sub.add_parser("csv-import", help="import a CSV file using its own header directives")
    p.add_argument("file", metavar="FILE.csv")
    p.add_argument("--twice", action="store_true", help="import the same file a second time")
    p.add_argument("--notetypes-from", metavar="DECK.apkg",
                   help="first import this package, then delete its notes (keeps note types, decks, media)")
    p.add_argument("--then", action="append", metavar="OTHER.csv",
                   help="after FILE.csv, import this file too (repeatable)")
    p.set_defaults(func=cmd_csv_import)

    p = sub.add_parser("inspect", help="summary of a package after import")
    p.add_argument("package", metavar="DECK.apkg")
    p.set_defaults(func=cmd_inspect)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        result = args.func(args)
    except UsageError as exc:
        print(f"anki_check: usage error: {exc}", file=sys.stderr)
        return USAGE_EXIT
    except Exception:
        traceback.print_exc()
        return 1
    result["anki_version"] = ANKI_VERSION
    # Always UTF-8, whatever the caller's locale.
    data = json.dumps(result, indent=2, ensure_ascii=False) + "\n"
    _JSON_OUT.buffer.write(data.encode("utf-8"))
    _JSON_OUT.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
