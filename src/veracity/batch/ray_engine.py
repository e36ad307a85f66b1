"""The Ray engine: the same job on a pool of Ray actors, each holding one loaded pipeline and taking one CPU.

The driver streams the input with the same readers as the local engine and writes the same output, so both engines give
identical reports and share the exactly-once bookkeeping. Chunks go to whichever actor is free (``ray.util.ActorPool``)
and come back in input order; at most two chunks per actor are in flight, so the driver's memory stays flat on a corpus
of millions. Plain actors rather than Ray Data: Ray Data's own actors (stats, autoscaling, locations) and its Arrow
imports cost about 0.5 GB of memory and seconds of start-up for no benefit to a job that is a map over chunks.
Runs on a local Ray instance (started here, ``num_cpus=workers``) or on an existing cluster (``address``); every node
needs veracity installed with the ``ray`` extra.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from typing import Any

from veracity.batch.process import Result, Worker, WorkerSpec, one_thread_per_worker
from veracity.batch.records import Record
from veracity.errors import ConfigurationError

__all__ = ["RayEngine", "start_ray"]

#: chunks in flight per actor: one running and one queued, so no actor waits for the driver
_IN_FLIGHT_PER_ACTOR = 2


class _ChunkActor:
    """A Ray actor: builds the Pipeline once, then analyses one chunk of records per call.

    A pipeline that cannot load (a missing model) is returned as the chunk's result, so the driver raises the
    original error (one clear line) rather than Ray's wrapped actor failure.
    """

    def __init__(self, spec: WorkerSpec) -> None:
        self.worker: Worker | None = None
        self.error: BaseException | None = None
        one_thread_per_worker()  # each actor holds one CPU
        try:
            self.worker = Worker(spec)
        except Exception as exc:
            self.error = exc

    def process(self, records: list[Record]) -> list[Result] | BaseException:
        if self.worker is None:
            assert self.error is not None
            return self.error
        return self.worker.process(records)


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigurationError(
            "the Ray engine needs Ray; install it with: pip install 'veracity[ray]' (or use --engine local)"
        ) from None
    return ray


def start_ray(workers: int | None, address: str | None) -> tuple[Any, bool, int]:
    """Ray, started locally (``num_cpus=workers``) or joined at ``address`` unless already up.

    Returns the ``ray`` module, whether this call started it (so only then shut it down), and the actor count:
    ``workers`` capped by the cluster's CPUs, else one per CPU.
    """
    ray = _import_ray()
    os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # keep Ray's C++ notices off the user's terminal
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
        if address:
            kwargs["address"] = address
        elif workers:
            kwargs["num_cpus"] = workers
        try:
            ray.init(**kwargs)
        except Exception as exc:
            raise ConfigurationError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from None
        started = True
    cpus = int(ray.cluster_resources().get("CPU", 1))
    return ray, started, max(1, min(workers or cpus, cpus))


class RayEngine:
    """Ray actor-pool engine; ``run(chunks)`` yields each chunk's results in input order."""

    name = "ray"

    def __init__(self, spec: WorkerSpec, workers: int | None, *, address: str | None = None) -> None:
        self.spec = spec
        self.address = address
        self.stopping = False
        self.ray, self._started, self.workers = start_ray(workers, address)
        self._actors: list[Any] = []

    def run(self, chunks: Iterable[list[Record]]) -> Iterator[list[Result]]:
        """Send chunks to the actor pool (a bounded number in flight) and yield their results in order."""
        from ray.util import ActorPool

        # an actor killed by the OS (out of memory) is restarted and its chunk retried once; a chunk that kills
        # its actor again fails the run (README, "Reliability")
        actor = self.ray.remote(num_cpus=1, max_restarts=1, max_task_retries=1)(_ChunkActor)
        self._actors = [actor.remote(self.spec) for _ in range(self.workers)]
        pool = ActorPool(self._actors)
        limit = _IN_FLIGHT_PER_ACTOR * len(self._actors)
        in_flight = 0

        def submit(a: Any, records: list[Record]) -> Any:
            return a.process.remote(records)

        def next_result() -> list[Result]:
            results = pool.get_next()
            if isinstance(results, BaseException):
                raise results
            return results

        try:
            for chunk in chunks:
                if self.stopping:
                    break
                pool.submit(submit, chunk)
                in_flight += 1
                while in_flight >= limit and not self.stopping:
                    in_flight -= 1
                    yield next_result()
            while in_flight and not self.stopping:
                in_flight -= 1
                yield next_result()
        finally:
            self.close()

    def stop(self) -> None:
        """Stop after the chunk being received; what was written stays, --resume continues."""
        self.stopping = True

    def close(self, *, kill: bool = False) -> None:
        """Release the actors and shut down the Ray instance this engine started (a cluster it joined runs on)."""
        for a in self._actors:
            self.ray.kill(a)
        self._actors = []
        if self._started and self.ray.is_initialized():
            self.ray.shutdown()
        self._started = False
