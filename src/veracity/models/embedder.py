"""The shared sentence embedder: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime with the ``tokenizers`` WordPiece.

Every analyzer that needs sentence vectors (fact-check matching, claim clustering, …) calls ``get_embedder().embed``;
one ONNX session is shared per process. No torch at run time. The graph already contains mean pooling and L2
normalisation, so ``embed`` returns unit-length float32 vectors of dimension 384 (cosine similarity = dot product).

Texts are truncated to 256 word pieces (including [CLS]/[SEP]): all-MiniLM-L6-v2 was trained on 128-token pairs and its
sentence-transformers configuration uses 256, so longer inputs would not embed better; split long text into sentences.
Activations are quantised per batch (dynamic int8), so a text's vector can shift slightly with its batch mates (cosine
to fp32 stays >= 0.97 either way); the same call always returns the same vectors.
The artifact and how it was made: ``src/veracity/models/minilm-l6-v2-int8/CARD.md``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from veracity import budget
from veracity.errors import ModelMissingError
from veracity.models import loading
from veracity.models.loading import artifact_path, default_threads, onnx_session

__all__ = ["ARTIFACT", "DIM", "MAX_TOKENS", "Embedder", "default_threads", "get_embedder"]

ARTIFACT = "minilm-l6-v2-int8"
DIM = 384
MAX_TOKENS = 256


class Embedder:
    """Sentence embeddings from the shipped int8 all-MiniLM-L6-v2; ``embed`` is safe to call from several threads."""

    dim: int = DIM
    max_tokens: int = MAX_TOKENS

    def __init__(self, threads: int | None = None) -> None:
        """Load the verified tokenizer and ONNX model (raises ``ModelMissingError`` if either is absent or corrupt)."""
        from tokenizers import Tokenizer

        self._session = onnx_session(ARTIFACT, "model.onnx", threads)
        tokenizer_file = artifact_path(ARTIFACT, "tokenizer.json")
        try:
            tokenizer = Tokenizer.from_file(str(tokenizer_file))
        except Exception as exc:  # the tokenizers library raises plain Exception subclasses
            raise ModelMissingError(f"cannot read {tokenizer_file}: {exc}; reinstall veracity") from exc
        tokenizer.enable_truncation(max_length=MAX_TOKENS)
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._inputs = {i.name for i in self._session.get_inputs()}
        self.threads = threads if threads is not None else default_threads()

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit-length float32 vectors, shape (len(texts), 384), in input order; batches are length-sorted internally."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a sequence of texts, not a single str; wrap it in a list")
        if batch_size < 1:
            raise ValueError(f"batch_size must be >= 1, got {batch_size}")
        n = len(texts)
        out = np.zeros((n, DIM), dtype=np.float32)
        if n == 0:
            return out
        encodings = self._tokenizer.encode_batch([str(t) for t in texts])
        lengths = np.array([len(e.ids) for e in encodings])
        # Sorting by length keeps texts of similar length together, so padding (wasted compute) stays small.
        order = np.argsort(lengths, kind="stable")
        for start in range(0, n, batch_size):
            idx = order[start : start + batch_size]
            out[idx] = self._run([encodings[i] for i in idx])
        return out

    def _run(self, encodings: list[Any]) -> np.ndarray:
        """One padded batch through the session."""
        budget.check()
        width = max(len(e.ids) for e in encodings)
        ids = np.zeros((len(encodings), width), dtype=np.int64)
        mask = np.zeros_like(ids)
        types = np.zeros_like(ids)
        for row, enc in enumerate(encodings):
            k = len(enc.ids)
            ids[row, :k] = enc.ids
            mask[row, :k] = 1
            types[row, :k] = enc.type_ids
        feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
        vectors = self._session.run(None, {k: v for k, v in feeds.items() if k in self._inputs})[0]
        vectors = np.asarray(vectors, dtype=np.float32)
        # The graph normalises already; renormalising guards against int8 rounding drift and costs nothing.
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.maximum(norms, 1e-12)


def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first use, then shared by every analyzer and pipeline)."""
    return loading.shared("embedder", Embedder)
