"""Throughput and fidelity of the shared int8 embedder: sentences/s by batch size and threads, cosine to fp32.

Usage: ``python benchmarks/bench_embedder.py [--sentences 300] [--repeat 3]``. Sentences come from
``../shared/examples/seed-article.txt`` (split on '. ', repeated to the count) or, when that is absent, synthetic news-like
text. Prints a table and writes ``benchmarks/results/embedder.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from veracity.models.embedder import Embedder

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "examples" / "seed-article.txt"
REFERENCE = REPO / "tests" / "data" / "embedder_reference.json"
RESULTS = REPO / "benchmarks" / "results" / "embedder.json"


def sentences(n: int) -> tuple[list[str], str]:
    """``n`` sentences and where they came from."""
    if SEED.is_file():
        parts = [p.strip() for p in SEED.read_text(encoding="utf-8").replace("\n", " ").split(". ") if p.strip()]
        source = str(SEED.relative_to(REPO.parent))
    else:
        rng = np.random.default_rng(0)
        words = [
            "the",
            "government",
            "said",
            "on",
            "Monday",
            "that",
            "officials",
            "reported",
            "new",
            "figures",
            "about",
            "the",
            "economy",
            "and",
            "health",
        ]
        parts = [" ".join(rng.choice(words, size=int(rng.integers(6, 40)))) + "." for _ in range(50)]
        source = "synthetic"
    return [parts[i % len(parts)] for i in range(n)], source


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per setting (best is reported)")
    args = parser.parse_args()
    texts, source = sentences(args.sentences)
    ref = json.loads(REFERENCE.read_text(encoding="utf-8"))
    ref_texts = [item["text"] for item in ref["items"]]
    ref_vectors = np.array([item["vector"] for item in ref["items"]], dtype=np.float32)

    rows = []
    for threads in (1, 2):
        embedder = Embedder(threads=threads)
        embedder.embed(texts[:8])  # warm-up
        for batch_size in (1, 8, 32):
            best = min(_timed(embedder, texts, batch_size) for _ in range(args.repeat))
            cos = (embedder.embed(ref_texts, batch_size=batch_size) * ref_vectors).sum(axis=1)
            rows.append(
                {
                    "threads": threads,
                    "batch_size": batch_size,
                    "sentences_per_s": len(texts) / best,
                    "cosine_mean": float(cos.mean()),
                    "cosine_min": float(cos.min()),
                }
            )

    print(f"embedder: {len(texts)} sentences from {source}; cosine vs {len(ref_texts)} fp32 reference vectors")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} CPUs")
    print(f"{'threads':>7} {'batch':>5} {'sent/s':>8} {'cos mean':>8} {'cos min':>8}")
    for r in rows:
        print(
            f"{r['threads']:>7} {r['batch_size']:>5} {r['sentences_per_s']:>8.1f} "
            f"{r['cosine_mean']:>8.4f} {r['cosine_min']:>8.4f}"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"source": source, "n": len(texts), "rows": rows}, indent=2) + "\n")
    return 0


def _timed(embedder: Embedder, texts: list[str], batch_size: int) -> float:
    start = time.perf_counter()
    embedder.embed(texts, batch_size=batch_size)
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
