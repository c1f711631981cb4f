#!/usr/bin/python3
"""The Russian prose corpus (issue 15): its paragraphs, and the public-domain slice that the workbench embeds.

The corpus is a JSON Lines file of whole works, {"author", "title", "year", "text"}, paragraphs separated by "\\n"
inside "text" (the RusLit extract of 106 works by Chekhov, Pushkin, Gogol and Lermontov; all public domain). A
document ("line") of the workbench is one paragraph: each line of "text" with its whitespace collapsed, empty lines
dropped, works in the file's order; a paragraph longer than 10,000 characters (5 of the 25,412; the workbench's
MAX_DOC_CHARS, src/data/validate.ts, would cut such a line into several documents when it reads the file) is cut here
at the last space before that bound, so that every line is one document wherever it is read and the held-out rule
(src/data/heldout.ts) counts the same lines in the page, the CLI and this trainer.

    /usr/bin/python3 tools/teacher/ru_prose.py --corpus PATH/ruslit-prose.jsonl

writes the embedded slice, src/data/embedded/ru-prose.txt.gz (gzip, mtime 0: the same bytes on every run), one
paragraph per line; src/tools/prepare-assets.mjs unpacks it to public/corpus/ru-prose.txt at set-up.
"""
import argparse
import gzip
import json
import os
import re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SLICE_GZ = os.path.join(ROOT, "src", "data", "embedded", "ru-prose.txt.gz")

# The embedded slice: these whole works, in the corpus file's order (every Chekhov work under 70,000 bytes of text, so
# his short stories; Pushkin's Капитанская дочка and Пиковая дама; Gogol's Шинель and Нос; all three Lermontov works).
SLICE_MAX_CHEKHOV_BYTES = 70000
SLICE_WORKS = {
    ("Pushkin", "Капитанская дочка"), ("Pushkin", "Пиковая дама"),
    ("Gogol", "Шинель"), ("Gogol", "Нос"),
    ("Lermontov", "Герой нашего времени"), ("Lermontov", "Ашик-Кериб"), ("Lermontov", "Штосс"),
}
SLICE_LIMIT_BYTES = 3_000_000
MAX_DOC_CHARS = 10_000  # src/data/validate.ts (UTF-16 code units)


def utf16_len(s):
    return len(s.encode("utf-16-le")) // 2


def cut_paragraph(p, max_chars=MAX_DOC_CHARS):
    """Pieces of at most max_chars UTF-16 units, cut at the last space before the bound (a hard cut without one)."""
    out = []
    while utf16_len(p) > max_chars:
        head = p[:max_chars]
        while utf16_len(head) > max_chars:
            head = head[:-1]
        k = head.rfind(" ")
        k = k if k > 0 else len(head)
        out.append(p[:k].strip())
        p = p[k:].strip()
    out.append(p)
    return [x for x in out if x]


def work_paragraphs(text):
    """The paragraphs of one work: each line, whitespace collapsed, empty ones dropped."""
    out = []
    for p in text.split("\n"):
        p = re.sub(r"\s+", " ", p).strip()
        if p:
            out.extend(cut_paragraph(p))
    return out


def works(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


def paragraphs(path):
    """Every paragraph of the corpus, works in the file's order."""
    return [p for w in works(path) for p in work_paragraphs(w["text"])]


def in_slice(w):
    if w["author"] == "Chekhov":
        return len(("\n".join(work_paragraphs(w["text"])) + "\n").encode("utf-8")) < SLICE_MAX_CHEKHOV_BYTES
    return (w["author"], w["title"]) in SLICE_WORKS


def slice_works(path):
    return [w for w in works(path) if in_slice(w)]


def read_lines(path):
    """Non-empty trimmed lines of a text file, gzip or plain (as src/data/corpus.ts splitDocuments)."""
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        return [l.strip() for l in f if l.strip()]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True, help="ruslit-prose.jsonl")
    ap.add_argument("--out", default=SLICE_GZ)
    a = ap.parse_args()
    ws = slice_works(a.corpus)
    lines = [p for w in ws for p in work_paragraphs(w["text"])]
    raw = ("\n".join(lines) + "\n").encode("utf-8")
    assert len(raw) <= SLICE_LIMIT_BYTES, f"slice is {len(raw)} bytes, over {SLICE_LIMIT_BYTES}"
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "wb") as f:
        f.write(gzip.compress(raw, compresslevel=9, mtime=0))
    by_author = {}
    for w in ws:
        by_author.setdefault(w["author"], []).append(w["title"])
    print(json.dumps({"out": a.out, "works": len(ws), "paragraphs": len(lines), "characters": len(raw.decode("utf-8")),
                      "bytes": len(raw), "gzip_bytes": os.path.getsize(a.out),
                      "by_author": {k: len(v) for k, v in by_author.items()}}, ensure_ascii=False))


if __name__ == "__main__":
    main()
