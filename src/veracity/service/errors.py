"""One error shape on every route, ``{"error": {"type", "message"}}``, and the handlers that produce it.

Library errors map by their ``http_status`` attribute (URLRefusedError 400, InputTooLargeError 413,
UnsupportedInputError 415, other InputError 422, FetchTimeoutError 504, ...); request validation becomes 422 with the
first problem named; unknown faults become 500 without internals.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from veracity.errors import ConfigurationError, ServiceError, VeracityError

__all__ = ["ERROR_RESPONSES", "ErrorBody", "ServiceError", "error_response", "install_error_handlers"]

log = logging.getLogger("veracity.service")


class ErrorDetail(BaseModel):
    """What went wrong, as an error class name and a message that says what to do."""

    type: str = Field(description="error class, e.g. URLRefusedError, InputTooLargeError, ValidationError")
    message: str = Field(description="one line: what is wrong and what to do about it")


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


_STATUS_TEXT = {
    400: "URL refused (bad scheme, private address, too many redirects)",
    401: "missing or wrong API key (when VERACITY_API_KEYS is set)",
    413: "request body or input text over the size cap",
    415: "wrong content type, or input of a kind veracity does not read",
    422: "invalid input (malformed JSON, missing or conflicting fields, empty text, unknown layer)",
    502: "the URL could not be fetched",
    503: "not ready, busy, over the time budget, or a feature that is not installed",
    504: "the URL's server did not answer in time",
}

#: OpenAPI ``responses`` for routes: every error status with the shared body
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text} for status, text in _STATUS_TEXT.items()
}


def error_response(status: int, type_: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON error response every route uses."""
    return JSONResponse({"error": {"type": type_, "message": message}}, status_code=status, headers=headers)


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def describe_validation(exc: RequestValidationError) -> str:
    """The first validation problem as one line (``body.text: Field required``)."""
    errors = exc.errors()
    if not errors:
        return "invalid request"
    first = errors[0]
    where = ".".join(str(p) for p in first.get("loc", ()) if p != "body") or "body"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    message = str(first.get("msg", "invalid")).removeprefix("Value error, ")
    return f"{where}: {message}{more}"


INTERNAL_MESSAGE = "internal error; the server log has the details"


def public_error(exc: Exception) -> tuple[int, str, str]:
    """(status, type, message) safe to show a client: the user's own errors say what to fix; faults of ours (a
    failing analyzer, a bug) say only that the log has the details, never paths, offsets or code."""
    if isinstance(exc, ServiceError):
        return exc.status, exc.type, exc.message
    status = getattr(exc, "http_status", 500)
    status = status if 400 <= status < 600 else 500
    if isinstance(exc, ConfigurationError):  # the operator's to fix (a missing model, a bad setting), not the client's
        return 503, "NotAvailable", "not available on this server: it is not set up for this; the server log says why"
    if isinstance(exc, VeracityError) and (exc.user_error or status in (502, 503, 504)):
        return status, type(exc).__name__, _one_line(str(exc))
    return 500, "InternalError", INTERNAL_MESSAGE


def install_error_handlers(app: FastAPI) -> None:
    """Route every kind of failure to the one JSON shape."""

    @app.exception_handler(VeracityError)
    async def _veracity(request: Request, exc: VeracityError) -> Response:
        status, kind, message = public_error(exc)
        if kind in ("InternalError", "NotAvailable"):
            log.exception("internal error on %s", request.url.path, exc_info=exc)
        return error_response(status, kind, message)

    @app.exception_handler(ServiceError)
    async def _service(request: Request, exc: ServiceError) -> Response:
        return error_response(exc.status, exc.type, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = exc.errors()
        if errors and errors[0].get("type") == "json_invalid":
            detail = (errors[0].get("ctx") or {}).get("error", "JSON decode error")
            where = errors[0].get("loc", ("body", "?"))[-1]
            return error_response(422, "MalformedJSON", f"the body is not valid JSON (at character {where}: {detail})")
        return error_response(422, "ValidationError", describe_validation(exc))

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        kind = {404: "NotFound", 405: "MethodNotAllowed"}.get(exc.status_code, "HTTPError")
        message = {
            404: f"no route {request.url.path}; see /openapi.json for the API",
            405: f"{request.method} is not allowed on {request.url.path}",
        }.get(exc.status_code, _one_line(str(exc.detail)))
        return error_response(exc.status_code, kind, message, getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path, exc_info=exc)
        return error_response(500, "InternalError", INTERNAL_MESSAGE)
