"""The web page at ``/``: paste an article or a URL, see the report; select a passage to ask about its technique.

Server-rendered (Jinja2, autoescaped) so that it works with no JavaScript at all; ``static/app.js`` only adds the
passage question without a page reload. No external asset, no inline script or style (the CSP forbids both), real
buttons and labels, visible focus. Form bodies are ``application/x-www-form-urlencoded`` and parsed here with the
standard library. Downloads are stateless: the page carries the report JSON in its download form, and ``POST /report``
turns it back into a JSON or HTML file, so nothing is kept on the server between requests.
"""

from __future__ import annotations

import json
from collections import Counter
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from veracity._version import __version__
from veracity.errors import UsageError, VeracityError
from veracity.report import Report
from veracity.service.engine import Engine, Source
from veracity.service.errors import ServiceError

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)
HERE = Path(__file__).resolve().parent

#: technique colour classes (c0…c15 in style.css), assigned to labels in sorted order like the HTML report
N_COLOURS = 16
#: layers drawn in the article; techniques get colours, the others a line style
INLINE = {"techniques": "t", "claims": "claim", "sources": "src", "attributions": "attr"}
QUIET = {"sentences"}
#: claim labels drawn in the article and listed first (the claims analyzer scores every sentence)
CHECKWORTHY = ("checkworthy", "claim")
#: how many technique labels the passage question shows (the classifier ranks all of them)
PASSAGE_LABELS = 3
PASSAGE_MIN_SCORE = 0.1
DOWNLOAD_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )


def _render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
    body = _env().get_template(name).render(version=__version__, **context)
    return HTMLResponse(body, status_code=status)


def error_page(status: int, type_: str, message: str) -> bytes:
    """The page with an error box (for errors raised before a route runs: 413, 415)."""
    return _render("page.html", status, form={}, error={"type": type_, "message": message}, view=None).body


async def _form(request: Request) -> dict[str, str]:
    """The urlencoded form as single values (the last wins); undecodable bytes are an input error."""
    raw = await request.body()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("the form is not valid UTF-8") from None
    # browsers send textarea newlines as CRLF; the user's text (and the textarea's own value) has LF
    return {k: v[-1].replace("\r\n", "\n") for k, v in parse_qs(text, keep_blank_values=True).items()}


def _engine(request: Request) -> Engine:
    return request.app.state.engine


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """The empty form."""
    return _render("page.html", form={}, error=None, view=None)


@router.get("/favicon.ico")
async def favicon() -> Response:
    """Browsers ask for /favicon.ico whatever the page says; send them to the SVG icon."""
    return RedirectResponse("/static/favicon.svg", status_code=308)


@router.post("/analyze", response_class=HTMLResponse)
async def analyze_form(request: Request) -> HTMLResponse:
    """Analyse what the form holds (a URL if one is given, else the text) and show the report."""
    form: dict[str, str] = {}
    try:
        form = await _form(request)
        text, url = form.get("text", ""), form.get("url", "").strip()
        title = form.get("title", "").strip() or None
        if url and text.strip():
            raise UsageError("give either a URL or the article's text, not both")
        if not url and not text.strip():
            raise UsageError("paste an article's text or give its URL")
        if title and len(title) > 2000:
            raise UsageError("the title is over 2,000 characters; give the article's title only")
        source = Source(url=url, title=title) if url else Source(text=text, title=title)
        engine = _engine(request)
        result = await engine.call(engine.analyze, source)
    except (VeracityError, ServiceError) as exc:
        status, kind, message = _error_parts(exc)
        return _render("page.html", status, form=form, error={"type": kind, "message": message}, view=None)
    return await engine.call(_result_page, form, result.report, result.json_bytes.decode("utf-8"))


def _result_page(form: dict[str, str], report: Report, report_json: str) -> HTMLResponse:
    """The page with the report drawn (view model and template both built in a worker thread)."""
    return _render("page.html", form=form, error=None, view=build_view(report, report_json))


@router.post("/report")
async def download(request: Request) -> Response:
    """Turn the report JSON the page carries back into a downloadable JSON or HTML file."""
    try:
        form = await _form(request)
        fmt = form.get("format", "json")
        if fmt not in ("json", "html"):
            raise UsageError(f"format must be json or html, not {fmt!r}")
        engine = _engine(request)
        content = await engine.call(_download, form.get("report", ""), fmt)
    except (VeracityError, ServiceError) as exc:
        status, kind, message = _error_parts(exc)
        return _render("page.html", status, form={}, error={"type": kind, "message": message}, view=None)
    media = "application/json" if fmt == "json" else "text/html; charset=utf-8"
    headers = {
        "Content-Disposition": f'attachment; filename="veracity-report.{fmt}"',
        "Content-Security-Policy": DOWNLOAD_CSP,
    }
    return Response(content, media_type=media, headers=headers)


def _download(raw: str, fmt: str) -> bytes:
    report = Report.from_json(raw)  # checks the schema version and every span against the text
    if fmt == "json":
        return report.to_json().encode("utf-8")
    from veracity.report.render import render

    return render(report, "html").encode("utf-8")


@router.post("/passage")
async def passage(request: Request) -> Response:
    """Which technique does a passage use? JSON for the page's script, a small page without it."""
    wants_json = "application/json" in request.headers.get("accept", "")
    form: dict[str, str] = {}
    try:
        form = await _form(request)
        text = form.get("context") or form.get("passage", "")
        start_raw, end_raw = form.get("start", ""), form.get("end", "")
        passage_text = form.get("passage", "")
        if not passage_text.strip():
            raise UsageError("select or type a passage first")
        if form.get("context") and start_raw.isdigit() and end_raw.isdigit():
            start, end = int(start_raw), int(end_raw)
            if not (0 <= start < end <= len(text)) or text[start:end] != passage_text:
                text, start, end = passage_text, 0, len(passage_text)  # edited after selecting: classify as typed
        else:
            text, start, end = passage_text, 0, len(passage_text)
        engine = _engine(request)
        from veracity.service.api import _classifier, _technique_legend

        classify_fn = _classifier()
        raw = await engine.call(classify_fn, text, [(start, end)])
        ranked = normalise_classification(raw)
        # the best label always; runners-up only when the classifier gives them some weight
        labels = ranked[:1] + [x for x in ranked[1:PASSAGE_LABELS] if (x["score"] or 0.0) >= PASSAGE_MIN_SCORE]
        legend = _technique_legend(engine)
        result = {
            "passage": text[start:end],
            "labels": [{**item, "definition": legend.get(item["label"], "")} for item in labels],
        }
    except (VeracityError, ServiceError) as exc:
        status, kind, message = _error_parts(exc)
        if wants_json:
            return JSONResponse({"error": {"type": kind, "message": message}}, status_code=status)
        return _render("page.html", status, form={}, error={"type": kind, "message": message}, view=None)
    if wants_json:
        return JSONResponse(result)
    return _render("passage.html", result=result)


def normalise_classification(raw: Any) -> list[dict[str, Any]]:
    """The first passage's labels as ``[{"label", "score"}]``, best first, whatever shape the classifier returns."""
    item = raw[0] if isinstance(raw, (list, tuple)) and raw and not _is_label_pair(raw[0]) else raw
    if isinstance(item, dict):
        for key in ("labels", "techniques", "scores", "predictions"):
            if key in item:
                return normalise_classification([item[key]])
        if "label" in item:
            return [{"label": str(item["label"]), "score": _score(item.get("score"))}]
        return sorted(
            ({"label": str(k), "score": _score(v)} for k, v in item.items() if isinstance(v, (int, float))),
            key=lambda d: -(d["score"] or 0.0),
        )
    if isinstance(item, (list, tuple)):
        out: list[dict[str, Any]] = []
        for entry in item:
            if isinstance(entry, dict) and "label" in entry:
                out.append({"label": str(entry["label"]), "score": _score(entry.get("score"))})
            elif isinstance(entry, (list, tuple)) and len(entry) == 2:
                out.append({"label": str(entry[0]), "score": _score(entry[1])})
            elif isinstance(entry, str):
                out.append({"label": entry, "score": None})
            elif hasattr(entry, "label"):
                out.append({"label": str(entry.label), "score": _score(getattr(entry, "score", None))})
        return sorted(out, key=lambda d: -(d["score"] or 0.0))
    if isinstance(item, str):
        return [{"label": item, "score": None}]
    return []


def _is_label_pair(value: Any) -> bool:
    return (isinstance(value, dict) and "label" in value) or (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], (int, float))
    )


def _score(value: Any) -> float | None:
    try:
        return None if value is None else round(float(value), 4)
    except (TypeError, ValueError):
        return None


def _error_parts(exc: Exception) -> tuple[int, str, str]:
    if isinstance(exc, ServiceError):
        return exc.status, exc.type, exc.message
    status = getattr(exc, "http_status", 500)
    return status, type(exc).__name__, " ".join(str(exc).split())


# -- the view model ----------------------------------------------------------------------------------------------------


def build_view(report: Report, report_json: str) -> dict[str, Any]:
    """Everything the template shows, computed once from the report (runs in a worker thread)."""
    from veracity.report.render import display_title, ranked_claims, segments

    doc = report.document
    techniques = report.layers.get("techniques")
    legend: dict[str, str] = dict(techniques.data.get("legend", {})) if techniques else {}
    tech_labels = sorted(set(legend) | {s.label for s in techniques.spans} if techniques else set())
    colour = {label: f"c{i % N_COLOURS}" for i, label in enumerate(tech_labels)}

    inline: list[tuple[Any, str]] = []
    for name in INLINE:
        layer = report.layers.get(name)
        if layer is None:
            continue
        for span in layer.spans:
            if name == "claims" and span.label not in CHECKWORTHY:
                continue
            inline.append((span, name))
    pieces = []
    for start, end, covering in segments(doc.text, inline):
        text = doc.text[start:end]
        if not covering:
            pieces.append({"text": text, "cls": None})
            continue
        classes: list[str] = []
        tips: list[str] = []
        for span, name in covering:
            classes.append(INLINE[name])
            if name == "techniques":
                classes.append(colour.get(span.label, "c0"))
            tips.append(_tip(span, name, legend))
        pieces.append(
            {
                "text": text,
                "cls": " ".join(dict.fromkeys(classes)),
                "tip": " | ".join(tips),
                "ids": " ".join(s.id for s, _ in covering),
            }
        )

    tech_counts = Counter(s.label for s in techniques.spans) if techniques else Counter()
    tech_rows = [
        {"label": label, "cls": colour[label], "count": tech_counts.get(label, 0), "definition": legend.get(label, "")}
        for label in tech_labels
    ]
    tech_spans = (
        [
            {
                "id": s.id,
                "label": s.label,
                "cls": colour.get(s.label, "c0"),
                "text": _short(s.text, 220),
                "score": s.score,
            }
            for s in sorted(techniques.spans, key=lambda s: s.start)
        ]
        if techniques
        else []
    )
    ranked = ranked_claims(report)
    checkworthy = [s for s in ranked if s.label in CHECKWORTHY]
    shown = checkworthy[:25] if checkworthy else ranked[:5]  # none over the threshold: the closest, marked so
    claims = []
    for span in shown:
        checks = span.attrs.get("factchecks")
        claims.append(
            {
                "id": span.id,
                "rank": span.attrs.get("rank"),
                "score": span.score,
                "label": span.label,
                "text": span.text,
                "sourcing": span.attrs.get("sourcing"),
                "source": _nested_text(span.attrs.get("source")),
                "factchecks": [_factcheck(fc) for fc in checks if isinstance(fc, dict)]
                if isinstance(checks, list)
                else [],
            }
        )
    others = []
    for name, layer in report.layers.items():
        if name in QUIET or name in ("techniques", "claims", "sources"):
            continue
        if name == "entities":
            rows = [
                {"label": label, "text": text, "score": None, "detail": f"{n}×" if n > 1 else ""}
                for (label, text), n in Counter((s.label, s.text) for s in layer.spans).most_common(60)
            ]
        else:
            rows = [
                {"label": s.label, "text": _short(s.text, 200), "score": s.score, "detail": _details(s.attrs)}
                for s in layer.spans[:200]
            ]
        others.append({"name": name, "count": len(layer.spans), "rows": rows})
    notes = [str(n) for layer in report.layers.values() for n in _as_list(layer.data.get("notes"))]
    meta = {k: v for k, v in doc.meta.model_dump(exclude_none=True).items() if k != "title" and v not in ("", None)}
    return {
        "title": display_title(report),
        "meta": meta,
        "url": _safe_url(doc.meta.url),
        "pieces": pieces,
        "has_techniques": techniques is not None,
        "techniques": tech_rows,
        "technique_spans": tech_spans,
        "has_claims": "claims" in report.layers,
        "claims": claims,
        "claims_scored": len(ranked),
        "claims_checkworthy": len(checkworthy),
        "has_sources": "sources" in report.layers or "sources" in report.summary,
        "sources": _sources(report),
        "sources_summary": _sources_summary(report.summary.get("sources")),
        "sources_legend": _legend_of(report, "sources"),
        "rating_sources": sorted({r["rating_source"] for r in _sources(report) if r["rating_source"]}),
        "others": others,
        "notes": notes,
        "errors": [e.model_dump() for e in report.errors],
        "counts": report.summary.get("counts", {}),
        "report_json": report_json,
        "layers": list(report.layers),
    }


def _tip(span: Any, layer: str, legend: dict[str, str]) -> str:
    bits = [f"{layer}: {span.label}"]
    if span.score is not None:
        bits.append(f"score {span.score:.2f}")
    if layer == "techniques" and span.label in legend:
        bits.append(legend[span.label])
    for key in ("kind", "sourcing", "rank"):
        value = span.attrs.get(key)
        if value is not None and not isinstance(value, (dict, list)):
            bits.append(f"{key}: {value}")
    reliability = _reliability(span.attrs.get("reliability"))
    if reliability != "-":
        bits.append(f"reliability {reliability}")
    return " · ".join(bits)


def _short(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _nested_text(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("text"), str):
        return value["text"]
    return None


def _safe_url(value: Any) -> str | None:
    """Only http(s) links are made clickable (a report could carry a javascript: URL)."""
    if not isinstance(value, str):
        return None
    return value if urlsplit(value).scheme.lower() in ("http", "https") else None


def _factcheck(fc: dict[str, Any]) -> dict[str, Any]:
    return {
        "rating": str(fc.get("rating") or fc.get("textual_rating") or "?"),
        "textual_rating": str(fc.get("textual_rating") or ""),
        "publisher": str(fc.get("publisher") or ""),
        "claim": str(fc.get("claim") or fc.get("title") or ""),
        "url": _safe_url(fc.get("url")),
        "score": fc.get("score") if isinstance(fc.get("score"), (int, float)) else None,
    }


def _reliability(value: Any) -> str:
    if isinstance(value, dict):
        score = value.get("score")
        name = value.get("rating") or value.get("label") or value.get("name") or ""
        return f"{score:.2f} {name}".strip() if isinstance(score, (int, float)) else str(name or "-")
    if isinstance(value, bool):
        return "-"
    if isinstance(value, (int, float)):
        return f"{value:.2f}"
    if isinstance(value, str) and value:
        return value
    return "-"


def _sources(report: Report) -> list[dict[str, Any]]:
    """One row per source: from the sources summary when the analyzer wrote one, else grouped layer spans."""
    summary = report.summary.get("sources")
    rows: list[dict[str, Any]] = []
    if isinstance(summary, dict) and isinstance(summary.get("sources"), list):
        for row in summary["sources"]:
            if isinstance(row, dict):
                rel = row.get("reliability")
                rows.append(
                    {
                        "name": str(row.get("name") or row.get("text") or row.get("source") or "?"),
                        "kind": str(row.get("kind") or ""),
                        "mentions": row.get("mentions", row.get("count", "")),
                        "attributions": row.get("attributions"),
                        "domain": str(row.get("domain") or ""),
                        "reliability": _reliability(rel),
                        "rating_source": str(rel.get("source") or "") if isinstance(rel, dict) else "",
                    }
                )
        return rows
    layer = report.layers.get("sources")
    if layer is None:
        return []
    groups: dict[str, dict[str, Any]] = {}
    for span in layer.spans:
        key = str(span.attrs.get("source_id") or span.text)
        rel = span.attrs.get("reliability")
        row = groups.setdefault(
            key,
            {"name": str(span.attrs.get("name") or span.text), "kind": str(span.attrs.get("kind") or span.label),
             "mentions": 0, "attributions": None, "domain": str(span.attrs.get("domain") or ""),
             "reliability": _reliability(rel),
             "rating_source": str(rel.get("source") or "") if isinstance(rel, dict) else ""},
        )  # fmt: skip
        row["mentions"] += 1
    return sorted(groups.values(), key=lambda r: -r["mentions"])


def _sources_summary(summary: Any) -> list[tuple[str, str]]:
    """Scalar facts of the sources summary (shares of sourced/anonymous/unsourced claims…) as label/value pairs."""
    if not isinstance(summary, dict):
        return []
    out = []
    for key, value in summary.items():
        if key == "sources" or value is None:
            continue
        if isinstance(value, dict) and all(isinstance(v, (int, float, str)) for v in value.values()):
            value = ", ".join(f"{k}: {_fmt(v)}" for k, v in value.items())
        elif isinstance(value, (dict, list)):
            value = json.dumps(value, ensure_ascii=False)[:300]
        out.append((str(key).replace("_", " "), _fmt(value)))
    return out


def _legend_of(report: Report, layer: str) -> dict[str, str]:
    found = report.layers.get(layer)
    legend = found.data.get("legend") if found else None
    return {str(k): str(v) for k, v in legend.items()} if isinstance(legend, dict) else {}


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _details(attrs: dict[str, Any]) -> str:
    bits = []
    for key, value in attrs.items():
        if isinstance(value, dict) and "text" in value:
            bits.append(f"{key}: {value['text']}")
        elif not isinstance(value, (dict, list)):
            bits.append(f"{key}: {value}")
    return _short(", ".join(bits), 200)
