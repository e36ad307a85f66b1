"""The Ray engine: the same job on Ray Data, ``map_batches`` over chunks of records with actors that hold the models.

The driver streams the input with the same readers as the local engine and writes the same output, so both engines give
identical reports and share the exactly-once bookkeeping. Each row of the Ray dataset is one chunk of documents (so the
encoders see the same batches as locally); the driver sends the corpus in windows of ``window`` documents, which keeps
its memory flat, at the cost of starting the actor pool once per window (a few seconds per window of thousands).
Runs on a local Ray instance (started here, ``num_cpus=workers``) or on an existing cluster (``address``); every node
needs veracity installed with the ``ray`` extra.
"""

from __future__ import annotations

import logging
import os
import pickle
from collections.abc import Iterable, Iterator
from typing import Any

from veracity.batch.process import Result, Worker, WorkerSpec, one_thread_per_worker
from veracity.batch.records import Record
from veracity.errors import ConfigurationError

__all__ = ["RayEngine"]


class _ChunkActor:
    """A Ray actor: builds the Pipeline once, then analyses one pickled chunk of records per row.

    A pipeline that cannot load (a missing model) is reported back as the chunk's result, so the driver raises the
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

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        out = []
        for payload in batch["chunk"]:
            if self.worker is None:
                out.append(pickle.dumps(self.error))
                continue
            out.append(pickle.dumps(self.worker.process(pickle.loads(payload))))
        return {"results": out}


def _import_ray() -> Any:
    try:
        import ray
        import ray.data
    except ImportError:
        raise ConfigurationError(
            "the Ray engine needs Ray Data; install it with: pip install 'veracity[ray]' (or use --engine local)"
        ) from None
    return ray


class RayEngine:
    """Ray Data engine; ``run(chunks)`` yields each chunk's results in input order."""

    name = "ray"

    def __init__(
        self, spec: WorkerSpec, workers: int | None, *, address: str | None = None, window: int = 2_000
    ) -> None:
        self.ray = _import_ray()
        self.spec = spec
        self.address = address
        self.window = max(1, window)
        self.stopping = False
        self._started = False
        os.environ.setdefault("RAY_BACKEND_LOG_LEVEL", "fatal")  # keep Ray's C++ notices off the user's terminal
        logging.getLogger("ray.data").setLevel(logging.ERROR)
        if not self.ray.is_initialized():
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False, "logging_level": "ERROR"}
            if address:
                kwargs["address"] = address
            elif workers:
                kwargs["num_cpus"] = workers
            try:
                self.ray.init(**kwargs)
            except Exception as exc:
                raise ConfigurationError(f"cannot start or reach Ray ({address or 'local'}): {exc}") from None
            self._started = True
        cpus = int(self.ray.cluster_resources().get("CPU", 1))
        self.workers = max(1, min(workers or cpus, cpus))

    def run(self, chunks: Iterable[list[Record]]) -> Iterator[list[Result]]:
        """Send windows of chunks through an actor pool and yield the results in order."""
        ray = self.ray
        context = ray.data.DataContext.get_current()
        context.execution_options.preserve_order = True
        context.enable_progress_bars = False
        if hasattr(context, "print_on_execution_start"):
            context.print_on_execution_start = False
        chunks = iter(chunks)
        try:
            while not self.stopping:
                window: list[list[Record]] = []
                size = 0
                for chunk in chunks:
                    window.append(chunk)
                    size += len(chunk)
                    if size >= self.window:
                        break
                if not window:
                    break
                dataset = ray.data.from_items([{"chunk": pickle.dumps(c)} for c in window]).map_batches(
                    _ChunkActor,
                    fn_constructor_kwargs={"spec": self.spec},
                    batch_size=1,
                    compute=ray.data.ActorPoolStrategy(size=min(self.workers, len(window))),
                    num_cpus=1,
                    batch_format="numpy",
                )
                for row in dataset.iter_rows():
                    results = pickle.loads(row["results"])
                    if isinstance(results, BaseException):
                        raise results
                    yield results
                    if self.stopping:
                        break
        finally:
            self.close()

    def stop(self) -> None:
        """Stop after the chunk being received; what was written stays, --resume continues."""
        self.stopping = True

    def close(self, *, kill: bool = False) -> None:
        """Shut down the Ray instance this engine started (a cluster it joined is left running)."""
        if self._started and self.ray.is_initialized():
            self.ray.shutdown()
        self._started = False
