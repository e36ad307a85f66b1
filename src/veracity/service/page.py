"""The web page at ``/``: paste an article or a URL, see the report; select a passage to ask about its technique.

Server-rendered (Jinja2, autoescaped) so that it works with no JavaScript at all; ``static/app.js`` only adds the
passage question without a page reload. No external asset, no inline script or style (the CSP forbids both), real
buttons and labels, visible focus. Form bodies are ``application/x-www-form-urlencoded`` and parsed here with the
standard library. Downloads are stateless: the page carries the report JSON in its download form, and ``POST /report``
turns it back into a JSON or HTML file, so nothing is kept on the server between requests.
"""

from __future__ import annotations

import hmac
import logging
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

from veracity._version import __version__
from veracity.errors import SpanError, UsageError, VeracityError
from veracity.report import Report
from veracity.report.render import render
from veracity.report.view import Piece, build_view
from veracity.service.classify import classifier, normalise_classification, technique_legend
from veracity.service.engine import Engine, Source
from veracity.service.errors import ServiceError, public_error
from veracity.service.session import cookie_header, has_session, session_token

__all__ = ["error_page", "router"]

router = APIRouter(include_in_schema=False)
log = logging.getLogger("veracity.service")
HERE = Path(__file__).resolve().parent

#: CSS class of each layer drawn in the article (techniques also get a colour class c0…c15 from style.css)
INLINE = {"techniques": "t", "claims": "claim", "sources": "src", "attributions": "attr"}
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
    context.setdefault("report_json", "")
    context.setdefault("needs_key", False)
    body = _env().get_template(name).render(version=__version__, piece_class=piece_class, **context)
    return HTMLResponse(body, status_code=status)


def error_page(status: int, type_: str, message: str) -> bytes:
    """The page with an error box (for errors raised before a route runs: 413, 415)."""
    return bytes(_render("page.html", status, form={}, error={"type": type_, "message": message}, view=None).body)


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


def _needs_key(request: Request) -> bool:
    """True when the operator set API keys and this browser has no session yet."""
    keys = [k.encode("utf-8") for k in request.app.state.service.api_keys]
    headers = {"cookie": request.headers.get("cookie", "")}
    return bool(keys) and not has_session(headers, keys)


@router.get("/", response_class=HTMLResponse)
async def index(request: Request) -> HTMLResponse:
    """The empty form (or, on a keyed deployment without a session, the form asking for the key)."""
    return _render("page.html", form={}, error=None, view=None, needs_key=_needs_key(request))


@router.post("/session")
async def start_session(request: Request) -> Response:
    """Trade an API key typed into the page for a session cookie, then show the form (303 to /)."""
    keys = [k.encode("utf-8") for k in request.app.state.service.api_keys]
    form = await _form(request)
    given = form.get("key", "").strip().encode("utf-8")
    if not keys:
        return RedirectResponse("/", status_code=303)
    if not given or not any(hmac.compare_digest(given, key) for key in keys):
        error = {"type": "Unauthorized", "message": "that is not a key this server accepts; check it and try again"}
        return _render("page.html", 401, form={}, error=error, view=None, needs_key=True)
    answer = RedirectResponse("/", status_code=303)
    answer.headers["set-cookie"] = cookie_header(session_token(given), secure=request.url.scheme == "https")
    return answer


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
    return _render("page.html", form=form, error=None, view=build_view(report), report_json=report_json)


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
    try:
        report = Report.from_json(raw)  # checks the schema version and every span against the text
    except SpanError as exc:  # the client's upload, not our fault: say what is wrong with it
        raise UsageError(f"the report is not one veracity wrote, or was changed: {exc}") from None
    if fmt == "json":
        return report.to_json().encode("utf-8")
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
        classify_fn = classifier()
        raw = await engine.call(classify_fn, text, [(start, end)])
        ranked = normalise_classification(raw)
        # the best label always; runners-up only when the classifier gives them some weight
        labels = ranked[:1] + [x for x in ranked[1:PASSAGE_LABELS] if (x["score"] or 0.0) >= PASSAGE_MIN_SCORE]
        legend = technique_legend()
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


def _error_parts(exc: Exception) -> tuple[int, str, str]:
    status, kind, message = public_error(exc)
    if kind in ("InternalError", "NotAvailable"):
        log.exception("internal error in the page", exc_info=exc)
    return status, kind, message


# -- formatting the one view model -------------------------------------------------------------------------------------


def piece_class(piece: Piece, focus: frozenset[str] = frozenset()) -> str:
    """CSS classes of a highlighted run: one per layer, the technique's colour class, and ``extra`` when findings
    exist but point elsewhere (the page draws extras plainly until the reader asks for every layer)."""
    classes = [INLINE[name] for name in piece.layers if name in INLINE]
    if piece.colour is not None:
        classes.append(f"c{piece.colour}")
    if focus and not focus.intersection(piece.ids):
        classes.append("extra")
    return " ".join(dict.fromkeys(classes))
