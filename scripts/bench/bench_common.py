"""Shared helpers of the peer drivers of scripts/bench.sh: the chunk file, vectors, queries,
timing and resident memory. Every peer reads the same chunks (written once by
`strata-bench corpus`) and the same vectors, and prints one JSON object."""
import json
import os
import time

import numpy as np

DIM = 384


def load_chunks(path, limit_tokens=0):
    """The chunk file's first whole documents up to limit_tokens (0: all): list of dicts."""
    chunks, tokens = [], 0
    with open(path, encoding="utf-8") as f:
        for line in f:
            chunk = json.loads(line)
            if limit_tokens and chunk["ord"] == 0 and tokens >= limit_tokens:
                break
            chunks.append(chunk)
            tokens += chunk["tokens"]
    return chunks


def load_vectors(path, count):
    """Rows 0..count-1 of a little-endian float32 file of DIM columns."""
    data = np.fromfile(path, dtype="<f4", count=count * DIM)
    if data.size < count * DIM:
        raise SystemExit(f"{path} holds {data.size // DIM} vectors; {count} needed")
    return data.reshape(count, DIM)


def load_queries(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def percentile(values, fraction):
    """Nearest-rank on the sorted values, as strata-bench's LatencySummary does."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round((len(ordered) - 1) * fraction))]


def time_queries(run, queries, warmup):
    """Sequential calls: `warmup` untimed, then the rest timed one by one. Returns the
    summary (p50/p99 in ms, qps) and each timed call's result."""
    for q in queries[:warmup]:
        run(q)
    latencies, results = [], []
    start = time.perf_counter()
    for q in queries[warmup:]:
        t0 = time.perf_counter()
        results.append(run(q))
        latencies.append(time.perf_counter() - t0)
    wall = time.perf_counter() - start
    return {"queries": len(latencies), "warmup": warmup, "p50_ms": percentile(latencies, 0.5) * 1e3,
            "p99_ms": percentile(latencies, 0.99) * 1e3, "qps": len(latencies) / wall}, results


def resident_bytes():
    """VmRSS of this process (what the peer holds in memory now)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def directory_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def emit(obj):
    print(json.dumps(obj))
