"""Fact-check stores: the ``FactCheckStore`` protocol, the embedded SQLite default, importers and hybrid search.

    >>> from veracity.stores import open_store
    >>> store = open_store("factchecks.sqlite3")          # created if absent
    >>> store.upsert(records); store.update_index()
    >>> store.search("the White Helmets staged a chemical attack")[0].as_attrs()
    >>> store.search_many(["the video was a fake"], contexts=["… video evidence … provided by the White Helmets."])

Heavy pieces (bm25s, usearch, the embedder) load on first search or index update, never on import of this package.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from veracity.stores.base import FactCheckStore, IndexReport, UpsertResult
from veracity.stores.records import (
    AGREEMENTS,
    NO_VERDICT,
    RATINGS,
    FactCheckRecord,
    Match,
    normalise_rating,
    register_ratings,
)

if TYPE_CHECKING:
    from veracity.config import Settings
    from veracity.stores.sqlite import SQLiteFactCheckStore

__all__ = [
    "AGREEMENTS",
    "MATCH_THRESHOLD",
    "NO_DATABASE_MESSAGE",
    "NO_VERDICT",
    "RATINGS",
    "FactCheckRecord",
    "FactCheckStore",
    "IndexReport",
    "Match",
    "UpsertResult",
    "normalise_rating",
    "open_default_store",
    "open_store",
    "register_ratings",
]

#: what reports say (once) when there is no fact-check database
NO_DATABASE_MESSAGE = (
    "no fact-check database; import one with: veracity factchecks import FILE "
    "(e.g. ../shared/data/checkthat-claim-retrieval-en/ct2022-task2a/vclaims.jsonl --format checkthat)"
)


def open_store(path: str | Path, embedder: Any = None, create: bool = True) -> SQLiteFactCheckStore:
    """Open the SQLite store at ``path`` (created when ``create``; else a missing file is a ConfigurationError)."""
    from veracity.stores.sqlite import SQLiteFactCheckStore

    return SQLiteFactCheckStore(path, embedder=embedder, create=create)


def open_default_store(settings: Settings | None = None, embedder: Any = None) -> FactCheckStore | None:
    """The store at ``settings.db_path`` (``--db``/``VERACITY_DB``/user data dir), or None when no database exists."""
    if settings is None:
        from veracity.config import load_settings

        settings = load_settings()
    path = settings.db_path
    if not path.is_file():
        return None
    return open_store(path, embedder=embedder, create=False)


def __getattr__(name: str) -> Any:
    if name == "MATCH_THRESHOLD":
        from veracity.stores.search import load_reranker  # the threshold ships with the re-ranker

        return load_reranker().threshold
    raise AttributeError(name)
