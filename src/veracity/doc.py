"""The document model: an immutable text and the layers of character spans analyzers put on it.

Pure Python with no heavy imports, so that anything (plug-ins, the batch runner, the service) can use it cheaply.
Every annotation is a half-open range ``[start, end)`` of Python ``str`` indices into ``Document.text``; the one door
that attaches layers (``Document.add_layer``) checks every offset, so a report can never point outside its text.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from veracity.errors import PipelineError, SpanError

__all__ = ["Document", "Layer", "Provenance", "Relation", "Span", "SpanRef", "content_id"]


def content_id(text: str) -> str:
    """The default document id: a hash of the text, stable across runs and machines."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled character range ``[start, end)`` of a document's text, with an optional score and attributes.

    ``attrs`` values must be JSON-serialisable. A nested character range inside ``attrs`` (the speaker of a quote, the
    cue word) is written as ``{"start": …, "end": …}``; the layer door checks it and fills in its ``text``.
    """

    start: int
    end: int
    label: str
    score: float | None = None
    id: str | None = None
    attrs: Mapping[str, Any] = field(default_factory=dict, hash=False)

    def overlaps(self, other: Span | tuple[int, int]) -> bool:
        """True when the two ranges share at least one character."""
        start, end = (other.start, other.end) if isinstance(other, Span) else other
        return self.start < end and start < self.end

    def __len__(self) -> int:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class Relation:
    """A directed, labelled link between two spans, by id (a quote to its speaker, a claim to a fact-check)."""

    head_id: str
    tail_id: str
    label: str
    score: float | None = None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Who made a layer: analyzer name and version, the model it used, and how long it took."""

    analyzer: str
    version: str
    model: str | None = None
    seconds: float | None = None


@dataclass(frozen=True, slots=True)
class Layer:
    """What one analyzer found: spans, relations between them, and free-form layer data (summaries, settings)."""

    name: str
    spans: Sequence[Span] = ()
    relations: Sequence[Relation] = ()
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)
    provenance: Provenance | None = None

    def __post_init__(self) -> None:
        # Accept any iterable from analyzers but store tuples, so a layer cannot change after it is attached.
        object.__setattr__(self, "spans", tuple(self.spans))
        object.__setattr__(self, "relations", tuple(self.relations))

    def by_id(self, span_id: str) -> Span:
        """The span with this id; KeyError when there is none."""
        for span in self.spans:
            if span.id == span_id:
                return span
        raise KeyError(span_id)

    def labels(self) -> list[str]:
        """Span labels in order of appearance."""
        return [s.label for s in self.spans]


@dataclass(frozen=True, slots=True)
class SpanRef:
    """A span as seen from a document: the range plus the text it covers (what reports and renderers use)."""

    span: Span
    text: str


class Document:
    """An immutable text, its metadata, and the layers analyzers have attached to it."""

    __slots__ = ("_id", "_layers", "_meta", "_shared", "_text")

    def __init__(self, text: str, *, meta: Mapping[str, Any] | None = None, id: str | None = None) -> None:
        if not isinstance(text, str):
            raise TypeError(f"Document text must be str, not {type(text).__name__}")
        self._text = text
        self._meta = MappingProxyType(dict(meta or {}))
        self._id = id or content_id(text)
        self._layers: dict[str, Layer] = {}
        self._shared: dict[str, Any] = {}

    @property
    def text(self) -> str:
        """The analysed text; every span indexes it."""
        return self._text

    @property
    def meta(self) -> Mapping[str, Any]:
        """Read-only metadata: title, url, domain, published, language, author, site."""
        return self._meta

    @property
    def id(self) -> str:
        """The document id (the source's own id, or a content hash)."""
        return self._id

    @property
    def layers(self) -> Mapping[str, Layer]:
        """Attached layers by name, in the order they were attached."""
        return MappingProxyType(self._layers)

    def layer(self, name: str) -> Layer:
        """The named layer, or a clear error naming the layers present."""
        try:
            return self._layers[name]
        except KeyError:
            present = ", ".join(self._layers) or "none"
            raise PipelineError(f"layer {name!r} is not on this document (present: {present})") from None

    def has_layer(self, name: str) -> bool:
        """Whether a layer of this name is attached."""
        return name in self._layers

    @property
    def shared(self) -> dict[str, Any]:
        """Work derived from the text that several analyzers read (the spaCy parse), made once per document.

        It lives exactly as long as the document (no process-wide cache to evict or outgrow) and is never part of a
        report; only the module that made an entry should read or change it.
        """
        return self._shared

    def span_text(self, span: Span | tuple[int, int]) -> str:
        """The text a span covers."""
        start, end = (span.start, span.end) if isinstance(span, Span) else span
        return self._text[start:end]

    def refs(self, name: str) -> Iterator[SpanRef]:
        """The spans of a layer together with their text."""
        for span in self.layer(name).spans:
            yield SpanRef(span, self._text[span.start : span.end])

    def with_meta(self, **meta: Any) -> Document:
        """A new document with the same text and id, metadata updated, and no layers."""
        merged = {**self._meta, **{k: v for k, v in meta.items() if v is not None}}
        return Document(self._text, meta=merged, id=self._id)

    def add_layer(self, layer: Layer) -> Layer:
        """Attach a layer: the one door that checks offsets, assigns span ids and fills nested span texts.

        Returns the layer as stored (with ids ``"<layer>/<i>"`` given to spans that had none).
        """
        if not layer.name:
            raise SpanError("a layer needs a name")
        if layer.name in self._layers:
            raise PipelineError(f"layer {layer.name!r} is already on document {self._id}; each layer is made once")
        n = len(self._text)
        spans: list[Span] = []
        seen: set[str] = set()
        for i, span in enumerate(layer.spans):
            _check_range(span.start, span.end, n, f"{layer.name} span {i} ({span.label!r})")
            if span.score is not None and not 0.0 <= float(span.score) <= 1.0:
                raise SpanError(f"{layer.name} span {i} has score {span.score}; scores lie in [0, 1]")
            span_id = span.id or f"{layer.name}/{i}"
            if span_id in seen:
                raise SpanError(f"{layer.name} has two spans with id {span_id!r}")
            seen.add(span_id)
            attrs = _checked_attrs(span.attrs, self._text, f"{layer.name} span {i}")
            spans.append(replace(span, id=span_id, attrs=attrs))
        for rel in layer.relations:
            if rel.head_id not in seen:
                raise SpanError(f"{layer.name} relation {rel.label!r} starts at unknown span {rel.head_id!r}")
        stored = replace(layer, spans=tuple(spans))
        self._layers[layer.name] = stored
        return stored

    def __repr__(self) -> str:
        preview = self._text[:40].replace("\n", " ")
        return f"Document(id={self._id[:19]}…, {len(self._text)} chars, layers={list(self._layers)}, {preview!r})"


def _check_range(start: Any, end: Any, n: int, what: str) -> None:
    if not (isinstance(start, int) and isinstance(end, int)) or isinstance(start, bool) or isinstance(end, bool):
        raise SpanError(f"{what} has non-integer offsets ({start!r}, {end!r}); offsets are str indices")
    if not 0 <= start < end <= n:
        raise SpanError(f"{what} has offsets [{start}, {end}) outside the text (length {n}) or empty")


def _checked_attrs(attrs: Mapping[str, Any], text: str, what: str) -> dict[str, Any]:
    """Copy attrs, checking nested ``{"start", "end"}`` ranges and filling their ``text``."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        out[key] = _checked_value(value, text, f"{what} attrs.{key}")
    return out


def _checked_value(value: Any, text: str, what: str) -> Any:
    if isinstance(value, Mapping):
        if "start" in value and "end" in value:
            start, end = value["start"], value["end"]
            _check_range(start, end, len(text), what)
            expected = text[start:end]
            if "text" in value and value["text"] != expected:
                raise SpanError(f"{what} text {value['text']!r} does not match the document at [{start}, {end})")
            return {**{k: _checked_value(v, text, f"{what}.{k}") for k, v in value.items()}, "text": expected}
        return {k: _checked_value(v, text, f"{what}.{k}") for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_checked_value(v, text, f"{what}[{i}]") for i, v in enumerate(value)]
    return value


def ranges(spans: Iterable[Span]) -> list[tuple[int, int]]:
    """The ``(start, end)`` pairs of spans, in order (a convenience for evaluation code)."""
    return [(s.start, s.end) for s in spans]
