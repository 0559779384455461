#!/usr/bin/env python3
"""Queries and vectors of scripts/bench.sh, built once from the chunk file and cached.

queries: QUERY_COUNT texts, each a run of 3 to 6 words (identifiers and words of 3+ letters)
from a seeded random line of a seeded random chunk among the chunk file's first 1M tokens (so
every corpus size contains the chunk it came from), and its real MiniLM embedding.

vectors: one row per chunk of the chunk file: the cached real MiniLM embedding where there is
one (the first REAL rows), else a SYNTHETIC vector: the real embedding of chunk (i mod REAL)
plus Gaussian noise of norm 0.5, renormalized (seeded by i), so larger sizes keep the real
vectors' distribution without the hours of CPU embedding would take. A chunk whose text an
earlier chunk has gets that chunk's row: an embedding is a function of the text, and Strata's
store keeps one vector per text of a namespace (the first stored). Rows that differed for the
same text (before: every duplicate in the synthetic tail) showed as lost recall once a worker
read its vectors back from the store (docs/benchmarks.md section 17, "ivfrecall").

Usage:
  corpus_prep.py queries MODEL_DIR CHUNKS.jsonl COUNT OUT.jsonl
  corpus_prep.py vectors CACHE.f32 CHUNKS.jsonl CHUNK_COUNT OUT.f32
      (prints {"real": n, "synthetic": m, "same_text_rows": d})
"""
import json
import os
import random
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_common import DIM  # noqa: E402

WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


def make_queries(model_dir, chunks_path, count, out_path):
    from minilm_embed import encode, load

    chunks, tokens = [], 0
    with open(chunks_path, encoding="utf-8") as f:
        for line in f:
            chunk = json.loads(line)
            if chunk["ord"] == 0 and tokens >= 1_000_000:
                break
            chunks.append(chunk["text"])
            tokens += chunk["tokens"]
    rng = random.Random(2026)
    texts = []
    while len(texts) < count:
        lines = [l for l in rng.choice(chunks).split("\n") if len(WORD.findall(l)) >= 3]
        if not lines:
            continue
        words = WORD.findall(rng.choice(lines))
        n = rng.randint(3, min(6, len(words)))
        start = rng.randint(0, len(words) - n)
        texts.append(" ".join(words[start:start + n]))
    vectors = encode(load(model_dir), texts)
    with open(out_path, "w", encoding="utf-8") as out:
        for text, vector in zip(texts, vectors):
            out.write(json.dumps({"text": text, "vector": [round(float(x), 7) for x in vector]}) + "\n")


def make_vectors(cache_path, chunks_path, chunk_count, out_path):
    real = np.fromfile(cache_path, dtype="<f4")
    real = real[: real.size // DIM * DIM].reshape(-1, DIM)[:chunk_count]
    n = real.shape[0]
    if n == 0:
        raise SystemExit(f"{cache_path} holds no embeddings")
    rows = np.empty((chunk_count, DIM), dtype=np.float32)
    rows[:n] = real
    for start in range(n, chunk_count, 8192):
        idx = np.arange(start, min(start + 8192, chunk_count))
        rng = np.random.default_rng(start)
        noise = rng.standard_normal((idx.size, DIM)).astype(np.float32)
        noise *= 0.5 / np.linalg.norm(noise, axis=1, keepdims=True)
        block = real[idx % n] + noise
        block /= np.linalg.norm(block, axis=1, keepdims=True)
        rows[start:start + idx.size] = block
    # The first chunk with each text gives its row to every later one (first[i] <= i, and
    # first[first[i]] == first[i], so one gather does it).
    first_of_text, first = {}, np.empty(chunk_count, dtype=np.int64)
    with open(chunks_path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= chunk_count:
                break
            first[i] = first_of_text.setdefault(json.loads(line)["text"], i)
    if i + 1 < chunk_count:
        raise SystemExit(f"{chunks_path} holds {i + 1} chunks, not {chunk_count}")
    same = int((first != np.arange(chunk_count)).sum())
    rows = rows[first]
    with open(out_path, "wb") as out:
        out.write(rows.astype("<f4").tobytes())
    print(json.dumps({"real": n, "synthetic": max(0, chunk_count - n), "same_text_rows": same}))


if __name__ == "__main__":
    if sys.argv[1] == "queries":
        make_queries(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        make_vectors(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
