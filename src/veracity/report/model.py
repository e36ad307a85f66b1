"""The versioned JSON report (contract): the model, its JSON Schema, and the checks a reader makes on load.

The pydantic models below are the single source of the report's shape: ``schema.json`` beside this file is generated
from them (``veracity schema``), committed, and compared by a test, and the service's OpenAPI document reuses them.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from veracity._version import __version__
from veracity.doc import Document, Layer, Provenance, Relation, Span
from veracity.errors import SchemaVersionError, SpanError, UsageError

__all__ = ["SCHEMA_VERSION", "Report", "ReportLayer", "ReportSpan"]

SCHEMA_VERSION = "1.0"


class ReportSpan(BaseModel):
    """One finding: a labelled character range ``[start, end)`` of ``document.text`` and the text it covers."""

    model_config = ConfigDict(extra="forbid")
    id: str = Field(description='"<layer>/<index>" unless the analyzer chose its own id')
    start: int = Field(ge=0, description="first character (Python str index)")
    end: int = Field(ge=0, description="one past the last character")
    text: str = Field(description="document.text[start:end], written redundantly and checked on load")
    label: str
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    attrs: dict[str, Any] = Field(default_factory=dict)


class ReportRelation(BaseModel):
    """A directed link between two spans by id (quote → speaker, claim → fact-check)."""

    model_config = ConfigDict(extra="forbid")
    head_id: str
    tail_id: str
    label: str
    score: float | None = None


class ReportProvenance(BaseModel):
    """Which analyzer made a layer, with which model, in how many seconds."""

    model_config = ConfigDict(extra="allow")
    analyzer: str
    version: str
    model: str | None = None
    seconds: float | None = None


class ReportLayer(BaseModel):
    """What one analyzer found."""

    model_config = ConfigDict(extra="forbid")
    provenance: ReportProvenance | None = None
    spans: list[ReportSpan] = Field(default_factory=list)
    relations: list[ReportRelation] = Field(default_factory=list)
    data: dict[str, Any] = Field(default_factory=dict)


class ReportMeta(BaseModel):
    """Document metadata; every field optional, others allowed."""

    model_config = ConfigDict(extra="allow")
    title: str | None = None
    url: str | None = None
    domain: str | None = None
    published: str | None = None
    language: str | None = None


class ReportDocument(BaseModel):
    """The analysed text, which every span indexes, and its metadata."""

    model_config = ConfigDict(extra="forbid")
    id: str
    text: str
    meta: ReportMeta = Field(default_factory=ReportMeta)


class ReportGenerator(BaseModel):
    """The program and version that wrote the report."""

    package: str = "veracity"
    version: str = __version__


class ReportError(BaseModel):
    """An analyzer that failed on this document (the rest of the report stands)."""

    model_config = ConfigDict(extra="allow")
    analyzer: str | None = None
    layer: str | None = None
    type: str
    message: str


class Report(BaseModel):
    """A veracity report: the document, one entry per layer, a summary, and any errors."""

    model_config = ConfigDict(extra="forbid", title="veracity report")
    schema_version: str = Field(default=SCHEMA_VERSION, pattern=r"^\d+\.\d+$")
    generator: ReportGenerator = Field(default_factory=ReportGenerator)
    document: ReportDocument
    layers: dict[str, ReportLayer] = Field(default_factory=dict)
    summary: dict[str, Any] = Field(default_factory=dict)
    errors: list[ReportError] = Field(default_factory=list)

    # -- building -----------------------------------------------------------------------------------------------
    @classmethod
    def from_document(cls, doc: Document, errors: list[dict[str, Any]] | None = None) -> Report:
        """The report of an analysed document."""
        text = doc.text
        layers: dict[str, ReportLayer] = {}
        summary: dict[str, Any] = {"counts": {}}
        for name, layer in doc.layers.items():
            layers[name] = ReportLayer(
                provenance=ReportProvenance(**_asdict(layer.provenance)) if layer.provenance else None,
                spans=[
                    ReportSpan(
                        id=s.id or f"{name}/{i}",
                        start=s.start,
                        end=s.end,
                        text=text[s.start : s.end],
                        label=s.label,
                        score=None if s.score is None else float(s.score),
                        attrs=dict(s.attrs),
                    )
                    for i, s in enumerate(layer.spans)
                ],
                relations=[
                    ReportRelation(head_id=r.head_id, tail_id=r.tail_id, label=r.label, score=r.score)
                    for r in layer.relations
                ],
                data=dict(layer.data),
            )
            summary["counts"][name] = len(layer.spans)
            if "summary" in layer.data:
                summary[name] = layer.data["summary"]
        meta = {k: v for k, v in doc.meta.items() if v is not None}
        return cls(
            document=ReportDocument(id=doc.id, text=text, meta=ReportMeta(**meta)),
            layers=layers,
            summary=summary,
            errors=[ReportError(**e) for e in errors or []],
        )

    # -- reading ------------------------------------------------------------------------------------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """Load a report, refusing another major schema version and spans whose text does not match."""
        if not isinstance(data, dict):
            raise UsageError(f"a report is a JSON object, not {type(data).__name__}")
        version = str(data.get("schema_version", ""))
        major = version.split(".")[0]
        if major != SCHEMA_VERSION.split(".")[0]:
            raise SchemaVersionError(
                f"report schema version {version or '(missing)'} is not readable by veracity {__version__}, which reads "
                f"{SCHEMA_VERSION.split('.')[0]}.x; use a veracity release of that major version or re-run the analysis"
            )
        try:
            report = cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise UsageError(f"invalid report: {where}: {first['msg']}") from None
        report.check_offsets()
        return report

    @classmethod
    def from_json(cls, text: str | bytes) -> Report:
        """Load a report from its JSON text."""
        try:
            return cls.from_dict(json.loads(text))
        except json.JSONDecodeError as exc:
            raise UsageError(f"report is not valid JSON: {exc}") from None

    def check_offsets(self) -> None:
        """Every span lies inside the text and its ``text`` equals ``document.text[start:end]``."""
        text = self.document.text
        for name, layer in self.layers.items():
            for span in layer.spans:
                if not 0 <= span.start < span.end <= len(text) or text[span.start : span.end] != span.text:
                    raise SpanError(f"report span {span.id} in layer {name!r} does not match the document text")

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON-ready data."""
        return self.model_dump(mode="json")

    def to_json(self, indent: int | None = 2) -> str:
        """The report as JSON text (UTF-8, non-ASCII kept)."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def layer(self, name: str) -> ReportLayer:
        """The named layer, or a clear error listing those present."""
        try:
            return self.layers[name]
        except KeyError:
            raise KeyError(
                f"layer {name!r} is not in this report (present: {', '.join(self.layers) or 'none'})"
            ) from None

    def to_document(self) -> Document:
        """Rebuild the Document with its layers (renderers and tools that work on the object model use this)."""
        doc = Document(self.document.text, meta=self.document.meta.model_dump(exclude_none=True), id=self.document.id)
        for name, layer in self.layers.items():
            prov = layer.provenance
            doc.add_layer(
                Layer(
                    name=name,
                    spans=[
                        Span(s.start, s.end, s.label, s.score, s.id, {k: _strip_text(v) for k, v in s.attrs.items()})
                        for s in layer.spans
                    ],
                    relations=[Relation(r.head_id, r.tail_id, r.label, r.score) for r in layer.relations],
                    data=layer.data,
                    provenance=Provenance(prov.analyzer, prov.version, prov.model, prov.seconds) if prov else None,
                )
            )
        return doc

    @staticmethod
    def json_schema() -> dict[str, Any]:
        """The JSON Schema of the report, generated from this model."""
        schema = Report.model_json_schema()
        schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        schema["$id"] = f"https://veracity.invalid/schema/report-{SCHEMA_VERSION}.json"
        return schema


def _asdict(prov: Provenance) -> dict[str, Any]:
    return {"analyzer": prov.analyzer, "version": prov.version, "model": prov.model, "seconds": prov.seconds}


def _strip_text(value: Any) -> Any:
    """Nested ranges carry their text in reports; the document door re-derives it, so it is dropped on rebuild."""
    if isinstance(value, dict):
        return {
            k: _strip_text(v) for k, v in value.items() if not (k == "text" and "start" in value and "end" in value)
        }
    if isinstance(value, list):
        return [_strip_text(v) for v in value]
    return value
