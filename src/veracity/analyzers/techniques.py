"""Propaganda and persuasion techniques (the 14 classes of SemEval-2020 Task 11) as character spans, each in a voice.

A MiniLM encoder fine-tuned on the PTC train articles (``training/train_techniques.py``; card in
``src/veracity/models/techniques-minilm-int8/CARD.md``) runs as int8 ONNX over overlapping 256-token windows of the whole
article, one encoder pass per window. Its token head says, per word piece, how likely it lies inside any technique span;
runs above the threshold chosen by cross-validation become spans, cut at line and paragraph breaks, footnote marks and
sentence ends (each piece must earn its place), snapped to whole words and trimmed. A span head then ranks the 14
techniques for each span from the encoder states of its tokens: one span per passage with its best label, the
runners-up with their probabilities in ``attrs["alternatives"]``. The ``attributions`` layer says whose voice each span
is in (the writer's, a direct quotation's speaker, reported speech), and the summary gives techniques per 1,000 words
of the writer's own words and of direct quotations separately.

``classify_techniques(text, spans)`` exposes the span head alone (SemEval's "technique classification" setting), and
answers ``[]`` ("no technique recognised") where the tagger's evidence stays below a threshold calibrated on PTC train
sentences without any technique (``training/calibrate_techniques.py``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

import numpy as np

from veracity import budget
from veracity.analyzers import _techniques_decode as dec
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.errors import ModelMissingError, UsageError
from veracity.models.loading import artifact_path, onnx_session

__all__ = [
    "ARTIFACT",
    "DEFINITIONS",
    "LABELS",
    "VOICES",
    "TechniqueAnalyzer",
    "TechniqueModel",
    "classify_techniques",
    "voice_of",
    "voice_summary",
]

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
#: Runner-up techniques listed with their probabilities in a span's ``attrs["alternatives"]``.
ALTERNATIVES = 3


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
        probs_avg = hidden_avg = None
        for i in range(0, len(starts), WINDOWS_PER_CALL):  # bounded memory for very long texts
            budget.check()
            chunk = starts[i : i + WINDOWS_PER_CALL]
            input_ids, mask = dec.window_batch(ids, chunk, self.body)
            probs, hidden = self._session.run(["probs", "hidden"], {"input_ids": input_ids, "attention_mask": mask})
            if probs_avg is None or hidden_avg is None:
                probs_avg = dec.WindowAverage(n, self.body, probs.shape[-1])
                hidden_avg = dec.WindowAverage(n, self.body, hidden.shape[-1])
            probs_avg.add(chunk, probs)  # summed as they come: only one call's windows are held at a time
            hidden_avg.add(chunk, hidden)
        assert probs_avg is not None and hidden_avg is not None  # n > 0, so there is at least one window
        return probs_avg.result(), hidden_avg.result()

    def rank(self, hidden: np.ndarray, a: int, b: int) -> np.ndarray:
        """Probabilities of the 14 techniques for the span over tokens ``[a, b)``."""
        feats = dec.span_features(hidden, a, b)
        return dec.softmax(self._head_w @ feats + self._head_b)

    def bounds(self, text: str, sentences: Sequence[tuple[int, int]] | None = None) -> list[tuple[int, int]]:
        """The ranges a span must stay inside: paragraphs (and lines, per ``decoding.json``) cut at footnote marks,
        and one sentence each when ``sentences`` are given and the decoding splits at sentence ends."""
        d = self.decoding
        keep_sentences = sentences if d.get("split_sentences", False) else None
        return dec.segments(text, bool(d.get("line_breaks", False)), keep_sentences)

    def regions(
        self,
        text: str,
        offsets: np.ndarray,
        probs: np.ndarray,
        sentences: Sequence[tuple[int, int]] | None = None,
    ) -> list[tuple[int, int, float, int, int]]:
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
            bounds=self.bounds(text, sentences),
        )

    def tag(
        self, text: str, sentences: Sequence[tuple[int, int]] | None = None
    ) -> list[tuple[int, int, str, float, dict[str, Any]]]:
        """Technique spans ``(start, end, label, score, attrs)`` of a whole text: one span per passage, never overlapping.

        Each span carries its best technique; the runners-up with their probabilities are in ``attrs["alternatives"]``.
        ``sentences`` (character ranges) keep spans within the sentences their evidence reaches.
        """
        ids, offsets = self.encode(text)
        if len(ids) == 0:
            return []
        probs, hidden = self.token_outputs(ids)
        return self.tag_outputs(text, offsets, probs, hidden, sentences)

    def tag_outputs(
        self,
        text: str,
        offsets: np.ndarray,
        probs: np.ndarray,
        hidden: np.ndarray,
        sentences: Sequence[tuple[int, int]] | None = None,
    ) -> list[tuple[int, int, str, float, dict[str, Any]]]:
        """``tag`` from already computed token outputs (the evaluation reuses them for the other measures)."""
        out = []
        drop = bool(self.decoding.get("none_filters_spans", False))
        for start, end, detection, a, b in self.regions(text, offsets, probs, sentences):
            present = self.presence(probs, a, b)
            if drop and present < self.none_threshold:
                continue
            ranked = self.rank(hidden, a, b)
            order = np.argsort(-ranked)
            attrs: dict[str, Any] = {}
            if LABELS[int(order[0])] == "Repetition" and not recurs(text, start, end):
                order = np.concatenate([order[1:2], order[:1], order[2:]])
                attrs["label_rule"] = "no word of the passage recurs in the text, so the runner-up replaces Repetition"
            best = float(ranked[order[0]])
            attrs |= {
                "detection": round(detection, 4),
                "technique_probability": round(present, 4),
                "label_probability": round(best, 4),
                "alternatives": [[LABELS[int(k)], round(float(ranked[k]), 4)] for k in order[1 : ALTERNATIVES + 1]],
            }
            out.append((start, end, LABELS[int(order[0])], round(detection * best, 4), attrs))
        return out

    def presence(self, probs: np.ndarray, a: int, b: int) -> float:
        """P(tokens ``[a, b)`` hold any technique): the calibrated "none" model over the tagger's outputs there
        (``decoding.json`` "none"; without one, the best decoding score among the tokens)."""
        d = self.decoding
        if b <= a:
            return 0.0
        method, weight = d["method"], float(d.get("any_weight", 1.0))
        if "none" in d:
            return dec.technique_probability(dec.none_features(probs[a:b], method, weight), d["none"])
        return float(dec.score_column(probs[a:b], method, weight).max())

    @property
    def none_threshold(self) -> float:
        """Below this presence a passage gets "no technique recognised" (calibrated on PTC train; see the card)."""
        calibration = self.decoding.get("none")
        return float(calibration["threshold"]) if calibration else 0.0

    def classify(
        self, text: str, spans: Sequence[tuple[int, int]], threshold: float | None = None
    ) -> list[list[tuple[str, float]]]:
        """All 14 techniques ranked by probability for each given character span of ``text``, or ``[]`` for a span
        in which no technique reaches ``threshold`` (default: the calibrated "none" threshold; 0 ranks every span)."""
        ids, offsets = self.encode(text)
        if len(ids) == 0:
            raise UsageError("the text has no words to classify; pass the article text the spans point into")
        probs, hidden = self.token_outputs(ids)
        cut = self.none_threshold if threshold is None else float(threshold)
        result: list[list[tuple[str, float]]] = []
        for start, end in spans:
            a, b = dec.span_tokens(offsets, start, end)
            if cut > 0 and self.presence(probs, a, b) < cut:
                result.append([])
                continue
            ranked = self.rank(hidden, a, b)
            result.append([(LABELS[int(k)], float(ranked[k])) for k in np.argsort(-ranked)])
        return result


_WORDS = re.compile(r"\w+(?:[-'’]\w+)*")


def recurs(text: str, start: int, end: int) -> bool:
    """Whether a word of ``text[start:end]`` (of 4+ letters, or any when it has none) occurs elsewhere in ``text``.

    Repetition needs something repeated: 97% of PTC train Repetition spans pass this test, and of the gold spans that
    fail it only 1.1% are Repetition, so a Repetition label on a passage that fails it gives way to the runner-up.
    """
    words = [w.lower() for w in _WORDS.findall(text[start:end])]
    words = [w for w in words if len(w) >= 4] or words
    rest = (text[:start] + " " + text[end:]).lower()
    return any(re.search(r"(?<!\w)" + re.escape(w) + r"(?!\w)", rest) for w in words)


def get_model() -> TechniqueModel:
    """The process-wide technique model, loaded on first use (the one per-process model cache)."""
    from veracity.models import loading

    return loading.shared("techniques", TechniqueModel)


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


def classify_techniques(
    text: str, spans: list[tuple[int, int]], *, threshold: float | None = None
) -> list[list[tuple[str, float]]]:
    """For each ``(start, end)`` span of ``text``, all 14 technique labels ranked by probability (best first), or an
    empty list when no technique is recognised there (the tagger's evidence stays below the "none" threshold
    calibrated on PTC train sentences without any technique; ``threshold=0`` ranks every span).

    Raises ``UsageError`` for empty text and for empty, inverted, out-of-range or whitespace-only spans.
    """
    checked = _check_spans(text, spans)
    if not checked:
        return []
    return get_model().classify(text, checked, threshold)


#: Voices of a technique span: the writer's own words, a direct quotation, or reported speech with a named source.
VOICES = ("writer", "quoted", "reported")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


#: A source that is one of these words, unresolved, is the writer speaking of themself ("I applaud the crew").
_FIRST_PERSON = {"i", "we", "me", "us", "my", "our"}


def _voice_spans(text: str, attributions: Sequence[Span]) -> list[tuple[int, int, str, int, Span]]:
    """Content ranges ``(start, end, voice, index, attribution)`` of attributions that have a source.

    Direct quotations are "quoted", indirect speech and beliefs "reported". Content without a source (scare quotes,
    "was said to …") stays in the writer's voice: nobody else is answerable for it; so does content whose only source
    is an unresolved "I" or "we" (the writer).
    """
    out = []
    for i, att in enumerate(attributions):
        src = att.attrs.get("resolved_source") or att.attrs.get("source")
        if not src or text[src["start"] : src["end"]].strip().lower() in _FIRST_PERSON:
            continue
        voice = "quoted" if att.label == "direct" else "reported"
        parts = att.attrs.get("parts") or [{"start": att.start, "end": att.end}]
        for part in parts:
            out.append((int(part["start"]), int(part["end"]), voice, i, att))
    return out


def voice_of(text: str, start: int, end: int, voiced: Sequence[tuple[int, int, str, int, Span]]) -> dict[str, Any]:
    """The voice of characters ``[start, end)``: the innermost attributed content holding most of it, else the writer.

    Returns ``{"voice": …}`` plus, for quoted or reported content, ``speaker`` (text), ``speaker_span`` and
    ``attribution`` (the attributions span id).
    """
    best = None
    for a, b, voice, i, att in voiced:
        covered = max(0, min(end, b) - max(start, a))
        if 2 * covered < end - start:
            continue
        # a direct quotation wins, the whole quotation rather than a clause parsed inside it ("… attack on desperate
        # children" is the senator's, not "this bill"'s); among reported contents the innermost is the most specific
        key = (0, a - b) if voice == "quoted" else (1, b - a)
        if best is None or key < best[0]:
            best = (key, voice, i, att)
    if best is None:
        return {"voice": "writer"}
    _, voice, i, att = best
    src: dict[str, int] = att.attrs.get("resolved_source") or att.attrs["source"]  # _voice_spans kept sourced ones
    return {
        "voice": voice,
        "speaker": text[src["start"] : src["end"]],
        "speaker_span": {"start": int(src["start"]), "end": int(src["end"])},
        "attribution": f"attributions/{i}",
    }


def voice_summary(
    text: str, spans: Sequence[Span], voiced: Sequence[tuple[int, int, str, int, Span]]
) -> dict[str, Any]:
    """Techniques and words per voice, and techniques per 1,000 words of each voice.

    Besides the three voices, ``writers_wording`` pools the writer's own voice and reported speech (a paraphrase is in
    the writer's words, and what the writer chooses to report is theirs to answer for): the density a summary should
    use. ``quoted`` alone holds other people's own words.
    """
    mark = np.zeros(len(text) + 1, dtype=np.int8)  # 0 writer, 1 reported, 2 quoted (a quote inside reported speech)
    for a, b, voice, _, _ in voiced:
        level = 2 if voice == "quoted" else 1
        mark[a:b] = np.maximum(mark[a:b], level)
    words = {"writer": 0, "reported": 0, "quoted": 0}
    names = ("writer", "reported", "quoted")
    for m in _WORD.finditer(text):
        words[names[int(mark[m.start()])]] += 1
    out: dict[str, Any] = {}
    for voice in VOICES:
        n = sum(1 for sp in spans if sp.attrs.get("voice") == voice)
        out[voice] = _density(n, words[voice])
    out["writers_wording"] = _density(
        out["writer"]["techniques"] + out["reported"]["techniques"], words["writer"] + words["reported"]
    )
    return out


def _density(techniques: int, words: int) -> dict[str, Any]:
    return {
        "techniques": techniques,
        "words": words,
        "per_1000_words": round(1000.0 * techniques / words, 2) if words else 0.0,
    }


def _statement(voices: dict[str, Any]) -> str:
    """One line for a reader: whose words the techniques are in."""
    own = voices["writers_wording"]["techniques"]
    reported = voices["reported"]["techniques"]
    quoted = voices["quoted"]["techniques"]
    if own + quoted == 0:
        return "No persuasion technique recognised."
    if own == 0:
        if quoted == 1:
            return "The one persuasion technique found is inside a direct quotation, not in the writer's own words."
        return (
            f"All {quoted} persuasion techniques found are inside direct quotations; none is in the writer's own words."
        )
    dens = voices["writers_wording"]["per_1000_words"]
    line = f"{own} persuasion technique{'s' if own != 1 else ''} in the writer's own words ({dens:g} per 1,000 words"
    line += f", {reported} of them in reported speech)" if reported else ")"
    if quoted:
        line += f"; {quoted} more inside direct quotations"
    return line + "."


class TechniqueAnalyzer(BaseAnalyzer):
    """Tags propaganda techniques (SemEval-2020 Task 11 classes) as character spans, each in its speaker's voice."""

    name = "techniques"
    produces = "techniques"
    requires = ("sentences", "attributions")
    version = "0.2.0"
    description = (
        "Propaganda techniques (14 SemEval-2020 T11 classes) as spans, each marked as the writer's own or quoted;"
        " MiniLM fine-tuned on PTC, int8 ONNX."
    )
    model_name = ARTIFACT

    def _load(self) -> None:
        self._model = get_model()

    def _analyze(self, doc: Document) -> Layer:
        sentences = doc.layers["sentences"].spans if "sentences" in doc.layers else ()
        attributions = doc.layers["attributions"].spans if "attributions" in doc.layers else ()
        found = self._model.tag(doc.text, [(s.start, s.end) for s in sentences] or None)
        voiced = _voice_spans(doc.text, attributions)
        spans = [
            Span(s, e, label, score=score, attrs={**attrs, **voice_of(doc.text, s, e, voiced)})
            for s, e, label, score, attrs in found
        ]
        spans.sort(key=lambda sp: (sp.start, sp.end))
        counts = {label: 0 for label in LABELS}
        for sp in spans:
            counts[sp.label] += 1
        with_technique = sum(1 for sent in sentences if any(sp.overlaps(sent) for sp in spans))
        share = round(with_technique / len(sentences), 4) if sentences else 0.0
        voices = voice_summary(doc.text, spans, voiced)
        return Layer(
            "techniques",
            tuple(spans),
            data={
                "legend": dict(DEFINITIONS),
                "summary": {
                    "counts": {k: v for k, v in counts.items() if v},
                    "spans": len(spans),
                    "sentences_with_technique_share": share,
                    "voices": voices,
                    "writer_per_1000_words": voices["writers_wording"]["per_1000_words"],
                    "quoted_per_1000_words": voices["quoted"]["per_1000_words"],
                    "statement": _statement(voices),
                },
                "decoding": dict(self._model.decoding),
            },
        )
