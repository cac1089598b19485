#!/usr/bin/env python3
"""Print bench/run's results as a table, then our ratio to the floor (parser + packager alone)
and to each peer, for every corpus shape and size."""
import csv
import sys
from collections import defaultdict


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    print(f"{'shape':<10} {'sections':>9} {'tool':<42} {'notes':>9} {'wall s':>9} {'RSS MB':>7} "
          f"{'bytes':>12} {'CPU s':>7}")
    for r in rows:
        print(f"{r['shape']:<10} {r['sections']:>9} {r['tool']:<42} {r['notes']:>9} "
              f"{r['wall_s']:>9} {r['rss_mb']:>7} {r['bytes']:>12} {r.get('cpu_s') or '-':>7}")
    by_corpus = defaultdict(dict)
    for r in rows:
        try:
            by_corpus[(r["shape"], r["sections"])][r["tool"]] = (
                float(r["wall_s"]), float(r["bytes"] if r["bytes"] != "-" else 0), r["rss_mb"])
        except ValueError:
            pass
    print()
    cpu_of = {}
    for r in rows:
        if (r["tool"] == "primer-anki (level 1)" and r.get("cpu_s", "-") not in ("-", "")
                and r["notes"].isdigit()):
            cpu_of[(r["shape"], r["sections"])] = (float(r["cpu_s"]), int(r["notes"]))
    for (shape, size), (cpu, notes) in cpu_of.items():
        print(f"{shape:<10} {size:>7} sections, level 1: CPU {cpu:.2f} s, "
              f"{cpu / max(notes, 1) * 1e6:.1f} us a note")
    # The same notes, one file or many: what the big-file flow costs on top.
    for (shape, size), (cpu, _) in cpu_of.items():
        many = cpu_of.get(("many-files", size))
        if shape == "one-file" and many:
            print(f"one-file   {size:>7} sections: CPU {cpu / max(many[0], 1e-9):.2f}x many-files "
                  f"(the same notes)")
    print()
    for (shape, size), tools in by_corpus.items():
        if size == "0":
            continue
        parser = tools.get("parser floor (pulldown-cmark)")
        for level in (1, 6):
            mine = tools.get(f"primer-anki (level {level})")
            alone = tools.get(f"packager only (level {level})")
            if mine and parser and alone:
                floor = parser[0] + alone[0]
                print(f"{shape:<10} {size:>7} sections, level {level}: {mine[0]:.2f} s, "
                      f"{mine[2]} MB; floor {parser[0]:.2f} (parser) + {alone[0]:.2f} (packager) "
                      f"= {floor:.2f} s; end to end / floor: {mine[0] / max(floor, 1e-9):.2f}x")
        mine = tools.get("primer-anki (level 1)")
        for peer in ("genanki", "ankdown"):
            if mine and peer in tools:
                wall, size_b, _ = tools[peer]
                print(f"{shape:<10} {size:>7} sections: primer-anki (level 1) vs {peer}: "
                      f"{wall / max(mine[0], 1e-9):.2f}x faster, file "
                      f"{size_b / max(mine[1], 1):.2f}x smaller")


if __name__ == "__main__":
    main()
