#!/usr/bin/env python3
"""Reference tokenizer for Strata's interop tests and token benchmark.

Uses tiktoken with the exact pattern and special tokens of tiktoken's own encoding
definitions (tiktoken_ext.openai_public), but loads the ranks from the same .tiktoken file
Strata reads (no download), so both sides tokenize with one vocabulary.

Commands (files are read as bytes and decoded as strict UTF-8):
  ids     --encoding E --vocab-dir D FILE...   one line per file: the token ids, space-separated
  counts  --encoding E --vocab-dir D FILE...   one line per file: the token count
  special --encoding E --vocab-dir D FILE...   like ids, with allowed_special="all"
  bench   --encoding E --vocab-dir D --runs N FILE...
          encodes the concatenated files N times with encode_ordinary on one thread and
          prints JSON: {"bytes", "tokens", "seconds_median", "seconds_all"}
  strings --encoding E --vocab-dir D           reads a JSON list of strings on stdin and
          prints a JSON list of id lists (adversarial cases)
  pieces  --encoding E --vocab-dir D           reads a JSON list of strings on stdin and
          prints, per string, the pre-tokenization pieces of tiktoken's pattern (found with
          the `regex` module, which supports the same syntax as tiktoken's fancy-regex)
"""
import argparse
import base64
import json
import os
import statistics
import sys
import time

import tiktoken
from tiktoken_ext import openai_public


def load_ranks(path):
    ranks = {}
    with open(path, "rb") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            token, rank = line.split()
            ranks[base64.b64decode(token)] = int(rank)
    return ranks


def make_encoding(name, vocab_dir):
    path = os.path.join(vocab_dir, name + ".tiktoken")
    ranks = load_ranks(path)
    # Take pat_str and special tokens from tiktoken's own definition; only the ranks come from
    # our file. Patch the loader so the definition does not try to download anything.
    original = openai_public.load_tiktoken_bpe
    openai_public.load_tiktoken_bpe = lambda *a, **k: ranks
    try:
        spec = getattr(openai_public, name)()
    finally:
        openai_public.load_tiktoken_bpe = original
    return tiktoken.Encoding(
        name=spec["name"],
        pat_str=spec["pat_str"],
        mergeable_ranks=spec["mergeable_ranks"],
        special_tokens=spec["special_tokens"],
    )


def read_text(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["ids", "counts", "special", "bench", "strings", "pieces"])
    parser.add_argument("--encoding", required=True)
    parser.add_argument("--vocab-dir", required=True)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("files", nargs="*")
    args = parser.parse_intermixed_args()
    enc = make_encoding(args.encoding, args.vocab_dir)
    out = sys.stdout
    if args.command == "pieces":
        import regex
        pattern = regex.compile(enc._pat_str)
        strings = json.load(sys.stdin)
        json.dump([pattern.findall(s) for s in strings], out)
        out.write("\n")
    elif args.command == "strings":
        strings = json.load(sys.stdin)
        json.dump([enc.encode_ordinary(s) for s in strings], out)
        out.write("\n")
    elif args.command == "bench":
        text = "".join(read_text(p) for p in args.files)
        tokens = len(enc.encode_ordinary(text))  # warm-up
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            enc.encode_ordinary(text)
            times.append(time.perf_counter() - start)
        json.dump({"bytes": len(text.encode("utf-8")), "tokens": tokens,
                   "seconds_median": statistics.median(times), "seconds_all": times}, out)
        out.write("\n")
    else:
        for path in args.files:
            text = read_text(path)
            if args.command == "counts":
                out.write(str(len(enc.encode_ordinary(text))) + "\n")
            elif args.command == "ids":
                out.write(" ".join(map(str, enc.encode_ordinary(text))) + "\n")
            else:
                out.write(" ".join(map(str, enc.encode(text, allowed_special="all"))) + "\n")
    out.flush()


if __name__ == "__main__":
    main()
