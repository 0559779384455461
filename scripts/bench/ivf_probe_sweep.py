#!/usr/bin/env python3
"""Recall@10 of an IVF index as the worker cuts it, against the probe count, in numpy: a quick
sweep to choose candidates before timing them through the coordinator (ivf_worker_ab.py).

It follows IVFCentroids.train and IVFList.search: spherical k-means on 40 sampled rows per
list (8 rounds, seeded), every vector in its nearest centroid's list, a query scanning its
`probes` nearest lists, the best 400 candidates rescored, top 10. It scores in FP32 where
Strata scans INT8 and rescores FP16, so its recall is a close upper bound, not Strata's figure.
Truth: exact FP32 cosine (as FAISS IndexFlatIP on normalized rows), chunks with identical text
counted once (report.overlap_at_10).

Usage: ivf_probe_sweep.py --vectors V.f32 --chunks C.jsonl --queries Q.jsonl --count N
           [--list-size 512] [--lists-scale 0.5,1,2] [--probes 8,16,32,48,64]
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from report import overlap_at_10  # noqa: E402


def unit(x):
    return x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)


def train(rows, lists, seed=0x1F5, iterations=8):
    rng = np.random.default_rng(seed)
    sample = rows[rng.choice(len(rows), min(len(rows), lists * 40), replace=False)]
    centroids = sample[rng.permutation(len(sample))[:lists]].copy()
    for _ in range(iterations):
        assign = np.argmax(sample @ centroids.T, axis=1)
        sums = np.zeros_like(centroids)
        np.add.at(sums, assign, sample)
        empty = np.bincount(assign, minlength=lists) == 0
        sums[empty] = sample[rng.integers(0, len(sample), empty.sum())]
        centroids = unit(sums)
    return centroids


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vectors", required=True)
    p.add_argument("--chunks", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--count", type=int, required=True, help="vectors (chunks) in the corpus")
    p.add_argument("--list-size", type=int, default=512)
    p.add_argument("--lists-scale", default="0.5,1,2", help="list counts as multiples of count / list-size (a worker reuses centroids within 2x)")
    p.add_argument("--probes", default="8,16,24,32,48,64,96")
    p.add_argument("--rescore", type=int, default=400)
    p.add_argument("--warmup", type=int, default=20)
    a = p.parse_args()
    rows = unit(np.fromfile(a.vectors, dtype=np.float32, count=a.count * 384).reshape(-1, 384))
    queries = unit(np.asarray([json.loads(line)["vector"] for line in open(a.queries)][a.warmup:], dtype=np.float32))
    first, canon = {}, []
    with open(a.chunks, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= a.count:
                break
            canon.append(first.setdefault(json.loads(line)["text"], i))
    scores = queries @ rows.T
    truth = [list(np.argsort(-s)[:10]) for s in scores]
    base = max(1, (a.count + a.list_size // 2) // a.list_size)
    print(f"{a.count} vectors, {len(queries)} queries; lists of ~{a.list_size} -> {base} lists")
    print("| lists | probes | share of lists | recall@10 |")
    print("|---:|---:|---:|---:|")
    for scale in (float(x) for x in a.lists_scale.split(",")):
        lists = max(1, round(base * scale))
        centroids = train(rows, lists)
        member = np.argmax(rows @ centroids.T, axis=1)
        nearest = np.argsort(-(queries @ centroids.T), axis=1)
        for probes in (int(x) for x in a.probes.split(",")):
            if probes > lists:
                continue
            found = []
            for qi in range(len(queries)):
                cand = np.nonzero(np.isin(member, nearest[qi, :probes]))[0]
                s = scores[qi, cand]
                top = cand[np.argsort(-s)[:a.rescore]]
                found.append(list(top[np.argsort(-scores[qi, top])][:10]))
            print(f"| {lists} | {probes} | {probes / lists:.2f} | {overlap_at_10(found, truth, canon):.4f} |", flush=True)


if __name__ == "__main__":
    main()
