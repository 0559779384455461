"""Results of scripts/bench.sh: derived figures (recall, ratios), the schema check, the
Markdown tables (one per question) and the PNG scale curves. Standard library only, except
charts(), which needs matplotlib (Agg backend)."""
import hashlib
import json
import os

SCHEMA_VERSION = 1


def short_hash(text):
    return hashlib.sha256(text.encode()).hexdigest()[:10]


def save(results, out):
    path = os.path.join(out, "results.json")
    with open(path + ".tmp", "w") as f:
        json.dump(results, f, indent=1, sort_keys=True)
    os.replace(path + ".tmp", path)


# ---------------------------------------------------------------- derived figures

def overlap_at_10(found, truth, canonical=None):
    """Mean over queries of |found[:10] ∩ truth[:10]| / |truth[:10]|, chunks with identical
    text counted as one (canonical[i] = the first chunk with chunk i's text)."""
    c = (lambda i: canonical[i] if 0 <= i < len(canonical) else i) if canonical else (lambda i: i)
    total, possible = 0, 0
    for f, t in zip(found, truth):
        t = {c(i) for i in t[:10]}
        total += len({c(i) for i in f[:10]} & t)
        possible += len(t)
    return total / possible if possible else None


def finish(results, canonical=None):
    """Adds recall@10 against FAISS exact and drops the per-query id lists (kept short)."""
    # The 3-worker cluster answers the same queries over the cluster size's corpus.
    cluster_size = str(results.get("settings", {}).get("cluster_size"))
    cluster_truth = results["sizes"].get(cluster_size, {}).get("faiss", {}).get("truth")
    for mode, figures in results.get("cluster", {}).get("queries", {}).items():
        ids = figures.pop("results", None)
        if mode == "vector" and cluster_truth is not None and ids is not None:
            figures["recall_at_10_vs_faiss"] = overlap_at_10(ids, cluster_truth, canonical)
    for entry in results["sizes"].values():
        truth = entry.get("faiss", {}).pop("truth", None)
        queries = entry.get("strata", {}).get("queries", {})
        for mode, figures in queries.items():
            ids = figures.pop("results", None)
            if truth is not None and ids is not None:
                figures["recall_at_10_vs_faiss"] = overlap_at_10(ids, truth, canonical)
            if mode == "lexical" and ids is not None and "bm25s" in entry:
                figures["overlap_at_10_vs_bm25s"] = overlap_at_10(ids, entry["bm25s"].get("results", []), canonical)
        chroma = entry.get("chroma", {})
        ids = chroma.pop("results", None)
        if truth is not None and ids is not None:
            chroma["vector"]["recall_at_10_vs_faiss"] = overlap_at_10(ids, truth, canonical)
        if "bm25s" in entry:
            entry["bm25s"].pop("results", None)


REQUIRED = {
    "schema": int, "quick": bool, "machine": dict, "versions": dict, "settings": dict, "corpus": dict,
    "vectors": dict, "sizes": dict, "cluster": dict, "tiktoken": dict, "seconds": (int, float),
}
REQUIRED_MACHINE = ["cores", "memory_bytes", "disk", "disk_free_bytes", "load_average_start"]
REQUIRED_SIZE = ["strata", "chroma", "faiss"]


def validate(results):
    """Problems with a results.json (an empty list when it is well-formed)."""
    problems = []
    for key, kind in REQUIRED.items():
        if key not in results:
            problems.append(f"missing {key}")
        elif not isinstance(results[key], kind):
            problems.append(f"{key} is not {kind}")
    if problems:
        return problems
    if results["schema"] != SCHEMA_VERSION:
        problems.append(f"schema {results['schema']} is not {SCHEMA_VERSION}")
    problems += [f"machine.{k} missing" for k in REQUIRED_MACHINE if k not in results["machine"]]
    if not results["sizes"]:
        problems.append("sizes is empty")
    for size, entry in results["sizes"].items():
        if not size.isdigit():
            problems.append(f"size {size!r} is not a token count")
        problems += [f"sizes.{size}.{k} missing" for k in REQUIRED_SIZE if k not in entry]
        ingest = entry.get("strata", {}).get("ingest", {})
        if not isinstance(ingest.get("tokens_per_second"), (int, float)) or ingest.get("tokens_per_second", 0) <= 0:
            problems.append(f"sizes.{size}.strata.ingest.tokens_per_second is not a positive number")
        for mode, figures in entry.get("strata", {}).get("queries", {}).items():
            for k in ("p50_ms", "p99_ms", "qps", "queries"):
                if not isinstance(figures.get(k), (int, float)):
                    problems.append(f"sizes.{size}.strata.queries.{mode}.{k} is not a number")
            if not results["quick"] and figures.get("queries", 0) < 200:
                problems.append(f"sizes.{size}.strata.queries.{mode}: fewer than 200 timed queries")
    for k in ("ingest", "restart", "recovery"):
        if k not in results["cluster"]:
            problems.append(f"cluster.{k} missing")
    return problems


# ---------------------------------------------------------------- Markdown

def n(x, digits=0):
    if x is None:
        return "–"
    if isinstance(x, (int, float)) and digits:  # JSON writes 1.0 as 1
        return f"{float(x):,.{digits}f}"
    return f"{x:,.0f}"


def ms(x):
    return "–" if x is None else (f"{x:.3f}" if x < 1 else f"{x:.2f}" if x < 100 else f"{x:.0f}")


def ratio(a, b):
    return "–" if not a or not b else f"{a / b:.2f}×"


def mb(x):
    return "–" if x is None else f"{x / 1e6:,.1f} MB"


def tokens_label(size):
    size = int(size)
    return f"{size / 1e6:g}M" if size >= 1_000_000 else f"{size / 1e3:g}K"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def one_time_seconds(r):
    """Seconds this run spent filling caches that later runs reuse (chunking, embedding)."""
    steps = r.get("steps", {})
    return steps.get("corpus_seconds", 0.0) + (steps.get("embedding") or {}).get("seconds", 0.0)


def one_time_note(r):
    once = one_time_seconds(r)
    return f", of which {once / 60:.1f} min filled the caches (chunking, embeddings) that later runs reuse" if once >= 30 else ""


def markdown(r):
    m, v, s = r["machine"], r["versions"], r["settings"]
    out = ["# Strata benchmarks against peers" + (" (--quick: small sizes, few queries; not for citing)" if r["quick"] else ""), ""]
    out.append(f"Machine: {m['cores']} cores ({m.get('cpu', '').strip()}), {m['memory_bytes'] / 2**30:.1f} GiB memory, "
               f"disk {m['disk']} ({m['disk_free_bytes'] / 1e9:.0f} GB free), {m.get('os', '')}; load average at start "
               f"{' / '.join(f'{x:.2f}' for x in m['load_average_start'])}, at end {' / '.join(f'{x:.2f}' for x in m.get('load_average_end', []))} "
               "(shared machine: the peers ran in the same invocation, so ratios compare like with like).")
    peers = {k: None for k in ("chroma", "faiss", "bm25s")}
    for entry in r["sizes"].values():
        for k in peers:
            if k in entry and entry[k].get("version"):
                peers[k] = entry[k]["version"]
    out.append(f"Versions: {v['swift']}; strata {v['strata_git_rev']}{' (uncommitted changes)' if v.get('strata_git_dirty') else ''}; "
               f"chromadb {peers['chroma']}, faiss-cpu {peers['faiss']}, bm25s {peers['bm25s']}, tiktoken {r['tiktoken'].get('version')}; "
               f"Python {v['python']}. Whole run: {r['seconds'] / 60:.1f} min{one_time_note(r)}.")
    c, vec = r["corpus"], r["vectors"]
    out.append(f"Data: {c['documents']:,} documents, {c['chunks']:,} chunks, {c['tokens']:,} cl100k_base tokens from {c['roots']} "
               f"(.py and .swift files), chunked once by Strata's chunker ({c['chunker']}); every system gets exactly these chunks. "
               + (f"SYNTHETIC tail: {c['synthetic_tokens']:,} tokens (real files again with identifiers suffixed _sN). " if c["synthetic_tokens"] else "No synthetic text. ")
               + f"Vectors: {vec['real']:,} real {vec['model']} embeddings; {vec['synthetic']:,} SYNTHETIC ({vec['synthetic_recipe']}). "
               f"Queries: {s['queries']} timed per mode after {s['warmup']} warm-up queries, one at a time; 3–6-word snippets of the corpus, "
               "vector = their real MiniLM embedding.")
    out.append("")
    out.append("How each system runs: **Strata** = real `strata-coordinator` + `strata-worker` processes on loopback, over gRPC "
               "(client-supplied chunks and vectors, every batch fsynced on the worker before the ack, top-10 answered as an assembled "
               "context in score order); **Chroma** = `PersistentClient` in the benchmark process, `hnsw:space=cosine`, default HNSW "
               "parameters, embeddings supplied, `add` in batches of the client's max batch size; **FAISS** = `IndexFlatIP` on "
               "normalized vectors (exact, the recall reference); **bm25s** = `bm25s.tokenize(stopwords='en')`, no stemmer, default "
               "BM25; **tiktoken** = `encode_ordinary` per chunk. Peers run in-process (no network hop); Strata's figures include "
               "its gRPC round trip and its context assembly.")
    out.append("")

    out += targets(r)

    # 0. Tokenizer
    t = r["tiktoken"]
    strata_tps = c["tokens"] / c["count_seconds"]
    out.append("## 0. Tokenizer throughput (cl100k_base, one thread, the same chunk texts)\n")
    out.append(table(["system", "tokens", "tokens/s", "MB/s", "ratio Strata/peer"], [
        ["Strata exact BPE count (StrataText)", n(c["tokens"]), n(strata_tps), n(c["chunk_bytes"] / c["count_seconds"] / 1e6, 1), ""],
        [f"tiktoken {t['version']} encode_ordinary", n(t["tokens"]), n(t["tokens_per_second"]), n(t["mb_per_second"], 1),
         ratio(strata_tps, t["tokens_per_second"])],
    ]))
    out.append(f"\nToken counts identical: {t['counts_match_strata']}.\n")

    # 1. Ingest
    cl = r["cluster"]
    size = str(cl["tokens_limit"]) if "tokens_limit" in cl else None
    entry = r["sizes"].get(str(s["cluster_size"])) or list(r["sizes"].values())[-1]
    single, chroma = entry["strata"]["ingest"], entry["chroma"]["ingest"]
    out.append(f"## 1. Ingest to durable storage ({tokens_label(s['cluster_size'])} tokens, {entry['strata']['chunks']:,} chunks with 384-dim vectors)\n")
    out.append(table(["system", "seconds", "tokens/s", "chunks/s", "ratio chunks/s vs Chroma"], [
        ["Strata, 1 worker (R = 1)", n(single["seconds"], 1), n(single["tokens_per_second"]), n(single["chunks_per_second"]), ratio(single["chunks_per_second"], chroma["chunks_per_second"])],
        ["Strata, 3 workers (R = 2, W = 2)", n(cl["ingest"]["seconds"], 1), n(cl["ingest"]["tokens_per_second"]), n(cl["ingest"]["chunks_per_second"]), ratio(cl["ingest"]["chunks_per_second"], chroma["chunks_per_second"])],
        [f"Chroma {entry['chroma']['version']} PersistentClient", n(chroma["seconds"], 1), n(chroma["tokens_per_second"]), n(chroma["chunks_per_second"]), "1.00×"],
    ]))
    out.append("\nStrata acknowledges a batch after it is fsynced (on W replicas); Chroma's `add` returns after its SQLite write-ahead log commit, and it persists the HNSW index itself in the background.\n")

    # 2. Queries
    out.append("## 2. Top-10 queries: latency, throughput, recall@10 against FAISS exact\n")
    for size in s["query_sizes"]:
        entry = r["sizes"][str(size)]
        q = entry["strata"].get("queries", {})
        rows = []
        bm = entry.get("bm25s", {}).get("lexical", {})
        ch = entry["chroma"]["vector"]
        fa = entry["faiss"]["vector"]
        if "lexical" in q:
            rows.append(["lexical", "Strata BM25 (code-aware terms)", ms(q["lexical"]["p50_ms"]), ms(q["lexical"]["p99_ms"]), n(q["lexical"]["qps"]), "–", f"{q['lexical'].get('overlap_at_10_vs_bm25s', 0):.2f} overlap with bm25s", ratio(q["lexical"]["p50_ms"], bm.get("p50_ms"))])
        if bm:
            rows.append(["lexical", "bm25s", ms(bm["p50_ms"]), ms(bm["p99_ms"]), n(bm["qps"]), "–", "", "1.00×"])
        if "vector" in q:
            rows.append(["vector", "Strata (INT8 scan + rescoring)", ms(q["vector"]["p50_ms"]), ms(q["vector"]["p99_ms"]), n(q["vector"]["qps"]), f"{q['vector'].get('recall_at_10_vs_faiss', 0):.3f}", "", ratio(q["vector"]["p50_ms"], ch["p50_ms"])])
        rows.append(["vector", "Chroma HNSW (cosine)", ms(ch["p50_ms"]), ms(ch["p99_ms"]), n(ch["qps"]), f"{ch.get('recall_at_10_vs_faiss', 0):.3f}", "", "1.00×"])
        rows.append(["vector", "FAISS IndexFlatIP (exact)", ms(fa["p50_ms"]), ms(fa["p99_ms"]), n(fa["qps"]), "1.000", "reference", ratio(q.get("vector", {}).get("p50_ms"), fa["p50_ms"]) + " (Strata/FAISS)"])
        if "hybrid" in q:
            rows.append(["hybrid", "Strata (weighted RRF)", ms(q["hybrid"]["p50_ms"]), ms(q["hybrid"]["p99_ms"]), n(q["hybrid"]["qps"]), "–", f"{q['hybrid'].get('recall_at_10_vs_faiss', 0):.2f} overlap with exact vector top-10 (fusion, not a recall); no peer offers hybrid locally", "–"])
        out.append(f"**{tokens_label(size)} tokens ({entry['strata']['chunks']:,} chunks)** — ratio = Strata p50 / peer p50 (below 1 = Strata faster)\n")
        out.append(table(["mode", "system", "p50 ms", "p99 ms", "queries/s", "recall@10", "note", "ratio p50"], rows))
        out.append("")
        if q:
            out.append("Strata's coordinator-side search time (p50): " + ", ".join(f"{k} {ms(x['search_p50_ms'])} ms" for k, x in q.items()) + "; the rest of its latency is gRPC, assembly and the client.\n")

    # 3. Assembly
    entry = r["sizes"].get(str(s["assembly_size"]), {})
    asm = entry.get("strata", {}).get("assembly", {})
    casm = entry.get("chroma", {}).get("assembly") or {}
    out.append(f"## 3. Context assembly ({tokens_label(s['assembly_size'])}-token corpus, hybrid query, score order)\n")
    rows = []
    for budget in s["budgets"]:
        a, b = asm.get(str(budget)), casm.get(str(budget))
        if a:
            rows.append([f"{tokens_label(budget)} budget", f"top-{a['top_k']}", ms(a["p50_ms"]), ms(a["p99_ms"]), ms(a["assemble_p50_ms"]), n(a["mean_tokens"]),
                         ms(b["p50_ms"]) if b else "–", ms(b["p99_ms"]) if b else "–", n(b["mean_tokens"]) if b else "–", ratio(a["p50_ms"], b["p50_ms"] if b else None)])
    out.append(table(["context", "candidates", "Strata p50 ms", "Strata p99 ms", "of which assembly p50 ms", "Strata mean tokens",
                      "Chroma+tiktoken p50 ms", "p99 ms", "mean tokens", "ratio p50"], rows))
    out.append("\nNo peer assembles context; the peer row is what a Chroma user writes: a vector query for the same number of candidates with documents, each counted with tiktoken and packed best-first. Strata also deduplicates, merges adjacent chunks and adds provenance headers.\n")

    # 4. Scale curve
    out.append("## 4. Scale curve (1 worker; memory summed over the tiers' counters and the processes' resident memory)\n")
    rows = []
    for size in s["sizes"]:
        e = r["sizes"][str(size)]
        st, ch = e["strata"], e["chroma"]
        tiers = st["memory"]["tiers"]
        q = st.get("queries", {})
        syn = st.get("synthetic_chunks", 0)
        rows.append([tokens_label(size) + (f" ({syn * 100 // max(1, st['chunks'])}% synthetic text)" if syn else ""),
                     n(st["ingest"]["tokens_per_second"]), n(ch["ingest"]["tokens_per_second"]),
                     ms(q.get("vector", {}).get("p99_ms")), ms(ch["vector"]["p99_ms"]), ms(q.get("lexical", {}).get("p99_ms")),
                     " / ".join(mb(tiers.get(t, {}).get("bytes")) for t in ("hot", "warm", "cold")),
                     mb(st["memory"]["persistent_bytes"]), mb(sum(st["memory"]["worker_rss_bytes"]) + st["memory"]["coordinator_rss_bytes"]),
                     mb(ch["rss_bytes"]), mb(ch["disk_bytes"])])
    out.append(table(["tokens", "Strata ingest tokens/s", "Chroma ingest tokens/s", "Strata vector p99 ms", "Chroma p99 ms", "Strata lexical p99 ms",
                      "Strata hot / warm / cold", "Strata disk", "Strata RSS (all nodes)", "Chroma RSS", "Chroma disk"], rows))
    out.append("\nVector top-10 as the corpus grows (recall@10 against FAISS exact on the same vectors):\n")
    rows = []
    for size in s["sizes"]:
        e = r["sizes"][str(size)]
        sv, cv, fv = e["strata"].get("queries", {}).get("vector", {}), e["chroma"]["vector"], e["faiss"]["vector"]
        rows.append([tokens_label(size), n(e["strata"]["chunks"]), ms(sv.get("p50_ms")), ms(sv.get("p99_ms")), n(sv.get("recall_at_10_vs_faiss"), 3),
                     ms(cv["p50_ms"]), ms(cv["p99_ms"]), n(cv.get("recall_at_10_vs_faiss"), 3), ms(fv["p50_ms"]), ms(fv["p99_ms"])])
    out.append(table(["tokens", "chunks", "Strata p50 ms", "p99 ms", "recall@10", "Chroma p50 ms", "p99 ms", "recall@10",
                      "FAISS exact p50 ms", "p99 ms"], rows))
    largest = s["sizes"][-1]
    out.append(f"\nLargest size in this run: {tokens_label(largest)} tokens"
               + (" (beyond ~30M the text is the labelled synthetic tail; on this 24 GiB machine its data still fits the page cache, so it is not disk-bound here)." if largest > 30_000_000 else ".")
               + " Charts: scale-ingest.png, scale-query-p99.png, scale-memory.png.\n")

    # 5. Recovery
    rs, rc = cl.get("restart", {}), cl.get("recovery", {})
    failed = lambda figures: f"**FAILED**: {figures['error']}" if "error" in figures else None
    reopen = (r["sizes"].get(str(s["cluster_size"])) or {}).get("chroma_reopen", {})
    out.append(f"## 5. Restart and recovery (3 workers, R = 2, {tokens_label(s['cluster_size'])} tokens)\n")
    out.append(table(["event", "Strata seconds", "peer", "peer seconds", "ratio"], [
        ["worker restart, warm tier destroyed (cold): until serving", n(rs.get("cold", {}).get("ready_seconds"), 2), "Chroma: open the collection + first query (fresh process, after imports)", n(reopen.get("first_query_seconds"), 2), ratio(rs.get("cold", {}).get("ready_seconds"), reopen.get("first_query_seconds"))],
        ["… until every slot has R replicas again", n(rs.get("cold", {}).get("replicated_seconds"), 2), "", "", ""],
        ["worker restart with its warm tier: until serving", n(rs.get("warm", {}).get("ready_seconds"), 2), "", "", ""],
        ["… until every slot has R replicas again", n(rs.get("warm", {}).get("replicated_seconds"), 2), "", "", ""],
        ["SIGKILL → worker declared dead", n(rc.get("detection_seconds"), 2), "Chroma: no replication", "–", ""],
        ["declared dead → R replicas restored on survivors", failed(rc) or n(rc.get("restore_seconds"), 2), "", "", ""],
        ["SIGKILL → R replicas restored", failed(rc) or n(rc.get("total_seconds"), 2), "", "", ""],
    ]))
    text = r.get("cluster_text_only", {}).get("recovery")
    if text:
        out.append("\nThe same recovery once more on the same chunks **without vectors** (lexical-only namespace, smaller slot records): "
                   + (f"declared dead after {text['detection_seconds']:.2f} s, R replicas restored {text['restore_seconds']:.2f} s later "
                      f"({text['total_seconds']:.2f} s after the SIGKILL)." if "error" not in text else f"FAILED too: {text['error']}"))
    for name, figures in (("restart", rs), ("recovery", rc)):
        if "error" in figures:
            out.append(f"\nThe {name} failed; the workers logged:\n")
            out += [f"- `{line}`" for line in figures.get("worker_log_warnings", [])]
    out.append(f"\nWarm-tier entries found after the warm restart: {rs.get('warm', {}).get('warm_entries_after', '–')}; "
               "failure detection is set to dead after 3 s of silence (coordinator.dead_after_ms=3000).\n")
    return "\n".join(out) + "\n"


def targets(r):
    """Issue 19's targets, each beside what this run measured and its peer (a dash where the run
    did not measure it: smaller sizes, or a figure that comes from `strata-bench store`)."""
    s, cl = r["settings"], r.get("cluster", {})
    sizes = r["sizes"]

    def query(entry, mode, key="p50_ms"):
        return (entry or {}).get("queries", {}).get(mode, {}).get(key)

    def verdict(value, limit):
        return "–" if value is None or limit is None else ("met" if value <= limit else "not met")

    rows = []
    big = str(s["assembly_size"])
    one = sizes.get(big, {}).get("strata", {}).get("assembly", {}).get("8192", {}).get("p99_ms")
    three = cl.get("assembly", {}).get("8192", {}).get("p99_ms") if str(s["cluster_size"]) == big else None
    peer = (sizes.get(big, {}).get("chroma", {}).get("assembly") or {}).get("8192", {}).get("p99_ms")
    rows.append([f"hybrid top-10 + 8K assembly p99, {tokens_label(big)} tokens", "≤ 5 ms", ms(one), ms(three),
                 f"Chroma + tiktoken {ms(peer)}", verdict(max(x for x in (one, three, 0) if x is not None), 5.0)])
    for size in s["query_sizes"]:
        e = sizes[str(size)]
        st, ch = e.get("strata", {}), e.get("chroma", {}).get("vector", {})
        three = query(cl, "vector") if str(s["cluster_size"]) == str(size) else None
        recall = query(st, "vector", "recall_at_10_vs_faiss")
        three_recall = query(cl, "vector", "recall_at_10_vs_faiss") if three is not None else None
        one = query(st, "vector")
        met = verdict(max(x for x in (one, three, 0) if x is not None), ch.get("p50_ms"))
        if any(r is not None and r < 0.99 for r in (recall, three_recall)):
            met = "not met (recall)"
        if three_recall is not None:
            recall_text = f"{n(recall, 3)} / {n(three_recall, 3)} (1 / 3 workers)"
        else:
            recall_text = n(recall, 3)
        rows.append([f"vector top-10 p50, {tokens_label(size)} tokens, recall@10 {recall_text}", "≤ Chroma p50, recall ≥ 0.99",
                     ms(one), ms(three), f"Chroma {ms(ch.get('p50_ms'))} (recall {n(ch.get('recall_at_10_vs_faiss'), 3)})", met])
    lexical = sizes.get("1000000", {})
    bm = lexical.get("bm25s", {}).get("lexical", {}).get("p50_ms")
    one = query(lexical.get("strata"), "lexical")
    three = query(cl, "lexical") if str(s["cluster_size"]) == "1000000" else None
    rows.append(["lexical top-10 p50, 1M tokens", "≤ 1.5 × bm25s", ms(one), ms(three), f"bm25s {ms(bm)}",
                 verdict(one, 1.5 * bm if bm else None)])
    rs = cl.get("restart", {})
    reopen = (sizes.get(str(s["cluster_size"])) or {}).get("chroma_reopen", {}).get("first_query_seconds")
    cold, warm = rs.get("cold", {}).get("ready_seconds"), rs.get("warm", {}).get("ready_seconds")
    rows.append([f"worker restart to serving, {tokens_label(s['cluster_size'])} tokens: cold / warm", "≤ Chroma reopen / ≤ 0.2 s", "–",
                 f"{n(cold, 2)} s / {n(warm, 2)} s", f"Chroma reopen + first query {n(reopen, 2)} s",
                 f"{verdict(cold, reopen)} / {verdict(warm, 0.2)}"])
    cli = r.get("cli", {})
    rows.append(["`strata query` CLI round trip p50 (new process, small answer)", "≤ 15 ms", ms(cli.get("p50_ms")), "–",
                 "–", verdict(cli.get("p50_ms"), 15.0)])
    return ["## Targets (issue 19)\n",
            table(["question", "target", "Strata, 1 worker", "Strata, 3 workers (R = 2)", "peer, same run", "verdict"], rows),
            "\n" + "\n".join(store_targets(r)) + "\n"]


def store_targets(r):
    """The targets of issue 19 that are not query latencies against a peer: store ingest with two
    writers, ingest rate as the store grows, a worker's restart after it, and the IVF index at
    100M tokens (each from its own `strata-bench` command in this run; a line saying so where
    the run did not reach it)."""
    def verdict(ok):
        return "–" if ok is None else ("met" if ok else "not met")

    def seconds(text):  # the worker logs a duration as text: "0.906 seconds"
        try:
            return f"{float(str(text).split()[0]):.2f} s"
        except (TypeError, ValueError):
            return "–" if text is None else str(text)

    rows = []
    writers = (r.get("store_writers") or {}).get("writers", {})
    two = (writers.get("2") or {}).get("acknowledged_ratio")
    if writers:
        rows.append(["store ingest, 2 writers / 1 writer (acknowledged rate, medians)", "≥ 1.6×",
                     f"{n(two, 2)}× (load {r['store_writers'].get('load_average_before', '–')})", verdict(None if two is None else two >= 1.6)])
    curve = (r.get("ingest_curve") or {}).get("curve", [])
    if curve:
        last, first = curve[-1], curve[0]
        rows.append([f"ingest documents/s at {last['documents']:,} stored / at {first['documents']:,} (3 workers, R = 2)", "≥ 0.8",
                     f"{n(last['vs_first'], 2)} ({n(last['documents_per_second'])} / {n(first['documents_per_second'])} documents/s)",
                     verdict(last["vs_first"] >= 0.8)])
    for restart in (r.get("ingest_curve") or {}).get("restarts", []):
        stored = f"{curve[-1]['documents']:,} documents stored" if curve else "after the curve"
        rows.append([f"worker store ready after {restart.get('after')} ({stored})", "bounded by the unflushed tail",
                     f"{seconds(restart.get('took'))} (index {seconds(restart.get('index build took'))}; {restart.get('chunks', '–')} chunks, "
                     f"{restart.get('segments', '–')} segments)", "–"])
    ivf = (r.get("ivf") or {}).get("sizes", {})
    for tokens, e in sorted(ivf.items(), key=lambda item: int(item[0])):
        label = tokens_label(tokens)
        memory, skewed = e.get("ivf", {}), e.get("tiered_skewed", {})
        ok = None
        if memory.get("recall_at_10") is not None:
            ok = (min(memory["recall_at_10"], skewed.get("recall_at_10", 0)) >= 0.95
                  and max(memory.get("p99_ms", 1e9), skewed.get("p99_ms", 1e9)) <= 10)
        rows.append([f"IVF top-10, {label} tokens on one index (synthetic vectors): recall@10, p99", "≥ 0.95 at ≤ 10 ms p99",
                     f"in memory {n(memory.get('recall_at_10'), 3)}, {ms(memory.get('p99_ms'))} ms; tiered (memory = "
                     f"{n(100 * r['ivf'].get('cache_fraction', 0))} % of the lists, Zipf load) {n(skewed.get('recall_at_10'), 3)}, "
                     f"{ms(skewed.get('p99_ms'))} ms", verdict(ok)])
        rows.append([f"tier hit rate, {label} tokens (Zipf / uniform load)", "reported",
                     f"{n(skewed.get('hit_rate'), 3)} / {n(e.get('tiered_uniform', {}).get('hit_rate'), 3)}", "–"])
        ram = e.get("ram_bytes_per_token", {})
        rows.append([f"memory per token in RAM, {label} tokens (vectors)", "reported",
                     f"tiered IVF {n(ram.get('tiered_ivf'), 2)} B, exact {n(ram.get('exact'), 2)} B; disk {n(e.get('disk_bytes_per_token'), 2)} B",
                     "–"])
    if not rows:
        return []
    return ["### Store, ingest and IVF targets (issue 19; `strata-bench store`, `ingest-curve`, `ivf` in this run)\n",
            table(["question", "target", "measured", "verdict"], rows),
            "\nThe IVF rows are the index alone in one process (`strata-bench ivf`, docs/benchmarks.md section 13), "
            "not a query through a worker.\n"]


# ---------------------------------------------------------------- charts

def charts(r, out):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sizes = r["settings"]["sizes"]
    entries = [r["sizes"][str(s)] for s in sizes]

    def plot(name, title, ylabel, series, log_y=False):
        fig, ax = plt.subplots(figsize=(6.4, 4.2), dpi=110)
        for label, values in series:
            xs = [s for s, v in zip(sizes, values) if v is not None]
            ys = [v for v in values if v is not None]
            if ys:
                ax.plot(xs, ys, marker="o", label=label)
        ax.set_xscale("log")
        if log_y:
            ax.set_yscale("log")
        ax.set_xlabel("corpus size (cl100k_base tokens)")
        ax.set_ylabel(ylabel)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
        fig.tight_layout()
        fig.savefig(os.path.join(out, name))
        plt.close(fig)

    plot("scale-ingest.png", "Ingest rate (durable)", "tokens/s", [
        ("Strata, 1 worker", [e["strata"]["ingest"]["tokens_per_second"] for e in entries]),
        ("Chroma PersistentClient", [e["chroma"]["ingest"]["tokens_per_second"] for e in entries]),
    ])
    plot("scale-query-p99.png", "Top-10 query latency, p99", "ms", [
        ("Strata vector", [e["strata"].get("queries", {}).get("vector", {}).get("p99_ms") for e in entries]),
        ("Strata lexical", [e["strata"].get("queries", {}).get("lexical", {}).get("p99_ms") for e in entries]),
        ("Strata hybrid", [e["strata"].get("queries", {}).get("hybrid", {}).get("p99_ms") for e in entries]),
        ("Chroma vector", [e["chroma"]["vector"]["p99_ms"] for e in entries]),
        ("FAISS exact", [e["faiss"]["vector"]["p99_ms"] for e in entries]),
        ("bm25s", [e.get("bm25s", {}).get("lexical", {}).get("p99_ms") for e in entries]),
    ], log_y=True)
    tier = lambda e, t: (e["strata"]["memory"]["tiers"].get(t, {}).get("bytes") or 0) / 1e6
    plot("scale-memory.png", "Memory and disk", "MB", [
        ("Strata hot tier", [tier(e, "hot") for e in entries]),
        ("Strata warm tier", [tier(e, "warm") for e in entries]),
        ("Strata cold tier", [tier(e, "cold") for e in entries]),
        ("Strata disk (WAL + segments)", [e["strata"]["memory"]["persistent_bytes"] / 1e6 for e in entries]),
        ("Strata RSS, all nodes", [(sum(e["strata"]["memory"]["worker_rss_bytes"]) + e["strata"]["memory"]["coordinator_rss_bytes"]) / 1e6 for e in entries]),
        ("Chroma RSS", [e["chroma"]["rss_bytes"] / 1e6 for e in entries]),
        ("Chroma disk", [e["chroma"]["disk_bytes"] / 1e6 for e in entries]),
    ], log_y=True)


if __name__ == "__main__":
    import sys
    with open(sys.argv[1]) as f:
        problems = validate(json.load(f))
    print("\n".join(problems) or "ok")
    sys.exit(1 if problems else 0)
