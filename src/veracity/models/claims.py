"""The check-worthiness model runtime: MiniLM-L6 fine-tuned on CheckThat!, shipped as int8 ONNX.

Inference is onnxruntime + ``tokenizers`` + NumPy: texts of similar length are scored a few per model call, the calls
spread over a small thread pool (``threads`` setting, default min(2, CPUs)). The model file quantises activations per
text (``training/claims_batchable.py``), so a sentence's score never depends on what it is scored with.
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

__all__ = ["ARTIFACT", "BATCH", "MAX_CHARS", "ClaimScorer", "ScoredTexts"]

ARTIFACT = "claims-minilm-l6-int8"
#: texts per model call, taken in order of length so padding stays small. The shipped file quantises each text's
#: activations over that text alone (its manifest says ``"activation_quantisation": "per-text"``), so batch mates never
#: move a score (max difference alone vs in a batch: 1.2e-07 on 300 BuzzFeed-Webis sentences); a file quantised per
#: call (the plain dynamic export, which moved scores by up to 0.14 in batches of 16) is scored one text per call.
#: CPU per sentence on one thread, 300 BuzzFeed-Webis sentences, runs interleaved (median of 4): the plain file one per
#: call 3.54 ms; this file one per call 5.15 ms (per-text ranges cost ops onnxruntime cannot fuse), in length-sorted
#: groups of 4: 3.16 ms, of 8: 2.78 ms; on the 752 sentences of 32 BuzzFeed-Webis and FA-KES articles (median of 3):
#: 2.76 ms plain one per call, 2.49 ms in groups of 8. The calls run on several threads (the session is thread-safe and releases the
#: GIL); the thread count follows ``VERACITY_THREADS`` (batch workers set it to 1).
BATCH = 8
#: only this many leading characters of a text are tokenised (the model reads at most ``max_tokens`` word pieces,
#: which never span more characters than this in ordinary text); longer texts are scored on their head and flagged
MAX_CHARS = 4096
#: model calls (batches of texts) between two checks of the time budget
_CHECK_EVERY = 32


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
        self.batch = BATCH if info.get("activation_quantisation") == "per-text" else 1
        self.workers = threads or default_threads()
        self._pool = (
            ThreadPoolExecutor(self.workers, thread_name_prefix="veracity-claims") if self.workers > 1 else None
        )
        # one intra-op thread per call: the parallelism is across texts, on the pool above
        self.session = loading.onnx_session(artifact, "model.onnx", threads=1)

    def _run(self, group: list[list[int]]) -> np.ndarray:
        """One model call on a group of tokenised texts, padded to the longest (the mask hides the padding)."""
        ids = np.zeros((len(group), max(len(x) for x in group)), dtype=np.int64)
        mask = np.zeros_like(ids)
        for row, x in enumerate(group):
            ids[row, : len(x)] = x
            mask[row, : len(x)] = 1
        return np.asarray(self.session.run(["score"], {"input_ids": ids, "attention_mask": mask})[0]).reshape(-1)

    @classmethod
    def shared(cls, artifact: str = ARTIFACT) -> ClaimScorer:
        """One scorer per process (the ONNX session is thread-safe), built on first use."""
        return loading.shared(f"claims:{artifact}", lambda: cls(artifact))

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Check-worthiness in [0, 1] for each text, in input order; blank texts score 0."""
        return self.score(texts).scores

    def score(self, texts: Sequence[str]) -> ScoredTexts:
        """Scores plus truncation flags; a text's score never depends on the others (see ``BATCH``)."""
        n = len(texts)
        scores = np.zeros(n, dtype=np.float32)
        truncated = np.zeros(n, dtype=bool)
        live = [i for i, t in enumerate(texts) if t.strip()]
        if not live:
            return ScoredTexts(scores, truncated)
        encodings = self.tokenizer.encode_batch([texts[i][:MAX_CHARS] for i in live])
        for i, enc in zip(live, encodings, strict=True):
            truncated[i] = len(texts[i]) > MAX_CHARS or bool(enc.overflowing)
        order = sorted(range(len(encodings)), key=lambda k: len(encodings[k].ids))
        groups = [order[i : i + self.batch] for i in range(0, len(order), self.batch)]
        batches = [[encodings[k].ids for k in group] for group in groups]
        results: list[np.ndarray] = []
        for start in range(0, len(batches), _CHECK_EVERY):  # a spent time budget stops a long text between blocks
            budget.check()
            block = batches[start : start + _CHECK_EVERY]
            if self._pool is None or len(block) < 2 * self.workers:
                results += [self._run(b) for b in block]
            else:
                chunk = max(1, min(64, len(block) // (4 * self.workers)))
                results += list(self._pool.map(self._run, block, chunksize=chunk))
        for group, result in zip(groups, results, strict=True):
            for k, value in zip(group, result.tolist(), strict=True):
                scores[live[k]] = value
        return ScoredTexts(np.clip(scores, 0.0, 1.0), truncated)
