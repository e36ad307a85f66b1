"""Test helpers for fact-check stores: a tiny deterministic embedder and sample records.

Store implementations (and the contract suite in ``tests/contract/test_store_contract.py``) use these to exercise
indexing and search without loading the MiniLM model.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from veracity.stores.records import FactCheckRecord
from veracity.stores.text import tokenize

__all__ = ["HashEmbedder", "sample_records"]


class HashEmbedder:
    """Bag-of-words vectors hashed into ``dim`` buckets and L2-normalised: texts sharing words have high cosine."""

    name = "test-hash-embedder"

    def __init__(self, dim: int = 64) -> None:
        """Vectors of ``dim`` floats."""
        self.dim = dim
        self.calls = 0
        self.texts_embedded = 0

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """One unit vector per text (a zero text gets a fixed unit vector)."""
        self.calls += 1
        self.texts_embedded += len(texts)
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for token in tokenize(text) or ["<empty>"]:
                bucket = int.from_bytes(hashlib.md5(token.encode()).digest()[:4], "little") % self.dim
                out[i, bucket] += 1.0
        return out / np.linalg.norm(out, axis=1, keepdims=True)


def sample_records() -> list[FactCheckRecord]:
    """Five varied records (invented, not real fact-checks) for tests."""
    data = [
        ("fc-1", "The moon landing in 1969 was filmed in a studio.", "false", "False", "Example Checks"),
        ("fc-2", "Drinking bleach cures viral infections.", "false", "Pants on Fire!", "Sample Facts"),
        (
            "fc-3",
            "The city council voted to close every public library next year.",
            "mostly_false",
            "Mostly False",
            "Example Checks",
        ),
        ("fc-4", "A new bridge over the river will open in May.", "true", "True", "Local Verify"),
        ("fc-5", "Eating carrots gives people perfect night vision.", "mixed", "Mixture", "Sample Facts"),
    ]
    return [
        FactCheckRecord(
            id=rid,
            claim=claim,
            review_url=f"https://checks.example.org/{rid}",
            publisher_name=publisher,
            publisher_site="checks.example.org",
            review_date="2020-01-0" + rid[-1],
            textual_rating=textual,
            rating=rating,
            title=f"Fact check: {claim}",
            language="en",
        )
        for rid, claim, rating, textual, publisher in data
    ]
