"""veracity: explainable, offline analysis of news articles for disinformation.

    >>> import veracity
    >>> report = veracity.analyze("Officials said the bridge will reopen in May.", only=["entities"])
    >>> [s.text for s in report.layer("entities").spans]

Every finding is a character span of the analysed text. See ``Pipeline`` to analyse many documents with one set of
loaded models.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from veracity import errors
from veracity._version import __version__
from veracity.config import Services
from veracity.doc import Document, Layer, Provenance, Relation, Span
from veracity.errors import VeracityError
from veracity.pipeline import Pipeline
from veracity.report import Report

__all__ = [
    "Document",
    "Layer",
    "Pipeline",
    "Provenance",
    "Relation",
    "Report",
    "Span",
    "VeracityError",
    "__version__",
    "analyze",
    "classify_techniques",
    "errors",
    "stance",
]


@lru_cache(maxsize=1)
def _default_services() -> Services:
    """The process's services for ``analyze`` (one fact-check store shared by every cached pipeline)."""
    return Services.open()


@lru_cache(maxsize=8)
def _default_pipeline(only: tuple[str, ...] | None) -> Pipeline:
    return Pipeline.from_settings(only=only, services=_default_services())


def analyze(
    text_or_document: str | Document,
    *,
    title: str | None = None,
    url: str | None = None,
    only: Iterable[str] | None = None,
) -> Report:
    """Analyse one article (text or Document) with every registered analyzer, or just the layers in ``only``.

    A ``title`` is analysed with the text (it opens the report's text; ``meta.body_start`` says where the body begins).

    The pipeline for a given ``only`` is built once per process and reused, so repeated calls do not reload models.
    """
    from veracity.ingest import from_text
    from veracity.ingest.sources import with_headline

    only_key = tuple(only) if only is not None else None
    if isinstance(only, str):
        only_key = tuple(part for part in only.split(","))
    doc = (
        text_or_document
        if isinstance(text_or_document, Document)
        else with_headline(from_text(text_or_document, url=url), title)
    )
    if isinstance(text_or_document, Document) and (title or url):
        doc = doc.with_meta(title=title, url=url)
    return _default_pipeline(only_key).run(doc)


def classify_techniques(text: str, spans: list[tuple[int, int]]) -> list[list[tuple[str, float]]]:
    """For each ``(start, end)`` span of ``text``, the 14 SemEval-2020 T11 technique labels ranked by probability.

    Raises ``UsageError`` for empty text and for empty, inverted, out-of-range or whitespace-only spans.
    """
    from veracity.analyzers.techniques import classify_techniques as _classify

    return _classify(text, spans)


def stance(pairs: list[tuple[str, str]]) -> list[dict[str, object]]:
    """For each ``(claim, passage)`` pair: ``{"label": supports|refutes|not_enough_info, "scores": {…}}``.

    Experimental (see ``models/stance-minilm-head/CARD.md``): the labels are hints, not verdicts.
    """
    from veracity.models.stance import stance as _stance

    return _stance(pairs)
