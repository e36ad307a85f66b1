"""The safe URL fetcher: the only code in veracity that touches the network, and only for a URL the user gave.

Guards: http(s) only; every host (the first and each redirect target) is resolved once and refused when any address
is loopback, private, link-local, multicast, reserved or unspecified (unless ``allow_private``); the connection goes
to the checked address itself, so DNS cannot change between check and use; connect and read timeouts; one total
deadline per fetch (``fetch_deadline``: connect, headers, body and every redirect together), enforced by a watchdog
that shuts the socket, so a server dripping one byte at a time cannot hold a fetch; a body size cap enforced while
streaming; HTML or text content types only; at most ``fetch_max_redirects`` redirects.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

from veracity import budget
from veracity._version import __version__
from veracity.config import Settings
from veracity.doc import Document
from veracity.errors import FetchError, FetchTimeoutError, InputTooLargeError, UnsupportedInputError, URLRefusedError

__all__ = ["Fetched", "fetch", "fetch_document"]

_ALLOWED_TYPES = ("text/html", "application/xhtml+xml", "text/plain", "text/markdown")
_USER_AGENT = f"veracity/{__version__} (+article analysis; fetches only URLs its user gives)"


@dataclass(frozen=True)
class Fetched:
    """A fetched body with the final URL, content type and declared charset."""

    url: str
    body: bytes
    content_type: str
    charset: str | None


class _Deadline:
    """One fetch's total deadline: a timer that shuts every socket of the fetch down when the time is up."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True
        self._timer.start()

    def remaining(self) -> float:
        """Seconds left (0 when the deadline has passed)."""
        return max(0.0, self.end - time.monotonic())

    def watch(self, sock: socket.socket) -> None:
        """Shut ``sock`` down when the deadline passes (at once if it already has)."""
        with self._lock:
            self._sockets.append(sock)
            if not self.expired:
                return
        _shut(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            sockets = list(self._sockets)
        for sock in sockets:
            _shut(sock)

    def cancel(self) -> None:
        """Stop the timer (the fetch ended)."""
        self._timer.cancel()


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):
        sock.shutdown(socket.SHUT_RDWR)


class _WatchedHTTPConnection(HTTPConnection):
    """An HTTP connection whose socket the fetch's deadline can shut down, from the TCP connect on."""

    def __init__(self, *args: Any, deadline: _Deadline, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline = deadline

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()
        self._deadline.watch(sock)
        return sock


class _WatchedHTTPSConnection(_WatchedHTTPConnection, HTTPSConnection):
    """The HTTPS twin of ``_WatchedHTTPConnection`` (the TLS handshake is under the deadline too)."""


class _HTTPPool(urllib3.HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(urllib3.HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


def _getaddrinfo(host: str, port: int, deadline: _Deadline | None) -> list[Any]:
    """``socket.getaddrinfo`` that gives up when the fetch's deadline passes (the resolver itself cannot be stopped,
    so it finishes in a daemon thread whose answer is dropped)."""
    if deadline is None:
        return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    answer: list[Any] = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except OSError as exc:
            answer.append(exc)

    thread = threading.Thread(target=lookup, name="veracity-resolve", daemon=True)
    thread.start()
    thread.join(deadline.remaining())
    if not answer:
        deadline.expired = True
        raise FetchTimeoutError(
            f"resolving {host!r} took longer than the fetch deadline of {deadline.seconds:g} s; try again later"
        )
    if isinstance(answer[0], OSError):
        raise answer[0]
    return list(answer[0])


def _resolve(host: str, port: int, allow_private: bool, deadline: _Deadline | None = None) -> str:
    """Resolve a host to one address, refusing private ranges unless allowed."""
    try:
        infos = _getaddrinfo(host, port, deadline)
    except socket.gaierror:
        raise FetchError(f"cannot resolve host {host!r}; check the URL or your network") from None
    addresses = [info[4][0] for info in infos]
    if not allow_private:
        for addr in addresses:
            ip = ipaddress.ip_address(addr.split("%")[0])
            if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
                ip = ip.ipv4_mapped
            if not ip.is_global or ip.is_multicast or ip.is_reserved or ip.is_loopback or ip.is_link_local:
                raise URLRefusedError(
                    f"refusing to fetch {host!r}: it resolves to {ip}, a private/loopback/reserved address; "
                    "pass --allow-private if you really mean a host on your own network"
                )
    return addresses[0]


def fetch(url: str, settings: Settings | None = None) -> Fetched:
    """Fetch a URL under every guard above; raise a FetchError subclass with a one-line reason otherwise."""
    settings = settings or Settings()
    left = budget.remaining()  # a service request's budget bounds its fetch too (None outside one)
    deadline = _Deadline(settings.fetch_deadline if left is None else max(0.001, min(settings.fetch_deadline, left)))
    try:
        return _fetch(url, settings, deadline)
    except (FetchError, InputTooLargeError, UnsupportedInputError) as exc:
        refused = (URLRefusedError, InputTooLargeError, UnsupportedInputError, FetchTimeoutError)
        if deadline.expired and not isinstance(exc, refused):
            raise _deadline_error(url, deadline) from None
        raise
    except Exception:
        if deadline.expired:  # the watchdog shut the socket: whatever the read raised, the cause is the deadline
            raise _deadline_error(url, deadline) from None
        raise
    finally:
        deadline.cancel()


def _deadline_error(url: str, deadline: _Deadline) -> FetchTimeoutError:
    host = urlsplit(url).hostname or url
    return FetchTimeoutError(
        f"{host} did not send the whole page within the fetch deadline of {deadline.seconds:g} s; try again later "
        "(or raise fetch_deadline / VERACITY_FETCH_DEADLINE)"
    )


def _fetch(url: str, settings: Settings, deadline: _Deadline) -> Fetched:
    current = url
    for _ in range(settings.fetch_max_redirects + 1):
        parts = urlsplit(current)
        scheme = parts.scheme.lower()
        if scheme not in ("http", "https"):
            raise URLRefusedError(f"refusing {current!r}: only http:// and https:// URLs are fetched")
        if not parts.hostname:
            raise URLRefusedError(f"refusing {current!r}: the URL has no host")
        try:
            port = parts.port or (443 if scheme == "https" else 80)
        except ValueError:
            raise URLRefusedError(f"refusing {current!r}: the port is not a number in 1-65535") from None
        address = _resolve(parts.hostname, port, settings.allow_private, deadline)
        left = deadline.remaining()
        if left <= 0:
            raise _deadline_error(current, deadline)
        timeout = urllib3.Timeout(
            connect=min(settings.fetch_connect_timeout, left), read=min(settings.fetch_read_timeout, left)
        )
        pool_cls: type[urllib3.HTTPConnectionPool] = _HTTPSPool if scheme == "https" else _HTTPPool
        extra: dict[str, Any] = (
            {"server_hostname": parts.hostname, "assert_hostname": parts.hostname} if scheme == "https" else {}
        )
        pool = pool_cls(address, port=port, timeout=timeout, retries=False, maxsize=1, deadline=deadline, **extra)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        host_header = parts.hostname if parts.port is None else f"{parts.hostname}:{parts.port}"
        try:
            response = pool.urlopen(
                "GET",
                path,
                headers={"Host": host_header, "User-Agent": _USER_AGENT, "Accept": "text/html, text/plain;q=0.9"},
                redirect=False,
                preload_content=False,
                decode_content=True,
            )
        except NewConnectionError as exc:  # urllib3 makes this a ConnectTimeoutError subclass: catch it first
            raise FetchError(f"cannot fetch {current}: {_reason(exc)}") from None
        except (ConnectTimeoutError, ReadTimeoutError) as exc:
            raise FetchTimeoutError(
                f"{parts.hostname} did not answer in time ({_timeout_kind(exc)}); try again later"
            ) from None
        except MaxRetryError as exc:
            if isinstance(exc.reason, (ConnectTimeoutError, ReadTimeoutError)) and not isinstance(
                exc.reason, NewConnectionError
            ):
                raise FetchTimeoutError(f"{parts.hostname} did not answer in time; try again later") from None
            raise FetchError(f"cannot fetch {current}: {_reason(exc.reason)}") from None
        except (ProtocolError, SSLError, HTTPError, OSError) as exc:
            raise FetchError(f"cannot fetch {current}: {_reason(exc)}") from None
        try:
            if deadline.expired:  # a shut socket can end the headers early: what came is not the page
                raise _deadline_error(current, deadline)
            if response.status in (301, 302, 303, 307, 308):
                location = response.headers.get("Location")
                if not location:
                    raise FetchError(f"{current} redirects ({response.status}) without saying where")
                current = urljoin(current, location)
                continue
            if response.status >= 400:
                raise FetchError(f"{current} answered HTTP {response.status}; check the URL")
            content_type, charset = _content_type(response.headers.get("Content-Type", ""))
            if content_type and content_type not in _ALLOWED_TYPES:
                raise UnsupportedInputError(
                    f"{current} is {content_type}, not an HTML or text page; veracity reads articles"
                )
            declared = response.headers.get("Content-Length")
            if declared and declared.isdigit() and int(declared) > settings.fetch_max_bytes:
                raise InputTooLargeError(
                    f"{current} is {int(declared):,} bytes, over the fetch cap of {settings.fetch_max_bytes:,}"
                )
            body = _read_capped(response, settings.fetch_max_bytes, current)
            if deadline.expired:  # a body cut short by the watchdog can look like a clean end
                raise _deadline_error(current, deadline)
            return Fetched(current, body, content_type or "text/html", charset)
        finally:
            response.release_conn()
            pool.close()
    raise URLRefusedError(f"{url} redirects more than {settings.fetch_max_redirects} times; giving up")


def _read_capped(response: urllib3.BaseHTTPResponse, cap: int, url: str) -> bytes:
    chunks: list[bytes] = []
    total = 0
    try:
        for chunk in response.stream(64 * 1024):
            total += len(chunk)
            if total > cap:
                raise InputTooLargeError(
                    f"{url} is over the fetch cap of {cap:,} bytes; save the article text and analyse that"
                )
            chunks.append(chunk)
    except ReadTimeoutError:
        raise FetchTimeoutError(f"{urlsplit(url).hostname} stopped sending in time; try again later") from None
    except (ProtocolError, HTTPError) as exc:
        raise FetchError(f"cannot fetch {url}: {_reason(exc)}") from None
    return b"".join(chunks)


def _content_type(header: str) -> tuple[str, str | None]:
    parts = [p.strip() for p in header.split(";")]
    charset = None
    for p in parts[1:]:
        if p.lower().startswith("charset="):
            charset = p.split("=", 1)[1].strip("\"' ") or None
    return parts[0].lower(), charset


def _timeout_kind(exc: Exception) -> str:
    return "connect timeout" if isinstance(exc, ConnectTimeoutError) else "read timeout"


def _reason(exc: object) -> str:
    text = str(exc)
    return text.split(": ", 1)[-1] if ": " in text else text or type(exc).__name__


def fetch_document(url: str, *, settings: Settings | None = None, title: str | None = None) -> Document:
    """Fetch a page and turn it into a Document (HTML through trafilatura, text as is)."""
    from veracity.ingest.files import document_from_bytes

    settings = settings or Settings()
    fetched = fetch(url, settings)
    is_html = fetched.content_type in ("text/html", "application/xhtml+xml")
    return document_from_bytes(
        fetched.body,
        name=fetched.url,
        settings=settings,
        title=title,
        url=fetched.url,
        charset=fetched.charset,
        is_html=is_html,
    )
