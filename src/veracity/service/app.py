"""The FastAPI application factory: ``create_app(settings=None, pipeline=None)``.

Models load once, in the lifespan, before the first request is accepted; requests then share the loaded pipeline
through the engine's worker pool. A small ASGI guard in front of the app enforces what a shared deployment needs
before any route runs: API keys on ``/v1`` and a key-backed session on the page's forms (when ``VERACITY_API_KEYS``
is set), a same-origin check on every form POST (403), the content type of POST bodies (415),
the body size cap (413, checked on the declared length and again while reading), and secure headers on every answer
(a CSP without inline script, no framing, no sniffing, no caching of answers that carry request data).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from veracity._version import __version__
from veracity.config import ServiceSettings, Settings, load_settings
from veracity.pipeline import Pipeline
from veracity.service.api import health_router, v1_router
from veracity.service.engine import Engine
from veracity.service.errors import install_error_handlers
from veracity.service.session import has_session, same_origin

__all__ = ["CSP", "app_from_env", "create_app"]

log = logging.getLogger("veracity.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

HERE = Path(__file__).resolve().parent

#: the page's Content-Security-Policy: scripts and styles only from this server's /static, no inline script
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)
_SECURE_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]
_JSON_TYPES = ("application/json",)
_FORM_TYPES = ("application/x-www-form-urlencoded",)

DESCRIPTION = """\
Offline, explainable analysis of news articles: check-worthy claims with fact-check matches, persuasion techniques
and sourcing, every finding a character span of the text. `POST /v1/analyze` returns the same versioned report as
`veracity analyze -f json` (its JSON Schema: `GET /v1/schema`).

Every error has one shape, `{"error": {"type": "...", "message": "..."}}`: 400 URL refused (bad scheme, private
address), 401 missing/wrong API key, 403 form posted from another site, 408 body not sent within the body timeout,
413 body or text over the cap, 415 wrong content type, 422 invalid input, 500 a fault of ours (details only in the
server log), 502 URL not fetched, 503 not ready / busy / over the time budget / feature not installed, 504 the URL's
server timed out.
When the operator sets `VERACITY_API_KEYS`, `/v1` needs `Authorization: Bearer <key>` (or `X-API-Key: <key>`), and
the web page asks for a key once and keeps a session cookie. Forms posted from another site get 403.
"""


class Guard:
    """ASGI middleware: API keys, content type, body cap and secure headers, before any route runs."""

    def __init__(self, app: ASGIApp, service: ServiceSettings, page_error: Callable[..., bytes] | None = None) -> None:
        self.app = app
        self.service = service
        self.page_error = page_error
        self._keys = [k.encode("utf-8") for k in service.api_keys]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        send = self._secure(send, path)
        api = path == "/v1" or path.startswith("/v1/")
        form_post = not api and scope.get("method") == "POST"
        if form_post and not same_origin(headers, self.service.allowed_origins):
            await self._error(
                send, headers, api, 403, "CrossSiteRequest",
                "this form was sent from another site; open the page on this server and submit it there",
            )  # fmt: skip
            return
        if form_post and self._keys and path != "/session" and not self._page_authorised(headers):
            await self._error(
                send, headers, api, 401, "Unauthorized",
                "this page needs an API key: open / and enter the key the operator gave you",
            )  # fmt: skip
            return
        if api and self._keys and not self._authorised(headers):
            await self._error(
                send, headers, api, 401, "Unauthorized",
                "this API needs a key: send Authorization: Bearer <key> (or X-API-Key: <key>)",
                {"www-authenticate": 'Bearer realm="veracity"'},
            )  # fmt: skip
            return
        if scope.get("method") in ("POST", "PUT", "PATCH"):
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            allowed = _JSON_TYPES if api else _FORM_TYPES
            if ctype not in allowed and not (api and ctype.endswith("+json")):
                await self._error(
                    send, headers, api, 415, "UnsupportedMediaType",
                    f"send the body as {allowed[0]} (got {ctype or 'no content type'})",
                )  # fmt: skip
                return
            cap = self.service.max_body_bytes
            declared = headers.get("content-length", "")
            if declared.isdigit() and int(declared) > cap:
                await self._too_large(send, headers, api, int(declared))
                return
            chunks, total = [], 0
            deadline = asyncio.get_running_loop().time() + self.service.body_timeout
            while True:
                try:
                    message = await asyncio.wait_for(receive(), deadline - asyncio.get_running_loop().time())
                except TimeoutError:
                    await self._error(
                        send, headers, api, 408, "RequestTimeout",
                        f"the request body did not arrive within {self.service.body_timeout:g} s; send it at once",
                    )  # fmt: skip
                    return
                if message["type"] == "http.disconnect":
                    return
                chunk = message.get("body", b"")
                total += len(chunk)
                if total > cap:
                    await self._too_large(send, headers, api, None)
                    return
                chunks.append(chunk)
                if not message.get("more_body", False):
                    break
            body = b"".join(chunks)
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, send)
            return
        await self.app(scope, receive, send)

    def _page_authorised(self, headers: dict[str, str]) -> bool:
        """A page form needs the session cookie (set by POST /session) or, from scripts, the API key header."""
        return has_session(headers, self._keys) or self._authorised(headers)

    def _authorised(self, headers: dict[str, str]) -> bool:
        given = headers.get("x-api-key", "")
        auth = headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            given = auth[7:].strip()
        if not given:
            return False
        token = given.encode("utf-8")
        return any(hmac.compare_digest(token, key) for key in self._keys)

    async def _too_large(self, send: Send, headers: dict[str, str], api: bool, declared: int | None) -> None:
        size = f"{declared:,} bytes" if declared is not None else "more"
        await self._error(
            send, headers, api, 413, "InputTooLargeError",
            f"the request body is {size}, over the cap of {self.service.max_body_bytes:,} bytes; send a shorter article "
            "(operators: VERACITY_SERVICE_MAX_BODY)",
        )  # fmt: skip

    async def _error(
        self,
        send: Send,
        headers: dict[str, str],
        api: bool,
        status: int,
        type_: str,
        message: str,
        extra: dict[str, str] | None = None,
    ) -> None:
        wants_html = not api and "text/html" in headers.get("accept", "") and self.page_error is not None
        if wants_html and self.page_error is not None:
            body, ctype = self.page_error(status, type_, message), b"text/html; charset=utf-8"
        else:
            body = json.dumps({"error": {"type": type_, "message": message}}).encode("utf-8")
            ctype = b"application/json"
        raw = [(b"content-type", ctype), (b"content-length", str(len(body)).encode())]
        raw += [(k.encode("latin-1"), v.encode("latin-1")) for k, v in (extra or {}).items()]
        await send({"type": "http.response.start", "status": status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    @staticmethod
    def _secure(send: Send, path: str) -> Send:
        static = path.startswith("/static/")

        async def wrapped(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in _SECURE_HEADERS if k not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", CSP.encode()))
                if b"cache-control" not in present and not static:
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        return wrapped


def create_app(
    settings: Settings | None = None,
    pipeline: Pipeline | None = None,
    service: ServiceSettings | None = None,
    *,
    exit_when_stuck: bool = False,
) -> FastAPI:
    """Build the service: the JSON API under /v1, health probes, and (unless turned off) the web page at /.

    ``settings`` default to ``load_settings()`` (config file and VERACITY_* environment), ``service`` to
    ``settings.service``; ``pipeline`` defaults to every registered analyzer. Models load in the lifespan.
    ``exit_when_stuck`` (the served process) ends the process when an analysis outlives the shutdown grace.
    """
    settings = settings or load_settings()
    service = service or settings.service
    engine = Engine(settings, service, pipeline)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await asyncio.get_running_loop().run_in_executor(None, engine.start)
        log.info("veracity service ready: layers %s (loaded in %.1f s)", engine.layers, engine.loaded_seconds or 0)
        try:
            yield
        finally:
            drained = await asyncio.get_running_loop().run_in_executor(None, engine.stop)
            if not drained:
                log.error(
                    "veracity service: %d analyses still running %.0f s after shutdown began; exiting without them",
                    engine.in_flight, service.shutdown_grace,
                )  # fmt: skip
                if exit_when_stuck:
                    logging.shutdown()
                    os._exit(
                        0
                    )  # the pool's threads would otherwise hold the interpreter's exit for as long as they run

    app = FastAPI(
        title="veracity",
        version=__version__,
        summary="Explainable, offline analysis of news articles for disinformation.",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load scripts from a CDN; the OpenAPI document is at /openapi.json
        redoc_url=None,
    )
    app.state.engine = engine
    app.state.service = service
    install_error_handlers(app)
    app.include_router(v1_router)
    app.include_router(health_router)
    page_error = None
    if service.page:
        from veracity.service import page

        app.include_router(page.router)
        app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
        page_error = page.error_page
    app.add_middleware(Guard, service=service, page_error=page_error)
    return app


def app_from_env() -> FastAPI:
    """The app for ``uvicorn --factory veracity.service.app:app_from_env`` (used by ``veracity serve``)."""
    from veracity.models.loading import cap_malloc_arenas

    cap_malloc_arenas()  # each served worker process, before its models and analysis threads allocate
    return create_app(exit_when_stuck=True)
