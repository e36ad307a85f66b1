"""The output folder: an append-only ``reports.jsonl`` (the source of truth) and Parquet tables built from it.

Exactly-once: every finished document's line is appended and flushed as soon as its chunk completes; a run that is
killed leaves only whole lines plus, at worst, one truncated last line, which ``--resume`` cuts off before reading the
ids already present and skipping them. The Parquet tables are (re)written from the JSONL only when a run completes,
through a temporary file and an atomic rename, so a killed run never leaves partial or duplicate rows.

    OUTPUT/reports.jsonl      one line per input document: a report, or {"id", "error": {"type", "message"}}
    OUTPUT/documents.parquet  one row per document: id, status, metadata, span counts per layer, summary (JSON)
    OUTPUT/spans.parquet      one row per span: doc_id, layer, span_id, label, score, start, end, text, attrs (JSON)
    OUTPUT/run.json           the run's settings, checked on --resume; OUTPUT/summary.json the last run's summary
    OUTPUT/.lock              held (flock) by the run writing the folder: a second run into it stops with a clear error
"""

from __future__ import annotations

import contextlib
import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from veracity.errors import UsageError

__all__ = ["OutputDir", "iter_lines", "write_tables"]

REPORTS = "reports.jsonl"
DOCUMENTS = "documents.parquet"
SPANS = "spans.parquet"
RUN = "run.json"
SUMMARY = "summary.json"
LOCK = ".lock"


class OutputDir:
    """An output folder opened for a run (fresh, or resumed from what an earlier run wrote)."""

    def __init__(self, path: str | Path, *, resume: bool, run_info: dict[str, Any]) -> None:
        self.path = Path(path)
        self.reports = self.path / REPORTS
        if self.path.exists() and not self.path.is_dir():
            raise UsageError(f'--out "{self.path}" is a file; give a folder for the reports and tables')
        if not self.path.parent.exists():
            raise UsageError(f'cannot write to "{self.path}": folder "{self.path.parent}" does not exist')
        self.path.mkdir(exist_ok=True)
        self._fh: IO[str] | None = None
        self._lock = _lock(self.path)  # before anything is read: two runs must never both decide what is done
        has_results = self.reports.exists() and self.reports.stat().st_size > 0
        if has_results and not resume:
            self.release()
            raise UsageError(
                f'"{self.path}" already holds results; pass --resume to continue that run, or choose another --out folder'
            )
        self.done: set[str] = set()
        self.previous = {"documents": 0, "errors": 0}
        if resume and has_results:
            try:
                self._check_run_info(run_info)
                self._recover()
            except BaseException:
                self.release()
                raise
        (self.path / RUN).write_text(json.dumps(run_info, indent=2) + "\n", encoding="utf-8")

    def _check_run_info(self, run_info: dict[str, Any]) -> None:
        """Refuse to resume with settings that would make old and new lines disagree (layers, id/text mapping)."""
        path = self.path / RUN
        if not path.exists():
            return
        try:
            before = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            return
        for key in ("input", "layers", "text_field", "id_field"):
            if before.get(key) != run_info.get(key):
                raise UsageError(
                    f"cannot resume: {key} was {before.get(key)!r} in the earlier run and is {run_info.get(key)!r} now; "
                    "resume with the same input and options, or write to another --out folder"
                )

    def _recover(self) -> None:
        """Cut a truncated last line, then collect the ids already written."""
        with self.reports.open("rb+") as fh:
            fh.seek(0, os.SEEK_END)
            size = fh.tell()
            if size:
                fh.seek(size - 1)
                if fh.read(1) != b"\n":
                    cut = _last_newline_end(fh, size)
                    fh.truncate(cut)
        for lineno, obj in iter_lines(self.reports):
            doc_id = _line_id(obj)
            if doc_id is None:
                raise UsageError(
                    f'"{self.reports}" line {lineno} has no document id; it was not written by veracity batch'
                )
            self.done.add(doc_id)
            self.previous["errors" if "error" in obj else "documents"] += 1

    def append(self, lines: Sequence[str]) -> None:
        """Append whole lines and flush, so a finished document survives a kill."""
        if not lines:
            return
        if self._fh is None:
            self._fh = self.reports.open("a", encoding="utf-8", newline="\n")
        self._fh.write("".join(line + "\n" for line in lines))
        self._fh.flush()

    def close(self) -> None:
        """Flush and close the JSONL file (and ask the OS to put it on disk)."""
        if self._fh is not None:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()
            self._fh = None

    def write_summary(self, summary: dict[str, Any]) -> None:
        """Write summary.json for the run that just ended."""
        (self.path / SUMMARY).write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")

    def release(self) -> None:
        """Close the JSONL file and give up the folder's lock (the run is over)."""
        self.close()
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.close()  # closing the descriptor releases the flock


def _lock(folder: Path) -> IO[str] | None:
    """An exclusive lock on ``folder/.lock`` for this run, or a UsageError when another run holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: no lock
        return None
    fh = (folder / LOCK).open("a+", encoding="utf-8")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        fh.seek(0)
        holder = fh.read().strip()
        fh.close()
        who = f" (pid {holder})" if holder.isdigit() else ""
        raise UsageError(
            f'another veracity batch run{who} is writing to "{folder}"; wait for it to end, or choose another --out'
        ) from None
    with contextlib.suppress(OSError):
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
    return fh


def _last_newline_end(fh: IO[bytes], size: int) -> int:
    """Offset just after the last newline of a file (0 when it has none)."""
    pos = size
    while pos > 0:
        step = min(1 << 16, pos)
        pos -= step
        fh.seek(pos)
        block = fh.read(step)
        i = block.rfind(b"\n")
        if i >= 0:
            return pos + i + 1
    return 0


def _line_id(obj: Any) -> str | None:
    if not isinstance(obj, dict):
        return None
    if isinstance(obj.get("id"), str):
        return obj["id"]
    document = obj.get("document")
    if isinstance(document, dict) and isinstance(document.get("id"), str):
        return document["id"]
    return None


def iter_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """The parsed lines of a reports.jsonl, with line numbers; a corrupt line is a clear error, never skipped."""
    with path.open("rb") as fh:
        for lineno, raw in enumerate(fh, start=1):
            if not raw.strip():
                continue
            try:
                yield lineno, json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError):
                raise UsageError(f'"{path}" line {lineno} is not valid JSON; the file was changed by hand') from None


# -- Parquet tables ----------------------------------------------------------------------------------------------
def _schemas(layers: Sequence[str]) -> tuple[Any, Any]:
    import pyarrow as pa

    documents = pa.schema(
        [
            ("id", pa.string()),
            ("status", pa.string()),
            ("title", pa.string()),
            ("url", pa.string()),
            ("domain", pa.string()),
            ("published", pa.string()),
            ("chars", pa.int64()),
            *[(f"n_{name}", pa.int64()) for name in layers],
            ("analyzer_errors", pa.int64()),
            ("error_type", pa.string()),
            ("error_message", pa.string()),
            ("summary", pa.string()),
        ]
    )
    spans = pa.schema(
        [
            ("doc_id", pa.string()),
            ("layer", pa.string()),
            ("span_id", pa.string()),
            ("label", pa.string()),
            ("score", pa.float64()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("attrs", pa.string()),
        ]
    )
    return documents, spans


class _TableWriter:
    """Rows buffered column-wise and written in row groups, so memory stays flat however long the corpus."""

    def __init__(self, path: Path, schema: Any, rows_per_group: int) -> None:
        import pyarrow.parquet as pq

        self.path, self.tmp, self.schema = path, path.with_name(path.name + ".tmp"), schema
        self.rows_per_group = rows_per_group
        self.columns: dict[str, list[Any]] = {name: [] for name in schema.names}
        self.writer = pq.ParquetWriter(self.tmp, schema, compression="zstd")
        self.rows = 0

    def add(self, row: dict[str, Any]) -> None:
        for name, values in self.columns.items():
            values.append(row.get(name))
        self.rows += 1
        if len(self.columns["id" if "id" in self.columns else "doc_id"]) >= self.rows_per_group:
            self.flush()

    def flush(self) -> None:
        import pyarrow as pa

        first = next(iter(self.columns.values()))
        if first:
            self.writer.write_table(pa.Table.from_pydict(self.columns, schema=self.schema))
            for values in self.columns.values():
                values.clear()

    def close(self) -> None:
        self.flush()
        self.writer.close()
        os.replace(self.tmp, self.path)

    def abort(self) -> None:
        self.writer.close()
        self.tmp.unlink(missing_ok=True)


def write_tables(out_dir: str | Path, layers: Sequence[str]) -> tuple[int, int]:
    """Build documents.parquet and spans.parquet from reports.jsonl; returns (document rows, span rows)."""
    out = Path(out_dir)
    documents_schema, spans_schema = _schemas(layers)
    docs = _TableWriter(out / DOCUMENTS, documents_schema, 2_000)
    spans = _TableWriter(out / SPANS, spans_schema, 20_000)
    try:
        for _, obj in iter_lines(out / REPORTS):
            if "error" in obj:
                error = obj.get("error") or {}
                docs.add(
                    {
                        "id": obj.get("id"),
                        "status": "error",
                        "error_type": error.get("type"),
                        "error_message": error.get("message"),
                    }
                )
                continue
            document = obj["document"]
            meta = document.get("meta") or {}
            doc_id = document["id"]
            row: dict[str, Any] = {
                "id": doc_id,
                "status": "ok",
                "title": _str(meta.get("title")),
                "url": _str(meta.get("url")),
                "domain": _str(meta.get("domain")),
                "published": _str(meta.get("published")),
                "chars": len(document.get("text") or ""),
                "analyzer_errors": len(obj.get("errors") or []),
                "summary": json.dumps(obj.get("summary") or {}, ensure_ascii=False, separators=(",", ":")),
            }
            for name, layer in (obj.get("layers") or {}).items():
                row[f"n_{name}"] = len(layer.get("spans") or [])
                for span in layer.get("spans") or []:
                    spans.add(
                        {
                            "doc_id": doc_id,
                            "layer": name,
                            "span_id": span.get("id"),
                            "label": span.get("label"),
                            "score": span.get("score"),
                            "start": span.get("start"),
                            "end": span.get("end"),
                            "text": span.get("text"),
                            "attrs": json.dumps(span.get("attrs") or {}, ensure_ascii=False, separators=(",", ":")),
                        }
                    )
            docs.add(row)
    except BaseException:
        docs.abort()
        spans.abort()
        raise
    docs.close()
    spans.close()
    return docs.rows, spans.rows


def _str(value: Any) -> str | None:
    return None if value is None else str(value)
