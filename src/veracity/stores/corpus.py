"""A user's own corpus for evidence: documents split into passages, searched by BM25 + dense vectors, with provenance.

Files (like the fact-check store, ``stores/sqlite.py``): ``<db>`` (SQLite: documents, passages, bookkeeping),
``<db>.usearch`` (dense HNSW index keyed by passage rowid, built from the shared MiniLM embedder) and ``<db>.bm25/``
(bm25s). A passage is one sentence; its ``context`` is the sentence with its neighbours, kept for the reader and for
stance. Provenance per passage: document id, title, URL, date, character offsets (of the sentence and of its context)
in the document text, and a content hash.

Adding is incremental and resumable: each document is written with its passages in one transaction (all or nothing),
re-adding an unchanged document is a no-op and a changed one replaces its passages. Vectors are added after the
SQLite write and recorded in ``index_state`` only once the index file is saved, so a process killed at any point leaves
passages that the next ``add`` (or ``index()``) embeds, never duplicates (a key already in the ANN index is replaced).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from veracity.errors import ConfigurationError, InputError, UsageError
from veracity.stores.search import _embedder_name, _usearch_index_class, load_bm25, save_bm25
from veracity.stores.text import clean_query, tokenize

__all__ = [
    "CorpusDocument",
    "CorpusStore",
    "Passage",
    "PassageHit",
    "corpus_path",
    "open_corpus",
    "split_passages",
]

#: candidates taken from each retriever before fusion
CANDIDATES = 50
#: fusion: ``DENSE_WEIGHT · cosine + (1 − DENSE_WEIGHT) · bm25 / best bm25 of the query`` over the candidates of both
#: retrievers, with BM25 ``k1``/``b`` below. Chosen by 5-fold CV grouped by claim on Climate-FEVER
#: (``training/tune_retrieval.py``; the same choice in 4 of 5 folds): recall@5 CV 0.421 against 0.382 for the
#: reciprocal-rank fusion (k=60, bm25s defaults) shipped before. Sentences are short, so BM25 gains from a weak
#: length normalisation (b 0.4).
DENSE_WEIGHT = 0.75
#: passages per onnxruntime call when indexing: short sentences, so small batches pad least (MiniLM int8, one thread,
#: 1,500 Climate-FEVER passages: 349 passages per CPU-second at 16, 326 at 32, 262 at 128)
EMBED_BATCH = 16
BM25_K1 = 1.2
BM25_B = 0.4
#: candidates kept per ``top_k`` before identical sentences (same content hash) are collapsed to their best copy
DEDUP_SLACK = 3
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

_SCHEMA = [
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS documents (
        rowid INTEGER PRIMARY KEY,
        doc_id TEXT NOT NULL UNIQUE,
        title TEXT NOT NULL DEFAULT '',
        url TEXT NOT NULL DEFAULT '',
        date TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL,
        chars INTEGER NOT NULL,
        added_at TEXT NOT NULL
    )""",
    """CREATE TABLE IF NOT EXISTS passages (
        rowid INTEGER PRIMARY KEY,
        doc_rowid INTEGER NOT NULL REFERENCES documents(rowid) ON DELETE CASCADE,
        ordinal INTEGER NOT NULL,
        start INTEGER NOT NULL,
        end INTEGER NOT NULL,
        context_start INTEGER NOT NULL,
        context_end INTEGER NOT NULL,
        text TEXT NOT NULL,
        context TEXT NOT NULL,
        content_hash TEXT NOT NULL
    )""",
    "CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_rowid)",
    "CREATE TABLE IF NOT EXISTS index_state (rowid INTEGER PRIMARY KEY)",
    "CREATE TABLE IF NOT EXISTS removed (rowid INTEGER PRIMARY KEY)",
]
SCHEMA_VERSION = 1


@dataclass(frozen=True)
class CorpusDocument:
    """One document to add: its id, text and provenance."""

    doc_id: str
    text: str
    title: str = ""
    url: str = ""
    date: str = ""


@dataclass(frozen=True)
class Passage:
    """A sentence of a document with its neighbours (``context``) and character offsets into the document text."""

    start: int
    end: int
    context_start: int
    context_end: int
    text: str
    context: str


@dataclass
class PassageHit:
    """A retrieved passage with its provenance and retrieval scores (``score``: fused, higher is better)."""

    passage_id: int
    doc_id: str
    title: str
    url: str
    date: str
    start: int
    end: int
    context_start: int
    context_end: int
    text: str
    context: str
    content_hash: str
    score: float
    cosine: float
    bm25: float
    stance: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)


@dataclass
class AddReport:
    """What one ``add`` did."""

    documents_added: int = 0
    documents_replaced: int = 0
    documents_unchanged: int = 0
    documents_skipped: int = 0
    passages_added: int = 0
    embedded: int = 0
    seconds: float = 0.0
    skipped: list[str] = field(default_factory=list)

    def line(self) -> str:
        """One human line."""
        rate = self.passages_added / self.seconds if self.seconds else 0.0
        return (
            f"{self.documents_added} documents added, {self.documents_replaced} replaced, "
            f"{self.documents_unchanged} unchanged, {self.documents_skipped} skipped; {self.passages_added} passages "
            f"({self.embedded} embedded) in {self.seconds:.1f}s ({rate:.0f} passages/s)"
        )


# -- passages ---------------------------------------------------------------------------------------------------------
def _sentencizer() -> Any:
    """spaCy's rule-based sentencizer on its English tokenizer: ~50× faster than the parser, good enough for passages."""
    from veracity.models.loading import shared

    def build() -> Any:
        import spacy

        nlp = spacy.blank("en")
        nlp.add_pipe("sentencizer")
        nlp.max_length = 10_000_000
        return nlp

    return shared("corpus-sentencizer", build)


def split_passages(text: str, context: int = 1) -> list[Passage]:
    """Sentences of ``text`` (blank lines always split), each with ``context`` sentences either side, offsets kept."""
    if context < 0:
        raise ValueError("context must be >= 0")
    nlp = _sentencizer()
    bounds: list[tuple[int, int]] = []
    for block in re.finditer(r"\S(?:.*?)(?=\n\s*\n|\Z)", text, flags=re.S):
        base = block.start()
        for sent in nlp(block.group()).sents:
            raw = sent.text
            s = base + sent.start_char + (len(raw) - len(raw.lstrip()))
            e = base + sent.end_char - (len(raw) - len(raw.rstrip()))
            if e - s >= 3 and any(ch.isalnum() for ch in text[s:e]):
                bounds.append((s, e))
    out = []
    for i, (s, e) in enumerate(bounds):
        cs = bounds[max(0, i - context)][0]
        ce = bounds[min(len(bounds) - 1, i + context)][1]
        out.append(Passage(s, e, cs, ce, text[s:e], text[cs:ce]))
    return out


def dense_text(title: str, passage: str) -> str:
    """What a passage's vector embeds: its document title, then the sentence (the title names the topic a sentence's
    pronouns refer to; Climate-FEVER recall@5 +0.013 in an offline sweep on even claim ids, the same on odd ones;
    ``veracity eval evidence`` 0.374 → 0.379)."""
    return f"{title.strip()}. {passage}" if title and title.strip() else passage


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


# -- locations --------------------------------------------------------------------------------------------------------
def corpora_dir() -> Path:
    """Where named corpora live: ``VERACITY_CORPORA``, else ``<user data dir>/corpora``."""
    env = os.environ.get("VERACITY_CORPORA")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("veracity")) / "corpora"


def corpus_path(name: str) -> Path:
    """The database file of a corpus given by name (``climate``) or by path (anything with a slash or a suffix)."""
    if "/" in name or os.sep in name or name.endswith((".sqlite3", ".db")):
        return Path(name).expanduser()
    if not _NAME.match(name):
        raise UsageError(f"corpus name {name!r} is not valid; use letters, digits, '.', '_' or '-' (or give a path)")
    return corpora_dir() / f"{name}.sqlite3"


def open_corpus(name: str, embedder: Any = None, create: bool = False) -> CorpusStore:
    """Open a corpus by name or path; ``create=False`` raises a clear error when it does not exist."""
    return CorpusStore(corpus_path(name), embedder=embedder, create=create)


# -- the store --------------------------------------------------------------------------------------------------------
class CorpusStore:
    """Documents and passages in one SQLite file, with a dense (usearch) and a BM25 (bm25s) index beside it."""

    def __init__(self, path: str | Path, embedder: Any = None, create: bool = True) -> None:
        """Open (or create) the corpus at ``path``; ``embedder`` defaults to the shared MiniLM embedder."""
        self.path = Path(path).expanduser()
        if not create and not self.path.is_file():
            raise ConfigurationError(
                f"no corpus at {self.path}; build one with: veracity corpus add SOURCE --corpus {self.path.stem}"
            )
        if self.path.is_dir():
            raise ConfigurationError(f"corpus path {self.path} is a folder; give a file path or a corpus name")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._embedder = embedder
        self._lock = threading.RLock()
        try:
            self.conn = sqlite3.connect(str(self.path), check_same_thread=False, isolation_level=None)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=NORMAL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise ConfigurationError(f"{self.path} is not a veracity corpus ({exc})") from None
        self.dense_path = Path(f"{self.path}.usearch")
        self.bm25_path = Path(f"{self.path}.bm25")
        self._dense: Any = None
        self._bm25: Any = None
        self._bm25_rowids: np.ndarray | None = None
        self._loaded_generation: str | None = None

    def _migrate(self) -> None:
        row = None
        with contextlib.suppress(sqlite3.OperationalError):
            row = self.conn.execute("SELECT value FROM meta WHERE key='corpus_schema'").fetchone()
        if row is None:
            tables = {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if tables - {"meta"}:
                raise ConfigurationError(f"{self.path} is an SQLite file but not a veracity corpus")
            self.conn.execute("BEGIN IMMEDIATE")
            for statement in _SCHEMA:
                self.conn.execute(statement)
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('corpus_schema', ?)", (str(SCHEMA_VERSION),))
            self.conn.execute("COMMIT")
        elif int(row[0]) > SCHEMA_VERSION:
            raise ConfigurationError(f"{self.path} was written by a newer veracity (corpus schema {row[0]}); upgrade")

    @property
    def name(self) -> str:
        """The corpus name (the file stem)."""
        return self.path.stem

    @property
    def embedder(self) -> Any:
        """The embedder (the shared MiniLM one unless injected)."""
        if self._embedder is None:
            from veracity.models.embedder import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def meta_get(self, key: str, default: str = "") -> str:
        """A bookkeeping value."""
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return str(row[0]) if row else default

    def _bump_generation(self) -> None:
        self.conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (str(int(self.meta_get("generation", "0")) + 1),)
        )

    # -- writing --------------------------------------------------------------------------------------------------
    def add(
        self,
        documents: Iterable[CorpusDocument],
        *,
        batch_size: int = 256,
        progress: Callable[[int], None] | None = None,
        passages_of: Callable[[Sequence[CorpusDocument]], list[list[Passage]]] | None = None,
    ) -> AddReport:
        """Add or replace documents (matched by id, compared by content hash), then bring the indexes up to date.

        ``passages_of`` splits a batch of documents (default: :func:`split_passages` here); the batch engines pass
        one that runs on worker processes or Ray.
        """
        started = time.perf_counter()
        report = AddReport()
        split = passages_of or (lambda docs: [split_passages(d.text) for d in docs])
        batch: list[CorpusDocument] = []
        seen = 0

        def flush() -> None:
            nonlocal seen
            todo = self._changed(batch, report)
            if todo:
                self._write(todo, split(todo), report)
                self._embed_pending(report)
            seen += len(batch)
            batch.clear()
            if progress:
                progress(seen)

        for doc in documents:
            if not doc.doc_id or not doc.text.strip():
                report.documents_skipped += 1
                report.skipped.append(f"{doc.doc_id or '(no id)'}: empty text")
                continue
            batch.append(doc)
            if len(batch) >= batch_size:
                flush()
        flush()
        self._embed_pending(report)
        self._refresh_bm25()
        report.seconds = time.perf_counter() - started
        return report

    def _changed(self, docs: Sequence[CorpusDocument], report: AddReport) -> list[CorpusDocument]:
        """The documents of a batch that are new or whose content changed (the last of repeated ids wins)."""
        latest = {d.doc_id: d for d in docs}
        ids = list(latest)
        known: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            known.update(
                self.conn.execute(f"SELECT doc_id, content_hash FROM documents WHERE doc_id IN ({marks})", chunk)
            )
        out = []
        for d in latest.values():
            if known.get(d.doc_id) == _hash(d.title + "\x1f" + d.url + "\x1f" + d.date + "\x1f" + d.text):
                report.documents_unchanged += 1
            else:
                out.append(d)
        return out

    def _write(self, docs: Sequence[CorpusDocument], passages: list[list[Passage]], report: AddReport) -> None:
        now = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for doc, parts in zip(docs, passages, strict=True):
                    old = self.conn.execute("SELECT rowid FROM documents WHERE doc_id=?", (doc.doc_id,)).fetchone()
                    if old is not None:
                        self._forget(old[0])
                        report.documents_replaced += 1
                    else:
                        report.documents_added += 1
                    digest = _hash(doc.title + "\x1f" + doc.url + "\x1f" + doc.date + "\x1f" + doc.text)
                    cur = self.conn.execute(
                        "INSERT INTO documents(doc_id, title, url, date, content_hash, chars, added_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?)",
                        (doc.doc_id, doc.title, doc.url, doc.date, digest, len(doc.text), now),
                    )
                    doc_rowid = cur.lastrowid
                    self.conn.executemany(
                        "INSERT INTO passages(doc_rowid, ordinal, start, end, context_start, context_end, text, "
                        "context, content_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            (
                                doc_rowid,
                                i,
                                p.start,
                                p.end,
                                p.context_start,
                                p.context_end,
                                p.text,
                                p.context,
                                _hash(p.text),
                            )
                            for i, p in enumerate(parts)
                        ],
                    )
                    report.passages_added += len(parts)
                self._bump_generation()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise

    def _forget(self, doc_rowid: int) -> int:
        """Inside a transaction: drop a document's passages (their vectors are removed at the next index update)."""
        self.conn.execute(
            "INSERT OR IGNORE INTO removed SELECT p.rowid FROM passages p JOIN index_state s ON s.rowid = p.rowid "
            "WHERE p.doc_rowid = ?",
            (doc_rowid,),
        )
        self.conn.execute(
            "DELETE FROM index_state WHERE rowid IN (SELECT rowid FROM passages WHERE doc_rowid = ?)", (doc_rowid,)
        )
        n = self.conn.execute("DELETE FROM passages WHERE doc_rowid = ?", (doc_rowid,)).rowcount
        self.conn.execute("DELETE FROM documents WHERE rowid = ?", (doc_rowid,))
        return int(n)

    def remove(self, doc_ids: Sequence[str]) -> int:
        """Delete documents by id (and their passages); returns how many documents were removed."""
        removed = 0
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                for doc_id in doc_ids:
                    row = self.conn.execute("SELECT rowid FROM documents WHERE doc_id=?", (doc_id,)).fetchone()
                    if row is not None:
                        self._forget(row[0])
                        removed += 1
                if removed:
                    self._bump_generation()
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
        if removed:
            self._embed_pending(AddReport())
            self._refresh_bm25()
        return removed

    def index(self) -> AddReport:
        """Bring both indexes up to date with the passages (what ``add`` does at the end; resumes a killed run)."""
        report = AddReport()
        started = time.perf_counter()
        self._embed_pending(report)
        self._refresh_bm25()
        report.seconds = time.perf_counter() - started
        return report

    # -- dense index ------------------------------------------------------------------------------------------------
    def _load_dense(self) -> Any:
        if self._dense is None and self.dense_path.is_file():
            Index = _usearch_index_class()
            self._dense = Index.restore(str(self.dense_path), view=False)
            if self._dense is None:
                raise ConfigurationError(f"{self.dense_path} is not a usearch index; delete it and run corpus add")
            self._dense.expansion_search = 96
        return self._dense

    def _embed_pending(self, report: AddReport, chunk: int = 2048) -> None:
        """Embed passages not yet in the dense index, drop removed ones, save; then record what the file holds."""
        with self._lock:
            name = _embedder_name(self.embedder)
            if self.meta_get("dense_model") not in ("", name) or not self.dense_path.is_file():
                self.conn.execute("DELETE FROM index_state")
                self.conn.execute("DELETE FROM removed")
                self._dense = None
                if self.dense_path.exists():
                    self.dense_path.unlink()
            dense = self._load_dense()
            removed = [r[0] for r in self.conn.execute("SELECT rowid FROM removed")]
            dirty = False
            if dense is not None and removed:
                keys = np.array([k for k in removed if k in dense], dtype=np.uint64)
                if len(keys):
                    dense.remove(keys)
                dirty = True
            done: list[int] = []
            last = 0
            while True:
                rows = self.conn.execute(
                    "SELECT p.rowid, p.text, d.title FROM passages p JOIN documents d ON d.rowid = p.doc_rowid "
                    "LEFT JOIN index_state s ON s.rowid = p.rowid "
                    "WHERE p.rowid > ? AND s.rowid IS NULL ORDER BY p.rowid LIMIT ?",
                    (last, chunk),
                ).fetchall()
                if not rows:
                    break
                texts = [dense_text(r[2], r[1]) for r in rows]
                vectors = np.asarray(self.embedder.embed(texts, batch_size=EMBED_BATCH), dtype=np.float32)
                if dense is None:
                    Index = _usearch_index_class()
                    dense = self._dense = Index(
                        ndim=vectors.shape[1],
                        metric="ip",
                        dtype="f16",
                        connectivity=16,
                        expansion_add=128,
                        expansion_search=96,
                    )
                keys = np.array([r[0] for r in rows], dtype=np.uint64)
                stale = np.array([k for k in keys if k in dense], dtype=np.uint64)  # left by a killed run
                if len(stale):
                    dense.remove(stale)
                dense.add(keys, vectors, threads=os.cpu_count() or 1)
                done.extend(int(k) for k in keys)
                report.embedded += len(rows)
                last = rows[-1][0]
                dirty = True
                if len(done) >= 50_000:  # save now and then so that a killed build keeps most of its work
                    self._save_dense(dense, done, name)
                    done = []
            if dirty and dense is not None:
                self._save_dense(dense, done, name)

    def _save_dense(self, dense: Any, done: list[int], name: str) -> None:
        tmp = self.dense_path.with_name(self.dense_path.name + ".tmp")
        dense.save(str(tmp))
        os.replace(tmp, self.dense_path)
        self.conn.execute("BEGIN IMMEDIATE")
        self.conn.executemany("INSERT OR IGNORE INTO index_state VALUES (?)", [(k,) for k in done])
        self.conn.execute("DELETE FROM removed")
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('dense_model', ?)", (name,))
        self.conn.execute("COMMIT")

    # -- BM25 -----------------------------------------------------------------------------------------------------
    def _refresh_bm25(self) -> None:
        generation = self.meta_get("generation", "0")
        params = f"k1={BM25_K1} b={BM25_B}"
        if (
            self.meta_get("bm25_generation") == generation
            and self.meta_get("bm25_params") == params
            and self.bm25_path.is_dir()
        ):
            return

        rowids: list[int] = []
        corpus: list[list[str]] = []
        cur = self.conn.execute(
            "SELECT p.rowid, p.text, d.title FROM passages p JOIN documents d ON d.rowid = p.doc_rowid ORDER BY p.rowid"
        )
        for rowid, text, title in cur:
            rowids.append(rowid)
            corpus.append(tokenize(f"{title} {text}"))
        save_bm25(self.bm25_path, rowids, corpus, k1=BM25_K1, b=BM25_B)
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('bm25_generation', ?)", (generation,))
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('bm25_params', ?)", (params,))
        self._bm25 = None
        self._bm25_rowids = None

    def _load_bm25(self) -> Any:
        if self._bm25 is None:
            self._bm25, self._bm25_rowids = load_bm25(self.bm25_path)
        return self._bm25

    # -- reading --------------------------------------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Counts and index state."""
        c = self.conn
        passages = int(c.execute("SELECT COUNT(*) FROM passages").fetchone()[0])
        indexed = int(c.execute("SELECT COUNT(*) FROM index_state").fetchone()[0])
        return {
            "corpus": self.name,
            "path": str(self.path),
            "documents": int(c.execute("SELECT COUNT(*) FROM documents").fetchone()[0]),
            "passages": passages,
            "dense_vectors": indexed,
            "unindexed_passages": passages - indexed,
            "dense_model": self.meta_get("dense_model"),
            "bm25_current": self.meta_get("bm25_generation") == self.meta_get("generation", "0")
            and self.meta_get("bm25_params") == f"k1={BM25_K1} b={BM25_B}",
            "bytes_on_disk": sum(
                p.stat().st_size
                for p in [self.path, self.dense_path, *(self.bm25_path.glob("*") if self.bm25_path.is_dir() else [])]
                if p.is_file()
            ),
        }

    def documents(self, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
        """Documents in the order they were added (id, title, URL, date, passages)."""
        rows = self.conn.execute(
            "SELECT d.doc_id, d.title, d.url, d.date, d.chars, d.added_at, "
            "(SELECT COUNT(*) FROM passages p WHERE p.doc_rowid = d.rowid) FROM documents d ORDER BY d.rowid "
            "LIMIT ? OFFSET ?",
            (limit, offset),
        ).fetchall()
        keys = ("doc_id", "title", "url", "date", "chars", "added_at", "passages")
        return [dict(zip(keys, r, strict=True)) for r in rows]

    def passages_by_id(self, rowids: Sequence[int]) -> dict[int, dict[str, Any]]:
        """Passage rows with their document's provenance, by passage rowid."""
        out: dict[int, dict[str, Any]] = {}
        for i in range(0, len(rowids), 500):
            chunk = list(rowids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for row in self.conn.execute(
                "SELECT p.rowid, d.doc_id, d.title, d.url, d.date, p.start, p.end, p.context_start, p.context_end, "
                f"p.text, p.context, p.content_hash FROM passages p JOIN documents d ON d.rowid = p.doc_rowid "
                f"WHERE p.rowid IN ({marks})",
                chunk,
            ):
                out[int(row[0])] = dict(
                    zip(
                        (
                            "passage_id",
                            "doc_id",
                            "title",
                            "url",
                            "date",
                            "start",
                            "end",
                            "context_start",
                            "context_end",
                            "text",
                            "context",
                            "content_hash",
                        ),
                        row,
                        strict=True,
                    )
                )
        return out

    def search_many(self, texts: Sequence[str], top_k: int = 5, candidates: int = CANDIDATES) -> list[list[PassageHit]]:
        """Hybrid search: dense and BM25 top ``candidates`` each, mixed (:data:`DENSE_WEIGHT`); best ``top_k`` per text.

        ``PassageHit.score`` is the mixed score, ``cosine`` the similarity, ``bm25`` the BM25 score over the query's best.
        """
        if top_k < 1:
            raise UsageError("top_k must be at least 1")
        if not texts:
            return []
        with self._lock:
            # another process (corpus add/remove) changed the corpus: load its saved indexes again, so a running
            # service searches what was added since it started
            generation = self.meta_get("bm25_generation")
            if generation != self._loaded_generation:
                self._dense = self._bm25 = self._bm25_rowids = None
                self._loaded_generation = generation
            dense = self._load_dense()
            bm25 = self._load_bm25()
        if dense is None or bm25 is None or len(dense) == 0:
            if self.conn.execute("SELECT 1 FROM passages LIMIT 1").fetchone():
                raise ConfigurationError(
                    f"the search index of corpus {self.name} is missing or out of date; run: veracity corpus index "
                    f"--corpus {self.path}"
                )
            return [[] for _ in texts]
        model = self.meta_get("dense_model")
        if model and model != _embedder_name(self.embedder):
            raise ConfigurationError(f"corpus {self.name} was indexed with {model}; re-add it to re-index")
        qvecs = np.asarray(self.embedder.embed([" ".join(t.split()) or t for t in texts]), dtype=np.float32)
        k = min(candidates, len(dense))
        nearest = dense.search(qvecs, k, threads=1)
        keys_matrix = np.atleast_2d(nearest.keys)
        dist_matrix = np.atleast_2d(nearest.distances)
        counts = np.atleast_1d(getattr(nearest, "counts", len(nearest.keys)))
        rowids = self._bm25_rowids
        assert rowids is not None
        vocab = bm25.vocab_dict
        fused: list[list[tuple[int, float, float, float]]] = []
        wanted: set[int] = set()
        for qi, text in enumerate(texts):
            dense_keys = [int(x) for x in keys_matrix[qi, : counts[qi]]]
            cos = {key: 1.0 - float(d) for key, d in zip(dense_keys, dist_matrix[qi, : counts[qi]], strict=True)}
            known = [t for t in tokenize(clean_query(text) or text) if t in vocab]
            bm: dict[int, float] = {}
            if known:
                scores = bm25.get_scores(known)
                kk = min(candidates, len(scores))
                top = np.argpartition(-scores, kk - 1)[:kk]
                top = top[scores[top] > 0]
                best_bm25 = float(scores[top].max()) if len(top) else 0.0
                if best_bm25 > 0:
                    bm = {int(rowids[i]): float(scores[i]) / best_bm25 for i in top}
                    # the dense candidates' BM25 too (rowids are sorted: the index is built in rowid order)
                    pos = np.searchsorted(rowids, np.array(dense_keys, dtype=np.int64))
                    for key, p in zip(dense_keys, pos, strict=True):
                        if key not in bm and p < len(rowids) and int(rowids[p]) == key:
                            bm[key] = float(scores[p]) / best_bm25
            pool = set(dense_keys) | set(bm)
            missing = [key for key in pool if key not in cos]
            if missing:
                vecs = np.atleast_2d(np.asarray(dense.get(np.array(missing, dtype=np.uint64)), dtype=np.float32))
                for key, vec in zip(missing, vecs, strict=True):
                    cos[key] = float(np.dot(vec, qvecs[qi])) if vec is not None and vec.size else 0.0
            mixed = {key: DENSE_WEIGHT * cos[key] + (1.0 - DENSE_WEIGHT) * bm.get(key, 0.0) for key in pool}
            best = sorted(mixed, key=lambda x: (-mixed[x], x))[: top_k * DEDUP_SLACK]
            fused.append([(key, mixed[key], cos[key], bm.get(key, 0.0)) for key in best])
            wanted.update(best)
        with self._lock:  # one connection shared by the service's threads
            rows = self.passages_by_id(sorted(wanted))
        out: list[list[PassageHit]] = []
        for hits in fused:
            seen: set[str] = set()
            found: list[PassageHit] = []
            for key, sc, c, b in hits:
                row = rows.get(key)
                if row is None or row["content_hash"] in seen:  # the same sentence again (another copy): once
                    continue
                seen.add(row["content_hash"])
                found.append(PassageHit(**row, score=round(sc, 6), cosine=round(c, 4), bm25=round(b, 3)))
                if len(found) == top_k:
                    break
            out.append(found)
        return out

    def search(self, text: str, top_k: int = 5) -> list[PassageHit]:
        """Hybrid search for one text."""
        return self.search_many([text], top_k)[0]

    def close(self) -> None:
        """Close the database and drop loaded indexes."""
        self._dense = None
        self._bm25 = None
        self.conn.close()


def documents_from_records(source: Iterable[Any], settings: Any = None) -> Iterator[CorpusDocument]:
    """Corpus documents from ``veracity batch`` records, read by the same ingest as every report (title/url/published)."""
    from veracity.batch.process import record_to_document
    from veracity.config import load_settings

    settings = settings or load_settings()
    for record in source:
        if record.kind == "error":
            raise InputError(f"{record.name}: {record.content}")
        if record.kind == "url":
            raise InputError(f"{record.name}: corpus add reads texts and HTML, not URLs; fetch the pages first")
        doc = record_to_document(record, settings)
        meta = doc.meta
        # the body as the source gave it: the title is provenance, not a passage (as a passage it filled the top 5 with
        # "Sea level rise", once per document of that article); offsets are then offsets into the source's text
        body = doc.text[int(meta.get("body_start") or 0) :] if meta.get("headline") else doc.text
        yield CorpusDocument(
            doc_id=str(record.id or doc.id),
            text=body,
            title=str(meta.get("title") or ""),
            url=str(meta.get("url") or ""),
            date=str(meta.get("published") or ""),
        )
