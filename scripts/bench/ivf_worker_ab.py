#!/usr/bin/env python3
"""A/B of vector top-10 in the worker: a base build (exact scan) against this checkout with
IVF settings, through the coordinator (`strata-bench service`, 1 worker, R = 1, vector mode),
alternated round by round, each answer's recall@10 against exact FP32 cosine (numpy) over the
chunks used. Prints one markdown row per variant (medians over rounds) and writes --json.

Usage:
  ivf_worker_ab.py --build main=/base/.build/release --build ivf=.build/release \\
      --variant main:main: --variant p8:ivf:worker.ivf_min_vectors=10000,worker.ivf_list_size=128,worker.ivf_probes=8 \\
      --chunks CHUNKS.jsonl --vectors VECTORS.f32 --queries QUERIES.jsonl --limit-tokens 4500000 [--rounds 2]
"""
import argparse
import json
import os
import shutil
import re
import statistics
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from report import overlap_at_10  # noqa: E402


def truth(a, chunks, warmup):
    rows = np.fromfile(a.vectors, dtype=np.float32).reshape(-1, a.dimension)[:chunks]
    rows = rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
    queries = [json.loads(line)["vector"] for line in open(a.queries)][warmup:]
    q = np.asarray(queries, dtype=np.float32)
    q = q / np.maximum(np.linalg.norm(q, axis=1, keepdims=True), 1e-12)
    return [list(np.argsort(-(rows @ v))[:10]) for v in q]


def canonical(a, chunks):
    first, ids = {}, []
    with open(a.chunks, encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i >= chunks:
                break
            ids.append(first.setdefault(json.loads(line)["text"], i))
    return ids


def remove_tree(path):
    """Removes a run's folder; a node still closing its files may refill it for a moment."""
    for _ in range(20):
        shutil.rmtree(path, ignore_errors=True)
        if not os.path.exists(path):
            return
        time.sleep(0.5)
    shutil.rmtree(path)


def ivf_lists(work):
    """The list count of the last "ivf index ready" line in the worker logs under `work` (0: none)."""
    lists = 0
    for root, _, files in os.walk(work):
        for name in files:
            # The nodes' logs (`<cluster>/worker-N.log`), not the stores' WAL files, which come and go.
            if not (name.startswith("worker") and name.endswith(".log")):
                continue
            try:
                with open(os.path.join(root, name), errors="replace") as f:
                    for line in f:
                        if "ivf index ready" in line:
                            found = re.search(r'"?lists"?\s*[=:]\s*"?(\d+)', line)
                            lists = int(found.group(1)) if found else lists
            except OSError:
                pass
    return lists


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--build", action="append", required=True, help="NAME=release bin folder")
    p.add_argument("--variant", action="append", required=True, help="LABEL:BUILD:key=value,key=value")
    p.add_argument("--chunks", required=True)
    p.add_argument("--vectors", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--dimension", type=int, default=384)
    p.add_argument("--limit-tokens", type=int, default=4_500_000)
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--json")
    a = p.parse_args()
    a.chunks, a.vectors, a.queries = (os.path.abspath(x) for x in (a.chunks, a.vectors, a.queries))
    builds = dict(b.split("=", 1) for b in a.build)
    variants = []
    for v in a.variant:
        label, build, settings = v.split(":", 2)
        variants.append((label, builds[build], [s for s in settings.split(",") if s]))
    figures = {label: [] for label, _, _ in variants}
    for r in range(a.rounds):
        for label, bin_dir, settings in (variants if r % 2 == 0 else list(reversed(variants))):
            work = tempfile.mkdtemp(prefix="ivf-ab-")
            run = None
            try:
                out = os.path.join(work, "out.json")
                cmd = [os.path.join(bin_dir, "strata-bench"), "service", "--chunks", a.chunks, "--limit-tokens", str(a.limit_tokens),
                       "--vectors", a.vectors, "--dimension", str(a.dimension), "--queries", a.queries, "--warmup", str(a.warmup),
                       "--modes", "vector", "--assembly", "", "--json", out, "--work-dir", work]
                for s in settings:
                    cmd += ["--node-set", s]
                load = os.getloadavg()[0]
                print(f"[{time.strftime('%H:%M:%S')}] round {r} {label} (load {load:.1f}): {' '.join(cmd)}", file=sys.stderr, flush=True)
                # In the build's own checkout: nodes read ./config/strata.json, whose keys differ by build.
                run = subprocess.Popen(cmd, stdout=sys.stderr, cwd=os.path.dirname(os.path.dirname(os.path.abspath(bin_dir))))
                lists = 0
                while run.poll() is None:  # the nodes' logs go with their folder when the bench stops them
                    lists = ivf_lists(work) or lists
                    time.sleep(0.5)
                if run.returncode:
                    raise subprocess.CalledProcessError(run.returncode, cmd)
                with open(out) as f:
                    report = json.load(f)
                report["load_at_start"] = load
                report["ivf_lists"] = lists
                figures[label].append(report)
            finally:
                if run is not None and run.poll() is None:  # this script failed mid-run: stop the bench (it stops its nodes) first
                    run.terminate()
                    run.wait()
                remove_tree(work)
    chunks = figures[variants[0][0]][0]["chunks"]
    exact = truth(a, chunks, a.warmup)
    canon = canonical(a, chunks)
    rows = []
    print(f"\n{chunks} chunks with vectors, 1 worker, R = 1; medians over {a.rounds} rounds\n")
    print("| variant | vector p50 ms | p99 ms | coordinator search p50 ms | nodes' CPU ms/query | recall@10 (FP32 exact) | worker RSS MB | ivf build wait s | ivf lists | load |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, _, _ in variants:
        runs = figures[label]
        q = [run["queries"]["vector"] for run in runs]
        recall = statistics.median(overlap_at_10(x["results"], exact, canon) for x in q)
        med = lambda key: statistics.median(x[key] for x in q)  # noqa: E731
        rss = statistics.median(run["memory_after_ingest"]["worker_rss_bytes"][0] / 1e6 for run in runs)
        wait = statistics.median(run.get("ivf_build_wait_seconds", 0) for run in runs)
        loads = "/".join(f"{run['load_at_start']:.0f}" for run in runs)
        rows.append({"variant": label, "p50_ms": med("p50_ms"), "p99_ms": med("p99_ms"), "search_p50_ms": med("search_p50_ms"),
                     "cpu_ms_per_query": med("cpu_ms_per_query"), "recall_at_10": recall, "worker_rss_mb": rss, "loads": loads})
        print(f"| {label} | {med('p50_ms'):.2f} | {med('p99_ms'):.2f} | {med('search_p50_ms'):.2f} | {med('cpu_ms_per_query'):.2f} | "
              f"{recall:.4f} | {rss:.0f} | {wait:.1f} | {'/'.join(str(run['ivf_lists']) for run in runs)} | {loads} |")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"rows": rows, "runs": figures}, f)


if __name__ == "__main__":
    main()
