"""The service's analysis engine: one loaded Pipeline per process, run in a bounded thread pool under a time budget.

The event loop never runs analysis: every CPU-bound or blocking call (fetching a URL, parsing, running models,
serialising the report) goes to the pool. The pool is bounded and so is the queue in front of it, so a burst of
requests gets ``503 Busy`` instead of growing memory without limit. Each analysis runs under its request's time
budget (``veracity.budget``): past it the work itself stops at the next checkpoint (between layers, parse pieces and
model batches), so a thread is never held by a request whose caller already got its 503. Readiness says 503 while
the pool is saturated, and ``stop()`` returns within ``shutdown_grace`` seconds. Analyzers are shared by the threads: their
``load()`` is locked and their models (onnxruntime sessions, the spaCy pipeline) are safe for concurrent calls, and
each request builds its own ``Document``, so requests never see each other's state.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from veracity.budget import within as budget_limit
from veracity.config import Services, ServiceSettings, Settings
from veracity.doc import Document
from veracity.errors import BudgetExceededError, ServiceError, UsageError
from veracity.pipeline import Pipeline
from veracity.report import Report

__all__ = ["AnalysisResult", "Engine", "Source"]

T = TypeVar("T")


@dataclass(frozen=True)
class Source:
    """What a request asks to analyse: exactly one of text, url or html, with an optional title and layer list."""

    text: str | None = None
    url: str | None = None
    html: str | None = None
    title: str | None = None
    only: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AnalysisResult:
    """A report and its JSON text (serialised in the worker thread, not on the event loop)."""

    report: Report
    json_bytes: bytes


class Engine:
    """Holds the loaded pipeline, the process's services (the one fact-check store) and the worker pool."""

    def __init__(
        self, settings: Settings, service: ServiceSettings | None = None, pipeline: Pipeline | None = None
    ) -> None:
        self.settings = settings
        self.service = service or settings.service
        self._pipeline = pipeline
        # one store per process: the pipeline's when one was injected with a store, else opened here and handed to it
        injected = pipeline.services if pipeline is not None else None
        if injected is not None and injected.factchecks is not None:
            self.services = injected
        else:
            self.services = Services.open(settings)
        self._subsets: dict[tuple[str, ...], Pipeline] = {}
        self._subsets_lock = threading.Lock()
        self._executor: concurrent.futures.ThreadPoolExecutor | None = None
        self._in_flight = 0
        self._in_flight_lock = threading.Condition()
        self._stopping = threading.Event()
        self.ready = False
        self.loaded_seconds: float | None = None

    # -- life cycle ---------------------------------------------------------------------------------------------
    def start(self) -> None:
        """Build and load the pipeline and open the fact-check store (blocking; called once at start-up)."""
        started = time.perf_counter()
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=self.service.threads, thread_name_prefix="veracity-analysis"
        )
        if self._pipeline is None:
            # one failing analyzer (a broken plug-in) leaves its error in the report; the other layers still come back
            self._pipeline = Pipeline.from_settings(
                self.settings, only=self.service.only, on_error="record", services=self.services
            )
        self._pipeline.load()
        self.loaded_seconds = round(time.perf_counter() - started, 3)
        self.ready = True

    def stop(self) -> bool:
        """Drop queued analyses, stop running ones at their next checkpoint, close the store, within the grace.

        True when every analysis ended in time; False when one is still running (stuck in a step with no checkpoint):
        the caller then exits the process rather than wait for it.
        """
        self.ready = False
        self._stopping.set()
        drained = True
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
            with self._in_flight_lock:
                drained = self._in_flight_lock.wait_for(
                    lambda: self._in_flight == 0, timeout=self.service.shutdown_grace
                )
            self._executor = None
        with contextlib.suppress(Exception):  # closing must not mask the shutdown
            self.services.close()
        return drained

    @property
    def pipeline(self) -> Pipeline:
        """The full pipeline (loaded at start-up)."""
        if self._pipeline is None or not self.ready:
            raise ServiceError(503, "NotReady", "the service is still loading its models; try again in a moment")
        return self._pipeline

    @property
    def layers(self) -> list[str]:
        """Layers the full pipeline produces."""
        return self.pipeline.layer_names

    def pipeline_for(self, only: Sequence[str] | None) -> Pipeline:
        """The full pipeline, or a cached subset sharing its loaded analyzers (never loads models twice)."""
        full = self.pipeline
        if not only:
            return full
        key = tuple(sorted({name.strip() for name in only if name.strip()}))
        if not key:
            raise UsageError("only names no layer; give layer names such as sentences,entities")
        with self._subsets_lock:
            found = self._subsets.get(key)
            if found is None:
                unknown = [name for name in key if name not in full.layer_names]
                if unknown:
                    raise UsageError(
                        f"unknown layer(s) in only: {', '.join(unknown)}; available: {', '.join(full.layer_names)}"
                    )
                found = Pipeline(full.analyzers, only=key, services=full.services)
                self._subsets[key] = found
            return found

    # -- running work off the event loop ----------------------------------------------------------------------------
    async def call(self, fn: Callable[..., T], *args: Any) -> T:
        """Run ``fn(*args)`` in the pool within the time budget; 503 when the queue is full or the budget is spent."""
        if self._executor is None or not self.ready:
            raise ServiceError(503, "NotReady", "the service is still loading its models; try again in a moment")
        budget = self.service.time_budget
        with self._in_flight_lock:
            if self.saturated:
                raise ServiceError(
                    503,
                    "Busy",
                    f"the server is busy ({self._in_flight} requests in progress or waiting); try again shortly",
                    {"Retry-After": "5"},
                )
            self._in_flight += 1
        deadline = time.monotonic() + budget
        try:
            future = self._executor.submit(self._guarded, deadline, fn, args)
        except RuntimeError:  # the pool is shutting down
            self._done(None)
            raise ServiceError(503, "NotReady", "the service is shutting down; try again shortly") from None
        future.add_done_callback(self._done)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(future), timeout=budget)
        except (TimeoutError, BudgetExceededError):  # whichever saw the deadline first: one answer
            future.cancel()  # dropped if still queued; a running one stops at its next checkpoint (past the deadline)
            if self._stopping.is_set():
                raise ServiceError(503, "NotReady", "the service is shutting down; try again shortly") from None
            raise ServiceError(
                503,
                "TimeBudgetExceeded",
                f"the request took longer than the {budget:g} s time budget; send a shorter text or ask the operator "
                "to raise VERACITY_SERVICE_TIME_BUDGET",
                {"Retry-After": "10"},
            ) from None

    def _done(self, _future: object) -> None:
        with self._in_flight_lock:
            self._in_flight -= 1
            self._in_flight_lock.notify_all()

    def _guarded(self, deadline: float, fn: Callable[..., T], args: tuple[Any, ...]) -> T:
        if time.monotonic() > deadline:  # waited in the queue past its budget: the caller is gone
            raise ServiceError(503, "TimeBudgetExceeded", "the request spent its time budget waiting in the queue")
        with budget_limit(deadline, self._stopping):
            return fn(*args)

    @property
    def in_flight(self) -> int:
        """Requests running or queued in the pool now."""
        return self._in_flight

    @property
    def saturated(self) -> bool:
        """True when a new request would get 503 Busy: every thread and queue place is taken."""
        return self._in_flight >= self.service.threads + self.service.queue

    # -- the work itself (runs in pool threads) ------------------------------------------------------------------------
    def document(self, source: Source) -> Document:
        """The Document for a request: text as given, HTML through trafilatura, a URL through the safe fetcher."""
        from veracity.ingest import to_document

        what = "the text" if source.text is not None else "the HTML" if source.html is not None else "the URL"
        return to_document(
            text=source.text, html=source.html, url=source.url, title=source.title, name=what, settings=self.settings
        )

    def analyze(self, source: Source) -> AnalysisResult:
        """Ingest and analyse one source; save the report when the operator enabled a results store."""
        pipeline = self.pipeline_for(source.only)
        doc = self.document(source)
        report = pipeline.run(doc)
        data = report.to_dict()
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        if self.service.results_dir:
            self._save(report.document.id, body)
        return AnalysisResult(report, body)

    def _save(self, doc_id: str, body: bytes) -> None:
        folder = Path(self.service.results_dir).expanduser()
        name = doc_id.replace(":", "-").replace("/", "_") + ".json"
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(body)
            os.replace(tmp, folder / name)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def factcheck_store(self) -> Any:
        """The process's one fact-check store, current with the database file (an import made while running shows)."""
        store = self.services.factchecks
        current = store.current() if store is not None and hasattr(store, "current") else store
        if current is None:
            raise ServiceError(
                503,
                "NotAvailable",
                f"not available: no fact-check database at {self.settings.db_path}; import one with "
                "`veracity factchecks import` or point VERACITY_DB at one",
            )
        return current

    def search_factchecks(self, query: str, top_k: int) -> list[dict[str, Any]]:
        """Fact-checks matching a query, best first."""
        matches = self.factcheck_store().search(query, top_k=top_k)
        return [m.as_attrs() if hasattr(m, "as_attrs") else dict(m) for m in matches]
