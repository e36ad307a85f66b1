"""Check-worthy claims: every sentence scored for check-worthiness and ranked, so a fact-checker sees claims first.

The model is MiniLM-L6 fine-tuned on CheckThat! check-worthiness data and shipped as int8 ONNX
(``models/claims-minilm-l6-int8``, card beside it). Inference is onnxruntime + ``tokenizers`` + NumPy, one text per
model call on a small thread pool (``VERACITY_THREADS`` threads, default min(2, CPUs)), so a sentence's score never depends on what it is scored with.
``ClaimScorer.score_texts`` is the plain scoring function the analyzer, ``veracity claims score`` and the service share.
The model is English; other languages are scored but the scores mean little.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from veracity.analyzers._spacy import parse_many
from veracity.analyzers.base import BaseAnalyzer
from veracity.config import Settings
from veracity.doc import Document, Layer, Relation, Span
from veracity.errors import VeracityError
from veracity.models import loading
from veracity.sourcing.claims import claim_sourcing, sourcing_summary

__all__ = ["ARTIFACT", "ClaimAnalyzer", "ClaimScorer", "ScoredTexts"]

ARTIFACT = "claims-minilm-l6-int8"
#: one text per model call: activations are quantised to int8 per call, so scoring texts together would make a
#: sentence's score depend on its neighbours (measured on CT24 dev-test: up to 0.14, p99 0.09 at batch 16). Speed
#: comes from running calls on several threads instead (the ONNX session is thread-safe and releases the GIL).
#: The thread count follows ``VERACITY_THREADS`` like every other model (batch workers set it to 1).
#: only this many leading characters of a text are tokenised (the model reads at most ``max_tokens`` word pieces,
#: which never span more characters than this in ordinary text); longer texts are scored on their head and flagged
MAX_CHARS = 4096

#: how a sentence presents its content lowers its place in the ranking (never its score or label): the issue asks for
#: claims "ahead of colour and quotation", and a claim needs a finite verb. Checked on dev data (AP of the ranking,
#: score alone -> score x weights): CT24 dev-test 0.9575 -> 0.9570, CT24 dev 0.9838 -> 0.9837, CT21 debate dev
#: 0.0811 -> 0.0839; i.e. neutral on debate sentences, slightly better on whole transcripts.
#: prediction (0.9): what "will" or "is expected to" happen cannot be checked yet. Average precision of the ranking
#: with it vs without: CT24 dev 0.9826 vs 0.9837, dev-test 0.9587 vs 0.9570, CT22 tweets dev 0.7328 vs 0.7345 —
#: neutral on data; kept because it orders predictions after checkable statements of fact, as fact-checkers do.
RANK_WEIGHTS = {"reported": 0.8, "fragment": 0.8, "prediction": 0.9}
_MODALS = frozenset({"will", "'ll", "may", "might", "could", "would"})
_PREDICTION = re.compile(r"\b(expected|likely|set|due|going|poised) to\b", re.IGNORECASE)
#: fact-checks looked up per check-worthy claim (those above the store's calibrated MATCH_THRESHOLD are kept)
FACTCHECK_TOP_K = 3
#: verbs of saying whose presence makes a sentence reported speech (someone else's claim, relayed)
SPEECH_VERBS = frozenset(
    [
        "say",
        "tell",
        "report",
        "claim",
        "accuse",
        "warn",
        "note",
        "state",
        "announce",
        "allege",
        "insist",
        "argue",
        "deny",
        "suggest",
        "conclude",
        "criticize",
        "criticise",
        "add",
        "explain",
        "confirm",
        "reveal",
        "testify",
        "write",
        "believe",
        "think",
    ]
)
QUOTE_MARKS = frozenset('"“”')

LEGEND = {
    "checkworthy": "a factual claim worth checking: it states something verifiable that matters to the public",
    "not_checkworthy": "opinion, question, quotation colour or a minor detail: not a priority for fact-checking",
}


@dataclass(frozen=True)
class ScoredTexts:
    """Scores in [0, 1] and, per text, whether it was cut to its head (over the token or character cap)."""

    scores: np.ndarray
    truncated: np.ndarray


class ClaimScorer:
    """The check-worthiness model: tokenizer + int8 ONNX session + the decision threshold from its manifest."""

    _shared: ClassVar[dict[str, ClaimScorer]] = {}
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, artifact: str = ARTIFACT, threads: int | None = None) -> None:
        from tokenizers import Tokenizer

        from veracity.models.embedder import default_threads

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
        with cls._shared_lock:
            if artifact not in cls._shared:
                cls._shared[artifact] = cls(artifact)
            return cls._shared[artifact]

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
        if self._pool is None or len(ids) < 2 * self.workers:
            results = [self._run(x) for x in ids]
        else:
            results = list(self._pool.map(self._run, ids, chunksize=max(1, min(64, len(ids) // (4 * self.workers)))))
        scores[live] = results
        return ScoredTexts(np.clip(scores, 0.0, 1.0), truncated)


class ClaimAnalyzer(BaseAnalyzer):
    """Scores every sentence for check-worthiness, labels it at the model's threshold and ranks the document's claims."""

    name = "claims"
    produces = "claims"
    # The sourcing layers let every check-worthy claim say who (if anyone) it rests on.
    requires = ("sentences", "attributions", "sources")
    version = "0.2.0"
    description = (
        "Check-worthy claims: each sentence scored and ranked (MiniLM-L6 fine-tuned on CheckThat!, int8 ONNX)."
    )
    model_name = ARTIFACT

    def __init__(self, store: Any = None, settings: Settings | None = None) -> None:
        super().__init__()
        self._scorer: ClaimScorer | None = None
        self._store = store
        self._settings = settings
        self._store_note: str | None = None

    @classmethod
    def from_services(cls, services: Mapping[str, Any]) -> ClaimAnalyzer:
        """Take an injected fact-check store (``factcheck_store``) or open the default one from ``settings``."""
        return cls(store=services.get("factcheck_store"), settings=services.get("settings"))

    def _load(self) -> None:
        self._scorer = ClaimScorer.shared()
        if self._store is None:
            from veracity.stores import NO_DATABASE_MESSAGE, open_default_store

            self._store = open_default_store(self._settings)
            if self._store is None:
                self._store_note = NO_DATABASE_MESSAGE

    @property
    def threshold(self) -> float:
        """The decision threshold of the loaded model."""
        self.load()
        assert self._scorer is not None
        return self._scorer.threshold

    def score_texts(self, texts: Sequence[str]) -> np.ndarray:
        """Check-worthiness in [0, 1] per text (the function the CLI and the service reuse)."""
        self.load()
        assert self._scorer is not None
        return self._scorer.score_texts(texts)

    def _analyze(self, doc: Document) -> Layer:
        return self.analyze_batch_layers([doc])[0]

    def analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Score the sentences of all documents in one bulk call, then build each layer."""
        self.load()
        started = time.perf_counter()
        layers = self.analyze_batch_layers(docs)
        share = (time.perf_counter() - started) / max(1, len(docs))
        return [self._stamp(layer, share) for layer in layers]

    def analyze_batch_layers(self, docs: Sequence[Document]) -> list[Layer]:
        """Unstamped layers for ``docs`` (one model call over every sentence)."""
        assert self._scorer is not None
        sentence_spans = [doc.layer("sentences").spans for doc in docs]
        parsed = parse_many(docs)
        texts = [doc.text[s.start : s.end] for doc, spans in zip(docs, sentence_spans, strict=True) for s in spans]
        scored = self._scorer.score(texts)
        per_doc: list[list[dict[str, Any]]] = []
        offset = 0
        for doc, spans, parse_ in zip(docs, sentence_spans, parsed, strict=True):
            n = len(spans)
            records = self._records(spans, scored.scores[offset : offset + n], scored.truncated[offset : offset + n])
            for record in records:
                cue = presentation(parse_.char_span(record["start"], record["end"], alignment_mode="expand"))
                record["attrs"].update({k: True for k, v in cue.items() if v})
                record["text"] = doc.text[record["start"] : record["end"]]
            per_doc.append(records)
            offset += n
        sourcings = [self._add_sourcing(doc, records) for doc, records in zip(docs, per_doc, strict=True)]
        relations = self._add_factchecks(per_doc)
        layers = []
        for doc, records, sourcing, rels in zip(docs, per_doc, sourcings, relations, strict=True):
            _rank(records)
            layer = self._layer(records)
            data = dict(layer.data)
            sources = doc.layer("sources") if doc.has_layer("sources") else None
            data["summary"] = {
                **data["summary"],
                "sourcing": sourcing_summary(sourcing, sources),
                "factchecked": sum(1 for r in records if r["attrs"].get("factchecks")),
            }
            if self._store_note:
                data["notes"] = [self._store_note]
            layers.append(Layer("claims", layer.spans, rels, data))
        return layers

    def _add_sourcing(self, doc: Document, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Give each check-worthy claim ``attrs.sourcing`` (sourced / anonymous / unsourced) and its source."""
        found = []
        for r in records:
            if r["label"] != "checkworthy":
                continue
            result = claim_sourcing(doc, r["start"], r["end"])
            r["attrs"]["sourcing"] = result["sourcing"]
            for key in ("source", "source_id", "kind"):
                if result.get(key):
                    r["attrs"]["source_kind" if key == "kind" else key] = result[key]
            found.append(result)
        return found

    def _add_factchecks(self, per_doc: list[list[dict[str, Any]]]) -> list[list[Relation]]:
        """Match check-worthy claims against the fact-check store (one bulk search); keep calibrated matches."""
        relations: list[list[Relation]] = [[] for _ in per_doc]
        if self._store is None:
            return relations
        from veracity.stores import MATCH_THRESHOLD

        wanted = [
            (d, i) for d, records in enumerate(per_doc) for i, r in enumerate(records) if r["label"] == "checkworthy"
        ]
        if not wanted:
            return relations
        texts = [per_doc[d][i]["text"] for d, i in wanted]
        try:
            found = self._store.search_many(texts, top_k=FACTCHECK_TOP_K)
        except VeracityError as exc:  # e.g. a database without a search index: say so in the report, keep the claims
            self._store_note = f"fact-check search unavailable: {exc}"
            return relations
        for (d, i), matches in zip(wanted, found, strict=True):
            kept = [m for m in matches if m.score >= MATCH_THRESHOLD]
            if kept:
                per_doc[d][i]["attrs"]["factchecks"] = [m.as_attrs() for m in kept]
                for m in kept:
                    relations[d].append(Relation(f"claims/{i}", f"factcheck:{m.id}", "checked_by", round(m.score, 4)))
        return relations

    def _records(self, sentences: Sequence[Span], scores: np.ndarray, truncated: np.ndarray) -> list[dict[str, Any]]:
        """One record per sentence: range, score, label and attrs (sentence index, flags); cues and rank come after.

        Records are plain dicts until ``_layer`` makes spans, so other per-claim attrs (sourcing, fact-checks) are a
        small addition: update ``record["attrs"]`` before ``_layer``.
        """
        assert self._scorer is not None
        threshold = self._scorer.threshold
        records = []
        for index, (sentence, score, cut) in enumerate(
            zip(sentences, scores.tolist(), truncated.tolist(), strict=True)
        ):
            attrs: dict[str, Any] = {"sentence": index}
            if cut:
                attrs["truncated"] = True
            score = round(float(score), 4)
            records.append(
                {
                    "start": sentence.start,
                    "end": sentence.end,
                    "score": score,
                    "label": "checkworthy" if score >= threshold else "not_checkworthy",
                    "attrs": attrs,
                }
            )
        return records

    def _layer(self, records: list[dict[str, Any]]) -> Layer:
        """Spans (in text order) and the layer data: summary, legend, ids in rank order."""
        assert self._scorer is not None
        spans = [
            Span(r["start"], r["end"], r["label"], score=r["score"], id=f"claims/{i}", attrs=r["attrs"])
            for i, r in enumerate(records)
        ]
        ranked = sorted(spans, key=lambda s: s.attrs["rank"])
        summary = {
            "claims": len(spans),
            "checkworthy": sum(1 for s in spans if s.label == "checkworthy"),
            "threshold": round(self._scorer.threshold, 4),
        }
        return Layer(
            "claims",
            spans,
            data={"summary": summary, "legend": dict(LEGEND), "ranked": [s.id for s in ranked]},
        )


def presentation(sentence: Any) -> dict[str, bool]:
    """How a sentence (a spaCy Span) presents its content: reported speech or quotation, verbless fragment, prediction."""
    if sentence is None:
        return {"reported": False, "fragment": False, "prediction": False}
    tokens = [t for t in sentence if not t.is_space]
    reported = (
        any(t.pos_ == "VERB" and t.lemma_.lower() in SPEECH_VERBS for t in tokens)
        or "according to" in sentence.text.lower()
        or any(c in QUOTE_MARKS for c in sentence.text)
    )
    finite = any("Fin" in t.morph.get("VerbForm") or t.tag_ in {"VBD", "VBZ", "VBP", "MD"} for t in tokens)
    prediction = any(t.dep_ == "aux" and t.lower_ in _MODALS and t.head.dep_ == "ROOT" for t in tokens) or bool(
        _PREDICTION.search(sentence.text)
    )
    return {"reported": reported, "fragment": not finite, "prediction": prediction}


def _rank(records: list[dict[str, Any]]) -> None:
    """Rank 1 = highest priority = score x RANK_WEIGHTS of the sentence's presentation cues; ties by position.

    Fact-check matches do not change the rank: the rank says how much a claim needs checking, and the matches shown
    under it say whether that work is already done.
    """
    for r in records:
        weight = 1.0
        for cue, w in RANK_WEIGHTS.items():
            if r["attrs"].get(cue):
                weight *= w
        r["attrs"]["priority"] = round(r["score"] * weight, 4)
    order = sorted(range(len(records)), key=lambda i: (-records[i]["attrs"]["priority"], i))
    for rank, i in enumerate(order, start=1):
        records[i]["attrs"]["rank"] = rank
