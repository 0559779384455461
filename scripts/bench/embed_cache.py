#!/usr/bin/env python3
"""Real all-MiniLM-L6-v2 embeddings of the first COUNT chunks of a chunk file, cached.

The cache is a file of little-endian float32 rows of 384, row i = chunk i of the chunk file
(as written by `strata-bench corpus`). It grows: rows already there are kept and only the
missing ones are computed, appended window by window (an interrupted run loses at most one
window of 256 chunks). Embedding uses scripts/bench/minilm_embed.py (sentence-transformers on
the CPU: mean-pooled, L2-normalized, 256 word pieces at most).

On a 2-core machine this runs at about 23 chunks/s (20,000 chunks in ~15 min, once; slower
when the cores are shared). An optional time budget (seconds) stops it early: the next run
goes on from there.

Usage: embed_cache.py MODEL_DIR CHUNKS.jsonl CACHE.f32 COUNT [BUDGET_SECONDS]   (prints one JSON line)
"""
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_embed import DIM, encode, load  # noqa: E402

WINDOW = 256  # chunks encoded and appended together (the library sorts them by length inside)


def main():
    model_dir, chunks_path, cache_path, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    budget = float(sys.argv[5]) if len(sys.argv) > 5 else float("inf")
    have = os.path.getsize(cache_path) // (DIM * 4) if os.path.exists(cache_path) else 0
    if have >= count:
        print(json.dumps({"cached_rows": have, "computed_rows": 0, "seconds": 0.0, "rows": have}))
        return
    texts = []
    with open(chunks_path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= count:
                break
            if i >= have:
                texts.append(json.loads(line)["text"])
    model = load(model_dir)
    start = time.perf_counter()
    # Rows are appended in file order, so the cache is always a prefix of the chunk file.
    done = 0
    with open(cache_path, "ab") as out:
        for w in range(0, len(texts), WINDOW):
            if time.perf_counter() - start > budget:
                break
            out.write(encode(model, texts[w:w + WINDOW]).astype("<f4").tobytes())
            out.flush()
            done = min(w + WINDOW, len(texts))
            rate = done / (time.perf_counter() - start)
            print(f"\rembedded {have + done}/{count} chunks ({rate:.1f} chunks/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    seconds = time.perf_counter() - start
    print(json.dumps({"cached_rows": have, "computed_rows": done, "seconds": seconds, "rows": have + done,
                      "chunks_per_second": done / seconds if seconds > 0 else None, "budget_seconds": budget if budget != float("inf") else None}))


if __name__ == "__main__":
    main()
