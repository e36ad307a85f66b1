"""The safe fetcher against a loopback server: private addresses, timeouts, redirects, caps, content types."""

from __future__ import annotations

import http.server

import pytest

from tests.conftest import free_port, redirect, reply
from veracity.config import Settings
from veracity.errors import FetchError, FetchTimeoutError, InputTooLargeError, UnsupportedInputError, URLRefusedError
from veracity.ingest.url import fetch, fetch_document

LOOPBACK_OK = Settings(allow_private=True, fetch_read_timeout=2.0, fetch_connect_timeout=2.0)
PAGE = (
    "<html><head><title>Storm hits coast</title></head><body><article><p>"
    + "A storm hit the coast of Cornwall on Friday, the Met Office said, and thousands lost power. " * 4
    + "</p></article></body></html>"
).encode()


def test_fetches_and_extracts_a_page_when_private_allowed(http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    routes["/a"] = reply(PAGE)
    doc = fetch_document(f"{base}/a", settings=LOOPBACK_OK)
    assert "A storm hit the coast of Cornwall" in doc.text
    assert doc.meta["url"] == f"{base}/a" and doc.meta["title"] == "Storm hits coast"


@pytest.mark.parametrize(
    "host", ["127.0.0.1", "localhost", "[::1]", "10.1.2.3", "169.254.169.254", "192.168.0.1", "0.0.0.0"]
)
def test_private_and_loopback_hosts_are_refused_by_default(host: str) -> None:
    with pytest.raises(URLRefusedError, match="--allow-private"):
        fetch(f"http://{host}:9/x", Settings())


def test_redirect_to_a_private_address_is_refused(http_server) -> None:  # type: ignore[no-untyped-def]
    # The first hop is allowed (loopback, allow_private) but the check runs again on every hop: here with private
    # addresses refused, the redirect chain is refused at the first loopback hop already.
    base, routes = http_server
    routes["/r"] = redirect("http://10.0.0.8/internal")
    with pytest.raises(URLRefusedError):
        fetch(f"{base}/r", Settings())


def test_bad_schemes_and_ports_are_refused() -> None:
    for url in ("file:///etc/passwd", "gopher://x/", "http:///nohost", "http://example.org:99999/"):
        with pytest.raises(URLRefusedError):
            fetch(url, Settings())


def test_read_timeout(http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    routes["/slow"] = reply(PAGE, delay=1.5)
    with pytest.raises(FetchTimeoutError, match="did not answer in time"):
        fetch(f"{base}/slow", Settings(allow_private=True, fetch_read_timeout=0.3))


def test_connection_refused_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="cannot fetch"):
        fetch(f"http://127.0.0.1:{free_port()}/", LOOPBACK_OK)


def test_redirects_are_followed_up_to_the_limit(http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    routes["/final"] = reply(PAGE)
    for i in range(7):
        routes[f"/hop{i}"] = redirect(f"/hop{i + 1}" if i < 6 else "/final")
    assert fetch(f"{base}/hop2", LOOPBACK_OK).url.endswith("/final")  # 5 redirects: allowed
    with pytest.raises(URLRefusedError, match="more than 5"):
        fetch(f"{base}/hop0", LOOPBACK_OK)  # 7 redirects


def test_content_type_and_size_caps(http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    routes["/pdf"] = reply(b"%PDF-1.4", content_type="application/pdf")
    routes["/big"] = reply(b"x" * 5000)

    def unbounded(req: http.server.BaseHTTPRequestHandler) -> None:  # no Content-Length: cap enforced while reading
        req.send_response(200)
        req.send_header("Content-Type", "text/plain")
        req.end_headers()
        for _ in range(100):
            req.wfile.write(b"y" * 1000)

    routes["/stream"] = unbounded
    with pytest.raises(UnsupportedInputError, match="application/pdf"):
        fetch(f"{base}/pdf", LOOPBACK_OK)
    small = Settings(allow_private=True, fetch_max_bytes=1000)
    with pytest.raises(InputTooLargeError, match="fetch cap"):
        fetch(f"{base}/big", small)
    with pytest.raises(InputTooLargeError, match="fetch cap"):
        fetch(f"{base}/stream", small)


def test_http_errors_name_the_status(http_server) -> None:  # type: ignore[no-untyped-def]
    base, _ = http_server
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(f"{base}/missing", LOOPBACK_OK)
