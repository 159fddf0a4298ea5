#!/usr/bin/env python3
"""Reference for the grading benchmark: plain keyword coverage in straightforward Python.

For each answer: lower-case, split into words, drop stop words, and score the share of the
reference's words that the answer contains. This is the baseline the issue compares the Rust
keyword grader against (the Rust grader does much more per answer: Unicode folding, stemming,
synonyms, typo tolerance, subject binding, negation).

Usage: keyword_coverage.py FILE.jsonl   (records with "reference" and "answer")
Prints one JSON line: {"answers", "grades_per_second", "mean_us", "p99_us"}.
"""
import json
import re
import sys
import time

STOP = set("""a about above after again against all also am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from
further had has have having he her here hers him his how i if in into is it its itself just me
more most my no nor not of off on once only or other our ours out over own same she should so
some such than that the their theirs them then there these they this those through to too under
until up very was we were what when where which while who whom why will with would you your
yours""".split())

WORD = re.compile(r"[a-z0-9]+")


def words(text):
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def coverage(reference, answer):
    ref = words(reference)
    if not ref:
        return 0.0
    return len(ref & words(answer)) / len(ref)


def main():
    records = []
    with open(sys.argv[1], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                records.append((r["reference"], r["answer"]))
    # Warm up, as the Rust side does.
    for reference, answer in records[:200]:
        coverage(reference, answer)
    times = []
    clock = time.perf_counter
    start = clock()
    for reference, answer in records:
        t0 = clock()
        coverage(reference, answer)
        times.append(clock() - t0)
    total = clock() - start
    times.sort()
    p99 = times[min(len(times) - 1, int(len(times) * 0.99))]
    print(json.dumps({
        "answers": len(records),
        "grades_per_second": len(records) / total,
        "mean_us": total / len(records) * 1e6,
        "p99_us": p99 * 1e6,
    }))


if __name__ == "__main__":
    main()
