"""Corpus readers: a folder of files, JSONL, CSV or Parquet, streamed as ``Record`` objects one at a time.

Reading is cheap and happens in the main process; turning a record into a ``Document`` (HTML extraction, URL fetching,
decoding) happens in the workers (``veracity.batch.process``). A record that cannot be read at all (a broken JSON line,
a row without text) becomes an ``error`` record, so it reaches the output as an error line instead of being lost.

Document ids: the record's id field when it has one; otherwise the content hash of its text (``Document.id``) for text
records, the URL for url records (a live page changes, its address does not), the content hash of the extracted text
for HTML records (known only after extraction), and the path relative to the folder for folder inputs.
"""

from __future__ import annotations

import csv
import json
import os
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from veracity.doc import content_id
from veracity.errors import InputError, UnsupportedInputError, UsageError

__all__ = ["META_FIELDS", "Record", "RecordSource", "detect_format", "open_records"]

RecordKind = Literal["text", "html", "url", "file", "error"]
InputFormat = Literal["folder", "jsonl", "csv", "parquet"]

#: record fields copied into the document metadata when present
META_FIELDS = ("title", "url", "published")
_SUFFIXES: dict[str, InputFormat] = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
}


@dataclass(frozen=True, slots=True)
class Record:
    """One input item before analysis: where it came from, how to read it, and its id when known up front."""

    #: the output id; None only for HTML records without an id field (the hash of the extracted text, found later)
    id: str | None
    kind: RecordKind
    #: text, HTML or URL (str), file bytes (folder inputs), or the error message (kind "error")
    content: str | bytes
    #: human name used in messages: '"corpus.jsonl" line 7', '"articles/a.txt"'
    name: str
    meta: Mapping[str, str] = field(default_factory=dict)
    #: exception type name for error records
    error_type: str | None = None

    @property
    def fallback_id(self) -> str:
        """An id for an error record when the document id could not be determined (hash of the raw content)."""
        if self.id is not None:
            return self.id
        raw = self.content if isinstance(self.content, str) else self.content.decode("utf-8", "replace")
        return content_id(raw)


def detect_format(path: Path) -> InputFormat:
    """The input format from the path: a folder, or a file suffix (.jsonl/.ndjson, .csv/.tsv, .parquet/.pq)."""
    if path.is_dir():
        return "folder"
    if not path.exists():
        raise InputError(
            f'"{path}" does not exist; give a folder of .txt/.html files or a .jsonl, .csv or .parquet file'
        )
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise UnsupportedInputError(
            f'"{path}" is not a corpus veracity batch reads; give a folder of .txt/.html files or a .jsonl, .csv or '
            ".parquet file (use veracity analyze for a single article)"
        )
    return fmt


class RecordSource:
    """A corpus opened for streaming: iterate it for records; ``count()`` gives the total cheaply when it can."""

    def __init__(
        self,
        path: str | Path,
        *,
        text_field: str | None = None,
        id_field: str | None = None,
        max_bytes: int = 20_000_000,
    ) -> None:
        self.path = Path(path)
        self.format: InputFormat = detect_format(self.path)
        self.text_field = text_field
        self.id_field = id_field or "id"
        self.max_bytes = max_bytes
        if self.format == "parquet":
            self._check_columns(self._parquet_columns())
        elif self.format == "csv":
            with self.path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
                header = next(csv.reader(fh, delimiter=self._delimiter), None)
            if header:
                self._check_columns(header)

    def __iter__(self) -> Iterator[Record]:
        if self.format == "folder":
            return self._folder()
        if self.format == "jsonl":
            return self._jsonl()
        if self.format == "csv":
            return self._csv()
        return self._parquet()

    def count(self) -> int | None:
        """How many records the corpus holds (for the progress bar), or None when it would cost a full parse."""
        if self.format == "folder":
            return sum(1 for _ in _walk(self.path))
        if self.format == "jsonl":
            n = 0
            last = b"\n"
            with self.path.open("rb") as fh:
                while block := fh.read(1 << 20):
                    n += block.count(b"\n")
                    last = block[-1:]
            return n + (last != b"\n")  # blank lines are skipped, so this is an upper bound
        if self.format == "parquet":
            import pyarrow.parquet as pq

            return pq.ParquetFile(self.path).metadata.num_rows
        return None

    # -- folder ---------------------------------------------------------------------------------------------------
    def _folder(self) -> Iterator[Record]:
        for file in _walk(self.path):
            rel = file.relative_to(self.path).as_posix()
            name = f'"{rel}"'
            if file.is_symlink() and not file.resolve().is_relative_to(self.path.resolve()):
                yield _error(
                    rel,
                    name,
                    "InputError",
                    f"{name} is a symbolic link to a file outside the folder; it was not read (copy the file in)",
                )
                continue
            try:
                size = file.stat().st_size
                if size > self.max_bytes:
                    yield _error(
                        rel,
                        name,
                        "InputTooLargeError",
                        f"{name} is {size:,} bytes, over the cap of {self.max_bytes:,}; split it or raise --max-bytes",
                    )
                    continue
                data = file.read_bytes()
            except OSError as exc:
                yield _error(rel, name, "InputError", f"{name} cannot be read: {exc.strerror or exc}")
                continue
            yield Record(rel, "file", data, name, {})

    # -- JSONL ----------------------------------------------------------------------------------------------------
    def _jsonl(self) -> Iterator[Record]:
        label = self.path.name
        with self.path.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                if not raw.strip():
                    continue
                where = f"{label}:{lineno}"
                name = f'"{label}" line {lineno}'
                try:
                    obj = json.loads(raw.decode("utf-8-sig" if lineno == 1 else "utf-8"))
                except UnicodeDecodeError as exc:
                    yield _error(where, name, "DecodingError", f"{name} is not valid UTF-8 (byte {exc.start})")
                    continue
                except json.JSONDecodeError as exc:
                    yield _error(
                        where, name, "InputError", f"{name} is not valid JSON ({exc.msg} at column {exc.colno})"
                    )
                    continue
                if not isinstance(obj, dict):
                    yield _error(
                        where, name, "InputError", f"{name} is a JSON {type(obj).__name__}, not an object with 'text'"
                    )
                    continue
                yield self._from_fields(obj, where, name)

    # -- CSV ------------------------------------------------------------------------------------------------------
    def _csv(self) -> Iterator[Record]:
        """Rows of a CSV/TSV file. A malformed row (an unterminated or stray quote) is that row's error record and
        reading goes on from the line after it, so a broken quote never swallows the rows that follow."""
        label = self.path.name
        csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
        with self.path.open("r", encoding="utf-8-sig", errors="surrogateescape", newline="") as fh:
            lines = _Lines(fh)
            reader = csv.reader(lines, delimiter=self._delimiter, strict=True)
            try:
                header = next(reader, None)
            except csv.Error:
                header = None
            if not header:
                return
            rowno = 0
            while True:
                first = lines.lineno + 1
                lines.mark()
                try:
                    cells = next(reader)
                except StopIteration:
                    return
                except csv.Error as exc:
                    rowno += 1
                    name = f'"{label}" row {rowno} (line {first})'
                    yield _error(
                        f"{label}:line {first}",
                        name,
                        "InputError",
                        f"{name} is not valid CSV ({exc}); check its quotes: a field that starts with a quote must end "
                        "with one",
                    )
                    lines.rewind_after_first()  # go on with the line after the broken row's first line
                    reader = csv.reader(lines, delimiter=self._delimiter, strict=True)
                    continue
                if not cells:
                    continue
                rowno += 1
                where = f"{label}:row {rowno}"
                name = f'"{label}" row {rowno}'
                if any(_has_surrogates(v) for v in cells):
                    yield _error(where, name, "DecodingError", f"{name} is not valid UTF-8; convert the file to UTF-8")
                    continue
                if len(cells) > len(header):
                    yield _error(where, name, "InputError", f"{name} has more cells than the header has columns")
                    continue
                row: dict[str, str | None] = dict(zip(header, cells, strict=False))
                for column in header[len(cells) :]:
                    row[column] = None
                yield self._from_fields(row, where, name)

    @property
    def _delimiter(self) -> str:
        return "\t" if self.path.suffix.lower() == ".tsv" else ","

    # -- Parquet --------------------------------------------------------------------------------------------------
    def _parquet_columns(self) -> list[str]:
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(self.path).schema_arrow.names)

    def _parquet(self) -> Iterator[Record]:
        import pyarrow.parquet as pq

        label = self.path.name
        names = self._parquet_columns()
        wanted = {self.text_field or "text", "html", "url", self.id_field, *META_FIELDS}
        columns = [c for c in names if c in wanted]
        rowno = 0
        for batch in pq.ParquetFile(self.path).iter_batches(batch_size=256, columns=columns):
            for row in batch.to_pylist():
                rowno += 1
                yield self._from_fields(row, f"{label}:row {rowno}", f'"{label}" row {rowno}')

    # -- shared ---------------------------------------------------------------------------------------------------
    def _check_columns(self, columns: list[str]) -> None:
        """Fail before the run when a mapped field is missing from a table's header (not once per row)."""
        if self.text_field and self.text_field not in columns:
            raise UsageError(
                f'--text-field {self.text_field!r} is not a column of "{self.path.name}" (columns: {", ".join(columns)})'
            )
        if self.id_field != "id" and self.id_field not in columns:
            raise UsageError(
                f'--id-field {self.id_field!r} is not a column of "{self.path.name}" (columns: {", ".join(columns)})'
            )
        if not self.text_field and not {"text", "html", "url"} & set(columns):
            raise UsageError(
                f'"{self.path.name}" has no text, html or url column (columns: {", ".join(columns)}); '
                "name the text column with --text-field"
            )

    def _from_fields(self, obj: Mapping[str, Any], where: str, name: str) -> Record:
        """A record from a JSON object or table row, honouring --text-field and --id-field."""
        bad = _surrogate_field(obj, (self.id_field, self.text_field or "text", "html", "url", *META_FIELDS))
        if bad is not None:
            key, index, char = bad
            raw_id, text = obj.get(self.id_field), obj.get(self.text_field or "text")
            if key != self.id_field and raw_id not in (None, ""):
                bad_id = _scalar(raw_id)
            elif key != self.id_field and isinstance(text, str):
                bad_id = content_id(text)  # no id field: the text's hash, as for good rows (stable across resumes)
            else:
                bad_id = where  # the id itself is broken: the line's place in the file
            return _error(
                bad_id,
                name,
                "DecodingError",
                f"{name}: field {key!r} holds a lone UTF-16 surrogate (\\u{ord(char):04x}) at character {index}, "
                "which is not text; fix the program that wrote the file (it split a surrogate pair or an emoji)",
            )
        raw_id = obj.get(self.id_field)
        rid = None if raw_id is None or raw_id == "" else _scalar(raw_id)
        meta = {k: _scalar(obj[k]) for k in META_FIELDS if obj.get(k) not in (None, "")}
        text_key = self.text_field or "text"
        if obj.get(text_key) is not None and text_key != "html":
            kind: RecordKind = "text"
            content = obj[text_key]
        elif obj.get("html") is not None and (self.text_field in (None, "html")):
            kind, content = "html", obj["html"]
        elif obj.get("url") and not self.text_field:
            kind, content = "url", obj["url"]
        else:
            wanted = f"a {self.text_field!r} field" if self.text_field else "a 'text', 'html' or 'url' field"
            return _error(rid or where, name, "EmptyInputError", f"{name} has no {wanted} with content")
        if not isinstance(content, str):
            return _error(
                rid or where,
                name,
                "UnsupportedInputError",
                f"{name}: {kind} must be a string, not {type(content).__name__}",
            )
        if rid is None and kind == "text":
            rid = content_id(content)
        elif rid is None and kind == "url":
            rid = content
        return Record(rid, kind, content, name, meta)


class _Lines:
    """The lines of a text file for ``csv.reader``, able to go back to just after the first line of the current row.

    Only the lines of the row being read are kept, so memory stays that of one row.
    """

    def __init__(self, fh: Any) -> None:
        self._fh = fh
        self._row: list[str] = []
        self._again: list[str] = []
        self.lineno = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self._again.pop() if self._again else next(self._fh)
        self._row.append(line)
        self.lineno += 1
        return line

    def mark(self) -> None:
        """A new row starts here."""
        self._row = []

    def rewind_after_first(self) -> None:
        """Read the current row's lines again, all but its first (where the error began)."""
        rest = self._row[1:]
        self.lineno -= len(rest)
        self._again.extend(reversed(rest))
        self._row = []


def open_records(
    path: str | Path, *, text_field: str | None = None, id_field: str | None = None, max_bytes: int = 20_000_000
) -> RecordSource:
    """Open a corpus for streaming (see ``RecordSource``)."""
    return RecordSource(path, text_field=text_field, id_field=id_field, max_bytes=max_bytes)


def _walk(root: Path) -> Iterator[Path]:
    """Regular, non-hidden files under a folder, in a stable (sorted) order.

    Symbolic links are followed only when they stay inside the folder: a link to ``/etc/passwd`` or to a file of
    another corpus is yielded but never read (the reader makes it an error record); folders are never entered through
    links. Devices and FIFOs are skipped.
    """
    inside = root.resolve()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if not name.startswith("."):
                path = Path(dirpath) / name
                if path.is_symlink() and not path.resolve().is_relative_to(inside):
                    yield path  # reported by the reader as an error record, never read
                elif path.is_file():
                    yield path


def _error(rid: str, name: str, kind: str, message: str) -> Record:
    return Record(rid, "error", message, name, {}, error_type=kind)


def _scalar(value: Any) -> str:
    """Ids and metadata as strings (ints, dates and timestamps from tables included)."""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _surrogate_field(obj: Mapping[str, Any], keys: tuple[str, ...]) -> tuple[str, int, str] | None:
    """The first of ``keys`` whose string value holds a lone surrogate: (key, character index, the surrogate)."""
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and _has_surrogates(value):
            index = next(i for i, ch in enumerate(value) if "\ud800" <= ch <= "\udfff")
            return key, index, value[index]
    return None


def _has_surrogates(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False
