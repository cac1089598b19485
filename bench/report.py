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
        ours = tools.get("primer-anki (level 6)")
        if not ours or size == "0":
            continue
        for peer in ("genanki", "ankdown", "packager only (level 6)"):
            if peer in tools:
                wall, size_b = tools[peer]
                print(f"{size:>9} sections: primer-anki vs {peer}: {wall / max(ours[0], 1e-9):.2f}x "
                      f"time ratio (peer/ours), file {size_b / max(ours[1], 1):.2f}x (peer/ours)")


if __name__ == "__main__":
    main()
