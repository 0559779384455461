#!/usr/bin/env python3
"""tiktoken peer: cl100k_base encoding throughput on the same chunk texts, one thread
(encode_ordinary per chunk, as Strata counts per chunk). The vocabulary is the file Strata
reads (scripts/install-vocab.sh), loaded the way the interop tests load it (no download).

Usage: peers_tiktoken.py CHUNKS.jsonl LIMIT_TOKENS VOCAB_DIR
"""
import os
import sys
import time

import tiktoken

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Tests", "interop"))
from tokenizer_reference import make_encoding  # noqa: E402

from bench_common import emit, load_chunks  # noqa: E402


def main():
    chunks = load_chunks(sys.argv[1], int(sys.argv[2]))
    encoding = make_encoding("cl100k_base", sys.argv[3])
    texts = [c["text"] for c in chunks]
    encoding.encode_ordinary(texts[0])  # warm-up
    start = time.perf_counter()
    total = sum(len(encoding.encode_ordinary(t)) for t in texts)
    seconds = time.perf_counter() - start
    size = sum(len(t.encode("utf-8")) for t in texts)
    expected = sum(c["tokens"] for c in chunks)
    emit({"system": "tiktoken", "version": tiktoken.__version__, "tokens": total, "bytes": size, "seconds": seconds,
          "tokens_per_second": total / seconds, "mb_per_second": size / seconds / 1e6,
          "counts_match_strata": total == expected, "strata_tokens": expected})


if __name__ == "__main__":
    main()
