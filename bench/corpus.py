#!/usr/bin/env python3
"""Write a synthetic content directory of N sections for the benchmarks, in one of three shapes.

- nine (the default): each section is a `##` heading, an opening paragraph, a bold-term list
  and a small table, the constructs the extractor turns into cards (9 notes a section);
  sections go 1,000 to a file.
- one-file: one file of N sections, each a heading and one short paragraph (one note a
  section); the shape that leans on the big-file path.
- many-files: the same one-paragraph sections, 100 to a file (1,000 files at N = 100,000);
  the shape that leans on per-file costs.

usage: corpus.py N DIR [nine|one-file|many-files]
"""
import os
import sys

WORDS = ("replica shard cache queue broker index ledger quorum lease token bucket window "
         "gossip vector clock tombstone snapshot segment compaction partition").split()


def word(i, k):
    return WORDS[(i * 7 + k * 3) % len(WORDS)]


def section(i):
    a, b, c = word(i, 1), word(i, 2), word(i, 3)
    return (
        f"## Topic {i}: {a} {b}\n\n"
        f"Topic {i} keeps a {a} beside every {b} so that a failed {c} can be rebuilt "
        f"from its neighbours without stopping writes.\n\n"
        f"* **{a.title()} {i}** - the copy of {b} data kept for recovery number {i}.\n"
        f"* **{b.title()} {i}** - the unit of work that the {c} hands out in round {i}.\n"
        f"* **{c.title()} {i}** - the coordinator that assigns {a} slots for epoch {i}.\n\n"
        f"| Setting | Value |\n|---|---|\n"
        f"| {a} limit {i} | {i % 97 + 3} MB |\n"
        f"| {b} timeout {i} | {i % 13 + 1} s |\n\n"
    )


def short_section(i):
    a, b, c = word(i, 1), word(i, 2), word(i, 3)
    return (
        f"## Topic {i}: {a} {b}\n\n"
        f"Topic {i} keeps a {a} beside every {b} so that a failed {c} can be rebuilt "
        f"from its neighbours without stopping writes.\n\n"
    )


SHAPES = {"nine": (section, 1000), "one-file": (short_section, None),
          "many-files": (short_section, 100)}


def main():
    n, out = int(sys.argv[1]), sys.argv[2]
    write_section, per_file = SHAPES[sys.argv[3] if len(sys.argv) > 3 else "nine"]
    per_file = per_file or max(n, 1)
    os.makedirs(os.path.join(out, "notes"), exist_ok=True)
    with open(os.path.join(out, "primer-anki.toml"), "w") as f:
        f.write('base_url = "https://example.org/bench/"\n\n[[deck]]\nname = "Bench"\n'
                'id = 1900000000042\nsources = ["notes"]\ntag_prefix = "bench"\n')
    for start in range(0, n, per_file):
        with open(os.path.join(out, "notes", f"part-{start // per_file:04d}.md"), "w") as f:
            f.write(f"# Part {start // per_file}\n\n")
            f.write("".join(write_section(i) for i in range(start, min(n, start + per_file))))


if __name__ == "__main__":
    main()
