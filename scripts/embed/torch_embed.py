#!/usr/bin/env python3
"""sentence-transformers (PyTorch, CPU) over the texts `strata-bench embed` hands it, timed.

all-MiniLM-L6-v2 is assembled from the installed model folder exactly as its
modules.json does it (Transformer with 256 word pieces, mean pooling, normalisation), so the
folder scripts/install-model.sh writes is enough. Reads one JSON string per line, embeds them
once untimed (warm-up: the first batches pay for allocation), then again timed in batches of
32 (sentence-transformers' default, which sorts by length), and writes little-endian float32
rows of 384 to OUT. Prints one JSON line: {"seconds", "texts", "threads"}.

Usage: torch_embed.py MODEL_DIR IN.jsonl OUT.f32
"""
import json
import sys
import time


def main():
    import logging
    import warnings

    import numpy as np
    import torch
    from sentence_transformers import SentenceTransformer, models

    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    model_dir, source, target = sys.argv[1:4]
    texts = [json.loads(line) for line in open(source, encoding="utf-8")]
    transformer = models.Transformer(model_dir, max_seq_length=256)
    pooling = models.Pooling(transformer.get_word_embedding_dimension(), pooling_mode="mean")
    model = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
    model.encode(texts[:64], batch_size=32, show_progress_bar=False)
    start = time.perf_counter()
    vectors = model.encode(texts, batch_size=32, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False)
    seconds = time.perf_counter() - start
    np.asarray(vectors, dtype="<f4").tofile(target)
    print(json.dumps({"seconds": seconds, "texts": len(texts), "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
