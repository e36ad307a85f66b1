"""Corpus analysis at scale: ``veracity batch`` on local worker processes or a Ray cluster.

``run_batch(input, out, ...)`` reads a folder of .txt/.html files, JSONL, CSV or Parquet, analyses every document with
one Pipeline per worker, and writes ``reports.jsonl`` (each document exactly once, resumable) plus Parquet tables
(``documents.parquet``, ``spans.parquet``) to query with DuckDB or pandas.
"""

from veracity.batch.output import write_tables
from veracity.batch.records import Record, open_records
from veracity.batch.runner import BatchSummary, default_workers, run_batch

__all__ = ["BatchSummary", "Record", "default_workers", "open_records", "run_batch", "write_tables"]
