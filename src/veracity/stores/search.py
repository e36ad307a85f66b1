"""Hybrid fact-check search: BM25 (bm25s) + dense MiniLM vectors (usearch HNSW), fused by a small re-ranker.

Each record gets two vectors: its claim ``c`` and its context ``t`` (title and summary, which restate the claim in other
words). The ANN index holds ``c + t``, so inner product with a query vector ``q`` is ``q·c + q·t``; ``t`` is kept
beside it (``<db>.context.npy``) so the two can be told apart as features. Queries are embedded as given (MiniLM copes
with tweets' handles and links better than our cleaning does: dev MAP@5 0.923 raw vs 0.912 cleaned) and cleaned for
BM25 and token overlap.

For each query the top ``CANDIDATES`` records from each retriever are pooled, described by :data:`FEATURES`, and scored
by a logistic model trained on the CheckThat! 2022 2A train qrels (``src/veracity/models/factcheck-reranker/``). Its
output is a calibrated probability that the record checks the query's claim; ``MATCH_THRESHOLD`` is chosen by
cross-validation on train.

Stable scores: every feature is a function of the (query, record) pair alone (cosines and token overlaps), never of
the other candidates or of corpus statistics (BM25 scores, ranks and margins only *retrieve* candidates). So a pair's
score depends only on the pair and the model: adding or removing other records cannot move it.

Context: a sentence of an article often makes its claim only with the sentence before it ("Subsequent investigations
have shown that the video was a fake."). ``search_many(texts, contexts=...)`` scores each record against the sentence
alone and against context + sentence, and keeps the higher score.

bm25s and usearch are imported lazily so that ``veracity analyze`` starts fast.
"""

from __future__ import annotations

import json
import math
import os
import re
import shutil
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from veracity.errors import ConfigurationError
from veracity.stores.base import IndexReport
from veracity.stores.records import FactCheckRecord, Match
from veracity.stores.text import clean_query, content_tokens, tokenize

__all__ = ["CANDIDATES", "FEATURES", "HybridIndex", "Reranker", "load_reranker"]

RERANKER_ARTIFACT = "factcheck-reranker"
#: records taken from each retriever before re-ranking
CANDIDATES = 30
#: pair-only features (see the module docstring): nothing here may depend on other records
FEATURES = (
    "cos_sum",
    "cos_claim",
    "cos_context",
    "cos_min",
    "claim_overlap",
    "query_overlap",
    "title_overlap",
    "query_len",
    "claim_len",
    "cos_claim_x_overlap",
    "cos_claim_sq",
    "cos_context_sq",
    "name_overlap",
    "has_names",
)


@dataclass(frozen=True)
class Reranker:
    """A logistic model over :data:`FEATURES` (standardised), plus the match threshold chosen on train qrels."""

    weights: np.ndarray
    bias: float
    mean: np.ndarray
    scale: np.ndarray
    threshold: float
    l2: float = 1.0

    def score(self, x: np.ndarray) -> np.ndarray:
        """Calibrated probabilities for feature rows."""
        z = ((x - self.mean) / self.scale) @ self.weights + self.bias
        return 1.0 / (1.0 + np.exp(-z))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reranker:
        """Read the JSON written by ``training/factcheck_reranker.py``."""
        if list(data["features"]) != list(FEATURES):
            raise ConfigurationError("the fact-check re-ranker was trained on other features; reinstall veracity")
        return cls(
            np.asarray(data["weights"], dtype=np.float64),
            float(data["bias"]),
            np.asarray(data["mean"], dtype=np.float64),
            np.asarray(data["scale"], dtype=np.float64),
            float(data["match_threshold"]),
            float(data.get("l2", 1.0)),
        )


#: the cheap path when no trained re-ranker is installed: the summed cosine alone, centred at 1.2
_FALLBACK = Reranker(
    np.array([6.0] + [0.0] * (len(FEATURES) - 1)), -7.2, np.zeros(len(FEATURES)), np.ones(len(FEATURES)), 0.5
)


def load_reranker() -> Reranker:
    """The shipped re-ranker (sha256-checked), or a cosine-only fallback when the artifact is absent.

    Loaded once per process through the one model cache (``veracity.models.loading.shared``).
    """
    from veracity.models import loading

    return loading.shared("factcheck-reranker", _read_reranker)


def _read_reranker() -> Reranker:
    from veracity.errors import ModelMissingError
    from veracity.models.loading import artifact_path

    try:
        path = artifact_path(RERANKER_ARTIFACT, "reranker.json")
    except ModelMissingError:
        return _FALLBACK
    return Reranker.from_json(json.loads(path.read_text(encoding="utf-8")))


def __getattr__(name: str) -> Any:
    if name == "MATCH_THRESHOLD":
        return load_reranker().threshold
    raise AttributeError(name)


_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][A-Za-z0-9]+")


def query_names(text: str) -> frozenset[str]:
    """Tokens of the capitalised words of a query, except a sentence's first word (names, places, organisations)."""
    return frozenset(t for m in _NAME.findall(text) for t in tokenize(m))


def pair_features(
    record: FactCheckRecord, cos_sum: float, cos_context: float, qset: set[str], names: frozenset[str] = frozenset()
) -> np.ndarray:
    """:data:`FEATURES` of one (query, record) pair: the query's cosine with the record's claim + context vector, its
    cosine with the context vector alone (NaN when unknown), the query's token set and its name tokens."""
    ctok = content_tokens(record.claim)
    ttok = content_tokens(record.title)
    ctx = cos_context if not math.isnan(cos_context) else cos_sum / 2
    claim = cos_sum - ctx
    claim_overlap = len(ctok & qset) / len(ctok) if ctok else 0.0
    return np.array(
        (
            cos_sum,
            claim,
            ctx,
            min(claim, ctx),
            claim_overlap,
            len(ctok & qset) / len(qset) if qset else 0.0,
            len(ttok & qset) / len(ttok) if ttok else 0.0,
            math.log1p(len(qset)),
            math.log1p(len(ctok)),
            claim * claim_overlap,
            claim * claim,
            ctx * ctx,
            len(names & (ctok | ttok)) / len(names) if names else 0.0,
            1.0 if names else 0.0,
        ),
        dtype=np.float64,
    )


def context_text(title: str, summary: str, claim: str) -> str:
    """What a record's second vector embeds: its title and summary (the claim when both are empty)."""
    text = ". ".join(p.strip().rstrip(".") for p in (title, summary) if p and p.strip())
    return text or claim


def _usearch_index_class() -> Any:
    """usearch's ``Index``, imported after onnxruntime: importing onnxruntime 1.32 *after* usearch 2.26 crashes the
    process (segfault in the extension loader), so the order is pinned here, the only place usearch is imported."""
    import onnxruntime  # type: ignore[import-untyped]  # noqa: F401
    from usearch.index import Index

    return Index


def _embedder_name(embedder: Any) -> str:
    return str(getattr(embedder, "name", None) or f"{type(embedder).__module__}.{type(embedder).__name__}")


def save_bm25(path: Path, rowids: list[int], corpus: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
    """Write a BM25 index of tokenised ``corpus`` (keyed by ``rowids``) to ``path``, replacing it atomically.

    Shared by the fact-check store and the evidence corpus: a kill mid-write leaves the old index whole. ``k1``/``b``
    default to bm25s's (the fact-check store's); the evidence corpus passes its own, chosen by cross-validation.
    """
    import bm25s

    tmp = path.with_name(path.name + ".tmp")
    if tmp.exists():
        shutil.rmtree(tmp)
    if corpus:
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index(corpus, show_progress=False)
        retriever.save(str(tmp), show_progress=False)
    else:
        tmp.mkdir(parents=True)
    np.save(tmp / "rowids.npy", np.array(rowids, dtype=np.int64))
    if path.exists():
        shutil.rmtree(path)
    os.replace(tmp, path)


def load_bm25(path: Path) -> tuple[Any, np.ndarray | None]:
    """The BM25 index at ``path`` and its rowids, or (None, None) when none was written yet."""
    if not (path / "params.index.json").is_file():
        return None, None
    import bm25s

    return bm25s.BM25.load(str(path), mmap=False, show_progress=False), np.load(path / "rowids.npy")


class HybridIndex:
    """The search indexes of one SQLite store: ``<db>.usearch`` (dense) and ``<db>.bm25/`` (BM25)."""

    def __init__(self, store: Any, embedder: Any = None) -> None:
        """Bind to a store; nothing is loaded until the first search or update."""
        self.store = store
        self._embedder = embedder
        self.dense_path = Path(f"{store.path}.usearch")
        self.bm25_path = Path(f"{store.path}.bm25")
        self._dense: Any = None
        self._bm25: Any = None
        self._bm25_rowids: np.ndarray | None = None
        self._context_cache: tuple[np.ndarray, np.ndarray] | None = None
        self._lock = threading.RLock()

    # -- components ---------------------------------------------------------------------------------------------
    @property
    def embedder(self) -> Any:
        """The embedder (the shared MiniLM one unless injected)."""
        if self._embedder is None:
            from veracity.models.embedder import get_embedder

            self._embedder = get_embedder()
        return self._embedder

    def _new_dense(self, ndim: int) -> Any:
        Index = _usearch_index_class()
        return Index(ndim=ndim, metric="ip", dtype="f16", connectivity=16, expansion_add=128, expansion_search=96)

    def _load_dense(self) -> Any:
        if self._dense is None and self.dense_path.is_file():
            Index = _usearch_index_class()
            self._dense = Index.restore(str(self.dense_path), view=False)
            if self._dense is None:
                raise ConfigurationError(f"{self.dense_path} is not a usearch index; rebuild it with --rebuild")
            self._dense.expansion_search = 96
        return self._dense

    def _load_bm25(self) -> Any:
        if self._bm25 is None:
            self._bm25, self._bm25_rowids = load_bm25(self.bm25_path)
        return self._bm25

    def state(self) -> dict[str, Any]:
        """What the indexes hold versus the records."""
        conn = self.store.conn
        stale = conn.execute(
            "SELECT COUNT(*) FROM factchecks f LEFT JOIN index_state s ON s.rowid = f.rowid "
            "WHERE s.text_hash IS NULL OR s.text_hash != f.content_hash"
        ).fetchone()[0]
        return {
            "dense_file": str(self.dense_path),
            "dense_vectors": int(conn.execute("SELECT COUNT(*) FROM index_state").fetchone()[0]),
            "dense_model": self.store.meta_get("dense_model"),
            "stale_records": int(stale),
            "bm25_dir": str(self.bm25_path),
            "bm25_current": self.store.meta_get("bm25_generation") == self.store.meta_get("generation", "0"),
        }

    # -- building -----------------------------------------------------------------------------------------------
    def update(self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> IndexReport:
        """Embed new/changed records, remove deleted ones, save; rebuild BM25 when the records changed."""
        started = time.perf_counter()
        report = IndexReport()
        store, conn = self.store, self.store.conn
        with self._lock:
            name = _embedder_name(self.embedder)
            if rebuild or store.meta_get("dense_model") not in ("", name) or not self.dense_path.is_file():
                conn.execute("DELETE FROM index_state")
                conn.execute("DELETE FROM removed")
                self._dense = None
                if self.dense_path.exists():
                    self.dense_path.unlink()
            self._check_predicate_version(rebuild)
            dense = self._load_dense()
            had_index = dense is not None
            removed = [r[0] for r in conn.execute("SELECT rowid FROM removed").fetchall()]
            if dense is not None and removed:
                keys = np.array([k for k in removed if k in dense], dtype=np.uint64)
                if len(keys):
                    dense.remove(keys)
                report.removed = len(removed)
            todo = conn.execute(
                "SELECT COUNT(*) FROM factchecks f LEFT JOIN index_state s ON s.rowid = f.rowid "
                "WHERE s.text_hash IS NULL OR s.text_hash != f.content_hash"
            ).fetchone()[0]
            conn.execute("CREATE TEMP TABLE IF NOT EXISTS pending (rowid INTEGER PRIMARY KEY, text_hash TEXT)")
            conn.execute("DELETE FROM pending")
            last, done = 0, 0
            pending_keys: list[np.ndarray] = []
            pending_vecs: list[np.ndarray] = []
            while todo:
                rows = conn.execute(
                    "SELECT f.rowid, f.claim, f.title, f.content_hash, s.text_hash, f.summary FROM factchecks f "
                    "LEFT JOIN index_state s ON s.rowid = f.rowid "
                    "WHERE f.rowid > ? AND (s.text_hash IS NULL OR s.text_hash != f.content_hash) "
                    "ORDER BY f.rowid LIMIT 1024",
                    (last,),
                ).fetchall()
                if not rows:
                    break
                texts = [r[1] for r in rows] + [context_text(r[2], r[5], r[1]) for r in rows]
                embed_started = time.perf_counter()
                vectors = np.asarray(self.embedder.embed(texts), dtype=np.float32)
                report.embed_seconds += time.perf_counter() - embed_started
                claim_vecs, context_vecs = vectors[: len(rows)], vectors[len(rows) :]
                if dense is None:
                    dense = self._dense = self._new_dense(claim_vecs.shape[1])
                keys = np.array([r[0] for r in rows], dtype=np.uint64)
                # any key the index holds already goes first: changed records, and records an update killed after
                # saving the index but before recording it (re-running the same command must repair that)
                stale = np.array([k for k in keys if k in dense], dtype=np.uint64)
                if len(stale):
                    dense.remove(stale)
                dense.add(keys, claim_vecs + context_vecs, threads=os.cpu_count() or 1)
                self._store_predicates([(r[0], r[1], r[3]) for r in rows], report)
                pending_keys.append(keys.astype(np.int64))
                pending_vecs.append(context_vecs.astype(np.float16))
                conn.executemany("INSERT OR REPLACE INTO pending VALUES (?, ?)", [(r[0], r[3]) for r in rows])
                last = rows[-1][0]
                done += len(rows)
                report.embedded += len(rows)
                if progress:
                    progress(done, todo)
            self._backfill_predicates(report)
            save_started = time.perf_counter()
            if dense is not None and (report.embedded or report.removed):
                tmp = self.dense_path.with_suffix(".usearch.tmp")
                dense.save(str(tmp))
                os.replace(tmp, self.dense_path)
                self._save_context(pending_keys, pending_vecs, set(removed), rebuilt=not had_index)
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("INSERT OR REPLACE INTO index_state SELECT rowid, text_hash FROM pending")
            conn.execute("DELETE FROM index_state WHERE rowid IN (SELECT rowid FROM removed)")
            conn.execute("DELETE FROM removed")
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('dense_model', ?)", (name,))
            conn.execute("COMMIT")
            conn.execute("DELETE FROM pending")
            report.save_seconds = time.perf_counter() - save_started
            generation = store.meta_get("generation", "0")
            if rebuild or store.meta_get("bm25_generation") != generation or not self.bm25_path.is_dir():
                bm25_started = time.perf_counter()
                self._rebuild_bm25()
                store.meta_set("bm25_generation", generation)
                report.bm25_rebuilt = True
                report.bm25_seconds = time.perf_counter() - bm25_started
        report.seconds = time.perf_counter() - started
        return report

    # Claim predicates (veracity.stores.predicate): parsed once per record here, so a search parses only itself.
    def _check_predicate_version(self, rebuild: bool) -> None:
        """Forget stored predicates made by other rules or another spaCy model (or all, on ``rebuild``)."""
        from veracity.stores.predicate import predicate_version

        version = predicate_version()
        if rebuild or self.store.meta_get("predicate_version") != version:
            conn = self.store.conn
            conn.execute("BEGIN IMMEDIATE")
            conn.execute("DELETE FROM predicates")
            conn.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('predicate_version', ?)", (version,))
            conn.execute("COMMIT")

    def _store_predicates(self, rows: list[tuple[int, str, str]], report: IndexReport) -> None:
        """Parse the claims of ``(rowid, claim, content_hash)`` rows and store their predicates (one transaction)."""
        from veracity.stores.predicate import claim_predicates, encode_predicate

        if not rows:
            return
        started = time.perf_counter()
        words = claim_predicates([r[1] for r in rows])
        conn = self.store.conn
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(
            "INSERT OR REPLACE INTO predicates(rowid, content_hash, words) VALUES (?, ?, ?)",
            [(r[0], r[2], encode_predicate(w)) for r, w in zip(rows, words, strict=True)],
        )
        conn.execute("COMMIT")
        report.parsed += len(rows)
        report.parse_seconds += time.perf_counter() - started

    def _backfill_predicates(self, report: IndexReport) -> None:
        """Parse every record still without a current predicate (a database indexed before predicates were stored,
        or an update killed between embedding a page and storing its predicates)."""
        last = 0
        while True:
            rows = self.store.conn.execute(
                "SELECT f.rowid, f.claim, f.content_hash FROM factchecks f LEFT JOIN predicates p ON p.rowid = f.rowid "
                "WHERE f.rowid > ? AND (p.content_hash IS NULL OR p.content_hash != f.content_hash) "
                "ORDER BY f.rowid LIMIT 1024",
                (last,),
            ).fetchall()
            if not rows:
                return
            self._store_predicates(rows, report)
            last = rows[-1][0]

    # Context vectors: a flat float16 matrix with a sorted int64 key array beside it (memory-mapped when read).
    def _context_paths(self) -> tuple[Path, Path]:
        return Path(f"{self.store.path}.context.npy"), Path(f"{self.store.path}.context-keys.npy")

    def _context(self) -> tuple[np.ndarray, np.ndarray] | None:
        if self._context_cache is None:
            vec_path, key_path = self._context_paths()
            if not vec_path.is_file() or not key_path.is_file():
                return None
            self._context_cache = (np.load(vec_path, mmap_mode="r"), np.load(key_path))
        return self._context_cache

    def _save_context(
        self, new_keys: list[np.ndarray], new_vecs: list[np.ndarray], removed: set[int], rebuilt: bool
    ) -> None:
        keys = np.concatenate(new_keys) if new_keys else np.zeros(0, np.int64)
        vecs = np.concatenate(new_vecs) if new_vecs else None
        old = None if rebuilt else self._context()
        if old is not None and len(old[1]):
            drop = np.isin(old[1], keys) | np.isin(old[1], np.fromiter(removed, np.int64, len(removed)))
            keep = ~drop
            keys = np.concatenate([old[1][keep], keys])
            vecs = np.concatenate([np.asarray(old[0][keep]), vecs]) if vecs is not None else np.asarray(old[0][keep])
        if vecs is None:
            vecs = np.zeros((0, self.embedder_dim()), np.float16)
        order = np.argsort(keys, kind="stable")
        vec_path, key_path = self._context_paths()
        self._context_cache = None
        np.save(vec_path.with_suffix(".tmp.npy"), vecs[order])
        np.save(key_path.with_suffix(".tmp.npy"), keys[order])
        os.replace(vec_path.with_suffix(".tmp.npy"), vec_path)
        os.replace(key_path.with_suffix(".tmp.npy"), key_path)

    def _embed_queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors, one text per batch: the int8 embedder quantises activations per batch, so a batch of an
        article's sentences would make each sentence's vector (and score) depend on its neighbours."""
        try:
            vectors = self.embedder.embed(texts, batch_size=1)
        except TypeError:  # an injected embedder without batch_size
            vectors = np.vstack([self.embedder.embed([t]) for t in texts]) if texts else self.embedder.embed(texts)
        return np.asarray(vectors, dtype=np.float32)

    def embedder_dim(self) -> int:
        """Vector size of the embedder."""
        return int(getattr(self.embedder, "dim", 384))

    def _rebuild_bm25(self) -> None:

        rowids: list[int] = []
        corpus: list[list[str]] = []
        last = 0
        while True:
            page = self.store.iter_search_texts(last, 20000)
            if not page:
                break
            for rowid, claim, title in page:
                rowids.append(rowid)
                corpus.append(tokenize(f"{claim} {title}"))
            last = page[-1][0]
        save_bm25(self.bm25_path, rowids, corpus)
        self._bm25 = None
        self._bm25_rowids = None

    # -- searching ----------------------------------------------------------------------------------------------
    def candidates(
        self, texts: Sequence[str], n: int = CANDIDATES
    ) -> tuple[list[tuple[list[int], np.ndarray]], dict[int, FactCheckRecord]]:
        """For each text: candidate rowids and their :data:`FEATURES` rows; plus the candidate records."""
        raw, records, titles = self.retrieve(texts, n)
        out = [self.features(entry, records, titles) for entry in raw]
        return out, records

    def retrieve(self, texts: Sequence[str], n: int = CANDIDATES) -> tuple[list[Any], dict[int, FactCheckRecord], Any]:
        """Dense and BM25 candidates per text (raw scores), the candidate records, and the title vectors."""
        empty: tuple[list[Any], dict[int, FactCheckRecord], Any] = (
            [([], {}, {}, [], None, frozenset()) for _ in texts],
            {},
            None,
        )
        with self._lock:
            dense = self._load_dense()
            bm25 = self._load_bm25()
            model = self.store.meta_get("dense_model")
        if dense is not None and len(dense) and model and model != _embedder_name(self.embedder):
            raise ConfigurationError(
                f"the search index of {self.store.path} was built with {model}, not {_embedder_name(self.embedder)}; "
                f"run: veracity factchecks import FILE --rebuild-index --db {self.store.path}"
            )
        if dense is None or bm25 is None or len(dense) == 0:
            if self.store.count():  # counting scans the table: only on this rare path
                raise ConfigurationError(
                    f"the search index of {self.store.path} is missing or out of date; run: veracity factchecks "
                    f"import FILE --rebuild-index --db {self.store.path}"
                )
            return empty
        cleaned = [clean_query(t) or t for t in texts]
        qvecs = self._embed_queries([" ".join(t.split()) or t for t in texts])
        k = min(n, len(dense))
        found = dense.search(qvecs, k, threads=1)
        keys_matrix = np.atleast_2d(found.keys)
        dist_matrix = np.atleast_2d(found.distances)
        counts = np.atleast_1d(getattr(found, "counts", len(found.keys)))  # one query gives Matches, not BatchMatches
        vocab = bm25.vocab_dict
        rowids = self._bm25_rowids
        assert rowids is not None
        per_query: list[Any] = []
        all_keys: set[int] = set()
        for qi, text in enumerate(cleaned):
            dense_keys = [int(x) for x in keys_matrix[qi, : counts[qi]]]
            cos = {key: 1.0 - float(d) for key, d in zip(dense_keys, dist_matrix[qi, : counts[qi]], strict=True)}
            qtok = tokenize(text)
            known = [t for t in qtok if t in vocab]
            bm: dict[int, float] = {}
            if known:
                scores = bm25.get_scores(known)
                kk = min(n, len(scores))
                top = np.argpartition(-scores, kk - 1)[:kk]
                top = top[scores[top] > 0]
                bm = {int(rowids[i]): float(scores[i]) for i in top}
                # BM25 of the dense candidates too (a feature, not a retrieval)
                pos = np.searchsorted(rowids, np.array(dense_keys, dtype=np.int64))
                for key, p in zip(dense_keys, pos, strict=True):
                    if p < len(rowids) and rowids[p] == key and key not in bm:
                        bm[key] = float(scores[p])
            keys = list(dict.fromkeys(dense_keys + sorted(bm, key=lambda x: -bm[x])))
            missing = [key for key in keys if key not in cos]
            if missing:
                vecs = np.atleast_2d(np.asarray(dense.get(np.array(missing, dtype=np.uint64)), dtype=np.float32))
                for key, vec in zip(missing, vecs, strict=True):
                    cos[key] = float(np.dot(vec, qvecs[qi]))
            all_keys.update(keys)
            per_query.append((keys, cos, bm, qtok, qvecs[qi], query_names(text)))
        records = self.store.rows_by_rowid(sorted(all_keys))
        return per_query, records, self._context()

    def features(
        self, entry: Any, records: dict[int, FactCheckRecord], titles: Any, exclude: set[int] | None = None
    ) -> tuple[list[int], np.ndarray]:
        """Feature rows for one query's candidates (``exclude``: rowids to leave out, as if not in the store)."""
        keys, cos, bm, qtok, qvec, names = entry
        keys = [k for k in keys if k in records and not (exclude and k in exclude)]
        if exclude:
            bm = {k: v for k, v in bm.items() if k not in exclude}
        return keys, self._features(keys, cos, bm, qtok, qvec, records, titles, names)

    def _features(
        self,
        keys: list[int],
        cos: dict[int, float],
        bm: dict[int, float],
        qtok: list[str],
        qvec: np.ndarray,
        records: dict[int, FactCheckRecord],
        context: tuple[np.ndarray, np.ndarray] | None,
        names: frozenset[str] = frozenset(),
    ) -> np.ndarray:
        del bm  # BM25 retrieves candidates but never scores them: its IDF depends on the whole corpus
        x = np.zeros((len(keys), len(FEATURES)), dtype=np.float64)
        if not keys:
            return x
        cos_context = np.full(len(keys), np.nan)
        if context is not None and len(context[1]):
            wanted = np.array(keys, dtype=np.int64)
            pos = np.minimum(np.searchsorted(context[1], wanted), len(context[1]) - 1)
            found = context[1][pos] == wanted
            if found.any():
                cos_context[found] = np.asarray(context[0][pos[found]], dtype=np.float32) @ qvec
        qset = set(qtok)
        for i, key in enumerate(keys):
            x[i] = pair_features(records[key], cos[key], float(cos_context[i]), qset, names)
        return x

    def search_many(
        self, texts: list[str], top_k: int = 5, contexts: Sequence[str | None] | None = None
    ) -> list[list[Match]]:
        """Re-ranked matches for each text, best first (``contexts``: the text before each, e.g. the previous
        sentence of its paragraph; a record's score is then the higher of text alone and context + text)."""
        if top_k < 1:
            raise ValueError("top_k must be at least 1")
        if not texts:
            return []
        if contexts is not None and len(contexts) != len(texts):
            raise ValueError("contexts must be as long as texts")
        from veracity.stores.agreement import agreement

        reranker = load_reranker()
        queries: list[str] = []
        owner: list[tuple[int, bool]] = []
        for i, text in enumerate(texts):
            queries.append(text)
            owner.append((i, False))
            context = (contexts[i] or "").strip() if contexts is not None else ""
            if context:
                queries.append(f"{context} {text}")
                owner.append((i, True))
        best: list[dict[int, tuple[float, bool, np.ndarray]]] = [{} for _ in texts]
        similarity: list[dict[int, float]] = [{} for _ in texts]  # sentence-alone cosine with the claim vector
        cos_claim = FEATURES.index("cos_claim")
        scored, records = self.candidates(queries)
        for (i, with_context), (keys, x) in zip(owner, scored, strict=True):
            if not keys:
                continue
            probs = reranker.score(x)
            for j, key in enumerate(keys):
                if not with_context:
                    similarity[i][key] = float(x[j, cos_claim])
                p = float(probs[j])
                if key not in best[i] or p > best[i][key][0]:
                    best[i][key] = (p, with_context, x[j])
        from veracity.stores.predicate import MISSING_PREDICATE_FACTOR, decode_predicate, predicate_found

        # stored predicates of the records that may be checked (those at or above the threshold): one query
        checked = {key for pool in best for key, (p, _c, _r) in pool.items() if p >= reranker.threshold}
        stored = self._predicates(checked)
        results: list[list[Match]] = []
        for i, pool in enumerate(best):
            context = (contexts[i] or "") if contexts is not None else ""
            # same topic or same claim: a sentence holding none of the claim's predicate is the former. Checked from the
            # best down, and only until top_k pass: a failed check puts a match below every match at the threshold
            passed = 0
            for key, (p, with_context, row) in sorted(pool.items(), key=lambda kv: (-kv[1][0], kv[0])):
                if p < reranker.threshold or passed >= top_k:
                    break
                words = stored.get(key)
                predicate = decode_predicate(words) if words is not None else None
                if predicate_found(texts[i], records[key].claim, context if with_context else "", predicate):
                    passed += 1
                else:
                    pool[key] = (p * MISSING_PREDICATE_FACTOR, with_context, row)
            ranked = sorted(pool.items(), key=lambda kv: (-kv[1][0], kv[0]))[:top_k]
            matches = []
            for key, (p, with_context, row) in ranked:
                rec = records[key]
                matches.append(
                    Match(
                        id=rec.id,
                        score=p,
                        claim=rec.claim,
                        rating=rec.rating,
                        textual_rating=rec.textual_rating,
                        publisher=rec.publisher_name,
                        url=rec.review_url,
                        title=rec.title,
                        review_date=rec.review_date,
                        agreement=agreement(texts[i], rec.claim, context=context, similarity=similarity[i].get(key)),
                        with_context=with_context,
                        features=dict(zip(FEATURES, map(float, row), strict=True)),
                    )
                )
            results.append(matches)
        return results

    def _predicates(self, rowids: set[int]) -> dict[int, str]:
        """Stored predicates of these records (those missing are parsed at search time by ``predicate_found``)."""
        lookup = getattr(self.store, "predicates_by_rowid", None)
        return lookup(sorted(rowids)) if lookup is not None and rowids else {}

    def close(self) -> None:
        """Drop loaded indexes."""
        self._dense = None
        self._bm25 = None
        self._context_cache = None
