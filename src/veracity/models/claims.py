"""The check-worthiness model runtime: MiniLM-L6 fine-tuned on CheckThat!, shipped as int8 ONNX.

Inference is onnxruntime + ``tokenizers`` + NumPy, one text per model call on a small thread pool (``threads``
setting, default min(2, CPUs)), so a sentence's score never depends on what it is scored with.
``ClaimScorer.shared().score_texts`` is the one scoring path of the ``claims`` analyzer, ``veracity claims score`` and
``POST /v1/claims/score``. The model is English; other languages are scored but the scores mean little.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from veracity import budget
from veracity.models import loading
from veracity.models.loading import default_threads

__all__ = ["ARTIFACT", "MAX_CHARS", "ClaimScorer", "ScoredTexts"]

ARTIFACT = "claims-minilm-l6-int8"
#: one text per model call: activations are quantised to int8 per call, so scoring texts together would make a
#: sentence's score depend on its neighbours (measured on CT24 dev-test: up to 0.14, p99 0.09 at batch 16). Speed
#: comes from running calls on several threads instead (the ONNX session is thread-safe and releases the GIL).
#: The thread count follows ``VERACITY_THREADS`` like every other model (batch workers set it to 1).
#: only this many leading characters of a text are tokenised (the model reads at most ``max_tokens`` word pieces,
#: which never span more characters than this in ordinary text); longer texts are scored on their head and flagged
MAX_CHARS = 4096
#: texts scored between two checks of the time budget
_CHECK_EVERY = 256


@dataclass(frozen=True)
class ScoredTexts:
    """Scores in [0, 1] and, per text, whether it was cut to its head (over the token or character cap)."""

    scores: np.ndarray
    truncated: np.ndarray


class ClaimScorer:
    """The check-worthiness model: tokenizer + int8 ONNX session + the decision threshold from its manifest."""

    def __init__(self, artifact: str = ARTIFACT, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        info = loading.manifest(artifact)
        self.artifact = artifact
        self.threshold = float(info["threshold"])
        self.max_tokens = int(info["max_tokens"])
        self.tokenizer = Tokenizer.from_file(str(loading.artifact_path(artifact, "tokenizer.json")))
        self.tokenizer.enable_truncation(max_length=self.max_tokens)
        self.tokenizer.no_padding()
        self.workers = threads or default_threads()
        self._pool = (
            ThreadPoolExecutor(self.workers, thread_name_prefix="veracity-claims") if self.workers > 1 else None
        )
        # one intra-op thread per call: the parallelism is across texts, on the pool above
        self.session = loading.onnx_session(artifact, "model.onnx", threads=1)

    def _run(self, ids: np.ndarray) -> float:
        """One model call on one tokenised text."""
        return float(self.session.run(["score"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0])

    @classmethod
    def shared(cls, artifact: str = ARTIFACT) -> ClaimScorer:
        """One scorer per process (the ONNX session is thread-safe), built on first use."""
        return loading.shared(f"claims:{artifact}", lambda: cls(artifact))

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Check-worthiness in [0, 1] for each text, in input order; blank texts score 0."""
        return self.score(texts).scores

    def score(self, texts: Sequence[str]) -> ScoredTexts:
        """Scores plus truncation flags; each text is scored on its own, so its score never depends on the others."""
        n = len(texts)
        scores = np.zeros(n, dtype=np.float32)
        truncated = np.zeros(n, dtype=bool)
        live = [i for i, t in enumerate(texts) if t.strip()]
        if not live:
            return ScoredTexts(scores, truncated)
        encodings = self.tokenizer.encode_batch([texts[i][:MAX_CHARS] for i in live])
        for i, enc in zip(live, encodings, strict=True):
            truncated[i] = len(texts[i]) > MAX_CHARS or bool(enc.overflowing)
        ids = [np.asarray([enc.ids], dtype=np.int64) for enc in encodings]
        results: list[float] = []
        for start in range(0, len(ids), _CHECK_EVERY):  # a spent time budget stops a long text between blocks
            budget.check()
            block = ids[start : start + _CHECK_EVERY]
            if self._pool is None or len(block) < 2 * self.workers:
                results += [self._run(x) for x in block]
            else:
                chunk = max(1, min(64, len(block) // (4 * self.workers)))
                results += list(self._pool.map(self._run, block, chunksize=chunk))
        scores[live] = results
        return ScoredTexts(np.clip(scores, 0.0, 1.0), truncated)
