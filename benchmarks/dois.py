"""Benchmark: `litkit dois` reading a large text file, against a plain regex scan.

It writes a generated text file (50 MB by default) to a temporary folder, then times, in
this process:

* the baseline: ``re.finditer`` with Crossref's recommended DOI pattern over the whole
  text, already in memory (no reading, no decoding, no cleaning);
* litkit: ``iter_dois(iter_text(path))``, what ``litkit dois FILE`` runs: the file read in
  1 MiB chunks, checked as UTF-8, decoded (entities, percent escapes), scanned, cleaned;
* litkit on pathological input: a DOI followed by a megabyte of ``)``.

    .venv/bin/python benchmarks/dois.py [--mb 50] [--seed 1] [--runs 3]

The baseline and litkit run in turn, ``--runs`` times each; the medians are compared.

See benchmarks/README.md for how to read the output.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

from litkit.doi import extract_dois, iter_dois
from litkit.textfile import iter_text

TARGET_MB_PER_S = 30.0
# https://www.crossref.org/blog/dois-and-matching-regular-expressions/
CROSSREF_PATTERN = re.compile(r"10.\d{4,9}/[-._;()/:A-Z0-9]+", re.IGNORECASE)
WORDS = (
    "the of and to in a patients treatment symptom study trial dose mg per kg was were "
    "results similar placebo randomised group outcome 10 0.5 95% CI (p<0.05), ; review "
    "&amp; e.g. https://example.org/page.html 2020"
).split()
DOI_FORMS = (
    "https://doi.org/10.1097/j.pain.{n:016d}.",
    "doi:10.1016/S0140-6736(20){n}-5)",
    '<a href="https://doi.org/10.1111/bcp.{n}">x</a>',
    "10.1016/j.biopsych.\n2012.05.{n}",
    "10.3389/fphar.2020.{n}Received",
)


def generate(megabytes: float, seed: int) -> str:
    """Plain prose of ``megabytes`` MB with about one DOI per 40 lines, in varied forms."""
    rng = random.Random(seed)
    lines, size = [], 0
    while size < megabytes * 1_000_000:
        line = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18)))
        if rng.random() < 0.025:
            line += " " + rng.choice(DOI_FORMS).format(n=rng.randrange(10**6))
        lines.append(line)
        size += len(line) + 1
    return "\n".join(lines) + "\n"


def timed(run) -> tuple[float, int]:
    start = time.perf_counter()
    count = run()
    return time.perf_counter() - start, count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=50.0, help="size of the text (default 50)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--runs", type=int, default=3, help="runs of each, in turn (default 3)")
    args = parser.parse_args()
    text = generate(args.mb, args.seed)
    megabytes = len(text.encode()) / 1_000_000
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "text.txt"
        path.write_text(text, encoding="utf-8")
        base, lit = [], []
        for _ in range(args.runs):
            base.append(timed(lambda: sum(1 for _ in CROSSREF_PATTERN.finditer(text))))
            lit.append(timed(lambda: sum(1 for _ in iter_dois(iter_text(path)))))
    base_s, base_n = statistics.median(s for s, _ in base), base[0][1]
    lit_s, lit_n = statistics.median(s for s, _ in lit), lit[0][1]
    unique = len(extract_dois(text))
    odd_s, odd = timed(lambda: len(extract_dois("10.1000/abc" + ")" * 1_000_000)))
    rows = [
        ("re.finditer, Crossref pattern, in memory", base_s, base_n),
        ("litkit iter_dois(iter_text(file))", lit_s, lit_n),
    ]
    print(
        f"{megabytes:.1f} MB of generated text, {unique} distinct DOIs; medians of {args.runs} runs"
    )
    print(f"  baseline runs: {', '.join(f'{s:.2f}' for s, _ in base)} s")
    print(f"  litkit runs:   {', '.join(f'{s:.2f}' for s, _ in lit)} s\n")
    print(f"{'run':42} {'seconds':>8} {'matches':>8} {'MB/s':>8}")
    for name, seconds, count in rows:
        print(f"{name:42} {seconds:8.2f} {count:8d} {megabytes / seconds:8.1f}")
    print(f"{'litkit, a DOI then 1 MB of )':42} {odd_s:8.2f} {odd:8d} {1 / odd_s:8.1f}")
    rate = megabytes / lit_s
    print(f"\nlitkit runs at {lit_s / base_s:.1f}x the baseline's time ({rate:.0f} MB/s)")
    passed = rate >= TARGET_MB_PER_S
    print(f"{'PASS' if passed else 'FAIL'}: at least {TARGET_MB_PER_S:.0f} MB/s on plain text")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
