#!/usr/bin/env python3
"""Print bench/run's results as a table, with our ratio to each peer on the same corpus."""
import csv
import sys
from collections import defaultdict


def main():
    rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
    print(f"{'sections':>9} {'tool':<30} {'notes':>9} {'wall s':>9} {'RSS MB':>7} {'bytes':>12}")
    for r in rows:
        print(f"{r['sections']:>9} {r['tool']:<30} {r['notes']:>9} {r['wall_s']:>9} "
              f"{r['rss_mb']:>7} {r['bytes']:>12}")
    by_size = defaultdict(dict)
    for r in rows:
        try:
            by_size[r["sections"]][r["tool"]] = (float(r["wall_s"]), float(r["bytes"]))
        except ValueError:
            pass
    print()
    for size, tools in by_size.items():
        if size == "0":
            continue
        for level in (1, 6):
            mine = tools.get(f"primer-anki (level {level})")
            floor = tools.get(f"floor, same notes (level {level})")
            alone = tools.get(f"packager only (level {level})")
            if mine and floor:
                print(f"{size:>9} sections, level {level}: end to end / floor at the same notes: "
                      f"{mine[0] / max(floor[0], 1e-9):.2f}x; packager alone / floor: "
                      f"{(alone[0] if alone else float('nan')) / max(floor[0], 1e-9):.2f}x")
        for level, label in ((1, "level 1, the default"), (6, "level 6")):
            mine = tools.get(f"primer-anki (level {level})")
            if not mine:
                continue
            for peer in ("genanki", "ankdown"):
                if peer in tools:
                    wall, size_b = tools[peer]
                    print(f"{size:>9} sections: primer-anki ({label}) vs {peer}: "
                          f"{wall / max(mine[0], 1e-9):.2f}x faster, file "
                          f"{size_b / max(mine[1], 1):.2f}x smaller")

if __name__ == "__main__":
    main()
