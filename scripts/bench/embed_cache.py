#!/usr/bin/env python3
"""Real all-MiniLM-L6-v2 embeddings of the first COUNT chunks of a chunk file, cached.

The cache is a file of little-endian float32 rows of 384, row i = chunk i of the chunk file
(as written by `strata-bench corpus`). It grows: rows already there are kept and only the
missing ones are computed, appended batch by batch (an interrupted run loses at most one
batch). Embedding uses scripts/bench/minilm_embed.py (numpy, mean-pooled, L2-normalized,
256 word pieces at most, as sentence-transformers does).

On a 2-core machine this runs at about 1 to 12 chunks/s (CPU, numpy; far slower when the
cores are shared), so a time budget (seconds) stops it early: the next run goes on from there.

Usage: embed_cache.py MODEL_DIR CHUNKS.jsonl CACHE.f32 COUNT [BUDGET_SECONDS]   (prints one JSON line)
"""
import json
import os
import sys
import time

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from minilm_embed import MAX_TOKENS, embed  # noqa: E402

DIM = 384
BATCH = 32


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
    weights = {k: v.astype(np.float32) for k, v in load_file(f"{model_dir}/model.safetensors").items()}
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tokenizer.no_padding()
    tokenizer.enable_truncation(MAX_TOKENS)
    start = time.perf_counter()
    # Batches in file order (so the cache is a prefix); within a batch, padding to the longest.
    done = 0
    with open(cache_path, "ab") as out:
        for b in range(0, len(texts), BATCH):
            if time.perf_counter() - start > budget:
                break
            encodings = tokenizer.encode_batch(texts[b:b + BATCH])
            length = max(len(e.ids) for e in encodings)
            ids = np.zeros((len(encodings), length), dtype=np.int64)
            mask = np.zeros((len(encodings), length), dtype=np.int64)
            for row, e in enumerate(encodings):
                ids[row, :len(e.ids)] = e.ids
                mask[row, :len(e.ids)] = 1
            out.write(embed(weights, ids, mask).astype("<f4").tobytes())
            out.flush()
            done = min(b + BATCH, len(texts))
            rate = done / (time.perf_counter() - start)
            print(f"\rembedded {have + done}/{count} chunks ({rate:.1f} chunks/s)", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    seconds = time.perf_counter() - start
    print(json.dumps({"cached_rows": have, "computed_rows": done, "seconds": seconds, "rows": have + done,
                      "chunks_per_second": done / seconds if seconds > 0 else None, "budget_seconds": budget if budget != float("inf") else None}))


if __name__ == "__main__":
    main()
