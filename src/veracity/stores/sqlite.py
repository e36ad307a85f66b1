"""The embedded default fact-check store: one SQLite file, with its search indexes beside it.

Files: ``<db>`` (records, schema version in ``meta``, and each claim's parsed predicate), ``<db>.usearch`` (dense ANN index keyed by SQLite rowid) and
``<db>.bm25/`` (BM25 index). Upserts are idempotent (matched by id, compared by a content hash); the dense index is
updated incrementally for new/changed records; BM25 is rebuilt after an import that changed anything (it needs
corpus-wide statistics; 14k records take well under a second).
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from veracity.errors import ConfigurationError
from veracity.stores.base import IndexReport, UpsertResult
from veracity.stores.records import FactCheckRecord, Match

__all__ = ["SCHEMA_VERSION", "SQLiteFactCheckStore"]

_FIELDS = FactCheckRecord.field_names()

#: migrations[i] takes the schema from version i to version i + 1
_MIGRATIONS: list[list[str]] = [
    [
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        """CREATE TABLE factchecks (
            rowid INTEGER PRIMARY KEY,
            id TEXT NOT NULL UNIQUE,
            claim TEXT NOT NULL,
            claimant TEXT NOT NULL DEFAULT '',
            claim_date TEXT NOT NULL DEFAULT '',
            review_url TEXT NOT NULL DEFAULT '',
            publisher_name TEXT NOT NULL DEFAULT '',
            publisher_site TEXT NOT NULL DEFAULT '',
            review_date TEXT NOT NULL DEFAULT '',
            textual_rating TEXT NOT NULL DEFAULT '',
            rating TEXT NOT NULL DEFAULT 'unrated',
            title TEXT NOT NULL DEFAULT '',
            summary TEXT NOT NULL DEFAULT '',
            language TEXT NOT NULL DEFAULT '',
            content_hash TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX factchecks_review_url ON factchecks(review_url)",
        # records whose search text changed since the dense index last saw them
        "CREATE TABLE index_state (rowid INTEGER PRIMARY KEY, text_hash TEXT NOT NULL)",
        "CREATE TABLE removed (rowid INTEGER PRIMARY KEY)",
    ],
    [
        # each record's claim predicate (veracity.stores.predicate), parsed once when indexed; valid while its
        # content_hash is the record's and meta 'predicate_version' matches the running parser
        "CREATE TABLE predicates (rowid INTEGER PRIMARY KEY, content_hash TEXT NOT NULL, words TEXT NOT NULL)",
    ],
]
SCHEMA_VERSION = len(_MIGRATIONS)


class SQLiteFactCheckStore:
    """A ``FactCheckStore`` in one SQLite file (WAL mode; safe to read from several threads)."""

    def __init__(self, path: str | Path, embedder: Any = None, create: bool = True) -> None:
        """Open (or create) the store at ``path``; ``embedder`` defaults to the shared MiniLM embedder."""
        self.path = Path(path).expanduser()
        if not create and not self.path.is_file():
            raise ConfigurationError(
                f"no fact-check database at {self.path}; import one with: veracity factchecks import FILE"
            )
        if self.path.exists() and self.path.is_dir():
            raise ConfigurationError(f"fact-check database path {self.path} is a folder; give a file path")
        if not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        self._embedder = embedder
        self._lock = threading.RLock()
        try:
            self._conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigurationError(f"{self.path} is not a veracity fact-check database ({exc})") from None
        self._index: Any = None

    # -- schema -------------------------------------------------------------------------------------------------
    def _migrate(self) -> None:
        with self._lock:
            self._conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if (
                version == 0
                and self._conn.execute(
                    "SELECT 1 FROM sqlite_master WHERE name NOT IN ('meta') AND type='table'"
                ).fetchone()
            ):
                raise ConfigurationError(f"{self.path} is an SQLite file but not a veracity fact-check database")
            if version > SCHEMA_VERSION:
                raise ConfigurationError(
                    f"{self.path} has fact-check schema version {version}, newer than this veracity supports "
                    f"({SCHEMA_VERSION}); upgrade veracity"
                )
            for target in range(version, SCHEMA_VERSION):
                self._conn.execute("BEGIN IMMEDIATE")
                try:
                    for statement in _MIGRATIONS[target]:
                        self._conn.execute(statement)
                    self._conn.execute(
                        "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)", (str(target + 1),)
                    )
                    self._conn.execute("COMMIT")
                except BaseException:
                    self._conn.execute("ROLLBACK")
                    raise

    @property
    def schema_version(self) -> int:
        """The schema version of the open database."""
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        return int(row[0]) if row else 0

    def meta_get(self, key: str, default: str = "") -> str:
        """A value from the ``meta`` table (index bookkeeping)."""
        with self._lock:
            row = self._conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else default

    def meta_set(self, key: str, value: str) -> None:
        """Set a value in the ``meta`` table."""
        with self._lock:
            self._conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    # -- records ------------------------------------------------------------------------------------------------
    def upsert(self, records: Iterable[FactCheckRecord], batch_size: int = 2000) -> UpsertResult:
        """Insert new records and replace changed ones (matched by id); identical ones change nothing."""
        total = UpsertResult()
        batch: list[FactCheckRecord] = []
        for record in records:
            batch.append(record)
            if len(batch) >= batch_size:
                total += self._upsert_batch(batch)
                batch = []
        if batch:
            total += self._upsert_batch(batch)
        return total

    def _upsert_batch(self, batch: list[FactCheckRecord]) -> UpsertResult:
        result = UpsertResult()
        latest: dict[str, FactCheckRecord] = {}
        for record in batch:  # the last of several records with one id wins, as it would one at a time
            latest[record.id] = record
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                existing: dict[str, str] = {}
                ids = list(latest)
                for i in range(0, len(ids), 500):
                    chunk = ids[i : i + 500]
                    marks = ",".join("?" * len(chunk))
                    existing.update(
                        self._conn.execute(
                            f"SELECT id, content_hash FROM factchecks WHERE id IN ({marks})", chunk
                        ).fetchall()
                    )
                rows = []
                for rid, record in latest.items():
                    digest = record.content_hash
                    if rid not in existing:
                        result.added += 1
                    elif existing[rid] != digest:
                        result.updated += 1
                    else:
                        result.unchanged += 1
                        continue
                    rows.append((*[getattr(record, f) for f in _FIELDS], digest, now))
                result.unchanged += len(batch) - len(latest)
                if rows:
                    cols = ", ".join(_FIELDS)
                    updates = ", ".join(f"{f}=excluded.{f}" for f in (*_FIELDS[1:], "content_hash", "updated_at"))
                    self._conn.executemany(
                        f"INSERT INTO factchecks ({cols}, content_hash, updated_at) "
                        f"VALUES ({','.join('?' * (len(_FIELDS) + 2))}) ON CONFLICT(id) DO UPDATE SET {updates}",
                        rows,
                    )
                    self._bump_generation()
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return result

    def _bump_generation(self) -> None:
        self._conn.execute(
            "INSERT INTO meta(key, value) VALUES ('generation', '1') "
            "ON CONFLICT(key) DO UPDATE SET value = CAST(value AS INTEGER) + 1"
        )

    def delete(self, ids: Sequence[str]) -> int:
        """Remove records by id (their vectors leave the index at the next update); returns how many existed."""
        removed = 0
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                for rid in ids:
                    row = self._conn.execute("SELECT rowid FROM factchecks WHERE id=?", (rid,)).fetchone()
                    if row:
                        self._conn.execute("DELETE FROM factchecks WHERE rowid=?", row)
                        self._conn.execute("DELETE FROM predicates WHERE rowid=?", row)
                        self._conn.execute("INSERT OR IGNORE INTO removed(rowid) VALUES (?)", row)
                        removed += 1
                if removed:
                    self._bump_generation()
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise
        return removed

    def get(self, record_id: str) -> FactCheckRecord | None:
        """The record with this id, or None."""
        with self._lock:
            row = self._conn.execute(f"SELECT {', '.join(_FIELDS)} FROM factchecks WHERE id=?", (record_id,)).fetchone()
        return FactCheckRecord(*row) if row else None

    def rows_by_rowid(self, rowids: Sequence[int]) -> dict[int, FactCheckRecord]:
        """Records by SQLite rowid (used by the search index)."""
        out: dict[int, FactCheckRecord] = {}
        keys = [int(k) for k in rowids]
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            with self._lock:  # one connection is shared by the threads of a service
                rows = self._conn.execute(
                    f"SELECT rowid, {', '.join(_FIELDS)} FROM factchecks WHERE rowid IN ({marks})", chunk
                ).fetchall()
            for row in rows:
                out[row[0]] = FactCheckRecord(*row[1:])
        return out

    def predicates_by_rowid(self, rowids: Sequence[int]) -> dict[int, str]:
        """Stored claim predicates (encoded, see ``veracity.stores.predicate``) of these records, where current: made
        by the running parser from the record as it is now. Records missing here must be parsed by the caller."""
        from veracity.stores.predicate import predicate_version

        keys = [int(k) for k in rowids]
        if not keys or self.meta_get("predicate_version") != predicate_version():
            return {}
        out: dict[int, str] = {}
        for i in range(0, len(keys), 500):
            chunk = keys[i : i + 500]
            marks = ",".join("?" * len(chunk))
            with self._lock:
                out.update(
                    self._conn.execute(
                        f"SELECT p.rowid, p.words FROM predicates p JOIN factchecks f "
                        f"ON f.rowid = p.rowid AND f.content_hash = p.content_hash WHERE p.rowid IN ({marks})",
                        chunk,
                    ).fetchall()
                )
        return out

    def count(self) -> int:
        """Number of records."""
        with self._lock:
            return int(self._conn.execute("SELECT COUNT(*) FROM factchecks").fetchone()[0])

    def __len__(self) -> int:
        return self.count()

    def iter_records(self) -> Iterator[FactCheckRecord]:
        """Every record in insertion order, streamed in pages (never all in memory)."""
        last = 0
        while True:
            rows = self._conn.execute(
                f"SELECT rowid, {', '.join(_FIELDS)} FROM factchecks WHERE rowid > ? ORDER BY rowid LIMIT 1000",
                (last,),
            ).fetchall()
            if not rows:
                return
            for row in rows:
                yield FactCheckRecord(*row[1:])
            last = rows[-1][0]

    def iter_search_texts(self, after_rowid: int = 0, limit: int = 5000) -> list[tuple[int, str, str]]:
        """``(rowid, search text, title)`` pages for index building."""
        return self._conn.execute(
            "SELECT rowid, claim, title FROM factchecks WHERE rowid > ? ORDER BY rowid LIMIT ?", (after_rowid, limit)
        ).fetchall()

    def stats(self) -> dict[str, Any]:
        """Counts by rating, publisher and language, schema version and index state."""

        def grouped(column: str, limit: int = 20) -> dict[str, int]:
            return dict(
                self._conn.execute(
                    f"SELECT {column}, COUNT(*) AS n FROM factchecks GROUP BY {column} ORDER BY n DESC LIMIT ?",
                    (limit,),
                ).fetchall()
            )

        index = self._get_index()
        return {
            "path": str(self.path),
            "schema_version": self.schema_version,
            "records": self.count(),
            "by_rating": grouped("rating"),
            "by_publisher": grouped("publisher_name"),
            "by_language": grouped("language"),
            "index": index.state(),
        }

    # -- search -------------------------------------------------------------------------------------------------
    def _get_index(self) -> Any:
        if self._index is None:
            from veracity.stores.search import HybridIndex

            with self._lock:
                if self._index is None:
                    self._index = HybridIndex(self, self._embedder)
        return self._index

    def update_index(self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> IndexReport:
        """Embed new/changed records into the ANN index, drop removed ones, and rebuild BM25 if anything changed."""
        return self._get_index().update(rebuild=rebuild, progress=progress)

    def search(self, text: str, top_k: int = 5) -> list[Match]:
        """The best-matching fact-checks for one text, best first, scores calibrated to [0, 1]."""
        return self.search_many([text], top_k)[0]

    def search_many(
        self, texts: Sequence[str], top_k: int = 5, contexts: Sequence[str | None] | None = None
    ) -> list[list[Match]]:
        """``search`` for many texts (embedded in one batch); ``contexts``: the text before each (optional)."""
        return self._get_index().search_many(list(texts), top_k, contexts)

    @property
    def conn(self) -> sqlite3.Connection:
        """The SQLite connection (for the index module)."""
        return self._conn

    def close(self) -> None:
        """Close the database and drop the loaded indexes."""
        with self._lock:
            if self._index is not None:
                self._index.close()
                self._index = None
            self._conn.close()

    def __enter__(self) -> SQLiteFactCheckStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
