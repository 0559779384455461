#!/usr/bin/env python3
"""Chroma peer: a PersistentClient (embedded, on disk) with the vectors supplied by us.

Configured as Chroma's docs recommend for supplied embeddings: a collection created with
cosine distance (metadata {"hnsw:space": "cosine"}) and otherwise default HNSW parameters,
no embedding function, ids + embeddings + documents added in batches of the client's own
maximum batch size. Queries: query_embeddings with n_results=10, one at a time. Chroma has
no lexical (BM25) or hybrid ranking in its local client, so only vector queries are timed.

Usage:
  peers_chroma.py ingest CHUNKS.jsonl VECTORS.f32 QUERIES.jsonl LIMIT_TOKENS WARMUP DIR
  peers_chroma.py reopen DIR QUERIES.jsonl     (a fresh process: open the collection, first query)
Prints one JSON object.
"""
import sys
import time

T_START = time.perf_counter()
import chromadb  # noqa: E402
from chromadb.config import Settings  # noqa: E402

from bench_common import directory_bytes, emit, load_chunks, load_queries, load_vectors, resident_bytes, time_queries  # noqa: E402

T_IMPORTED = time.perf_counter()


def client(path):
    return chromadb.PersistentClient(path=path, settings=Settings(anonymized_telemetry=False))


def max_batch(c):
    getter = getattr(c, "get_max_batch_size", None)
    return getter() if getter else c.max_batch_size


def assemble(collection, queries, budgets, count, vocab_dir):
    """What a Chroma user does to build a context: the top-k documents of a vector query,
    counted with tiktoken (cl100k_base) and packed best-first until the budget is full.
    k is Strata's assembly top-k (budget / 125), so both read the same number of candidates."""
    import os
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "interop"))
    from tokenizer_reference import make_encoding
    encoding = make_encoding("cl100k_base", vocab_dir)
    figures = {}
    for budget in budgets:
        k = max(100, budget // 125)
        latencies, sizes = [], []
        for i, q in enumerate(queries[:count + 2]):
            t0 = time.perf_counter()
            found = collection.query(query_embeddings=[q["vector"]], n_results=k, include=["documents"])
            used, parts = 0, []
            for text in found["documents"][0]:
                n = len(encoding.encode_ordinary(text))
                if used + n > budget:
                    continue
                used += n
                parts.append(text)
            context = "\n\n".join(parts)
            elapsed = time.perf_counter() - t0
            if i >= 2:
                latencies.append(elapsed)
                sizes.append(used)
        latencies.sort()
        figures[str(budget)] = {"budget": budget, "top_k": k, "queries": len(latencies),
                                "p50_ms": latencies[len(latencies) // 2] * 1e3,
                                "p99_ms": latencies[min(len(latencies) - 1, round((len(latencies) - 1) * 0.99))] * 1e3,
                                "mean_tokens": sum(sizes) / len(sizes), "context_bytes_last": len(context)}
    return figures


def ingest(chunks_path, vectors_path, queries_path, limit, warmup, path, budgets=None, count=0, vocab_dir=None):
    chunks = load_chunks(chunks_path, limit)
    vectors = load_vectors(vectors_path, len(chunks))
    c = client(path)
    collection = c.create_collection("bench", metadata={"hnsw:space": "cosine"}, embedding_function=None)
    batch = max_batch(c)
    ids = [str(i) for i in range(len(chunks))]
    texts = [ch["text"] for ch in chunks]
    tokens = sum(ch["tokens"] for ch in chunks)
    start = time.perf_counter()
    for b in range(0, len(chunks), batch):
        collection.add(ids=ids[b:b + batch], embeddings=vectors[b:b + batch], documents=texts[b:b + batch])
    seconds = time.perf_counter() - start
    queries = load_queries(queries_path)

    def run(q):
        result = collection.query(query_embeddings=[q["vector"]], n_results=10, include=[])
        return [int(x) for x in result["ids"][0]]

    summary, results = time_queries(run, queries, warmup)
    assembly = assemble(collection, queries, budgets, count, vocab_dir) if budgets else None
    emit({"system": "chroma", "version": chromadb.__version__, "client": "PersistentClient", "assembly": assembly,
          "config": "hnsw:space=cosine, default HNSW parameters, embeddings supplied, no embedding function",
          "batch_size": batch, "chunks": len(chunks), "tokens": tokens,
          "ingest": {"seconds": seconds, "chunks_per_second": len(chunks) / seconds, "tokens_per_second": tokens / seconds},
          "vector": summary, "results": results, "rss_bytes": resident_bytes(), "disk_bytes": directory_bytes(path)})


def reopen(path, queries_path):
    queries = load_queries(queries_path)
    start = time.perf_counter()
    collection = client(path).get_collection("bench")
    opened = time.perf_counter()
    collection.query(query_embeddings=[queries[0]["vector"]], n_results=10, include=[])
    first = time.perf_counter()
    emit({"system": "chroma", "import_seconds": T_IMPORTED - T_START, "open_seconds": opened - start,
          "first_query_seconds": first - start, "rss_bytes": resident_bytes()})


if __name__ == "__main__":
    if sys.argv[1] == "ingest":
        extra = sys.argv[8:]
        ingest(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), int(sys.argv[6]), sys.argv[7],
               [int(b) for b in extra[0].split(",")] if extra else None, int(extra[1]) if extra else 0, extra[2] if extra else None)
    else:
        reopen(sys.argv[2], sys.argv[3])
