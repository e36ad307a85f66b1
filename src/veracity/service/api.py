"""The JSON API under ``/v1`` plus the health probes; every route documents its errors in the OpenAPI document."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from veracity import registry
from veracity.errors import UsageError
from veracity.report import Report
from veracity.service.classify import classifier, normalise_classification, technique_legend
from veracity.service.engine import Engine, Source
from veracity.service.errors import ERROR_RESPONSES, ErrorBody, ServiceError

__all__ = ["health_router", "v1_router"]

v1_router = APIRouter(prefix="/v1", tags=["analysis"])
health_router = APIRouter(tags=["health"])


def _errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {s: ERROR_RESPONSES[s] for s in statuses}


def engine_of(request: Request) -> Engine:
    """The engine the app factory attached to the application state."""
    return request.app.state.engine


# -- request and response models ---------------------------------------------------------------------------------------


class AnalyzeRequest(BaseModel):
    """One article to analyse: exactly one of ``text``, ``url`` or ``html``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"text": "Officials said the bridge will reopen in May.", "only": ["entities"]}]
        },
    )
    text: str | None = Field(default=None, description="the article's text, analysed exactly as given")
    url: str | None = Field(
        default=None, description="an http(s) URL fetched by the safe fetcher (private addresses refused)"
    )
    html: str | None = Field(default=None, description="an HTML page; its main text is extracted with trafilatura")
    title: str | None = Field(default=None, max_length=2000, description="article title (overrides the page's)")
    only: list[str] | None = Field(
        default=None, description="layers to produce (what they require is added); default: every layer"
    )

    @field_validator("only", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return value

    @model_validator(mode="after")
    def _exactly_one(self) -> AnalyzeRequest:
        given = [name for name in ("text", "url", "html") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(
                "give exactly one of text, url or html"
                + (f" (got {', '.join(given)})" if given else " (got none of them)")
            )
        return self

    def source(self) -> Source:
        """The engine's view of the request."""
        return Source(self.text, self.url, self.html, self.title, tuple(self.only) if self.only is not None else None)


class ClaimsScoreRequest(BaseModel):
    """Text to score for check-worthiness, as one text (split into sentences) or as a list of sentences."""

    model_config = ConfigDict(extra="forbid")
    text: str | None = Field(default=None, description="a text; every sentence is scored")
    sentences: list[str] | None = Field(
        default=None, max_length=1000, description="sentences scored one by one, in order"
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> ClaimsScoreRequest:
        if (self.text is None) == (self.sentences is None):
            raise ValueError("give exactly one of text or sentences")
        if self.sentences is not None and not any(s.strip() for s in self.sentences):
            raise ValueError("sentences holds no text")
        return self


class ScoredClaim(BaseModel):
    """One scored sentence: where it is, how check-worthy, and what the claims analyzer attached."""

    index: int | None = Field(default=None, description="position in the request's sentences list (sentences mode)")
    start: int | None = Field(default=None, description="first character in the request's text (text mode)")
    end: int | None = Field(default=None, description="one past the last character (text mode)")
    text: str
    label: str
    score: float | None = None
    attrs: dict[str, Any] = Field(default_factory=dict)


class ClaimsScoreResponse(BaseModel):
    """Scored sentences, most check-worthy first."""

    claims: list[ScoredClaim]
    model: str | None = None


class SpanRange(BaseModel):
    """A character range ``[start, end)`` of the request's text."""

    model_config = ConfigDict(extra="forbid")
    start: int = Field(ge=0)
    end: int = Field(ge=0)


class ClassifyRequest(BaseModel):
    """A text and the passages of it to classify (default: the whole text as one passage)."""

    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, description="the text the passages come from (context for the classifier)")
    spans: list[SpanRange] | None = Field(default=None, max_length=200, description="passages; default: all of text")

    @model_validator(mode="after")
    def _inside(self) -> ClassifyRequest:
        for i, span in enumerate(self.spans or []):
            if not 0 <= span.start < span.end <= len(self.text):
                raise ValueError(
                    f"spans[{i}] = [{span.start}, {span.end}) is not a non-empty range inside the text ({len(self.text)} characters)"
                )
        return self


class TechniqueScore(BaseModel):
    """A technique label and the classifier's probability for it."""

    label: str
    score: float | None = None
    definition: str = ""


class PassageTechniques(BaseModel):
    """The technique labels for one passage, most probable first."""

    start: int
    end: int
    text: str
    labels: list[TechniqueScore]


class ClassifyResponse(BaseModel):
    """One entry per requested passage, in request order."""

    results: list[PassageTechniques]


class FactCheckMatch(BaseModel):
    """One fact-check matching the query."""

    model_config = ConfigDict(extra="allow")
    id: str
    score: float
    claim: str
    rating: str
    publisher: str
    url: str


class FactCheckSearchResponse(BaseModel):
    """Fact-checks matching the query, best first."""

    query: str
    results: list[FactCheckMatch]


class AnalyzerInfo(BaseModel):
    """A registered analyzer."""

    name: str
    version: str
    requires: list[str]
    description: str
    loaded: bool = Field(description="whether this service's pipeline includes it")


class Health(BaseModel):
    """Probe answer."""

    status: str
    layers: list[str] | None = None
    loaded_seconds: float | None = None
    in_flight: int | None = None


# -- routes ------------------------------------------------------------------------------------------------------------


@v1_router.post(
    "/analyze",
    summary="Analyse one article",
    response_model=Report,
    responses=_errors(400, 401, 413, 415, 422, 502, 503, 504),
)
async def analyze(body: AnalyzeRequest, request: Request) -> Response:
    """Analyse text, HTML or a URL and return the versioned report (the same JSON as ``veracity analyze -f json``)."""
    engine = engine_of(request)
    result = await engine.call(engine.analyze, body.source())
    return Response(content=result.json_bytes, media_type="application/json")


@v1_router.post(
    "/claims/score",
    summary="Score sentences for check-worthiness",
    response_model=ClaimsScoreResponse,
    responses=_errors(401, 413, 415, 422, 503),
)
async def score_claims(body: ClaimsScoreRequest, request: Request) -> ClaimsScoreResponse:
    """Run the claims analyzer on a text (or a list of sentences) and return each sentence's score, best first."""
    engine = engine_of(request)
    if "claims" not in engine.layers:
        raise ServiceError(503, "NotAvailable", "not available: the claims analyzer is not installed in this build")
    return await engine.call(_score_claims, engine, body)


def _score_claims(engine: Engine, body: ClaimsScoreRequest) -> ClaimsScoreResponse:
    """The one cheap scoring path: sentences straight through the shared scorer; a text through ``--only claims``."""
    from veracity.ingest import from_text
    from veracity.models.claims import ClaimScorer

    if body.sentences is not None:  # each sentence scored exactly as given
        scorer = ClaimScorer.shared()
        scores = [float(x) for x in scorer.score_texts(body.sentences)]
        items = [
            ScoredClaim(
                index=i,
                text=t,
                score=round(sc, 4),
                label="checkworthy" if sc >= scorer.threshold else "not_checkworthy",
            )
            for i, (t, sc) in enumerate(zip(body.sentences, scores, strict=True))
        ]
        items.sort(key=lambda c: -(c.score or 0.0))
        return ClaimsScoreResponse(claims=items, model=scorer.artifact)
    doc = from_text(body.text or "", max_chars=engine.settings.max_chars, what="the text")
    layer = engine.pipeline_for(["claims"]).run(doc).layers["claims"]
    ranked = sorted(
        (
            ScoredClaim(start=s.start, end=s.end, text=s.text, label=s.label, score=s.score, attrs=s.attrs)
            for s in layer.spans
        ),
        key=lambda c: -(c.score or 0.0),
    )
    return ClaimsScoreResponse(claims=ranked, model=layer.provenance.model if layer.provenance else None)


@v1_router.get(
    "/factchecks/search",
    summary="Search the fact-check database",
    response_model=FactCheckSearchResponse,
    responses=_errors(401, 422, 503),
)
async def search_factchecks(
    request: Request,
    q: Annotated[str, Query(min_length=1, max_length=2000, description="a claim or question")],
    k: Annotated[int, Query(ge=1, le=50, description="how many results")] = 5,
) -> FactCheckSearchResponse:
    """Fact-checks (ClaimReview records) that match a claim, best first, with calibrated scores."""
    if not q.strip():
        raise UsageError("q is blank; give a claim to search for")
    engine = engine_of(request)
    results = await engine.call(engine.search_factchecks, q, k)
    return FactCheckSearchResponse(query=q, results=[FactCheckMatch(**r) for r in results])


class EvidenceRequest(BaseModel):
    """A claim to look up in the service's evidence corpus."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"claim": "Sea levels rose 20 cm last century", "top": 5}]}
    )
    claim: str = Field(min_length=1, max_length=2000, description="the claim, one sentence")
    top: int = Field(default=5, ge=1, le=50, description="how many passages")


class EvidencePassage(BaseModel):
    """A passage of the corpus with its provenance, retrieval scores and the stance model's label (a hint)."""

    model_config = ConfigDict(extra="allow")
    passage_id: int
    doc_id: str
    title: str
    url: str
    date: str
    start: int = Field(description="first character of the sentence in its document's text")
    end: int
    context_start: int
    context_end: int
    text: str
    context: str = Field(description="the sentence with its neighbours (what the stance model reads)")
    content_hash: str
    score: float = Field(description="fused retrieval score, higher is better")
    cosine: float
    bm25: float
    stance: dict[str, Any] = Field(
        description='{"label": supports|refutes|not_enough_info, "scores": {...}, "shown": the label a reader may see '
        "(it cleared its measured precision gate) or null}"
    )


class EvidenceResponse(BaseModel):
    """The passages for a claim, best first: the same JSON as ``veracity evidence --json``."""

    claim: str
    corpus: str
    passages: list[EvidencePassage]
    stance_caveat: str = Field(description="how far the stance labels can be trusted")


@v1_router.post(
    "/evidence",
    summary="Passages of your corpus about a claim",
    response_model=EvidenceResponse,
    responses={
        **_errors(401, 413, 415, 422, 503),
        404: {"model": ErrorBody, "description": "no evidence corpus is configured on this service"},
    },
)
async def evidence(body: EvidenceRequest, request: Request) -> EvidenceResponse:
    """Search the service's evidence corpus (``veracity serve --corpus NAME``) for a claim; 404 when none is set."""
    if not body.claim.strip():
        raise UsageError("claim is blank; give the claim text")
    engine = engine_of(request)
    corpus = engine.services.corpus
    if corpus is None and engine.ready:
        corpus = getattr(engine.pipeline.services, "corpus", None)
    if corpus is None:
        raise ServiceError(
            404,
            "NoCorpus",
            "no evidence corpus is configured on this service; build one with `veracity corpus add SOURCE --corpus "
            "NAME` and start the service with `veracity serve --corpus NAME` (or set VERACITY_CORPUS)",
        )
    from veracity.analyzers.evidence import evidence_for_claim

    found = await engine.call(evidence_for_claim, corpus, body.claim, body.top)
    return EvidenceResponse(**found)


@v1_router.post(
    "/techniques/classify",
    summary="Which persuasion technique does a passage use?",
    response_model=ClassifyResponse,
    responses=_errors(401, 413, 415, 422, 503),
)
async def classify(body: ClassifyRequest, request: Request) -> ClassifyResponse:
    """Classify passages of a text (for example a selection on the web page) into persuasion techniques."""
    engine = engine_of(request)
    classify_fn = classifier()
    spans = [(s.start, s.end) for s in body.spans] if body.spans else [(0, len(body.text))]
    raw = await engine.call(classify_fn, body.text, spans)
    legend = technique_legend()
    results = []
    for (start, end), labels in zip(spans, raw, strict=True):
        ranked = normalise_classification([labels])
        results.append(
            PassageTechniques(
                start=start,
                end=end,
                text=body.text[start:end],
                labels=[TechniqueScore(**item, definition=legend.get(item["label"], "")) for item in ranked],
            )
        )
    return ClassifyResponse(results=results)


@v1_router.get("/analyzers", summary="Registered analyzers", response_model=list[AnalyzerInfo], responses=_errors(401))
async def analyzers(request: Request) -> list[AnalyzerInfo]:
    """Every registered analyzer (built-in and plug-in) and whether this service runs it."""
    engine = engine_of(request)
    loaded = set(engine.layers) if engine.ready else set()
    return [AnalyzerInfo(**row, loaded=row["name"] in loaded) for row in registry.describe()]


@v1_router.get("/schema", summary="JSON Schema of the report", responses=_errors(401))
async def schema() -> JSONResponse:
    """The JSON Schema every report of ``POST /v1/analyze`` validates against."""
    return JSONResponse(Report.json_schema())


@health_router.get("/healthz", summary="Liveness", response_model=Health)
async def healthz() -> Health:
    """200 while the process serves requests."""
    return Health(status="ok")


@health_router.get("/readyz", summary="Readiness", response_model=Health, responses=_errors(503))
async def readyz(request: Request) -> Health:
    """200 once the models are loaded, with the layers this service produces; 503 before, and while saturated."""
    engine = engine_of(request)
    if not engine.ready:
        raise ServiceError(503, "NotReady", "the service is still loading its models (or is shutting down)")
    if engine.saturated:
        raise ServiceError(
            503, "Busy", f"saturated: {engine.in_flight} requests running or waiting; send new work elsewhere",
            {"Retry-After": "5"},
        )  # fmt: skip
    return Health(
        status="ready", layers=engine.layers, loaded_seconds=engine.loaded_seconds, in_flight=engine.in_flight
    )
