"""Shared fixtures: where ../shared is, the seed article, and a loopback HTTP server for fetch tests."""

from __future__ import annotations

import contextlib
import http.server
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED_ARTICLE = SHARED / "examples" / "seed-article.txt"
DATA = SHARED / "data"


@pytest.fixture(scope="session")
def seed_text() -> str:
    """The seed article (third-party text, read from ../shared, never copied into the repo)."""
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"../shared is absent ({SEED_ARTICLE} not found); the seed-article tests need it")
    return SEED_ARTICLE.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data, or skip with the reason."""
    if not DATA.is_dir():
        pytest.skip(f"../shared/data is absent ({DATA}); dataset tests need the research data")
    return DATA


Handler = Callable[[http.server.BaseHTTPRequestHandler], None]


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    routes: dict[str, Handler]


class _RequestHandler(http.server.BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        route = self.server.routes.get(self.path.split("?")[0])
        if route is None:
            self.send_error(404)
            return
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route(self)

    def log_message(self, *args: object) -> None:  # keep test output clean
        pass


@pytest.fixture()
def http_server() -> Iterator[tuple[str, dict[str, Handler]]]:
    """A loopback HTTP server; tests add handlers to the returned routes dict. Yields (base_url, routes)."""
    server = _Server(("127.0.0.1", 0), _RequestHandler)
    server.routes = {}
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _host, port = server.server_address[:2]
    try:
        yield f"http://127.0.0.1:{port}", server.routes
    finally:
        server.shutdown()
        server.server_close()


def reply(
    body: bytes, content_type: str = "text/html; charset=utf-8", status: int = 200, delay: float = 0.0
) -> Handler:
    """A handler that optionally waits, then answers with the body."""

    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        if delay:
            time.sleep(delay)
        req.send_response(status)
        req.send_header("Content-Type", content_type)
        req.send_header("Content-Length", str(len(body)))
        req.end_headers()
        req.wfile.write(body)

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    """A handler that redirects."""

    def handle(req: http.server.BaseHTTPRequestHandler) -> None:
        req.send_response(status)
        req.send_header("Location", location)
        req.send_header("Content-Length", "0")
        req.end_headers()

    return handle


def free_port() -> int:
    """A TCP port nobody listens on (for connection-refused tests)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
