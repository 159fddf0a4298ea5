#!/usr/bin/env python3
"""Reference for the grading benchmark: the Rust grader's core pipeline, in plain Python.

The fair comparison for the Rust keyword grader. For each answer, as the Rust core does:
Unicode NFKC and case folding, a word regex with camelCase splitting, the bundled stop words
(data/stopwords.txt), English Snowball stemming (the pure-Python `snowballstemmer` package from
PyPI), synonym groups and phrases from the same data file (data/synonyms.txt, topic-scoped groups
left out as the benchmark has no topic), and coverage per key point with words of the question
counting less (weight 0.3). It leaves out what the Rust grader adds on top: typo tolerance,
negation, antonyms, subject binding, keyword-list detection, injection screening and feedback.

Written as a competent Python programmer would: compiled regexes, sets and dicts, the stemmer's
own batch call; no artificial slowness. With `--memo` it also memoises stems per word
(functools.lru_cache), which a programmer tuning this loop would do next.

Usage: keyword_coverage_pipeline.py [--memo] FILE.jsonl   (records: question, reference, answer)
Prints one JSON line: {"answers", "grades_per_second", "mean_us", "p99_us"}.
"""
import functools
import json
import os
import re
import sys
import time
import unicodedata

import snowballstemmer

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data")
QUESTION_WEIGHT = 0.3

WORD = re.compile(r"[^\W_]+(?:'[^\W_]+)*")
# camelCase parts: "HTTPServer" is HTTP + Server, "RollingUpdate" two words, "SGs" one plural.
CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z]{2})|[A-Z]?[a-z]+|[A-Z]+(?:s(?![a-z]))?|\d+[a-z]*|[^\W_]+")
VOWELLESS_PLURAL = re.compile(r"[b-df-hj-np-tv-xz]{2,}s")


def data_lines(name):
    with open(os.path.join(DATA, name), encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#"):
                yield line


STOP = frozenset(w.lower() for w in data_lines("stopwords.txt"))
STEMMER = snowballstemmer.stemmer("english")
stem_words = STEMMER.stemWords


def words(text):
    """NFKC, words, camelCase parts, case folded."""
    text = unicodedata.normalize("NFKC", text)
    out = []
    for word in WORD.findall(text):
        if word.islower() or word.isupper():
            out.append(word.casefold())
        else:
            out.extend(part.casefold() for part in CAMEL.findall(word))
    return out


def stem_all(folded):
    """Snowball stems, with the Rust grader's two exceptions: "-ful" words stay whole (stateful
    is not state) and vowel-less plurals are acronyms ("sgs" is "sg")."""
    out = stem_words(folded)
    for i, w in enumerate(folded):
        if len(w) > 5 and w.endswith("ful"):
            out[i] = w
        elif VOWELLESS_PLURAL.fullmatch(w) and not w.endswith("ss"):
            out[i] = w[:-1]
    return out


stems = stem_all


def load_synonyms():
    """Phrase (tuple of stems) -> group id, and the longest phrase length."""
    phrases = {}
    for line in data_lines("synonyms.txt"):
        if line.startswith("["):
            continue  # topic-scoped: the benchmark grades without a topic
        members = [tuple(stems(words(m))) for m in line.split(",")]
        members = [m for m in members if m]
        group = "~" + " ".join(members[0])
        for m in members:
            phrases.setdefault(m, group)
    return phrases, max(len(p) for p in phrases)


SYNONYMS, LONGEST = load_synonyms()


def keys(text):
    """Content keys of a text: stems, synonym phrases merged into their group id."""
    folded = words(text)
    stemmed = stems(folded)
    out = []
    i = 0
    while i < len(stemmed):
        for n in range(min(LONGEST, len(stemmed) - i), 0, -1):
            group = SYNONYMS.get(tuple(stemmed[i:i + n]))
            if group is not None:
                out.append(group)
                i += n
                break
        else:
            if folded[i] not in STOP:
                out.append(stemmed[i])
            i += 1
    return out


def grade(question, key_points, answer):
    """Mean weighted coverage of the key points."""
    asked = set(keys(question))
    said = set(keys(answer))
    total = 0.0
    for point in key_points:
        terms = set(keys(point))
        if not terms:
            continue
        weights = {t: QUESTION_WEIGHT if t in asked else 1.0 for t in terms}
        total += sum(w for t, w in weights.items() if t in said) / sum(weights.values())
    return total / len(key_points) if key_points else 0.0


def main():
    args = sys.argv[1:]
    global stems
    if args and args[0] == "--memo":
        args = args[1:]
        stem_one = functools.lru_cache(maxsize=65536)(lambda w: stem_all([w])[0])
        stems = lambda folded: [stem_one(w) for w in folded]  # noqa: E731
    records = []
    with open(args[0], encoding="utf-8") as f:
        for line in f:
            if line.strip():
                r = json.loads(line)
                records.append((r["question"], [r["reference"]], r["answer"]))
    # Warm up, as the Rust side does.
    for question, points, answer in records[:200]:
        grade(question, points, answer)
    times = []
    clock = time.perf_counter
    start = clock()
    for question, points, answer in records:
        t0 = clock()
        grade(question, points, answer)
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
