#!/usr/bin/env python3
"""Build the same notes with genanki: reads primer-anki's JSON export, writes an .apkg.

usage: genanki_build.py EXPORT.json OUT.apkg
"""
import json
import sys

import genanki


def main():
    export = json.load(open(sys.argv[1], encoding="utf-8"))
    deck_info = export["decks"][0]
    deck = genanki.Deck(deck_info["id"], deck_info["name"])
    models = {}
    for i, nt in enumerate(export["notetypes"]):
        models[nt["name"]] = genanki.Model(
            (1 << 30) + 7 + i,
            nt["name"],
            fields=[{"name": f} for f in nt["fields"]],
            templates=[{"name": t["name"], "qfmt": t["front"], "afmt": t["back"]}
                       for t in nt["templates"]],
            css=nt["css"],
            model_type=genanki.Model.CLOZE if nt["kind"] == "cloze" else genanki.Model.FRONT_BACK,
        )
    for note in export["notes"]:
        model = models[note["notetype"]]
        fields = [note["fields"].get(f["name"], "") for f in model.fields]
        deck.add_note(genanki.Note(model=model, fields=fields, guid=note["guid"], tags=note["tags"]))
    genanki.Package(deck).write_to_file(sys.argv[2])


if __name__ == "__main__":
    main()
