"""The safe URL fetcher: the only code in veracity that touches the network, and only for a URL the user gave.

Guards: http(s) only; every host (the first and each redirect target) is resolved once and refused when any address
is loopback, private, link-local, multicast, reserved or unspecified (unless ``allow_private``); the connection goes
to the checked address itself, so DNS cannot change between check and use; connect and read timeouts; a body size
cap enforced while streaming; HTML or text content types only; at most ``fetch_max_redirects`` redirects.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from urllib3.exceptions import (
    ConnectTimeoutError,
    HTTPError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
    SSLError,
)

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


def _resolve(host: str, port: int, allow_private: bool) -> str:
    """Resolve a host to one address, refusing private ranges unless allowed."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
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
    timeout = urllib3.Timeout(connect=settings.fetch_connect_timeout, read=settings.fetch_read_timeout)
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
        address = _resolve(parts.hostname, port, settings.allow_private)
        pool_cls = urllib3.HTTPSConnectionPool if scheme == "https" else urllib3.HTTPConnectionPool
        extra = {"server_hostname": parts.hostname, "assert_hostname": parts.hostname} if scheme == "https" else {}
        pool = pool_cls(address, port=port, timeout=timeout, retries=False, maxsize=1, **extra)
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
