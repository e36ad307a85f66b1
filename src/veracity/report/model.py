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

__all__ = ["LAYER_ATTRS", "READABLE_MAJORS", "SCHEMA_VERSION", "Report", "ReportLayer", "ReportSpan"]

#: 2.0: fact-check matches and claim sourcing moved out of the claims' attrs into layers of their own
#: (``factchecks``, ``claim_sourcing``) whose relations point at claim span ids (see the README's migration note)
SCHEMA_VERSION = "2.0"
#: major versions this release reads (1.x reports load as they are; the view model reads their claim attrs)
READABLE_MAJORS = ("1", "2")


class ClaimAttrs(BaseModel):
    """``attrs`` of a ``claims`` span: where it ranks and how the sentence presents its content."""

    model_config = ConfigDict(extra="allow")
    sentence: int = Field(description="index of the sentence in the sentences layer")
    rank: int = Field(ge=1, description="1 = check first: score times the presentation weights, ties by position")
    priority: float = Field(description="the score the rank orders by")
    reported: bool | None = Field(default=None, description="reported speech, a quotation or 'according to'")
    fragment: bool | None = Field(default=None, description="no finite verb (a headline, a caption)")
    prediction: bool | None = Field(default=None, description="about what will or may happen")
    truncated: bool | None = Field(default=None, description="longer than the model reads; scored on its head")
    type: list[str] | None = Field(
        default=None,
        description="check-worthy claims only: quantity, comparison, prediction, causal, quote, law_or_rule, "
        "personal_experience or other (several may apply)",
    )
    boilerplate: str | None = Field(
        default=None,
        description="page furniture (footnote, related_links, share_prompt, caption, copyright): never check-worthy",
    )


class FactCheckAttrs(BaseModel):
    """``attrs`` of a ``factchecks`` span: the published fact-check that matches the claim the span covers."""

    model_config = ConfigDict(extra="allow")
    id: str = Field(description="the fact-check record's id in the store")
    claim_id: str = Field(description="the claims span it matches (also the tail of its 'checks' relation)")
    score: float = Field(description="calibrated match score in [0, 1]")
    claim: str = Field(description="the claim the fact-check reviewed")
    rating: str = Field(description="normalised verdict: false, mostly_false, mixed, mostly_true, true or unrated")
    textual_rating: str = Field(default="", description="the publisher's own verdict; empty when the data has none")
    publisher: str = ""
    url: str = ""
    title: str = ""
    review_date: str = ""


class FindingModel(BaseModel):
    """One entry of ``summary.findings``: what to check first, most important first."""

    model_config = ConfigDict(extra="allow")
    kind: str = Field(description="language, factcheck_match, unsourced_claim, unnamed_evidence, anonymous_source, …")
    severity: str = Field(pattern="^(high|medium|low)$")
    message: str = Field(description="one plain sentence a person would write")
    spans: list[str] = Field(description="ids of the spans it is about (in any layer)")


class RangeAttr(BaseModel):
    """A character range of the document nested in attrs (its text is written redundantly)."""

    model_config = ConfigDict(extra="allow")
    start: int
    end: int
    text: str | None = None


class ClaimSourcingAttrs(BaseModel):
    """``attrs`` of a ``claim_sourcing`` span (label sourced / anonymous / unsourced) for one check-worthy claim."""

    model_config = ConfigDict(extra="allow")
    claim_id: str = Field(description="the claims span (also the tail of its 'sourcing_of' relation)")
    source: RangeAttr | None = Field(default=None, description="the source phrase the claim is attributed to")
    source_id: str | None = Field(default=None, description="the source's id in the sources layer")
    source_kind: str | None = None
    attribution_id: str | None = Field(default=None, description="the attributions span covering the claim")


class SourceAttrs(BaseModel):
    """``attrs`` of a ``sources`` span: one mention of a source, grouped by ``source_id``."""

    model_config = ConfigDict(extra="allow")
    source_id: str
    kind: str = Field(description="person, organization, government, outlet, anonymous, vague, document…")
    anonymous: bool = False
    name: str = ""


#: the typed attrs of the built-in layers' spans (in the JSON Schema under ``$defs``; plug-in layers stay free-form)
LAYER_ATTRS: dict[str, type[BaseModel]] = {
    "claims": ClaimAttrs,
    "factchecks": FactCheckAttrs,
    "claim_sourcing": ClaimSourcingAttrs,
    "sources": SourceAttrs,
}


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
    def from_document(
        cls, doc: Document, errors: list[dict[str, Any]] | None = None, language: str | None = None
    ) -> Report:
        """The report of an analysed document (``language`` fills ``meta.language`` when the document has none)."""
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
        if language and not meta.get("language"):
            meta["language"] = language
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
        if major not in READABLE_MAJORS:
            raise SchemaVersionError(
                f"report schema version {version or '(missing)'} is not readable by veracity {__version__}, which reads "
                f"{' and '.join(m + '.x' for m in READABLE_MAJORS)}; use a veracity release of that major version or "
                "re-run the analysis"
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
        defs = schema.setdefault("$defs", {})
        for layer, model in LAYER_ATTRS.items():
            sub = model.model_json_schema()
            defs.update(sub.pop("$defs", {}))
            sub["description"] = f"attrs of a span in the {layer!r} layer. " + str(sub.get("description", ""))
            defs[model.__name__] = sub
        defs["Finding"] = FindingModel.model_json_schema()
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
