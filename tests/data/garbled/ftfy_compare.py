#!/usr/bin/env python3
"""Score ftfy on our own cases (tests/data/garbled/cases.tsv) and clean lines, for comparison.

Needs ftfy, e.g. in a throw-away venv:
    python3 -m venv /tmp/ftfy-venv && /tmp/ftfy-venv/bin/pip install ftfy==6.3.1
    /tmp/ftfy-venv/bin/python scripts/ftfy_compare.py

The main number uses `ftfy.fix_encoding`, which only undoes mojibake (plus C1 controls), the same
job as our `fix_encoding`/`repair` on these lines. `fix_text` with quote uncurling, ligature and
width fixes and NFC normalisation switched off is printed as well; its other steps (HTML
unescaping, line breaks, ...) can only do harm on these lines.
"""

import sys
from collections import defaultdict
from pathlib import Path

import ftfy

ROOT = Path(__file__).resolve().parent


def unescape(s: str) -> str:
    out = []
    i = 0
    while i < len(s):
        c = s[i]
        if c != "\\":
            out.append(c)
            i += 1
            continue
        n = s[i + 1]
        if n == "\\":
            out.append("\\")
            i += 2
        elif n == "t":
            out.append("\t")
            i += 2
        elif n == "u":
            j = s.index("}", i)
            out.append(chr(int(s[i + 3 : j], 16)))
            i = j + 1
        else:
            raise ValueError(s)
    return "".join(out)


def fix_text(s: str) -> str:
    return ftfy.fix_text(
        s,
        uncurl_quotes=False,
        fix_latin_ligatures=False,
        fix_character_width=False,
        normalization=None,
    )


def main() -> int:
    rows = []
    for line in (ROOT / "cases.tsv").read_text(encoding="utf-8").split("\n"):
        if not line or line.startswith("#"):
            continue
        kind, how, garbled, clean = line.split("\t")
        rows.append((kind, how, unescape(garbled), unescape(clean)))
    for name, fn in [("ftfy.fix_encoding", ftfy.fix_encoding), ("ftfy.fix_text", fix_text)]:
        right = 0
        by = defaultdict(lambda: [0, 0])
        for kind, how, garbled, clean in rows:
            ok = fn(garbled) == clean
            right += ok
            by[f"{kind} {how}"][0] += ok
            by[f"{kind} {how}"][1] += 1
        print(f"{name}: {right}/{len(rows)} garbled lines repaired exactly "
              f"({100 * right / len(rows):.2f} %)")
        for k in sorted(by):
            print(f"    {k:32} {by[k][0]:4}/{by[k][1]}")
        clean_lines = [l for l in (ROOT / "clean.txt").read_text(encoding="utf-8").split("\n") if l]
        clean_lines += sorted({r[3] for r in rows})
        touched = [l for l in clean_lines if fn(l) != l]
        print(f"{name}: {len(touched)}/{len(clean_lines)} clean lines changed")
        for l in touched:
            print(f"    {l!r} -> {fn(l)!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
