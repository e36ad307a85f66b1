"""Stance of a passage towards a claim: ``supports`` / ``refutes`` / ``not_enough_info``, on CPU without torch.

The model is a small head over the shipped int8 all-MiniLM-L6-v2 embedder (no second encoder is shipped): both texts
are embedded once, and the head reads only *pair* features, never the claim alone, so it cannot learn a claim-only
shortcut ("claims with 'only' are false") directly: the element-wise product and absolute difference of the two vectors,
their cosine, and a few lexical cues that sentence embeddings are known to miss (negation on one side only, numbers
and years of the claim missing from the passage, antonyms, word overlap). The head (weights, feature scaling, labels)
is ``src/veracity/models/stance-minilm-head/head.json``; training and numbers: its ``CARD.md`` and
``training/train_stance.py``.

What it cannot do: it reads one sentence (with a little context) at a time, it has no world knowledge, and embedding
similarity is a weak signal of *contradiction*; treat ``refutes`` as "worth a look", never as a verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from veracity.errors import UsageError

__all__ = [
    "ARTIFACT",
    "LABELS",
    "TRUST_CV_MACRO_F1",
    "TRUST_FEVER_SYMMETRIC",
    "StanceModel",
    "StanceQuality",
    "StanceResult",
    "get_stance_model",
    "pair_features",
    "stance",
    "stance_quality",
]

ARTIFACT = "stance-minilm-head"
LABELS = ("supports", "refutes", "not_enough_info")

#: the bars a stance model must clear before reports show its labels as "supports"/"refutes" and count claims refuted by
#: the user's corpus: the issue's target on FEVER-Symmetric dev (2-way accuracy; it punishes claim-only shortcuts) and a
#: macro-F1 on Climate-FEVER pairs (5-fold CV grouped by claim; chance is about 0.33). Below them a passage is shown as
#: a passage to read, with the model's label kept only as a hint in its attrs.
TRUST_FEVER_SYMMETRIC = 0.75
TRUST_CV_MACRO_F1 = 0.60

_NEG = re.compile(
    r"\b(?:not|no|never|none|nobody|nothing|neither|nor|without|cannot|n't|fails?|failed|refused?|denied|denies|"
    r"false|myth|hoax|only|lack|lacks|unable)\b|n't\b",
    re.I,
)
_NUM = re.compile(r"\b\d[\d,]*(?:\.\d+)?\b")
_WORD = re.compile(r"[a-z0-9]+")
_ANTONYMS = {
    "increase": "decrease",
    "increases": "decreases",
    "increased": "decreased",
    "increasing": "decreasing",
    "rise": "fall",
    "rises": "falls",
    "rising": "falling",
    "rose": "fell",
    "more": "less",
    "higher": "lower",
    "warmer": "cooler",
    "warming": "cooling",
    "larger": "smaller",
    "gain": "loss",
    "gains": "losses",
    "above": "below",
    "positive": "negative",
    "strong": "weak",
    "stronger": "weaker",
    "faster": "slower",
    "accelerating": "slowing",
    "growing": "shrinking",
    "grow": "shrink",
    "expand": "contract",
    "most": "least",
    "before": "after",
    "win": "lose",
    "won": "lost",
    "true": "false",
    "alive": "dead",
    "born": "died",
    "male": "female",
    "first": "last",
    "major": "minor",
    "good": "bad",
    "safe": "dangerous",
    "cause": "prevent",
    "causes": "prevents",
    "many": "few",
    "always": "never",
    "all": "none",
    "largest": "smallest",
    "highest": "lowest",
    "best": "worst",
    "hot": "cold",
    "wet": "dry",
    "thick": "thin",
    "melting": "freezing",
}
ANTONYMS: dict[str, str] = {**_ANTONYMS, **{v: k for k, v in _ANTONYMS.items()}}
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "of",
        "in",
        "on",
        "at",
        "to",
        "for",
        "by",
        "with",
        "and",
        "or",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "as",
        "from",
        "has",
        "have",
        "had",
        "which",
        "who",
        "whom",
        "whose",
        "than",
        "then",
        "there",
        "their",
        "they",
        "he",
        "she",
        "his",
        "her",
        "we",
        "our",
        "you",
        "your",
        "i",
    ]
)
#: names of the lexical features, in order (after the 2 × 384 vector features and the cosine)
LEXICAL = (
    "neg_claim_only",
    "neg_passage_only",
    "neg_both",
    "claim_numbers_missing",
    "claim_numbers_present",
    "antonym_pair",
    "claim_overlap",
    "passage_overlap",
    "log_len_ratio",
    "neg_mismatch_x_cos",
    "antonym_x_cos",
    "numbers_missing_x_cos",
)


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def _numbers(text: str) -> set[str]:
    return {n.replace(",", "") for n in _NUM.findall(text)}


def lexical_features(claim: str, passage: str, cosine: float = 0.0) -> np.ndarray:
    """The :data:`LEXICAL` cues of one pair (``cosine``: of their vectors; a negation or antonym between two texts that
    say nearly the same thing is what contradiction looks like, so the cues are also given times the cosine)."""
    cn, pn = bool(_NEG.search(claim)), bool(_NEG.search(passage))
    cnum, pnum = _numbers(claim), _numbers(passage)
    cw = [w for w in _words(claim) if w not in _STOP]
    pw = [w for w in _words(passage) if w not in _STOP]
    cs, ps = set(cw), set(pw)
    antonym = any(ANTONYMS.get(w) in ps and w not in ps for w in cs)
    overlap = len(cs & ps)
    return np.array(
        [
            float(cn and not pn),
            float(pn and not cn),
            float(cn and pn),
            float(bool(cnum - pnum)),
            float(bool(cnum) and not (cnum - pnum)),
            float(antonym),
            overlap / len(cs) if cs else 0.0,
            overlap / len(ps) if ps else 0.0,
            float(np.log((1 + len(pw)) / (1 + len(cw)))),
            float(cn != pn) * cosine,
            float(antonym) * cosine,
            float(bool(cnum - pnum)) * cosine,
        ],
        dtype=np.float32,
    )


def pair_features(
    claim_vecs: np.ndarray, passage_vecs: np.ndarray, claims: Sequence[str], passages: Sequence[str]
) -> np.ndarray:
    """Feature rows for pairs: u·v element-wise, |u−v|, cosine, and :data:`LEXICAL` (shared by training and runtime)."""
    u = np.asarray(claim_vecs, dtype=np.float32)
    v = np.asarray(passage_vecs, dtype=np.float32)
    cos = np.sum(u * v, axis=1, keepdims=True)
    lex = (
        np.stack([lexical_features(c, p, float(k)) for c, p, k in zip(claims, passages, cos[:, 0], strict=True)])
        if len(claims)
        else (np.zeros((0, len(LEXICAL)), np.float32))
    )
    return np.hstack([u * v, np.abs(u - v), cos, lex]).astype(np.float32)


@dataclass(frozen=True)
class StanceResult:
    """One pair's stance: the label and the three probabilities (they sum to 1)."""

    label: str
    scores: dict[str, float]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"label": self.label, "scores": dict(self.scores)}


@dataclass(frozen=True)
class StanceQuality:
    """The shipped stance model's measured quality (from its ``metrics.json``) and whether it clears the bars."""

    fever_symmetric: float | None
    cv_macro_f1: float | None

    @property
    def trusted(self) -> bool:
        """True when both numbers are known and clear :data:`TRUST_FEVER_SYMMETRIC` and :data:`TRUST_CV_MACRO_F1`."""
        return (
            self.fever_symmetric is not None
            and self.cv_macro_f1 is not None
            and self.fever_symmetric >= TRUST_FEVER_SYMMETRIC
            and self.cv_macro_f1 >= TRUST_CV_MACRO_F1
        )

    def caveat(self) -> str:
        """One sentence for readers: how far the stance labels can be trusted, with the numbers."""
        fs = f"{self.fever_symmetric:.2f}" if self.fever_symmetric is not None else "not measured"
        f1 = f"{self.cv_macro_f1:.2f}" if self.cv_macro_f1 is not None else "not measured"
        if self.trusted:
            return (
                f"stance labels come from a model with FEVER-Symmetric dev accuracy {fs} and Climate-FEVER macro-F1 "
                f"{f1}; read the passage before relying on 'supports' or 'refutes'"
            )
        return (
            f"these are passages to read, not verdicts: the stance model is not yet reliable (FEVER-Symmetric dev "
            f"accuracy {fs}, chance 0.50; Climate-FEVER macro-F1 {f1}), so its label is only a hint; read the passage"
        )


def stance_quality() -> StanceQuality:
    """The shipped model's numbers from its ``metrics.json`` (unknown numbers: not trusted)."""
    from veracity.models.loading import shared

    def load() -> StanceQuality:
        try:
            from veracity.models.loading import artifact_path

            metrics = json.loads(artifact_path(ARTIFACT, "metrics.json").read_text(encoding="utf-8"))
            fs = metrics.get("fever_symmetric_dev_accuracy_2way")
            f1 = metrics.get("cv_macro_f1_climate_fever", {}).get(metrics.get("chosen"))
        except Exception:  # a missing or unreadable file means unmeasured, never trusted
            return StanceQuality(None, None)
        return StanceQuality(
            float(fs) if isinstance(fs, (int, float)) else None, float(f1) if isinstance(f1, (int, float)) else None
        )

    return shared("stance-quality", load)


class StanceModel:
    """The shipped stance head over the shared embedder; ``predict`` is thread-safe."""

    def __init__(self, head: dict[str, Any] | None = None, embedder: Any = None) -> None:
        """Load ``head.json`` from the verified artifact (or use a given head dict, for tests of the maths)."""
        if head is None:
            from veracity.models.loading import artifact_path

            head = json.loads(artifact_path(ARTIFACT, "head.json").read_text(encoding="utf-8"))
        if tuple(head["labels"]) != LABELS or tuple(head["lexical"]) != LEXICAL:
            from veracity.errors import ModelMissingError

            raise ModelMissingError("the stance head was trained on other features or labels; reinstall veracity")
        self.mean = np.asarray(head["mean"], dtype=np.float32)
        self.scale = np.asarray(head["scale"], dtype=np.float32)
        self.layers = [(np.asarray(w, dtype=np.float32), np.asarray(b, dtype=np.float32)) for w, b in head["layers"]]
        self.temperature = float(head.get("temperature", 1.0))
        self._embedder = embedder

    @property
    def embedder(self) -> Any:
        """The shared MiniLM embedder unless one was injected."""
        if self._embedder is None:
            from veracity.models.embedder import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities for feature rows (ReLU between layers, softmax at the end)."""
        h = (x - self.mean) / self.scale
        for i, (w, b) in enumerate(self.layers):
            h = h @ w + b
            if i < len(self.layers) - 1:
                h = np.maximum(h, 0.0)
        h = h / self.temperature
        h = h - h.max(axis=1, keepdims=True)
        e = np.exp(h)
        return e / e.sum(axis=1, keepdims=True)

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[StanceResult]:
        """Stance of each (claim, passage) pair."""
        if not pairs:
            return []
        claims = [str(c) for c, _ in pairs]
        passages = [str(p) for _, p in pairs]
        unique = list(dict.fromkeys(claims + passages))
        vecs = self.embedder.embed(unique)
        pos = {t: i for i, t in enumerate(unique)}
        u = vecs[[pos[c] for c in claims]]
        v = vecs[[pos[p] for p in passages]]
        probs = self.probabilities(pair_features(u, v, claims, passages))
        out = []
        for row in probs:
            scores = {label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)}
            out.append(StanceResult(LABELS[int(np.argmax(row))], scores))
        return out


def get_stance_model() -> StanceModel:
    """The process-wide stance model (loaded once through ``loading.shared``)."""
    from veracity.models.loading import shared

    return shared("stance", StanceModel)


def stance(pairs: Sequence[tuple[str, str]]) -> list[dict[str, Any]]:
    """Public API: for each ``(claim, passage)`` pair, ``{"label": …, "scores": {supports, refutes, not_enough_info}}``.

    >>> veracity.stance([("Vaccines cause autism.", "Large studies found no link between vaccines and autism.")])
    """
    if isinstance(pairs, tuple) and len(pairs) == 2 and all(isinstance(p, str) for p in pairs):
        raise UsageError("stance() takes a list of (claim, passage) pairs; wrap the pair in a list")
    checked: list[tuple[str, str]] = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2 or not all(isinstance(p, str) for p in pair):
            raise UsageError(f"stance(): item {i} is not a (claim, passage) pair of two strings")
        if not pair[0].strip() or not pair[1].strip():
            raise UsageError(f"stance(): item {i} has an empty claim or passage")
        checked.append((pair[0], pair[1]))
    return [r.as_dict() for r in get_stance_model().predict(checked)]
