"""Propaganda and persuasion techniques (the 14 classes of SemEval-2020 Task 11) as character spans.

A MiniLM encoder fine-tuned on the PTC train articles (``training/train_techniques.py``; card in
``src/veracity/models/techniques-minilm-int8/CARD.md``) runs as int8 ONNX over overlapping 256-token windows of the whole
article, one encoder pass per window. Its token head says, per word piece, how likely it lies inside any technique span;
runs above the threshold chosen by cross-validation become spans (snapped to whole words). A span head then ranks the
14 techniques for each span from the encoder states of its tokens: the best label always becomes a span, and a second
label that is nearly as likely becomes an overlapping span of its own.

``classify_techniques(text, spans)`` exposes the span head alone (SemEval's "technique classification" setting).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from functools import cache
from typing import Any

import numpy as np

from veracity.analyzers import _techniques_decode as dec
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.errors import ModelMissingError, UsageError
from veracity.models.loading import artifact_path, onnx_session

__all__ = ["ARTIFACT", "DEFINITIONS", "LABELS", "TechniqueAnalyzer", "TechniqueModel", "classify_techniques"]

ARTIFACT = "techniques-minilm-int8"
LABELS = dec.LABELS

#: One-line plain-language definitions shown in reports and on the web page (after Da San Martino et al., 2019/2020).
DEFINITIONS: dict[str, str] = {
    "Loaded_Language": "Words or phrases with strong emotional charge, used to sway the reader rather than inform.",
    "Name_Calling,Labeling": "Tying the subject to a label the audience fears, hates or admires, instead of arguing.",
    "Repetition": "Repeating the same message over and over so that it sticks and is accepted.",
    "Doubt": "Questioning the credibility of someone or something without real evidence.",
    "Exaggeration,Minimisation": "Making something look much bigger or better, or much smaller or less harmful, than it is.",
    "Appeal_to_fear-prejudice": "Building support by stoking fear or anxiety about an alternative, often using prejudice.",
    "Flag-Waving": "Playing on patriotism or group identity to justify or promote a position.",
    "Causal_Oversimplification": "Pinning a complex issue on a single cause, or blaming one person or group.",
    "Appeal_to_Authority": "Claiming something is true because an authority or expert says so, with no other support.",
    "Slogans": "A short, catchy phrase that works through emotion or stereotype rather than argument.",
    "Whataboutism,Straw_Men,Red_Herring": "Deflecting: accusing the critic of hypocrisy, distorting their view, or changing the subject.",
    "Black-and-White_Fallacy": "Presenting two options as the only possible ones when more exist.",
    "Thought-terminating_Cliches": 'A stock phrase that discourages further thought or discussion ("it is what it is").',
    "Bandwagon,Reductio_ad_hitlerum": "Join because everyone does; or reject an idea because a hated group holds it.",
}

#: Windows per onnxruntime call: an article of up to ~7,000 word pieces goes in one call; longer texts in several.
WINDOWS_PER_CALL = 32
#: A second technique becomes its own (overlapping) span when its probability is at least this share of the best one's.
SECOND_LABEL_RATIO = 0.6


class TechniqueModel:
    """The shipped int8 ONNX tagger with its span head and decoding settings; thread-safe, one per process."""

    def __init__(self, threads: int | None = None) -> None:
        """Load the verified files (raises ``ModelMissingError`` when the artifact is absent or corrupt)."""
        from tokenizers import Tokenizer

        try:
            tokenizer = Tokenizer.from_file(str(artifact_path(ARTIFACT, "tokenizer.json")))
            head = np.load(artifact_path(ARTIFACT, "span_head.npz"))
            config = json.loads(artifact_path(ARTIFACT, "decoding.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelMissingError(f"cannot read the {ARTIFACT} model files: {exc}; reinstall veracity") from exc
        except Exception as exc:  # the tokenizers library raises plain Exception subclasses
            raise ModelMissingError(f"cannot read the {ARTIFACT} tokenizer: {exc}; reinstall veracity") from exc
        if tuple(config["labels"]) != LABELS:
            raise ModelMissingError(f"{ARTIFACT}/decoding.json lists other labels than this veracity; reinstall it")
        tokenizer.no_truncation()
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._head_w = head["weight"].astype(np.float32)
        self._head_b = head["bias"].astype(np.float32)
        self.decoding: dict[str, Any] = dict(config["decoding"])
        self.body = int(config.get("max_len", dec.MAX_LEN)) - 2
        self._session = onnx_session(ARTIFACT, "model.onnx", threads)

    def encode(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """Word-piece ids and character offsets of the whole text."""
        return dec.encode(self._tokenizer, text)

    def token_outputs(self, ids: np.ndarray, stride: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Per-token probabilities (n, 15) and encoder states (n, 384), one encoder pass per overlapping window."""
        n = len(ids)
        if n == 0:
            return np.zeros((0, dec.ANY + 1), np.float32), np.zeros((0, self._head_w.shape[1] // 3), np.float32)
        starts = dec.window_starts(n, self.body, int(stride or self.decoding["stride"]))
        probs_parts, hidden_parts = [], []
        for i in range(0, len(starts), WINDOWS_PER_CALL):  # bounded memory for very long texts
            input_ids, mask = dec.window_batch(ids, starts[i : i + WINDOWS_PER_CALL], self.body)
            probs, hidden = self._session.run(["probs", "hidden"], {"input_ids": input_ids, "attention_mask": mask})
            probs_parts.append(probs)
            hidden_parts.append(hidden)
        width = max(p.shape[1] for p in probs_parts)
        probs = np.concatenate([_pad_to(p, width) for p in probs_parts])
        hidden = np.concatenate([_pad_to(h, width) for h in hidden_parts])
        return dec.combine_windows(n, starts, self.body, probs), dec.combine_windows(n, starts, self.body, hidden)

    def rank(self, hidden: np.ndarray, a: int, b: int) -> np.ndarray:
        """Probabilities of the 14 techniques for the span over tokens ``[a, b)``."""
        feats = dec.span_features(hidden, a, b)
        return dec.softmax(self._head_w @ feats + self._head_b)

    def regions(self, text: str, offsets: np.ndarray, probs: np.ndarray) -> list[tuple[int, int, float, int, int]]:
        """Label-agnostic technique spans ``(start, end, score, first token, end token)`` with the shipped decoding."""
        d = self.decoding
        col = dec.score_column(probs, d["method"], float(d.get("any_weight", 1.0)))
        high = d.get("high")
        return dec.decode_spans(
            text,
            offsets,
            col,
            float(d["threshold"]),
            int(d["gap"]),
            int(d["min_chars"]),
            None if high is None else float(high),
        )

    def tag(self, text: str) -> list[tuple[int, int, str, float, dict[str, Any]]]:
        """Technique spans ``(start, end, label, score, attrs)`` of a whole text, overlapping where two labels fit."""
        ids, offsets = self.encode(text)
        if len(ids) == 0:
            return []
        probs, hidden = self.token_outputs(ids)
        out = []
        for start, end, detection, a, b in self.regions(text, offsets, probs):
            ranked = self.rank(hidden, a, b)
            order = np.argsort(-ranked)
            alternatives = [[LABELS[int(k)], round(float(ranked[k]), 4)] for k in order[:3]]
            best = float(ranked[order[0]])
            for k in order[:2]:
                p = float(ranked[k])
                if k != order[0] and p < SECOND_LABEL_RATIO * best:
                    break
                attrs = {
                    "detection": round(detection, 4),
                    "label_probability": round(p, 4),
                    "alternatives": alternatives,
                }
                out.append((start, end, LABELS[int(k)], round(detection * p, 4), attrs))
        return out

    def classify(self, text: str, spans: Sequence[tuple[int, int]]) -> list[list[tuple[str, float]]]:
        """All 14 techniques ranked by probability for each given character span of ``text``."""
        ids, offsets = self.encode(text)
        if len(ids) == 0:
            raise UsageError("the text has no words to classify; pass the article text the spans point into")
        _, hidden = self.token_outputs(ids)
        result = []
        for start, end in spans:
            a, b = dec.span_tokens(offsets, start, end)
            ranked = self.rank(hidden, a, b)
            result.append([(LABELS[int(k)], float(ranked[k])) for k in np.argsort(-ranked)])
        return result


def _pad_to(x: np.ndarray, width: int) -> np.ndarray:
    """Pad axis 1 (window length) with zeros up to ``width``."""
    if x.shape[1] == width:
        return x
    return np.pad(x, ((0, 0), (0, width - x.shape[1]), (0, 0)))


_model_lock = threading.Lock()


@cache
def _cached_model() -> TechniqueModel:
    with _model_lock:
        return TechniqueModel()


def get_model() -> TechniqueModel:
    """The process-wide technique model, loaded on first use."""
    return _cached_model()


def _check_spans(text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    if not isinstance(text, str):
        raise UsageError(f"text must be a str, got {type(text).__name__}")
    if not text.strip():
        raise UsageError("the text is empty; classify_techniques needs the article text the spans point into")
    checked = []
    for i, span in enumerate(spans):
        try:
            start, end = (int(x) for x in span)
        except (TypeError, ValueError):
            raise UsageError(
                f"span {i} is {span!r}; each span must be a (start, end) pair of character offsets"
            ) from None
        if start < 0 or end > len(text):
            raise UsageError(
                f"span {i} ({start}, {end}) lies outside the text (0..{len(text)}); offsets are str indices into text"
            )
        if end <= start:
            what = "is empty" if end == start else "ends before it starts"
            raise UsageError(f"span {i} ({start}, {end}) {what}; pass a half-open range [start, end) with start < end")
        if not text[start:end].strip():
            raise UsageError(f"span {i} ({start}, {end}) covers only whitespace; select at least one word")
        checked.append((start, end))
    return checked


def classify_techniques(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[str, float]]]:
    """For each ``(start, end)`` span of ``text``, all 14 technique labels ranked by probability (best first).

    Raises ``UsageError`` for empty text and for empty, inverted, out-of-range or whitespace-only spans.
    """
    checked = _check_spans(text, spans)
    if not checked:
        return []
    return get_model().classify(text, checked)


class TechniqueAnalyzer(BaseAnalyzer):
    """Tags propaganda techniques (SemEval-2020 Task 11 classes) as overlapping character spans."""

    name = "techniques"
    produces = "techniques"
    requires = ("sentences",)
    version = "0.1.0"
    description = "Propaganda techniques (14 SemEval-2020 T11 classes) as spans; MiniLM fine-tuned on PTC, int8 ONNX."
    model_name = ARTIFACT

    def _load(self) -> None:
        self._model = get_model()

    def _analyze(self, doc: Document) -> Layer:
        found = self._model.tag(doc.text)
        spans = [Span(s, e, label, score=score, attrs=attrs) for s, e, label, score, attrs in found]
        spans.sort(key=lambda sp: (sp.start, sp.end, -(sp.score or 0.0)))
        counts = {label: 0 for label in LABELS}
        for sp in spans:
            counts[sp.label] += 1
        sentences = doc.layers["sentences"].spans if "sentences" in doc.layers else ()
        with_technique = sum(1 for sent in sentences if any(sp.overlaps(sent) for sp in spans))
        share = round(with_technique / len(sentences), 4) if sentences else 0.0
        return Layer(
            "techniques",
            tuple(spans),
            data={
                "legend": dict(DEFINITIONS),
                "summary": {
                    "counts": {k: v for k, v in counts.items() if v},
                    "spans": len(spans),
                    "sentences_with_technique_share": share,
                },
                "decoding": dict(self._model.decoding),
            },
        )
