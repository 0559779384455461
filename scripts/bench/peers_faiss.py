#!/usr/bin/env python3
"""FAISS peer: exact inner-product search (IndexFlatIP) over the L2-normalized vectors, i.e.
exact cosine -- the recall reference of every other system and the speed floor of a
brute-force scan. One query at a time (batch size 1, as an agent asks) on one thread: on a
small shared machine OpenMP's spinning threads made single queries ~10x slower and noisier.

Usage: peers_faiss.py CHUNKS.jsonl VECTORS.f32 QUERIES.jsonl LIMIT_TOKENS WARMUP
Prints JSON: build time, query p50/p99/qps, and the exact top-10 chunk indexes per timed query.
"""
import sys
import time

import faiss
import numpy as np

from bench_common import emit, load_chunks, load_queries, load_vectors, resident_bytes, time_queries


def main():
    chunks_path, vectors_path, queries_path, limit, warmup = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
    faiss.omp_set_num_threads(1)
    count = len(load_chunks(chunks_path, limit))
    vectors = np.ascontiguousarray(load_vectors(vectors_path, count))
    faiss.normalize_L2(vectors)
    start = time.perf_counter()
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    build = time.perf_counter() - start
    queries = load_queries(queries_path)
    qv = np.array([q["vector"] for q in queries], dtype=np.float32)
    faiss.normalize_L2(qv)

    def run(i):
        _, ids = index.search(qv[i:i + 1], 10)
        return [int(x) for x in ids[0] if x >= 0]

    summary, results = time_queries(run, list(range(len(queries))), warmup)
    emit({"system": "faiss", "version": faiss.__version__, "index": "IndexFlatIP on L2-normalized vectors (exact cosine)",
          "threads": faiss.omp_get_max_threads(), "vectors": count, "build_seconds": build, "vector": summary,
          "truth": results, "rss_bytes": resident_bytes()})


if __name__ == "__main__":
    main()
