"""Issue 23 item 3: a URL fetch has one total deadline covering connect, headers and body.

A hostile server that sends one byte at a time, each well within the per-read timeout, must not hold a fetch longer
than ``fetch_deadline`` seconds, whether it drips the headers or the body.
"""

from __future__ import annotations

import http.server
import time

import pytest

from veracity.config import Settings
from veracity.errors import FetchTimeoutError
from veracity.ingest.url import fetch

# per-read timeout far above the drip interval (so only a total deadline can stop it), total deadline short
DRIP = Settings(allow_private=True, fetch_read_timeout=5.0, fetch_connect_timeout=2.0, fetch_deadline=0.6)


def _drip_body(req: http.server.BaseHTTPRequestHandler) -> None:
    req.send_response(200)
    req.send_header("Content-Type", "text/plain")
    req.send_header("Content-Length", "100000")
    req.end_headers()
    for _ in range(200):  # 20 s at most, one byte every 0.1 s
        req.wfile.write(b"x")
        req.wfile.flush()
        time.sleep(0.1)


def _drip_headers(req: http.server.BaseHTTPRequestHandler) -> None:
    req.wfile.write(b"HTTP/1.1 200 OK\r\n")
    for i in range(200):
        req.wfile.write(f"X-Slow-{i}: y\r\n".encode())
        req.wfile.flush()
        time.sleep(0.1)


@pytest.mark.parametrize("route", ["body", "headers"])
def test_slow_drip_server_is_cut_off_at_the_total_fetch_deadline(http_server, route: str) -> None:  # type: ignore[no-untyped-def]
    """Case: a server sends one byte (or one header line) every 0.1 s; the fetch ends at its total deadline."""
    base, routes = http_server
    routes["/body"], routes["/headers"] = _drip_body, _drip_headers
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="deadline"):
        fetch(f"{base}/{route}", DRIP)
    assert time.monotonic() - started < 2.5


def test_slow_name_resolution_is_cut_off_at_the_total_fetch_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Case 3 (fetch deadline, DNS): a resolver that hangs does not hold the fetch past its deadline either."""
    import socket

    real = socket.getaddrinfo

    def hanging(host, *args, **kwargs):  # type: ignore[no-untyped-def]
        if host == "slow.example":
            time.sleep(5)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", hanging)
    started = time.monotonic()
    with pytest.raises(FetchTimeoutError, match="deadline"):
        fetch("http://slow.example/a", DRIP)
    assert time.monotonic() - started < 2.5


def test_a_fetch_inside_a_service_budget_ends_when_the_budget_does(http_server) -> None:  # type: ignore[no-untyped-def]
    """Case 2/3: a request's time budget bounds its URL fetch even when the fetch deadline is longer."""
    from veracity import budget

    base, routes = http_server
    routes["/body"] = _drip_body
    long_deadline = Settings(allow_private=True, fetch_read_timeout=5.0, fetch_connect_timeout=2.0, fetch_deadline=20)
    started = time.monotonic()
    with budget.within(time.monotonic() + 0.6), pytest.raises(FetchTimeoutError):
        fetch(f"{base}/body", long_deadline)
    assert time.monotonic() - started < 2.5
