"""The local engine: a pool of worker processes, each loading the models once, fed chunks of documents.

At most ``2 × workers`` chunks are in flight, so memory stays flat however large the corpus; results come back in input
order (a slow chunk holds later ones back briefly, which keeps output deterministic and identical to the Ray engine).
Workers ignore Ctrl-C: the main process decides, stops submitting, and lets chunks already running finish.

A worker that dies (killed, out of memory, a crash in native code) breaks the whole pool. The engine then starts a
fresh pool and re-runs the chunks that were in flight one document at a time, so a document that kills its worker
every time is isolated and written as an error record while every other document is analysed; then the run goes on.
Workers ask the kernel to kill them when the main process dies (Linux), and also watch for it, so a ``kill -9`` of
the main process leaves no worker behind.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace

from veracity.batch.process import Result, Worker, WorkerSpec, error_line, one_thread_per_worker
from veracity.batch.records import Record

__all__ = ["LocalEngine"]

_worker: Worker | None = None
_worker_error: BaseException | None = None


#: the error type written for a document whose worker died while analysing it
WORKER_DIED = "WorkerDiedError"


def _exit_with_parent(parent: int) -> None:
    """End this worker when the main process dies: PR_SET_PDEATHSIG on Linux, and a watcher thread everywhere."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG = 1
        except (OSError, AttributeError):  # pragma: no cover - no libc prctl: the watcher below still works
            pass
    if os.getppid() != parent:  # the parent died before the request above took effect
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="veracity-parent-watch", daemon=True).start()


def _init_worker(spec: WorkerSpec, parent: int | None = None) -> None:
    """Runs once in each worker process: ignore Ctrl-C (the parent handles it) and load the pipeline."""
    global _worker, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if parent is not None:
        _exit_with_parent(parent)
    one_thread_per_worker()
    try:
        _worker = Worker(spec)
    except BaseException as exc:  # reported on the first chunk, in the parent, as the run's error
        _worker_error = exc


def _process_chunk(records: Sequence[Record]) -> list[Result]:
    if _worker is None:
        raise _worker_error or RuntimeError("worker was not initialised")
    return _worker.process(records)


def _result(future: Future[list[Result]]) -> list[Result] | None:
    """A chunk's results, or None when it was cancelled by ``stop()`` before it started."""
    try:
        return future.result()
    except CancelledError:
        return None


class LocalEngine:
    """Process-pool engine; ``run(chunks)`` yields each chunk's results in input order."""

    name = "local"

    def __init__(
        self,
        spec: WorkerSpec,
        workers: int,
        *,
        task: Callable[[Sequence[Record]], list[Result]] = _process_chunk,
    ) -> None:
        self.spec = spec
        self.workers = max(1, workers)
        #: the function a worker runs on a chunk (a module-level function, so it can be sent to worker processes)
        self.task = task
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[tuple[list[Record], Future[list[Result]]]] = deque()
        self.stopping = False
        #: pools started after a worker died (for the summary and tests)
        self.restarts = 0

    def _start_pool(self) -> ProcessPoolExecutor:
        ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no forked threads or model state
        return ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker, initargs=(self.spec, os.getpid())
        )

    def run(self, chunks: Iterable[list[Record]]) -> Iterator[list[Result]]:
        """Process chunks with bounded look-ahead; after ``stop()`` drain what is running and end."""
        self._pool = self._start_pool()
        max_in_flight = 2 * self.workers
        try:
            for chunk in chunks:
                if self.stopping:
                    break
                self._submit(chunk)
                while len(self._pending) >= max_in_flight and not self.stopping:
                    yield from self._next()
            while self._pending:
                yield from self._next()
        except GeneratorExit:
            self.close()
            raise
        except BaseException:  # a second Ctrl-C or a fatal error: do not wait for running chunks
            self.close(kill=True)
            raise
        self.close()

    def _submit(self, chunk: list[Record]) -> None:
        assert self._pool is not None
        try:
            future = self._pool.submit(self.task, chunk)
        except BrokenProcessPool:  # the pool broke since the last result: the chunk waits for the recovery
            future = Future()
            future.set_exception(BrokenProcessPool("a worker died"))
        self._pending.append((chunk, future))

    def _next(self) -> Iterator[list[Result]]:
        """The oldest chunk's results; after a worker died, every chunk in flight is redone one document at a time."""
        chunk, future = self._pending.popleft()
        try:
            results = _result(future)
        except BrokenProcessPool:
            in_flight = [chunk, *(c for c, _ in self._pending)]
            self._pending.clear()
            self._restart()
            for redo in in_flight:
                if self.stopping:
                    return  # not written: --resume picks these documents up
                yield self._one_by_one(redo)
            return
        if results is not None:
            yield results

    def _one_by_one(self, chunk: list[Record]) -> list[Result]:
        """A chunk's results, each document alone in the pool; one whose worker dies becomes an error record."""
        out: list[Result] = []
        for record in chunk:
            assert self._pool is not None
            try:
                out.extend(self._pool.submit(self.task, [record]).result())
            except BrokenProcessPool:
                self._restart()
                out.append(_died(record))
        return out

    def _restart(self) -> None:
        """Replace a broken pool with a fresh one (the dead pool's other workers are ended)."""
        self.close(kill=True)
        self.restarts += 1
        self._pool = self._start_pool()

    def stop(self) -> None:
        """Stop submitting and cancel chunks not yet started; chunks already running still finish and are written."""
        self.stopping = True
        for _, future in self._pending:
            future.cancel()

    def close(self, *, kill: bool = False) -> None:
        """Shut the pool down (``kill``: terminate the workers at once, for a second Ctrl-C)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            for process in list((getattr(pool, "_processes", None) or {}).values()):  # no public API to kill workers
                process.terminate()
        pool.shutdown(wait=not kill, cancel_futures=True)


def _died(record: Record) -> Result:
    """The error record of a document whose worker process died while analysing it (alone, so it was the cause)."""
    result = error_line(
        record.fallback_id,
        WORKER_DIED,
        f"{record.name}: the worker process analysing it died (killed, out of memory, or crashed), also when "
        "it was retried alone; it was not analysed",
    )
    return result if record.id is not None else replace(result, known_id=False)
