"""``run_batch``: read a corpus, analyse it on an engine, write each document exactly once, and summarise.

The main process owns all bookkeeping, whatever the engine: it skips ids already in the output (``resume``) or already
claimed in this run (duplicate ids in the input), appends each finished chunk's lines, shows progress on a terminal,
turns Ctrl-C or SIGTERM into a clean stop (running chunks finish and are written; a second Ctrl-C stops at once), and
writes the Parquet tables and ``summary.json`` when the input is exhausted.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any, Literal, TextIO

from veracity.batch.output import OutputDir, write_tables
from veracity.batch.process import WorkerSpec
from veracity.batch.records import Record, open_records
from veracity.config import Settings
from veracity.errors import EmptyInputError, UsageError

__all__ = ["BatchSummary", "default_workers", "run_batch"]

Engine = Literal["local", "ray"]


@dataclass
class BatchSummary:
    """What a run did: documents written (reports and errors), ids skipped, time, rate, and how it ended."""

    output: str
    engine: str
    workers: int
    reports: int = 0
    errors: int = 0
    skipped_done: int = 0
    duplicates: int = 0
    seconds: float = 0.0
    #: seconds until the first results were written (worker start-up and model loading)
    startup_seconds: float | None = None
    interrupted: str | None = None
    total_in_output: int = 0
    document_rows: int | None = None
    span_rows: int | None = None
    layers: list[str] = field(default_factory=list)

    @property
    def documents(self) -> int:
        """Documents written by this run (reports plus error records)."""
        return self.reports + self.errors

    @property
    def rate(self) -> float:
        """Documents per second in this run."""
        return self.documents / self.seconds if self.seconds > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (summary.json)."""
        return {**asdict(self), "documents": self.documents, "rate": round(self.rate, 3)}

    def line(self) -> str:
        """The one-line summary printed at the end of a run."""
        parts = [f"{self.documents:,} documents ({self.reports:,} reports, {self.errors:,} errors)"]
        if self.skipped_done:
            parts.append(f"{self.skipped_done:,} already done")
        if self.duplicates:
            parts.append(f"{self.duplicates:,} duplicate ids skipped")
        head = "interrupted" if self.interrupted else "done"
        text = f"veracity batch {head}: {', '.join(parts)} in {self.seconds:.1f} s ({self.rate:.2f} docs/s)"
        if self.interrupted:
            return text + f"; {self.total_in_output:,} in {self.output}; continue with --resume"
        return text + f"; {self.total_in_output:,} in {self.output}"


def default_workers() -> int:
    """One worker per CPU this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def run_batch(
    input: str | Path,
    out: str | Path,
    *,
    only: Iterable[str] | None = None,
    engine: Engine = "local",
    workers: int | None = None,
    resume: bool = False,
    text_field: str | None = None,
    id_field: str | None = None,
    chunk_size: int = 16,
    settings: Settings | None = None,
    ray_address: str | None = None,
    progress: bool | None = None,
    stream: TextIO | None = None,
    handle_signals: bool = True,
) -> BatchSummary:
    """Analyse every document of a corpus into ``out`` (see ``veracity.batch.output`` for the layout)."""
    from veracity.pipeline import Pipeline

    settings = settings or Settings()
    if chunk_size < 1:
        raise UsageError("--chunk-size must be at least 1")
    if workers is not None and workers < 1:
        raise UsageError("--workers must be at least 1")
    only_t = tuple(only) if only is not None else None
    layers = Pipeline.from_settings(settings, only=only_t).layer_names  # wiring errors before any work
    source = open_records(input, text_field=text_field, id_field=id_field, max_bytes=settings.max_bytes)
    run_info = {
        "input": str(Path(input).resolve()),
        "format": source.format,
        "layers": layers,
        "text_field": text_field,
        "id_field": source.id_field,
    }
    output = OutputDir(out, resume=resume, run_info=run_info)
    try:
        spec = WorkerSpec(only=only_t, settings=settings)
        if engine == "local":
            from veracity.batch.local import LocalEngine

            runner: Any = LocalEngine(spec, workers or default_workers())
        elif engine == "ray":
            from veracity.batch.ray_engine import RayEngine

            runner = RayEngine(spec, workers, address=ray_address)
        else:
            raise UsageError(f"unknown engine {engine!r}; use local or ray")
        summary = BatchSummary(output=str(out), engine=engine, workers=runner.workers, layers=layers)
        stream = stream or sys.stderr
        show = stream.isatty() if progress is None else progress
        bar = _Progress(source.count() if show else None, stream) if show else None
        initially_done = frozenset(output.done)
        claimed = set(output.done)
        start = time.perf_counter()

        def records() -> Iterator[Record]:
            for record in source:
                if record.id is not None:
                    if record.id in claimed:
                        if record.id in initially_done:
                            summary.skipped_done += 1
                        else:
                            summary.duplicates += 1
                        if bar:
                            bar.advance(1)
                        continue
                    claimed.add(record.id)
                yield record

        def on_signal(signum: int, _frame: Any) -> None:
            if runner.stopping and signum == signal.SIGINT:
                raise KeyboardInterrupt  # second Ctrl-C: stop now
            summary.interrupted = signal.Signals(signum).name
            runner.stop()

        restore = _install_handlers(on_signal) if handle_signals else (lambda: None)
        try:
            for results in runner.run(_chunked(records(), chunk_size)):
                lines: list[str] = []
                for result in results:
                    if result.id in output.done or (result.id in claimed and not result.known_id):
                        if result.id in initially_done:
                            summary.skipped_done += 1
                        else:
                            summary.duplicates += 1
                        continue
                    claimed.add(result.id)
                    output.done.add(result.id)
                    lines.append(result.line)
                    if result.error:
                        summary.errors += 1
                    else:
                        summary.reports += 1
                output.append(lines)
                if summary.startup_seconds is None:
                    summary.startup_seconds = time.perf_counter() - start
                if bar:
                    bar.advance(len(results))
        except KeyboardInterrupt:
            summary.interrupted = summary.interrupted or "SIGINT"
        finally:
            restore()
            output.close()
            if bar:
                bar.close()
        summary.seconds = time.perf_counter() - start
        summary.total_in_output = len(output.done)
        if not summary.interrupted and not output.done:
            raise EmptyInputError(
                f'"{input}" holds no documents (it is empty, or has only blank lines or a header); nothing to analyse'
            )
        if not summary.interrupted:
            summary.document_rows, summary.span_rows = write_tables(output.path, layers)
        output.write_summary(summary.to_dict())
        return summary
    finally:
        output.release()


def _chunked(records: Iterable[Record], size: int) -> Iterator[list[Record]]:
    it = iter(records)
    while chunk := list(islice(it, size)):
        yield chunk


def _install_handlers(handler: Callable[[int, Any], None]) -> Callable[[], None]:
    """SIGINT and SIGTERM both become a clean stop; returns a function that restores the old handlers."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    old = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}

    def restore() -> None:
        for sig, previous in old.items():
            signal.signal(sig, previous)

    return restore


class _Progress:
    """A rich progress bar on stderr with count, rate and ETA (only when stderr is a terminal)."""

    def __init__(self, total: int | None, stream: TextIO) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self.progress = Progress(
            TextColumn("[bold]analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=Console(file=stream),
            transient=False,
        )
        self.task = self.progress.add_task("batch", total=total, rate="")
        self.start = time.perf_counter()
        self.done = 0
        self.progress.start()

    def advance(self, n: int) -> None:
        self.done += n
        elapsed = time.perf_counter() - self.start
        rate = f"{self.done / elapsed:.1f} docs/s" if elapsed > 0 else ""
        self.progress.update(self.task, advance=n, rate=rate)

    def close(self) -> None:
        self.progress.stop()
