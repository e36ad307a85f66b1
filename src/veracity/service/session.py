"""The web page's two guards for a shared deployment: a key-backed session cookie and a same-origin check.

With ``VERACITY_API_KEYS`` set, the page's forms do work (analyse, fetch URLs, classify) like ``/v1`` does, so they
need a key too. A browser cannot send an ``Authorization`` header from a plain form, so the page asks for the key
once (``POST /session``) and sets a cookie holding ``HMAC(key, purpose)``: it proves the key without storing it,
is the same in every worker process (no shared secret to distribute), and stops working when the operator removes
the key. The cookie is ``HttpOnly`` and ``SameSite=Strict``.

Every form POST is also checked for a cross-site origin (CSRF): a browser sends ``Sec-Fetch-Site`` (older ones
``Origin``) with a form POST, so a page on another site cannot make a visitor's browser analyse, fetch or
download through this server. Clients that send neither header (curl, scripts) are not browsers and pass.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from http.cookies import CookieError, SimpleCookie
from urllib.parse import urlsplit

__all__ = ["COOKIE", "cookie_header", "has_session", "same_origin", "session_token"]

COOKIE = "veracity_session"
_PURPOSE = b"veracity page session v1"


def session_token(key: bytes) -> str:
    """The cookie value for a key: an HMAC of a fixed purpose under the key (the key itself never leaves the form)."""
    return hmac.new(key, _PURPOSE, hashlib.sha256).hexdigest()


def cookie_header(token: str, secure: bool) -> str:
    """The ``Set-Cookie`` value for a session (empty token: clear it)."""
    parts = [f"{COOKIE}={token}", "Path=/", "HttpOnly", "SameSite=Strict"]
    if not token:
        parts.append("Max-Age=0")
    if secure:
        parts.append("Secure")
    return "; ".join(parts)


def has_session(headers: Mapping[str, str], keys: Sequence[bytes]) -> bool:
    """True when the request's cookie holds the session token of one of ``keys``."""
    raw = headers.get("cookie", "")
    if not raw or not keys:
        return False
    try:
        jar = SimpleCookie(raw)
    except CookieError:
        return False
    morsel = jar.get(COOKIE)
    if morsel is None or not morsel.value:
        return False
    given = morsel.value.encode("ascii", "replace")
    return any(hmac.compare_digest(given, session_token(key).encode("ascii")) for key in keys)


def same_origin(headers: Mapping[str, str], allowed: Sequence[str] = ()) -> bool:
    """False when a browser says the request comes from another site (``Origin``, ``Sec-Fetch-Site``, ``Referer``).

    ``allowed`` lists extra origins (``https://news.example.org``) for deployments behind a proxy that rewrites Host.
    """
    site = headers.get("sec-fetch-site", "").lower()
    if site:  # set by the browser itself, never by a page's script; the page's no-referrer policy makes Origin "null"
        return site in ("same-origin", "none")
    host = headers.get("host", "").lower()
    origin = headers.get("origin", "")
    if origin:
        if origin == "null":  # sandboxed frames, data: pages, some redirects: never this page
            return False
        return _netloc(origin) == host or origin.rstrip("/").lower() in {a.rstrip("/").lower() for a in allowed}
    referer = headers.get("referer", "")
    if referer:
        return _netloc(referer) == host or any(referer.lower().startswith(a.rstrip("/").lower() + "/") for a in allowed)
    return True  # no browser header at all: not a browser, so not a cross-site forgery


def _netloc(url: str) -> str:
    try:
        return urlsplit(url).netloc.lower()
    except ValueError:
        return ""
