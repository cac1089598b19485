#!/usr/bin/env python3
"""Write the same cards in ankdown's input format (front, %, back, ---) from primer-anki's
JSON export. ankdown names the deck after the directory.

usage: to_ankdown.py EXPORT.json DIR
"""
import json
import os
import sys


def main():
    export = json.load(open(sys.argv[1], encoding="utf-8"))
    out = sys.argv[2]
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "cards.md"), "w", encoding="utf-8") as f:
        for note in export["notes"]:
            fields = note["fields"]
            front = fields.get("Front") or fields.get("Text", "")
            back = fields.get("Back") or fields.get("Back Extra", "") or "-"
            f.write(f"{front}\n\n%\n\n{back}\n\n---\n\n")


if __name__ == "__main__":
    main()
