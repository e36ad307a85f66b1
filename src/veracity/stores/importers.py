"""Streaming importers: schema.org ClaimReview (JSON-LD, HTML, Google Fact Check Tools, Data Commons feed), CSV with a
column mapping, and CheckThat! ``vclaims`` JSONL.

Every reader yields ``(position, record_or_problem)``: a :class:`FactCheckRecord`, or a :class:`Problem` saying where and
why one input record was skipped. Readers never hold the whole file: JSON arrays and objects are parsed incrementally
with ijson, JSONL and CSV line by line. A file that ends early or stops being valid JSON raises :class:`ImportStopped`
*after* yielding every record before the fault, so the caller keeps them.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlparse

from veracity.errors import InputError, UsageError
from veracity.stores.records import FactCheckRecord, normalise_date, normalise_rating

__all__ = [
    "FORMATS",
    "ImportStopped",
    "Problem",
    "detect_format",
    "parse_mapping",
    "read_records",
    "records_from_claimreview",
    "url_problem",
]

FORMATS = ("claimreview", "csv", "checkthat")
#: JSON nesting deeper than this stops an import (a ClaimReview needs about 5 levels; a hostile file can hold 100,000)
MAX_DEPTH = 64
#: one input record (a JSONL line, a CSV line, a JSON array item's text) may hold at most this many characters
MAX_RECORD_CHARS = 1_000_000


@dataclass(frozen=True)
class Problem:
    """One skipped input record: where (``line 12``, ``record 3``, ``row 7``) and why."""

    position: str
    reason: str

    def __str__(self) -> str:
        return f"{self.position}: {self.reason}"


class ImportStopped(InputError):
    """The input cannot be read past some point (truncated or malformed); records before it were yielded."""


Item = tuple[str, FactCheckRecord | Problem]


class _CountingReader(io.RawIOBase):
    """Wraps a binary file and counts bytes read, for the progress bar."""

    def __init__(self, raw: IO[bytes], on_read: Callable[[int], None] | None) -> None:
        self._raw = raw
        self._on_read = on_read
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        n = len(data)
        buffer[:n] = data
        self.count += n
        if self._on_read:
            self._on_read(self.count)
        return n


def detect_format(path: Path) -> str:
    """Guess the format from the extension and the first bytes (``--format`` overrides it)."""
    suffix = path.suffix.lower()
    if suffix in {".csv", ".tsv"}:
        return "csv"
    with open(path, "rb") as fh:
        head = fh.read(4096).decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if suffix == ".jsonl" and '"vclaim"' in head.split("\n", 1)[0]:
        return "checkthat"
    if head.startswith(("{", "[", "<")):
        return "claimreview"
    raise UsageError(
        f"cannot tell the format of {path}: it does not look like JSON, JSONL, HTML or CSV; "
        f"pass --format {'|'.join(FORMATS)}"
    )


def read_records(
    path: str | Path,
    fmt: str | None = None,
    mapping: dict[str, str] | None = None,
    on_bytes: Callable[[int], None] | None = None,
) -> Iterator[Item]:
    """Stream ``(position, record or problem)`` from a file in one of :data:`FORMATS` (guessed when ``fmt`` is None)."""
    path = Path(path)
    if not path.is_file():
        raise UsageError(f"{path} does not exist or is not a file")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    with open(path, "rb") as raw:
        reader = io.BufferedReader(_CountingReader(raw, on_bytes), buffer_size=1 << 16)
        if fmt == "csv":
            items = _read_csv(reader, path, mapping)
        elif fmt == "checkthat":
            items = _read_checkthat(reader, path)
        else:
            items = _read_claimreview(reader, path)
        for position, item in items:
            if isinstance(item, FactCheckRecord):
                problem = url_problem(item.review_url, "review URL") or url_problem(
                    item.publisher_site, "publisher site"
                )
                if problem:
                    yield position, Problem(position, problem)
                    continue
            yield position, item


def url_problem(url: str, what: str) -> str | None:
    """Why ``url`` cannot be a link in a report (only http(s) links with a host), or None when it can (or is empty).

    A publisher site may be a bare host name ("snopes.com"); anything with a scheme must be http(s)."""
    url = url.strip()
    if not url:
        return None
    if any(ord(c) < 32 or c.isspace() for c in url):
        return f"{what} {url[:60]!r} contains spaces or control characters; skipped"
    if "://" not in url and ":" not in url.split("/", 1)[0]:
        return None if what == "publisher site" else f"{what} {url[:60]!r} is not an http(s) URL; skipped"
    try:
        parts = urlparse(url)
    except ValueError:
        return f"{what} {url[:60]!r} is not a valid URL; skipped"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"{what} {url[:60]!r} is not an http(s) URL (only http and https links are imported); skipped"
    return None


# -- CheckThat! vclaims -----------------------------------------------------------------------------------------
def _checkthat_record(obj: dict[str, Any]) -> FactCheckRecord:
    vid = str(obj.get("vclaim_id") or "").strip()
    claim = str(obj.get("vclaim") or "").strip()
    if not claim:
        raise ValueError("no 'vclaim' text")
    if not vid:
        raise ValueError("no 'vclaim_id'")
    url = str(obj.get("page_url") or "").strip()
    if not url and vid.startswith("vclaim-sno-"):
        # the id after "vclaim-sno-" is the Snopes article slug (dataset SOURCE.md)
        url = f"https://www.snopes.com/fact-check/{vid[len('vclaim-sno-') :]}/"
    snopes = vid.startswith("vclaim-sno-") or "snopes.com" in url
    rating_text = str(obj.get("rating") or obj.get("label") or "").strip()
    return FactCheckRecord(
        id=vid,
        claim=claim,
        review_url=url,
        publisher_name="Snopes" if snopes else str(obj.get("publisher") or ""),
        publisher_site="snopes.com" if snopes else _site(url),
        review_date=normalise_date(obj.get("date")),
        textual_rating=rating_text,
        rating=normalise_rating(rating_text),
        title=str(obj.get("title") or "").strip(),
        summary=str(obj.get("subtitle") or "").strip(),
        language=str(obj.get("language") or "en"),
    )


def _capped_lines(reader: IO[bytes]) -> Iterator[tuple[int, bytes | None]]:
    """``(line number, bytes)`` of a byte stream; a line over :data:`MAX_RECORD_CHARS` bytes comes as None (its
    bytes are skipped, never held)."""
    lineno = 0
    while True:
        raw = reader.readline(MAX_RECORD_CHARS + 1)
        if not raw:
            return
        lineno += 1
        if len(raw) > MAX_RECORD_CHARS and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):
                raw = reader.readline(1 << 20)
            yield lineno, None
            continue
        yield lineno, raw


def _too_long(position: str) -> Problem:
    return Problem(position, f"longer than {MAX_RECORD_CHARS:,} bytes; a fact-check record is far smaller (skipped)")


def _loads(line: str) -> Any:
    """``json.loads`` refusing nesting deeper than :data:`MAX_DEPTH` (a JSONDecodeError saying so)."""
    try:
        obj = json.loads(line)
    except RecursionError:
        obj = None
    else:
        if _depth_within(obj, MAX_DEPTH):
            return obj
    raise json.JSONDecodeError(f"nested more than {MAX_DEPTH} levels deep", line, 0)


def _depth_within(obj: Any, limit: int) -> bool:
    """Whether a parsed JSON value nests at most ``limit`` containers deep (iterative: no recursion)."""
    stack: list[tuple[Any, int]] = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return False
            stack.extend((v, depth + 1) for v in (value.values() if isinstance(value, dict) else value))
    return True


def _read_checkthat(reader: IO[bytes], path: Path) -> Iterator[Item]:
    valid = 0
    for lineno, raw_line in _capped_lines(reader):
        position = f"line {lineno}"
        if raw_line is None:
            yield position, _too_long(position)
            continue
        line = raw_line.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            if valid == 0 and lineno == 1:
                raise UsageError(
                    f"{path}: line 1 is not JSON ({exc.msg}); --format checkthat reads CheckThat! vclaims JSONL "
                    "(one JSON object per line); is it a CSV (--format csv) or ClaimReview JSON (--format claimreview)?"
                ) from None
            truncated = not raw_line.endswith(b"\n")
            reason = "incomplete last line (file truncated?)" if truncated else f"malformed JSON: {exc.msg}"
            yield position, Problem(position, reason)
            continue
        if valid == 0 and lineno == 1 and not (isinstance(obj, dict) and ({"vclaim", "vclaim_id"} & set(obj))):
            looks_like = "ClaimReview JSON" if "claimReviewed" in line or "ClaimReview" in line else "not vclaims"
            raise UsageError(
                f"{path}: line 1 has no 'vclaim'/'vclaim_id' ({looks_like}); --format checkthat reads CheckThat! "
                "vclaims JSONL; for ClaimReview JSON use --format claimreview, for CSV --format csv"
            )
        if not isinstance(obj, dict):
            yield position, Problem(position, f"expected a JSON object, got {type(obj).__name__}")
            continue
        try:
            record = _checkthat_record(obj)
        except ValueError as exc:
            yield position, Problem(position, str(exc))
            continue
        valid += 1
        yield position, record


# -- CSV --------------------------------------------------------------------------------------------------------
#: accepted column names per field, first match wins (case-insensitive); --map FIELD=COLUMN overrides
CSV_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "identifier", "factcheck_id", "vclaim_id"),
    "claim": ("claim", "claim_text", "claimreviewed", "claim_reviewed", "text", "statement", "vclaim"),
    "claimant": ("claimant", "speaker", "claim_author"),
    "claim_date": ("claim_date", "claimdate"),
    "review_url": ("review_url", "url", "link", "page_url"),
    "publisher_name": ("publisher_name", "publisher", "fact_checker", "source"),
    "publisher_site": ("publisher_site", "site", "domain"),
    "review_date": ("review_date", "date", "reviewdate", "date_published"),
    "textual_rating": ("textual_rating", "rating", "verdict", "label", "textualrating"),
    "title": ("title", "headline", "name"),
    "summary": ("summary", "description", "subtitle"),
    "language": ("language", "lang", "languagecode", "inlanguage"),
}


def parse_mapping(spec: str | None) -> dict[str, str]:
    """``"claim=Statement,review_url=Link"`` → ``{"claim": "Statement", "review_url": "Link"}``."""
    if not spec:
        return {}
    out: dict[str, str] = {}
    for part in spec.split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        field = field.strip()
        if not sep or not column.strip():
            raise UsageError(f"bad --map entry {part!r}; write FIELD=COLUMN, e.g. claim=Statement")
        if field not in CSV_ALIASES and field != "rating":
            raise UsageError(f"--map: unknown field {field!r}; fields: {', '.join(CSV_ALIASES)}")
        out["textual_rating" if field == "rating" else field] = column.strip()
    return out


def _read_csv(reader: IO[bytes], path: Path, mapping: dict[str, str] | None) -> Iterator[Item]:
    text = io.TextIOWrapper(reader, encoding="utf-8-sig", errors="replace", newline="")
    dialect: Any = "excel-tab" if path.suffix.lower() == ".tsv" else "excel"
    lines = _Lines(text)
    rows = csv.reader(lines, dialect)
    try:
        header = next(rows)
    except StopIteration:
        raise UsageError(f"{path} is empty; a CSV needs a header row") from None
    except csv.Error as exc:
        raise UsageError(f"{path}: cannot read the CSV header ({exc})") from None
    lower = {h.strip().lower(): i for i, h in enumerate(header)}
    columns: dict[str, int] = {}
    for field, aliases in CSV_ALIASES.items():
        wanted = (mapping or {}).get(field)
        if wanted is not None:
            if wanted.strip().lower() not in lower:
                raise UsageError(
                    f"{path}: --map {field}={wanted} but there is no column {wanted!r}; "
                    f"columns: {', '.join(h for h in header[:20])}"
                )
            columns[field] = lower[wanted.strip().lower()]
            continue
        for alias in aliases:
            if alias in lower:
                columns[field] = lower[alias]
                break
    if "claim" not in columns or ("id" not in columns and "review_url" not in columns):
        need = [f for f in ("claim",) if f not in columns] + (
            ["id or review_url"] if "id" not in columns and "review_url" not in columns else []
        )
        shown = ", ".join(repr(h) for h in header[:12]) or "(none)"
        raise UsageError(
            f"{path}: the CSV has no column for {' and '.join(need)} (columns: {shown}); "
            "name them with --map, e.g. --map claim=Statement,review_url=Link"
        )
    rating_value = lower.get("rating_value")
    for position, row in _csv_rows(rows, lines, len(header), dialect):
        if isinstance(row, Problem):
            yield position, row
            continue
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < len(header):
            row = row + [""] * (len(header) - len(row))
        values = {f: row[i].strip() for f, i in columns.items()}
        try:
            value = float(row[rating_value]) if rating_value is not None and row[rating_value].strip() else None
            record = FactCheckRecord(
                id=values.get("id") or values.get("review_url", ""),
                claim=values.get("claim", ""),
                claimant=values.get("claimant", ""),
                claim_date=normalise_date(values.get("claim_date")),
                review_url=values.get("review_url", ""),
                publisher_name=values.get("publisher_name", ""),
                publisher_site=values.get("publisher_site", "") or _site(values.get("review_url", "")),
                review_date=normalise_date(values.get("review_date")),
                textual_rating=values.get("textual_rating", ""),
                rating=normalise_rating(values.get("textual_rating"), value),
                title=values.get("title", ""),
                summary=values.get("summary", ""),
                language=values.get("language", ""),
            )
        except ValueError as exc:
            yield position, Problem(position, str(exc))
            continue
        yield position, record


class _Lines:
    """The text lines a ``csv.reader`` pulls, kept per row so that a row that swallowed others can be re-read."""

    def __init__(self, text: IO[str]) -> None:
        self._text = text
        self.taken: list[str] = []
        self.line = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = next(self._text)
        if len(line) > MAX_RECORD_CHARS:
            raise InputError(
                f"line {self.line + 1} is longer than {MAX_RECORD_CHARS:,} characters; split the file or fix it"
            )
        self.line += 1
        self.taken.append(line)
        return line


def _csv_rows(rows: Any, lines: _Lines, width: int, dialect: Any) -> Iterator[tuple[str, list[str] | Problem]]:
    """CSV rows with their position; a quote left open (which makes ``csv`` merge the rows after it into one field)
    becomes a Problem for its line, and the lines it swallowed are read again as rows."""
    while True:
        first = lines.line + 1
        lines.taken = []
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            position = f"row {first}"
            yield position, Problem(position, f"unreadable CSV ({exc})")
            yield from _reread(lines.taken[1:], first, width, dialect)
            continue
        taken = lines.taken
        if len(taken) > 1 and _swallowed(row, taken[1:], width, dialect):
            position = f"row {first}"
            yield (
                position,
                Problem(
                    position,
                    f"a quoted field opened here is not closed before line {first + len(taken) - 1} "
                    "(unterminated quote?); this row was skipped and the lines after it read again",
                ),
            )
            yield from _reread(taken[1:], first, width, dialect)
            continue
        yield f"row {first}", row


def _reread(taken: list[str], first: int, width: int, dialect: Any) -> Iterator[tuple[str, list[str] | Problem]]:
    """Rows of the lines an unterminated quote swallowed (each line on its own)."""
    for offset, line in enumerate(taken, 1):
        where = f"row {first + offset}"
        if not line.strip():
            continue
        try:
            retried = next(csv.reader([line], dialect), [])
        except csv.Error as exc:
            yield where, Problem(where, f"unreadable CSV ({exc})")
            continue
        if len(retried) > width or line.count('"') % 2:
            yield where, Problem(where, "inside an unterminated quote; check the quotes of this line")
            continue
        yield where, retried


def _swallowed(row: list[str], continuation: list[str], width: int, dialect: Any) -> bool:
    """Whether a row spanning several lines looks like an unterminated quote rather than a multi-line field."""
    if len(row) < width:
        return True
    return any(len(next(csv.reader([line], dialect), [])) == width for line in continuation if line.strip())


# -- ClaimReview ------------------------------------------------------------------------------------------------
def _site(url: str) -> str:
    try:
        host = urlparse(url).hostname or ""
    except ValueError:
        return ""
    return host[4:] if host.startswith("www.") else host


def _text(value: Any) -> str:
    """A string from a JSON-LD value that may be a string, a list, or an object with a name."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        return next((t for t in (_text(v) for v in value) if t), "")
    if isinstance(value, dict):
        return _text(value.get("name") or value.get("alternateName") or value.get("@value") or value.get("text"))
    return ""


def _types(obj: dict[str, Any]) -> set[str]:
    t = obj.get("@type") or obj.get("type") or ""
    values = t if isinstance(t, list) else [t]
    return {str(v).rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values}


def _number(value: Any) -> float | None:
    try:
        return float(value) if value not in (None, "") else None
    except (TypeError, ValueError):
        return None


def _from_schema_claimreview(obj: dict[str, Any]) -> FactCheckRecord:
    claim = _text(obj.get("claimReviewed"))
    reviewed = obj.get("itemReviewed")
    item: dict[str, Any] = reviewed if isinstance(reviewed, dict) else {}
    if not claim:
        claim = _text(item.get("text") or item.get("name"))
    url = _text(obj.get("url") or obj.get("@id"))
    author = obj.get("author") or obj.get("publisher") or {}
    if isinstance(author, list):
        author = author[0] if author else {}
    publisher = _text(author)
    site_url = author.get("url", "") if isinstance(author, dict) else ""
    rating = obj.get("reviewRating") or {}
    if isinstance(rating, list):
        rating = rating[0] if rating else {}
    textual = _text(rating.get("alternateName") or rating.get("name")) if isinstance(rating, dict) else _text(rating)
    value = best = worst = None
    if isinstance(rating, dict):
        value, best, worst = (_number(rating.get(k)) for k in ("ratingValue", "bestRating", "worstRating"))
    normalised = rating.get("veracityRating") if isinstance(rating, dict) else None
    if normalised not in ("false", "mostly_false", "mixed", "mostly_true", "true", "unrated"):
        normalised = normalise_rating(textual, value, best, worst)
    claimant = item.get("author") if isinstance(item, dict) else None
    if isinstance(claimant, list):
        claimant = claimant[0] if claimant else None
    identifier = _text(obj.get("identifier"))
    at_id = _text(obj.get("@id"))
    return FactCheckRecord(
        id=identifier or url or at_id,
        claim=claim,
        claimant=_text(claimant),
        claim_date=normalise_date(_text(item.get("datePublished") or item.get("dateCreated"))),
        review_url=url,
        publisher_name=publisher,
        publisher_site=_site(site_url) or _text(site_url) or _site(url),
        review_date=normalise_date(_text(obj.get("datePublished") or obj.get("dateCreated"))),
        textual_rating=textual,
        rating=str(normalised),
        title=_text(obj.get("name") or obj.get("headline")),
        summary=_text(obj.get("description") or obj.get("reviewBody")),
        language=_text(obj.get("inLanguage")),
    )


def _from_google_claim(claim: dict[str, Any]) -> Iterator[FactCheckRecord | Exception]:
    """A Fact Check Tools ``claims:search`` claim: one record per review."""
    reviews = claim.get("claimReview") or []
    if not isinstance(reviews, list) or not reviews:
        yield ValueError("claim has no claimReview")
        return
    for review in reviews:
        try:
            if not isinstance(review, dict):
                raise ValueError("claimReview entry is not an object")
            publisher = review.get("publisher") or {}
            url = _text(review.get("url"))
            textual = _text(review.get("textualRating"))
            yield FactCheckRecord(
                id=url,
                claim=_text(claim.get("text")),
                claimant=_text(claim.get("claimant")),
                claim_date=normalise_date(_text(claim.get("claimDate"))),
                review_url=url,
                publisher_name=_text(publisher.get("name")) if isinstance(publisher, dict) else "",
                publisher_site=(_text(publisher.get("site")) if isinstance(publisher, dict) else "") or _site(url),
                review_date=normalise_date(_text(review.get("reviewDate"))),
                textual_rating=textual,
                rating=normalise_rating(textual),
                title=_text(review.get("title")),
                language=_text(review.get("languageCode")),
            )
        except ValueError as exc:
            yield exc


def records_from_claimreview(obj: Any, position: str) -> Iterator[Item]:
    """Records from one parsed JSON value: a ClaimReview, a list, a ``@graph``, a Data Commons feed, or a Google
    ``claims:search`` response or claim."""
    if isinstance(obj, list):
        for i, item in enumerate(obj, 1):
            yield from records_from_claimreview(item, f"{position}[{i}]")
        return
    if not isinstance(obj, dict):
        yield position, Problem(position, f"expected a JSON object, got {type(obj).__name__}")
        return
    types = _types(obj)
    if "ClaimReview" in types:
        try:
            yield position, _from_schema_claimreview(obj)
        except ValueError as exc:
            yield position, Problem(position, str(exc))
        return
    for key in ("@graph", "dataFeedElement", "itemListElement", "claims"):
        if isinstance(obj.get(key), list):
            for i, item in enumerate(obj[key], 1):
                yield from records_from_claimreview(item, f"{position}.{key}[{i}]")
            return
    if "item" in obj and isinstance(obj["item"], list | dict):  # DataFeedItem / ListItem
        yield from records_from_claimreview(obj["item"], f"{position}.item")
        return
    if "claimReview" in obj:  # a Google Fact Check Tools claim
        for j, result in enumerate(_from_google_claim(obj), 1):
            where = f"{position}.claimReview[{j}]"
            yield where, Problem(where, str(result)) if isinstance(result, Exception) else result
        return
    label = ", ".join(sorted(t for t in types if t)) or "no @type"
    yield position, Problem(position, f"not a ClaimReview ({label})")


_STREAM_KEYS = {"@graph", "dataFeedElement", "itemListElement", "claims"}


def _read_claimreview(reader: IO[bytes], path: Path) -> Iterator[Item]:
    peek = reader.peek  # type: ignore[attr-defined]  # a BufferedReader (read_records makes one)
    head = peek(4096)[:4096].decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if head.startswith("<"):
        yield from _read_html(reader, path)
        return
    if not head.startswith(("{", "[")):
        raise UsageError(
            f"{path} does not start with JSON or HTML; --format claimreview reads ClaimReview JSON-LD, a JSON array, "
            "JSONL or an HTML page (use --format csv or --format checkthat for those)"
        )
    first_line = head.split("\n", 1)[0].strip()
    if head.startswith("{") and first_line.endswith("}") and _is_jsonl(first_line):
        yield from _read_jsonl_claimreview(reader)
        return
    yield from _stream_json(reader, path)


def _is_jsonl(first_line: str) -> bool:
    try:
        json.loads(first_line)
    except json.JSONDecodeError:
        return False
    return True


def _read_jsonl_claimreview(reader: IO[bytes]) -> Iterator[Item]:
    for lineno, raw_line in _capped_lines(reader):
        position = f"line {lineno}"
        if raw_line is None:
            yield position, _too_long(position)
            continue
        line = raw_line.decode("utf-8", errors="replace").strip()
        if not line:
            continue
        try:
            obj = _loads(line)
        except json.JSONDecodeError as exc:
            truncated = not raw_line.endswith(b"\n")
            yield position, Problem(position, "incomplete last line (file truncated?)" if truncated else exc.msg)
            continue
        yield from records_from_claimreview(obj, position)


def _stream_json(reader: IO[bytes], path: Path) -> Iterator[Item]:
    """Parse one JSON document incrementally: top-level arrays and the big arrays inside an object stream item by
    item; everything else is small and built whole."""
    import ijson  # type: ignore[import-untyped]
    from ijson.common import ObjectBuilder  # type: ignore[import-untyped]

    events = _prefixed_events(ijson.basic_parse(reader, use_float=True), path)
    top: dict[str, Any] = {}
    streamed = False
    try:
        prefix, event, value = next(events)
        if event == "start_array":
            yield from _stream_items(events, "item", ObjectBuilder, "record")
            streamed = True
        elif event == "start_map":
            key = None
            for prefix, event, value in events:
                if prefix == "" and event == "map_key":
                    key = value
                elif prefix == "" and event == "end_map":
                    break
                elif key is not None and prefix == key and event == "start_array" and key in _STREAM_KEYS:
                    yield from _stream_items(events, f"{key}.item", ObjectBuilder, key)
                    streamed = True
                    key = None
                elif key is not None and prefix == key and event in ("start_map", "start_array"):
                    builder = ObjectBuilder()
                    builder.event(event, value)
                    depth = 1
                    for _p, ev, val in events:
                        builder.event(ev, val)
                        depth += ev in ("start_map", "start_array")
                        depth -= ev in ("end_map", "end_array")
                        if depth == 0:
                            break
                    top[key] = builder.value
                    key = None
                elif key is not None and prefix == key:
                    top[key] = value
                    key = None
            if not streamed:
                yield from records_from_claimreview(top, "record 1")
        else:
            raise UsageError(f"{path}: the JSON is a single {event}, not a ClaimReview object or array")
        for _ in events:  # anything after the document is an error (ijson raises on trailing garbage)
            pass
    except ijson.common.IncompleteJSONError as exc:
        message = str(exc).strip() or "unexpected end of input"
        kind = (
            "ends early (truncated?)"
            if "incomplete" in message.lower() or "premature" in message.lower()
            else "is not valid JSON"
        )
        raise ImportStopped(f"{path} {kind}: {message}; the records before that point were read") from None
    except StopIteration:
        raise ImportStopped(f"{path} is empty") from None


def _prefixed_events(events: Iterator[tuple[str, Any]], path: Path) -> Iterator[tuple[str, str, Any]]:
    """``ijson.parse``'s ``(prefix, event, value)`` from ``basic_parse`` events, stopping at :data:`MAX_DEPTH`.

    ``ijson.parse`` builds a prefix string per event whose length grows with the depth, so a file nested 100,000 deep
    costs gigabytes before any check could run; here the depth is checked first and prefixes stay short."""
    stack: list[Any] = []
    for event, value in events:
        if event == "map_key":
            stack[-1] = None
            yield ".".join(stack[:-1]), event, value
            stack[-1] = str(value)
        elif event in ("start_map", "start_array"):
            yield ".".join(stack), event, value
            stack.append(None if event == "start_map" else "item")
            if len(stack) > MAX_DEPTH:
                raise ImportStopped(
                    f"{path} nests JSON more than {MAX_DEPTH} levels deep (a ClaimReview needs about 5); "
                    "the records before that point were read"
                )
        elif event in ("end_map", "end_array"):
            stack.pop()
            yield ".".join(stack), event, value
        else:
            yield ".".join(stack), event, value


def _stream_items(
    events: Iterator[tuple[str, str, Any]], item_prefix: str, builder_cls: Any, label: str
) -> Iterator[Item]:
    index = 0
    builder = None
    depth = 0
    size = 0
    container = item_prefix.rsplit(".", 1)[0] if "." in item_prefix else ""
    for prefix, event, value in events:
        if builder is False:  # skipping an item that grew past the size cap
            depth += event in ("start_map", "start_array")
            depth -= event in ("end_map", "end_array")
            if depth == 0:
                builder = None
            continue
        if builder is None:
            if event == "end_array" and prefix == container:
                return
            if event in ("start_map", "start_array"):
                builder = builder_cls()
                builder.event(event, value)
                depth = 1
                size = 0
                index += 1
                continue
            index += 1
            position = f"{label} {index}"
            yield position, Problem(position, f"expected a JSON object, got {value!r}")
            continue
        size += len(value) + 4 if isinstance(value, str) else 8
        depth += event in ("start_map", "start_array")
        depth -= event in ("end_map", "end_array")
        if size > MAX_RECORD_CHARS:
            position = f"{label} {index}"
            yield position, _too_long(position)
            builder = False if depth else None
            continue
        builder.event(event, value)
        if depth == 0:
            yield from records_from_claimreview(builder.value, f"{label} {index}")
            builder = None


_LD_SCRIPT = re.compile(r"<script[^>]*type\s*=\s*[\"']?application/ld\+json[\"']?[^>]*>(.*?)</script\s*>", re.I | re.S)


def _read_html(reader: IO[bytes], path: Path) -> Iterator[Item]:
    import html as html_lib

    page = reader.read().decode("utf-8", errors="replace")
    scripts = _LD_SCRIPT.findall(page)
    if not scripts:
        raise UsageError(f'{path} is HTML without any <script type="application/ld+json"> block; nothing to import')
    for n, body in enumerate(scripts, 1):
        position = f"ld+json block {n}"
        body = body.strip()
        if body.startswith("<!--"):
            body = body[4:].rsplit("-->", 1)[0]
        try:
            obj = _loads(body)
        except json.JSONDecodeError:
            try:
                obj = _loads(html_lib.unescape(body))
            except json.JSONDecodeError as exc:
                yield position, Problem(position, f"malformed JSON: {exc.msg} at line {exc.lineno}")
                continue
        for where, item in records_from_claimreview(obj, position):
            if isinstance(item, Problem) and item.reason.startswith("not a ClaimReview"):
                continue  # pages carry other JSON-LD (Article, BreadcrumbList …)
            yield where, item
