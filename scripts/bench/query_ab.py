#!/usr/bin/env python3
"""A/B of Strata's query path end to end through the coordinator, beside its peers in the same run.

For every corpus size: the peers once (Chroma's vector top-10, bm25s's lexical top-10, FAISS
exact for recall@10), then `strata-bench service` of each build (e.g. main's release binaries
and this checkout's), alternated round by round, with 1 worker (R = 1) and 3 workers (R = 2):
lexical, vector and hybrid top-10 and hybrid top-100 assembled into an 8K-token context.
Prints one markdown table of medians over the rounds (issue 19's three query targets beside
their peers) and writes every figure to --json.

Inputs are scripts/bench.sh's (its cache): a chunk file from `strata-bench corpus`, the
float32 vectors of its chunks and the queries (JSON lines with text and vector).

Usage:
  query_ab.py --build main=/path/to/base/.build/release --build new=.build/release \\
      --chunks CHUNKS.jsonl --vectors VECTORS.f32 --queries QUERIES.jsonl \\
      [--sizes 1000000,10000000] [--rounds 2] [--shapes 1:1,3:2] [--json OUT.json]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from report import overlap_at_10  # noqa: E402
from run_bench import canonical_ids  # noqa: E402


def log(message):
    print(f"[query-ab {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run_json(cmd):
    log("$ " + " ".join(str(c) for c in cmd))
    out = subprocess.run([str(c) for c in cmd], check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def strata(bin_dir, a, size, workers, replicas, work):
    out = os.path.join(work, "strata.json")
    cmd = [os.path.join(bin_dir, "strata-bench"), "service", "--chunks", a.chunks, "--limit-tokens", size,
           "--vectors", a.vectors, "--workers", workers, "--replicas", replicas, "--queries", a.queries,
           "--warmup", a.warmup, "--modes", "lexical,vector,hybrid", "--assembly", "8192",
           "--assembly-queries", a.assembly_queries, "--json", out, "--work-dir", work]
    for attempt in range(2):
        log("$ " + " ".join(str(c) for c in cmd))
        # Once more when the run fails (on a loaded machine the first ingest can race a
        # worker's registration: "no workers registered yet").
        if subprocess.run([str(c) for c in cmd], stdout=sys.stderr).returncode == 0:
            break
        if attempt == 1:
            raise RuntimeError(f"strata-bench service failed twice: {cmd}")
    with open(out) as f:
        return json.load(f)


def save(figures, path):
    """Every figure so far (a run that fails later keeps them), without the FAISS truth."""
    if path:
        with open(path, "w") as f:
            json.dump(figures, f, indent=1, default=lambda _: None)


def median(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def ms(value):
    return "–" if value is None else f"{value:.2f}"


def recall(value):
    return "–" if value is None else f"{value:.3f}"


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--build", action="append", required=True, help="NAME=folder of release strata-bench, -coordinator, -worker")
    p.add_argument("--chunks", required=True)
    p.add_argument("--vectors", required=True)
    p.add_argument("--queries", required=True)
    p.add_argument("--sizes", default="1000000,10000000")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--shapes", default="1:1,3:2", help="workers:replicas, comma-separated")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--assembly-queries", type=int, default=40)
    p.add_argument("--no-peers", action="store_true")
    p.add_argument("--json")
    a = p.parse_args()
    builds = [tuple(b.split("=", 1)) for b in a.build]
    sizes = [int(s) for s in a.sizes.split(",")]
    shapes = [tuple(int(x) for x in s.split(":")) for s in a.shapes.split(",")]
    py = sys.executable
    canonical = canonical_ids(a.chunks)
    figures = {"load_average_start": list(os.getloadavg()), "builds": dict(builds), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="query-ab-") as work:
        for size in sizes:
            entry = figures["sizes"].setdefault(str(size), {"peers": {}, "runs": []})
            if not a.no_peers:
                chroma_dir = os.path.join(work, "chroma")
                chroma = run_json([py, os.path.join(HERE, "peers_chroma.py"), "ingest", a.chunks, a.vectors, a.queries, size,
                                   a.warmup, chroma_dir])
                shutil.rmtree(chroma_dir, ignore_errors=True)
                faiss = run_json([py, os.path.join(HERE, "peers_faiss.py"), a.chunks, a.vectors, a.queries, size, a.warmup])
                bm25s = run_json([py, os.path.join(HERE, "peers_bm25s.py"), a.chunks, a.queries, size, a.warmup])
                truth = faiss.pop("truth", None)
                entry["truth"] = truth
                entry["peers"] = {"chroma_vector": dict(chroma["vector"], recall=overlap_at_10(chroma.get("results", []), truth, canonical)),
                                  "faiss_vector": faiss["vector"], "bm25s_lexical": bm25s["lexical"]}
                save(figures, a.json)
            for round_ in range(a.rounds):
                for name, bin_dir in (builds if round_ % 2 == 0 else builds[::-1]):
                    for workers, replicas in shapes:
                        run_dir = os.path.join(work, f"{name}-{workers}")
                        os.makedirs(run_dir, exist_ok=True)
                        result = strata(bin_dir, a, size, workers, replicas, run_dir)
                        row = {"build": name, "round": round_, "workers": workers, "replicas": replicas,
                               "load_average": list(os.getloadavg())}
                        for mode, q in result["queries"].items():
                            ids = q.pop("results", None)
                            row[mode] = {k: q.get(k) for k in ("p50_ms", "p99_ms", "search_p50_ms", "cpu_ms_per_query",
                                                                "context_switches_per_query")}
                            if mode == "vector" and entry.get("truth") is not None:
                                row[mode]["recall"] = overlap_at_10(ids, entry["truth"], canonical)
                        row["assembly_8k"] = {k: result["assembly"]["8192"].get(k) for k in ("p50_ms", "p99_ms", "assemble_p50_ms", "cpu_ms_per_query")}
                        entry["runs"].append(row)
                        save(figures, a.json)
            entry.pop("truth", None)
    figures["load_average_end"] = list(os.getloadavg())
    save(figures, a.json)
    print(table(figures, builds, shapes))


def table(figures, builds, shapes):
    lines = [f"load average at start {' / '.join(f'{x:.1f}' for x in figures['load_average_start'])}, "
             f"at end {' / '.join(f'{x:.1f}' for x in figures['load_average_end'])}; medians over the rounds\n",
             "| tokens | workers | build | lexical p50 / p99 ms | vector p50 / p99 ms | vector recall@10 | hybrid p50 / p99 ms "
             "| hybrid + 8K assembly p50 / p99 ms | of which assembly p50 ms | nodes' CPU ms per query: lexical / vector / hybrid / + 8K |",
             "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|"]
    # The nodes' context switches per query (a client's builds without the count print –).
    switches = ["", "| tokens | workers | " + " | ".join(f"{name}: context switches per query, lexical / vector / hybrid"
                                                         for name, _ in builds) + " |",
                "|---|---:|" + "---:|" * len(builds)]
    for size, entry in figures["sizes"].items():
        label = f"{int(size) // 1_000_000}M"
        for workers, _ in shapes:
            medians = {}
            for name, _ in builds:
                runs = [r for r in entry["runs"] if r["build"] == name and r["workers"] == workers]
                m = {key: median([r.get(mode, {}).get(field) for r in runs]) for key, (mode, field) in {
                    "lp50": ("lexical", "p50_ms"), "lp99": ("lexical", "p99_ms"), "vp50": ("vector", "p50_ms"),
                    "vp99": ("vector", "p99_ms"), "recall": ("vector", "recall"), "hp50": ("hybrid", "p50_ms"),
                    "hp99": ("hybrid", "p99_ms"), "ap50": ("assembly_8k", "p50_ms"), "ap99": ("assembly_8k", "p99_ms"),
                    "aa50": ("assembly_8k", "assemble_p50_ms"), "lcpu": ("lexical", "cpu_ms_per_query"),
                    "vcpu": ("vector", "cpu_ms_per_query"), "hcpu": ("hybrid", "cpu_ms_per_query"),
                    "acpu": ("assembly_8k", "cpu_ms_per_query")}.items()}
                medians[name] = m
                lines.append(f"| {label} | {workers} | {name} | {ms(m['lp50'])} / {ms(m['lp99'])} | {ms(m['vp50'])} / {ms(m['vp99'])} "
                             f"| {recall(m['recall'])} "
                             f"| {ms(m['hp50'])} / {ms(m['hp99'])} | {ms(m['ap50'])} / {ms(m['ap99'])} | {ms(m['aa50'])} "
                             f"| {ms(m['lcpu'])} / {ms(m['vcpu'])} / {ms(m['hcpu'])} / {ms(m['acpu'])} |")
            if len(builds) == 2:
                first, second = (medians[name] for name, _ in builds)

                def ratio(key):
                    return "–" if not first.get(key) or second.get(key) is None else f"{second[key] / first[key]:.2f}×"
                lines.append(f"| {label} | {workers} | ratio {builds[1][0]} / {builds[0][0]} | {ratio('lp50')} / {ratio('lp99')} "
                             f"| {ratio('vp50')} / {ratio('vp99')} | | {ratio('hp50')} / {ratio('hp99')} | {ratio('ap50')} / {ratio('ap99')} "
                             f"| {ratio('aa50')} | {ratio('lcpu')} / {ratio('vcpu')} / {ratio('hcpu')} / {ratio('acpu')} |")
            switches.append(f"| {label} | {workers} | " + " | ".join(
                " / ".join(count(median([r.get(mode, {}).get("context_switches_per_query")
                                                       for r in entry["runs"] if r["build"] == name and r["workers"] == workers]))
                                         for mode in ("lexical", "vector", "hybrid"))
                for name, _ in builds) + " |")
        peers = entry["peers"]
        if peers:
            c, f, b = peers["chroma_vector"], peers["faiss_vector"], peers["bm25s_lexical"]
            lines.append(f"| {label} | peers | same run | bm25s {ms(b['p50_ms'])} / {ms(b['p99_ms'])} | Chroma {ms(c['p50_ms'])} / "
                         f"{ms(c['p99_ms'])} (FAISS exact {ms(f['p50_ms'])}) | Chroma {recall(c['recall'])} | | | | |")
    return "\n".join(lines + switches)


def count(value):
    return "–" if value is None else f"{value:.1f}"


if __name__ == "__main__":
    main()
