"""Issue 23 item 2: a service time budget stops the work, readiness reflects saturation, shutdown is bounded.

Before: work past the budget kept running after the 503 (two huge requests made a 48-character one wait and fail),
``/readyz`` said ready while every thread was busy, and SIGTERM waited for analyses however long they ran.
"""

from __future__ import annotations

import contextlib
import threading
import time

import pytest

pytest.importorskip("fastapi", reason="the service needs the serve extra: pip install -e '.[serve,test]'")

from tests.service.conftest import make_client
from tests.service.fakes import SlowAnalyzer
from veracity import budget
from veracity.analyzers.base import BaseAnalyzer
from veracity.config import ServiceSettings, Settings
from veracity.doc import Document, Layer, Span
from veracity.errors import BudgetExceededError
from veracity.pipeline import Pipeline
from veracity.service.engine import Engine, Source

TEXT = "The minister said on Monday that the talks had stalled."


class Grinder(BaseAnalyzer):
    """Works in small steps for up to ``seconds``, checking the budget between steps like the real layers do."""

    name = produces = "grind"
    version = "0.0-test"
    description = "test analyzer that works in checkpointed steps"
    seconds = 5.0

    def __init__(self) -> None:
        super().__init__()
        self.steps = 0
        self.running = 0
        self.stopped_by_budget = 0
        self._lock = threading.Lock()

    def _analyze(self, doc: Document) -> Layer:
        with self._lock:
            self.running += 1
        try:
            end = time.monotonic() + self.seconds
            while time.monotonic() < end:
                budget.check()
                time.sleep(0.02)
                with self._lock:
                    self.steps += 1
        except BudgetExceededError:
            with self._lock:
                self.stopped_by_budget += 1
            raise
        finally:
            with self._lock:
                self.running -= 1
        return Layer("grind", (Span(0, min(4, len(doc.text)), "grind"),))


def _wait_for(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_work_past_the_budget_stops_instead_of_running_on_after_the_503() -> None:
    """Case 2a: after the 503 the analysis itself stops within a step, freeing the thread for the next request."""
    grinder = Grinder()
    with make_client(Pipeline([grinder]), time_budget=0.4, threads=1) as c:
        started = time.monotonic()
        r = c.post("/v1/analyze", json={"text": TEXT})
        assert r.status_code == 503 and r.json()["error"]["type"] == "TimeBudgetExceeded"
        assert _wait_for(lambda: grinder.running == 0, 1.0), "the analysis kept running after its budget"
        assert time.monotonic() - started < 2.0  # not the analyzer's 5 s
        assert grinder.stopped_by_budget == 1
        steps = grinder.steps
        time.sleep(0.2)
        assert grinder.steps == steps  # nothing is still grinding in the background
        assert c.app.state.engine.in_flight == 0  # type: ignore[attr-defined]


def test_a_short_request_after_a_budget_overrun_is_served_at_once() -> None:
    """Case 2b: the one thread is free again, so a short request behind a huge one is answered, not 503'd."""
    grinder = Grinder()
    with make_client(Pipeline(["sentences", grinder]), time_budget=2.0, threads=1) as c:
        assert c.post("/v1/analyze", json={"text": TEXT, "only": ["sentences"]}).status_code == 200  # warm
        slow = threading.Thread(target=lambda: c.post("/v1/analyze", json={"text": TEXT}))
        slow.start()
        assert _wait_for(lambda: grinder.running == 1, 2.0)
        slow.join()
        r = c.post("/v1/analyze", json={"text": TEXT, "only": ["sentences"]})
        assert r.status_code == 200, r.text


def test_readiness_says_503_while_every_thread_and_queue_place_is_taken() -> None:
    """Case 2c: a load balancer sees a saturated instance as not ready, and ready again once it drains."""
    slow = SlowAnalyzer()
    slow.seconds = 1.0
    with make_client(Pipeline([slow]), threads=1, queue=1, time_budget=10) as c:
        assert c.get("/readyz").status_code == 200
        workers = [threading.Thread(target=lambda: c.post("/v1/analyze", json={"text": TEXT})) for _ in range(2)]
        for w in workers:
            w.start()
        assert _wait_for(lambda: c.app.state.engine.in_flight == 2, 2.0)  # type: ignore[attr-defined]
        r = c.get("/readyz")
        assert r.status_code == 503 and r.json()["error"]["type"] == "Busy"
        for w in workers:
            w.join()
        assert c.get("/readyz").status_code == 200


def _engine(analyzer: BaseAnalyzer, grace: float) -> Engine:
    service = ServiceSettings(threads=1, time_budget=30, shutdown_grace=grace)
    engine = Engine(Settings(db="/nonexistent/factchecks.sqlite3"), service, Pipeline([analyzer]))
    engine.start()
    return engine


def _start_request(engine: Engine) -> threading.Thread:
    import asyncio

    def run() -> None:
        with contextlib.suppress(Exception):  # the analysis is stopped under it: its error is what shutdown means
            asyncio.run(engine.call(engine.analyze, Source(text=TEXT)))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_shutdown_stops_checkpointed_work_at_once() -> None:
    """Case 2d: stop() cancels a running analysis at its next checkpoint and reports it drained."""
    grinder = Grinder()
    engine = _engine(grinder, grace=5.0)
    _start_request(engine)
    assert _wait_for(lambda: grinder.running == 1, 2.0)
    started = time.monotonic()
    assert engine.stop() is True
    assert time.monotonic() - started < 1.0
    assert grinder.stopped_by_budget == 1


def test_shutdown_is_bounded_by_the_grace_even_when_a_step_has_no_checkpoint() -> None:
    """Case 2e: an analysis stuck in one long step cannot hold shutdown past the grace; stop() says so."""
    slow = SlowAnalyzer()
    slow.seconds = 3.0
    engine = _engine(slow, grace=0.3)
    _start_request(engine)
    assert _wait_for(lambda: slow.running == 1, 2.0)
    started = time.monotonic()
    assert engine.stop() is False
    assert time.monotonic() - started < 1.5


def test_a_spent_budget_is_not_recorded_as_a_layer_error_but_stops_the_pipeline() -> None:
    """Case 2f: under on_error='record' the budget still stops the run (it is not the layer's fault)."""
    grinder = Grinder()
    pipeline = Pipeline([grinder], on_error="record")
    with budget.within(time.monotonic() + 0.1), pytest.raises(BudgetExceededError, match="time budget"):
        pipeline.run(TEXT)
    assert grinder.running == 0


def test_outside_a_budget_checks_never_raise() -> None:
    """The CLI and batch workers run without a budget: a check is a no-op there."""
    budget.check()
    assert budget.remaining() is None
    with budget.within(time.monotonic() + 10):
        assert 9 < (budget.remaining() or 0) <= 10
    assert budget.remaining() is None


def test_a_client_dripping_its_body_is_cut_off_with_408(small_pipeline: Pipeline) -> None:
    """Case 3 (slow clients): a request body sent a byte at a time cannot hold a connection past body_timeout."""
    import socket
    from urllib.parse import urlsplit

    from tests.service.browser import live_server
    from veracity.service.app import create_app

    app = create_app(Settings(), small_pipeline, ServiceSettings(body_timeout=1.0))
    with live_server(app) as base:
        host, port = urlsplit(base).hostname, urlsplit(base).port
        started = time.monotonic()
        with socket.create_connection((host, port), timeout=10) as conn:
            conn.sendall(
                b"POST /v1/analyze HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 400\r\n\r\n"
            )
            answer = b""
            for _ in range(40):  # 8 s of dripping at most
                try:
                    conn.sendall(b" ")
                except OSError:
                    break
                conn.settimeout(0.2)
                try:
                    answer += conn.recv(4096)
                except TimeoutError:
                    continue
                if answer:
                    break
            # The head and the body may arrive in separate packets: read on until the server closes.
            conn.settimeout(2)
            while b"RequestTimeout" not in answer:
                try:
                    more = conn.recv(4096)
                except (TimeoutError, OSError):
                    break
                if not more:
                    break
                answer += more
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert b"RequestTimeout" in answer
        assert time.monotonic() - started < 5
