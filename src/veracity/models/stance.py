"""Stance of a passage towards a claim: ``supports`` / ``refutes`` / ``not_enough_info``, on CPU without torch.

Two models share this API. The current one, when its folder ``stance-minilm-cross`` is installed, is a cross-encoder:
all-MiniLM-L6-v2 fine-tuned on ``[CLS] claim [SEP] passage [SEP]`` (int8 ONNX, activations quantised per pair, so a
pair's scores never depend on its batch mates); ``training/train_stance_cross.py`` and its ``CARD.md``. The first cut,
``stance-minilm-head``, is a logistic head over pair features of the shipped MiniLM sentence embedder (u·v, |u−v|,
cosine and lexical cues such as negation on one side only); ``training/train_stance.py``. It is used only when the
cross-encoder's folder is absent.

How far a reader sees the labels is decided in one place, :meth:`StanceQuality.shown_label`, from the numbers in the
model's ``metrics.json``: every label when the whole model clears the bars, else per pair a label whose probability
clears that label's precision-first threshold, else nothing (the passage is shown as a passage to read).

What it cannot do: it reads one sentence (with a little context) at a time and has no world knowledge; treat
``refutes`` as "worth a look", never as a verdict.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from veracity.errors import UsageError
from veracity.models.loading import MODELS_DIR

__all__ = [
    "ARTIFACT",
    "CROSS_ARTIFACT",
    "HEAD_ARTIFACT",
    "LABELS",
    "MODELS_DIR",
    "TRUST_CV_MACRO_F1",
    "TRUST_FEVER_SYMMETRIC",
    "TRUST_LABEL_MIN_SHOWN",
    "TRUST_LABEL_PRECISION",
    "CrossStanceModel",
    "LabelGate",
    "StanceModel",
    "StanceQuality",
    "StanceResult",
    "get_stance_model",
    "pair_features",
    "stance",
    "stance_quality",
]

HEAD_ARTIFACT = "stance-minilm-head"
CROSS_ARTIFACT = "stance-minilm-cross"
#: the model in use: the cross-encoder when its folder is installed, else the first head
ARTIFACT = CROSS_ARTIFACT if (MODELS_DIR / CROSS_ARTIFACT / "MANIFEST.json").is_file() else HEAD_ARTIFACT
LABELS = ("supports", "refutes", "not_enough_info")

#: the bars a stance model must clear before reports show its labels as "supports"/"refutes" and count claims refuted by
#: the user's corpus: the issue's target on FEVER-Symmetric dev (2-way accuracy; it punishes claim-only shortcuts) and a
#: macro-F1 on Climate-FEVER pairs (5-fold CV grouped by claim; chance is about 0.33). Below them a passage is shown as
#: a passage to read, with the model's label kept only as a hint in its attrs.
TRUST_FEVER_SYMMETRIC = 0.75
TRUST_CV_MACRO_F1 = 0.60
#: the other way to be shown, per label and per pair: the pair's probability clears the label's threshold (the lowest
#: with precision >= 0.80 on the held-out fold, in ``metrics.json``) and the label's precision at that threshold on
#: FEVER-Symmetric dev is at least this, over at least ``TRUST_LABEL_MIN_SHOWN`` pairs (fewer say too little)
TRUST_LABEL_PRECISION = 0.75
TRUST_LABEL_MIN_SHOWN = 30

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
class LabelGate:
    """One label's precision-first threshold (chosen on the held-out fold) and its precision there and on
    FEVER-Symmetric dev at that threshold."""

    threshold: float
    heldout_precision: float | None = None
    fever_symmetric_precision: float | None = None
    fever_symmetric_shown: int = 0

    @property
    def open(self) -> bool:
        """True when FEVER-Symmetric dev confirms the threshold (precision >= 0.75 over >= 30 shown pairs)."""
        return (
            self.fever_symmetric_precision is not None
            and self.fever_symmetric_precision >= TRUST_LABEL_PRECISION
            and self.fever_symmetric_shown >= TRUST_LABEL_MIN_SHOWN
        )


@dataclass(frozen=True)
class StanceQuality:
    """The stance model's measured quality (from its ``metrics.json``): whether the whole model clears the bars, and
    the per-label gates; :meth:`shown_label` is the one per-pair decision every face uses."""

    fever_symmetric: float | None
    cv_macro_f1: float | None
    gates: dict[str, LabelGate] = field(default_factory=dict)

    @property
    def trusted(self) -> bool:
        """True when both numbers are known and clear :data:`TRUST_FEVER_SYMMETRIC` and :data:`TRUST_CV_MACRO_F1`."""
        return (
            self.fever_symmetric is not None
            and self.cv_macro_f1 is not None
            and self.fever_symmetric >= TRUST_FEVER_SYMMETRIC
            and self.cv_macro_f1 >= TRUST_CV_MACRO_F1
        )

    @property
    def shown_labels(self) -> tuple[str, ...]:
        """The labels a reader can see at all: every label of a trusted model, else those whose gate is open."""
        if self.trusted:
            return LABELS
        return tuple(label for label in ("supports", "refutes") if label in self.gates and self.gates[label].open)

    def shown_label(self, result: StanceResult) -> str | None:
        """The label a reader sees for this pair, or None (a passage to read, the label only a hint): the model's label
        when the model is trusted; else ``supports``/``refutes`` when it is the pair's most probable label, its
        probability reaches the label's threshold and the label's gate is open."""
        if self.trusted:
            return result.label
        gate = self.gates.get(result.label)
        if gate is None or not gate.open or result.label not in ("supports", "refutes"):
            return None
        return result.label if result.scores[result.label] >= gate.threshold else None

    def caveat(self) -> str:
        """One sentence for readers: how far the stance labels can be trusted, with the numbers."""
        fs = f"{self.fever_symmetric:.2f}" if self.fever_symmetric is not None else "not measured"
        f1 = f"{self.cv_macro_f1:.2f}" if self.cv_macro_f1 is not None else "not measured"
        if self.trusted:
            return (
                f"stance labels come from a model with FEVER-Symmetric dev accuracy {fs} and Climate-FEVER macro-F1 "
                f"{f1}; read the passage before relying on 'supports' or 'refutes'"
            )
        shown = self.shown_labels
        if shown:
            parts = []
            for label in shown:
                g = self.gates[label]
                held = f"{g.heldout_precision:.2f}" if g.heldout_precision is not None else "?"
                parts.append(
                    f"'{label}' only at probability >= {g.threshold:.2f} (precision there {held} on held-out "
                    f"Climate-FEVER/ANLI pairs, {g.fever_symmetric_precision:.2f} on FEVER-Symmetric dev)"
                )
            return (
                "stance is shown only where the model is confident: " + "; ".join(parts) + ". Other passages are "
                f"passages to read, their label only a hint (overall FEVER-Symmetric dev accuracy {fs}, chance 0.50; "
                f"Climate-FEVER macro-F1 {f1}); read the passage before relying on a label"
            )
        return (
            f"these are passages to read, not verdicts: the stance model is not yet reliable (FEVER-Symmetric dev "
            f"accuracy {fs}, chance 0.50; Climate-FEVER macro-F1 {f1}), so its label is only a hint; read the passage"
        )

    @classmethod
    def from_metrics(cls, metrics: dict[str, Any]) -> StanceQuality:
        """The quality a model's ``metrics.json`` content states (missing numbers: unmeasured, gates closed)."""

        def num(value: Any) -> float | None:
            return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None

        fs = num(metrics.get("fever_symmetric_dev_accuracy_2way"))
        cv = metrics.get("cv_macro_f1_climate_fever")
        f1 = num(cv.get(metrics.get("chosen"))) if isinstance(cv, dict) else None
        gates = {}
        thresholds = metrics.get("thresholds") or {}
        at_fs = metrics.get("fever_symmetric_at_thresholds") or {}
        held = metrics.get("heldout") or {}
        for label in ("supports", "refutes"):
            t = num(thresholds.get(label))
            if t is None:
                continue
            on_fs = at_fs.get(label) or {}
            chosen = (held.get(f"{label}_at_threshold") or {}).get("annotated (chooses)") or {}
            shown = on_fs.get("shown")
            gates[label] = LabelGate(
                threshold=t,
                heldout_precision=num(chosen.get("precision")),
                fever_symmetric_precision=num(on_fs.get("precision")),
                fever_symmetric_shown=int(shown) if isinstance(shown, int) else 0,
            )
        return cls(fs, f1, gates)

    @classmethod
    def from_metrics_file(cls, path: Path) -> StanceQuality:
        """:meth:`from_metrics` of a ``metrics.json`` file; a missing or unreadable file means unmeasured."""
        try:
            metrics = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls(None, None)
        return cls.from_metrics(metrics) if isinstance(metrics, dict) else cls(None, None)


def stance_quality() -> StanceQuality:
    """The shipped model's numbers and gates from its ``metrics.json`` (unknown numbers: not trusted, gates closed)."""
    from veracity.models.loading import shared

    def load() -> StanceQuality:
        try:
            from veracity.models.loading import artifact_path

            path = artifact_path(ARTIFACT, "metrics.json")
        except Exception:  # a missing or tampered file means unmeasured, never trusted
            return StanceQuality(None, None)
        return StanceQuality.from_metrics_file(path)

    return shared("stance-quality", load)


class StanceModel:
    """The shipped stance head over the shared embedder; ``predict`` is thread-safe."""

    def __init__(self, head: dict[str, Any] | None = None, embedder: Any = None) -> None:
        """Load ``head.json`` from the verified artifact (or use a given head dict, for tests of the maths)."""
        if head is None:
            from veracity.models.loading import artifact_path

            head = json.loads(artifact_path(HEAD_ARTIFACT, "head.json").read_text(encoding="utf-8"))
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


class CrossStanceModel:
    """The cross-encoder: tokenizer + int8 ONNX session; ``predict`` is thread-safe.

    Pairs are scored a few per call in order of length; the file quantises activations per pair
    (``training/claims_batchable.py``), so batch mates never move a pair's scores. A file quantised per call is scored
    one pair per call."""

    #: pairs per model call (when activations are quantised per pair)
    BATCH = 8
    #: leading characters of each side that are tokenised (the model reads at most ``max_tokens`` word pieces)
    MAX_CHARS = 4096

    def __init__(self, session: Any, tokenizer: Any, max_tokens: int = 128, per_text: bool = True) -> None:
        """Use a loaded session and tokenizer (see :meth:`shipped` and :meth:`from_folder`)."""
        self.session = session
        self.tokenizer = tokenizer
        self.tokenizer.enable_truncation(max_length=max_tokens)
        self.tokenizer.no_padding()
        self.batch = self.BATCH if per_text else 1

    @classmethod
    def shipped(cls) -> CrossStanceModel:
        """The installed, checksum-verified ``stance-minilm-cross`` artifact."""
        from tokenizers import Tokenizer

        from veracity.models import loading

        info = loading.manifest(CROSS_ARTIFACT)
        if tuple(info.get("labels", ())) != LABELS:
            from veracity.errors import ModelMissingError

            raise ModelMissingError("the stance model was trained on other labels; reinstall veracity")
        tokenizer = Tokenizer.from_file(str(loading.artifact_path(CROSS_ARTIFACT, "tokenizer.json")))
        session = loading.onnx_session(CROSS_ARTIFACT, "model.onnx")
        return cls(session, tokenizer, int(info["max_tokens"]), info.get("activation_quantisation") == "per-text")

    @classmethod
    def from_folder(cls, folder: Path, threads: int = 1) -> CrossStanceModel:
        """A freshly exported folder (``model.onnx``, ``tokenizer.json``; no manifest check): for the training script,
        which scores the int8 file through this same code."""
        import onnxruntime as ort
        from tokenizers import Tokenizer

        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        session = ort.InferenceSession(str(Path(folder) / "model.onnx"), options, providers=["CPUExecutionProvider"])
        return cls(session, Tokenizer.from_file(str(Path(folder) / "tokenizer.json")))

    def probabilities(self, pairs: Sequence[tuple[str, str]]) -> np.ndarray:
        """(n, 3) probabilities in :data:`LABELS` order."""
        out = np.zeros((len(pairs), 3), dtype=np.float32)
        if not pairs:
            return out
        encodings = self.tokenizer.encode_batch([(c[: self.MAX_CHARS], p[: self.MAX_CHARS]) for c, p in pairs])
        order = sorted(range(len(encodings)), key=lambda k: len(encodings[k].ids))
        for start in range(0, len(order), self.batch):
            group = order[start : start + self.batch]
            width = max(len(encodings[k].ids) for k in group)
            ids = np.zeros((len(group), width), dtype=np.int64)
            mask = np.zeros_like(ids)
            types = np.zeros_like(ids)
            for row, k in enumerate(group):
                n = len(encodings[k].ids)
                ids[row, :n] = encodings[k].ids
                mask[row, :n] = 1
                types[row, :n] = encodings[k].type_ids
            feeds = {"input_ids": ids, "attention_mask": mask, "token_type_ids": types}
            out[group] = np.asarray(self.session.run(["probs"], feeds)[0], dtype=np.float32)
        return out

    def predict(self, pairs: Sequence[tuple[str, str]]) -> list[StanceResult]:
        """Stance of each (claim, passage) pair."""
        out = []
        for row in self.probabilities(pairs):
            scores = {label: round(float(p), 4) for label, p in zip(LABELS, row, strict=True)}
            out.append(StanceResult(LABELS[int(np.argmax(row))], scores))
        return out


def get_stance_model() -> CrossStanceModel | StanceModel:
    """The process-wide stance model (loaded once through ``loading.shared``): the cross-encoder when installed."""
    from veracity.models.loading import shared

    build: Callable[[], CrossStanceModel | StanceModel] = (
        CrossStanceModel.shipped if ARTIFACT == CROSS_ARTIFACT else StanceModel
    )
    return shared("stance", build)


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
