"""Worker-side processing shared by every engine: records to Documents to reports, one JSON line per record.

A ``Worker`` builds its ``Pipeline`` once (in the worker process or Ray actor) and turns a chunk of records into output
lines in the same order. Analyzer failures are recorded inside the report (``on_error="record"``); a record that cannot
become a document, or whose analysis fails outright, becomes an error line ``{"id", "error": {"type", "message"}}``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import PurePosixPath
from typing import Any

from veracity.batch.records import Record
from veracity.config import Settings
from veracity.doc import Document

__all__ = ["Result", "Worker", "WorkerSpec", "error_line", "one_thread_per_worker", "record_to_document"]

_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


@dataclass(frozen=True)
class WorkerSpec:
    """What a worker needs to build its pipeline (picklable, sent once to each worker process or actor)."""

    only: tuple[str, ...] | None
    settings: Settings


@dataclass(frozen=True, slots=True)
class Result:
    """One output line: the document id, the JSON line (no newline), and whether it is an error record."""

    id: str
    line: str
    error: bool
    #: whether the id was known (and so claimed by the main process) before analysis
    known_id: bool = True


class Worker:
    """Holds one loaded Pipeline and analyses chunks of records with it."""

    def __init__(self, spec: WorkerSpec, *, load: bool = True) -> None:
        from veracity.models.loading import cap_malloc_arenas

        cap_malloc_arenas()  # a worker process starts fresh: cap its arenas before its models allocate
        from veracity.pipeline import Pipeline

        self.spec = spec
        # one store per worker process, opened lazily by the pipeline's services
        self.pipeline = Pipeline.from_settings(spec.settings, only=spec.only, on_error="record")
        if load:
            self.pipeline.load()

    def process(self, records: Sequence[Record]) -> list[Result]:
        """Analyse a chunk; exactly one result per record, in order, whatever fails."""
        results: list[Result | None] = [None] * len(records)
        docs: list[Document] = []
        slots: list[int] = []
        for i, record in enumerate(records):
            if record.kind == "error":
                results[i] = error_line(record.fallback_id, record.error_type or "InputError", str(record.content))
                continue
            try:
                doc = record_to_document(record, self.spec.settings)
            except Exception as exc:  # any failure to read one record is that record's error, never the run's
                results[i] = error_line(record.fallback_id, type(exc).__name__, str(exc))
                continue
            docs.append(doc)
            slots.append(i)
        for i, result in zip(slots, self._analyse(docs), strict=True):
            results[i] = result
        return [
            _writable(r) if record.id is not None else replace(_writable(r), known_id=False)
            for record, r in zip(records, results, strict=True)
            if r is not None
        ]

    def _analyse(self, docs: list[Document]) -> list[Result]:
        """Run the pipeline on the batch; if the batch call itself fails, retry one by one to isolate the culprit."""
        if not docs:
            return []
        try:
            return [_report_line(r) for r in self.pipeline.run_batch(docs)]
        except Exception as exc:
            if len(docs) == 1:
                return [error_line(docs[0].id, type(exc).__name__, str(exc))]
        out: list[Result] = []
        for doc in docs:
            try:
                out.append(_report_line(self.pipeline.run_batch([_fresh(doc)])[0]))
            except Exception as exc:
                out.append(error_line(doc.id, type(exc).__name__, str(exc)))
        return out


def one_thread_per_worker() -> None:
    """One worker per core: keep model runtimes to one thread each unless the user chose otherwise."""
    for var in ("VERACITY_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")


def record_to_document(record: Record, settings: Settings) -> Document:
    """Turn one record into a Document with the record's id (or its content hash) and metadata.

    Every kind goes through ``veracity.ingest.to_document``, the one "source → Document" function of every face.
    """
    from veracity.ingest import to_document

    meta = dict(record.meta)
    title = meta.pop("title", None)
    common: dict[str, Any] = {"name": record.name, "title": title, "id": record.id, "settings": settings, "meta": meta}
    if record.kind == "text":
        assert isinstance(record.content, str)
        return to_document(text=record.content, **common)
    if record.kind == "html":
        assert isinstance(record.content, str)
        return to_document(html=record.content, **common)
    if record.kind == "url":
        assert isinstance(record.content, str)
        return to_document(url=record.content, **common)
    if record.kind == "file":
        assert isinstance(record.content, bytes)
        suffix = PurePosixPath(record.name.strip('"')).suffix.lower()
        return to_document(data=record.content, is_html=True if suffix in _HTML_SUFFIXES else None, **common)
    raise ValueError(f"record kind {record.kind!r} has no document")


def error_line(doc_id: str, kind: str, message: str) -> Result:
    """The error record for a document that produced no report."""
    record = {"id": doc_id, "error": {"type": kind, "message": message}}
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    return Result(doc_id, line, True)


def _writable(result: Result) -> Result:
    """A result whose line can be written as UTF-8; one holding a lone surrogate becomes its document's error record.

    The readers already refuse such records; this is the backstop, so one line can never fail the write of a chunk.
    """
    try:
        result.line.encode("utf-8")
    except UnicodeEncodeError:
        doc_id = result.id.encode("utf-8", "backslashreplace").decode("utf-8")
        return error_line(doc_id, "DecodingError", "the report holds a lone UTF-16 surrogate, which is not text")
    return result


def _report_line(report: Any) -> Result:
    data = report.to_dict()
    return Result(data["document"]["id"], json.dumps(data, ensure_ascii=False, separators=(",", ":")), False)


def _fresh(doc: Document) -> Document:
    """The same document without layers (a failed batch may have attached some)."""
    return Document(doc.text, meta=doc.meta, id=doc.id)
