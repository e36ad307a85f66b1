"""Small stand-in analyzers that produce the layers the page draws (techniques, claims, sources) deterministically.

They let the API and page tests check rendering and wiring without the trained models; the browser test and the
seed-article checks use the real analyzers.
"""

from __future__ import annotations

import re
import threading
import time

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer, Span

LEGEND = {
    "Loaded_Language": "words chosen for their emotional charge rather than their meaning",
    "Name_Calling,Labeling": "a label that makes the reader fear, hate or admire its target",
}


class FakeTechniques(BaseAnalyzer):
    """Marks 'so-called …' as loaded language and 'terrorists' as name calling."""

    name = produces = "techniques"
    version = "0.0-test"
    description = "test stand-in for the techniques analyzer"

    def _analyze(self, doc: Document) -> Layer:
        spans = [Span(m.start(), m.end(), "Loaded_Language", 0.9) for m in re.finditer(r"so-called \S+", doc.text)]
        spans += [Span(m.start(), m.end(), "Name_Calling,Labeling", 0.8) for m in re.finditer(r"terrorists", doc.text)]
        return Layer("techniques", tuple(sorted(spans, key=lambda s: s.start)), data={"legend": LEGEND})


class FakeClaims(BaseAnalyzer):
    """Every sentence is a claim; the longer, the more check-worthy; the first gets fact-checks."""

    name = produces = "claims"
    requires = ("sentences",)
    version = "0.0-test"
    description = "test stand-in for the claims analyzer"

    def _analyze(self, doc: Document) -> Layer:
        sentences = doc.layers["sentences"].spans
        ranked = sorted(sentences, key=lambda s: -(s.end - s.start))
        rank = {(s.start, s.end): i + 1 for i, s in enumerate(ranked)}
        spans = []
        for i, s in enumerate(sentences):
            attrs: dict = {"rank": rank[(s.start, s.end)], "sourcing": "unsourced" if i == 0 else "sourced"}
            if i == 0:
                attrs["factchecks"] = [
                    {"id": "fc1", "score": 0.91, "claim": "White Helmets are terrorists", "rating": "false",
                     "textual_rating": "False", "publisher": "Snopes", "url": "https://www.snopes.com/fact-check/x/"},
                    {"id": "fc2", "score": 0.5, "claim": "Evil link", "rating": "false", "textual_rating": "False",
                     "publisher": "Nobody", "url": "javascript:alert(1)"},
                ]  # fmt: skip
            score = min(1.0, (s.end - s.start) / 300)
            label = "checkworthy" if score > 0.3 or i == 0 else "not_checkworthy"
            spans.append(Span(s.start, s.end, label, score, None, attrs))
        return Layer("claims", tuple(spans))


class FakeSources(BaseAnalyzer):
    """Marks 'Sputnik…' as a low-reliability outlet and 'anonymous … officials' as anonymous sources."""

    name = produces = "sources"
    version = "0.0-test"
    description = "test stand-in for the sources analyzer"

    def _analyze(self, doc: Document) -> Layer:
        spans = [
            Span(m.start(), m.end(), "outlet", 0.9, None, {"kind": "outlet", "reliability": {"score": 0.12, "rating": "low"}})
            for m in re.finditer(r"Sputnik\w*(\.com)?", doc.text)
        ]  # fmt: skip
        spans += [
            Span(m.start(), m.end(), "anonymous", 0.8, None, {"kind": "anonymous"})
            for m in re.finditer(r"anonymous [A-Z]+ officials", doc.text)
        ]
        spans.sort(key=lambda s: s.start)
        summary = {"share_unsourced": 0.25, "sources": [{"name": "Sputnik", "kind": "outlet", "count": 3,
                   "reliability": {"score": 0.12, "rating": "low"}}]}  # fmt: skip
        return Layer("sources", tuple(spans), data={"summary": summary})


class SlowAnalyzer(BaseAnalyzer):
    """Sleeps, to exercise the time budget and the queue; counts how many run at once."""

    name = produces = "slow"
    version = "0.0-test"
    description = "test analyzer that sleeps"
    seconds = 1.0

    def __init__(self) -> None:
        super().__init__()
        self.running = 0
        self.peak = 0
        self._count_lock = threading.Lock()

    def _analyze(self, doc: Document) -> Layer:
        with self._count_lock:
            self.running += 1
            self.peak = max(self.peak, self.running)
        try:
            time.sleep(self.seconds)
        finally:
            with self._count_lock:
                self.running -= 1
        return Layer("slow", (Span(0, min(4, len(doc.text)), "slow"),))
