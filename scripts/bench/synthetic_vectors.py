#!/usr/bin/env python3
"""Clustered synthetic vectors for worker-level memory runs beyond the cached MiniLM rows:
N little-endian float32 rows of 384 dimensions, each a random one of 1,024 Gaussian centres
plus Gaussian noise (sigma 0.35), numpy seed 1907.

Usage: synthetic_vectors.py N OUT.f32
"""
import sys

import numpy as np

n, out = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(1907)
centers = rng.standard_normal((1024, 384)).astype(np.float32)
with open(out, "wb") as f:
    for start in range(0, n, 50000):
        m = min(50000, n - start)
        rows = centers[rng.integers(0, 1024, m)] + 0.35 * rng.standard_normal((m, 384)).astype(np.float32)
        rows.astype("<f4").tofile(f)
