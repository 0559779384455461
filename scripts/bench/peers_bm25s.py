#!/usr/bin/env python3
"""bm25s peer: lexical BM25 over the same chunk texts.

Tokenized as bm25s's README does it: bm25s.tokenize(texts, stopwords="en") (lower-case,
words of 2+ word characters, English stop words removed); no stemmer (the README's stemmer
is optional and needs PyStemmer; Strata's analyzer does not stem either). Default BM25
variant and parameters (Lucene, k1=1.5, b=0.75). One query per retrieve call, k=10.

Usage: peers_bm25s.py CHUNKS.jsonl QUERIES.jsonl LIMIT_TOKENS WARMUP
"""
import sys
import time

import bm25s

from bench_common import emit, load_chunks, load_queries, resident_bytes, time_queries


def main():
    chunks_path, queries_path, limit, warmup = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    chunks = load_chunks(chunks_path, limit)
    texts = [c["text"] for c in chunks]
    tokens = sum(c["tokens"] for c in chunks)
    start = time.perf_counter()
    corpus_tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
    retriever = bm25s.BM25()
    retriever.index(corpus_tokens, show_progress=False)
    seconds = time.perf_counter() - start
    queries = load_queries(queries_path)

    def run(q):
        query_tokens = bm25s.tokenize([q["text"]], stopwords="en", return_ids=False, show_progress=False)
        if not query_tokens[0]:
            return []
        docs, scores = retriever.retrieve(query_tokens, k=min(10, len(texts)), show_progress=False, n_threads=1)
        return [int(d) for d, s in zip(docs[0], scores[0]) if s > 0]  # zero scores: no term matched

    summary, results = time_queries(run, queries, warmup)
    emit({"system": "bm25s", "version": bm25s.__version__, "config": "tokenize(stopwords='en'), no stemmer, BM25 defaults (k1=1.5, b=0.75)",
          "chunks": len(chunks), "tokens": tokens,
          "index": {"seconds": seconds, "chunks_per_second": len(chunks) / seconds, "tokens_per_second": tokens / seconds},
          "lexical": summary, "results": results, "rss_bytes": resident_bytes()})


if __name__ == "__main__":
    main()
