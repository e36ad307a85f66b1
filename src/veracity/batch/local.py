"""The local engine: a pool of worker processes, each loading the models once, fed chunks of documents.

At most ``2 × workers`` chunks are in flight, so memory stays flat however large the corpus; results come back in input
order (a slow chunk holds later ones back briefly, which keeps output deterministic and identical to the Ray engine).
Workers ignore Ctrl-C: the main process decides, stops submitting, and lets chunks already running finish.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor

from veracity.batch.process import Result, Worker, WorkerSpec, one_thread_per_worker
from veracity.batch.records import Record

__all__ = ["LocalEngine"]

_worker: Worker | None = None
_worker_error: BaseException | None = None


def _init_worker(spec: WorkerSpec) -> None:
    """Runs once in each worker process: ignore Ctrl-C (the parent handles it) and load the pipeline."""
    global _worker, _worker_error
    signal.signal(signal.SIGINT, signal.SIG_IGN)
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

    def __init__(self, spec: WorkerSpec, workers: int) -> None:
        self.spec = spec
        self.workers = max(1, workers)
        self._pool: ProcessPoolExecutor | None = None
        self._pending: deque[Future[list[Result]]] = deque()
        self.stopping = False

    def run(self, chunks: Iterable[list[Record]]) -> Iterator[list[Result]]:
        """Process chunks with bounded look-ahead; after ``stop()`` drain what is running and end."""
        ctx = multiprocessing.get_context("spawn")  # fresh interpreters: no forked threads or model state
        self._pool = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=ctx, initializer=_init_worker, initargs=(self.spec,)
        )
        max_in_flight = 2 * self.workers
        try:
            for chunk in chunks:
                if self.stopping:
                    break
                self._pending.append(self._pool.submit(_process_chunk, chunk))
                while len(self._pending) >= max_in_flight and not self.stopping:
                    results = _result(self._pending.popleft())
                    if results is not None:
                        yield results
            while self._pending:
                results = _result(self._pending.popleft())
                if results is not None:
                    yield results
        except GeneratorExit:
            self.close()
            raise
        except BaseException:  # a second Ctrl-C or a fatal error: do not wait for running chunks
            self.close(kill=True)
            raise
        self.close()

    def stop(self) -> None:
        """Stop submitting and cancel chunks not yet started; chunks already running still finish and are written."""
        self.stopping = True
        for future in self._pending:
            future.cancel()

    def close(self, *, kill: bool = False) -> None:
        """Shut the pool down (``kill``: terminate the workers at once, for a second Ctrl-C)."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            for process in list(getattr(pool, "_processes", {}).values()):  # no public API to kill workers
                process.terminate()
        pool.shutdown(wait=not kill, cancel_futures=True)
