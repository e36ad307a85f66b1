"""The fact-check store a long-running process holds: opened once, and kept current with the database file.

A service or a batch worker opens its store once and hands it to the pipeline (``Services.factchecks``). When
``veracity factchecks import`` adds records while the process runs, the database's ``generation`` (bumped by every
import) and the index files change; the next call sees that and reopens, so new records are found by the next request
without a restart. While no database file exists, ``available()`` is False and nothing is opened.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from veracity.stores.records import Match

__all__ = ["LiveFactCheckStore"]


class LiveFactCheckStore:
    """A ``FactCheckStore`` front for one database path that reopens the store when the database changed."""

    def __init__(self, path: str | Path, embedder: Any = None) -> None:
        """Bind to ``path``; nothing is opened until the first call."""
        self.path = Path(path).expanduser()
        self._embedder = embedder
        self._store: Any = None
        self._version: tuple[Any, ...] | None = None
        self._lock = threading.Lock()

    def _fingerprint(self, store: Any) -> tuple[Any, ...]:
        dense = Path(f"{self.path}.usearch")
        return (
            store.meta_get("generation", "0"),
            store.meta_get("bm25_generation", ""),
            dense.stat().st_mtime_ns if dense.is_file() else 0,
        )

    def current(self) -> Any | None:
        """The open store, reopened if an import changed the database since; None while no database exists."""
        with self._lock:
            if not self.path.is_file():
                return None
            if self._store is None:
                from veracity.stores import open_store

                self._store = open_store(self.path, embedder=self._embedder, create=False)
                self._version = self._fingerprint(self._store)
                return self._store
            version = self._fingerprint(self._store)
            if version != self._version:
                from veracity.stores import open_store

                # the old store stays usable by a search already running on it; it closes when dropped
                self._store = open_store(self.path, embedder=self._embedder, create=False)
                self._version = self._fingerprint(self._store)
            return self._store

    def available(self) -> bool:
        """Whether a database exists at the path."""
        return self.path.is_file()

    def search(self, text: str, top_k: int = 5) -> list[Match]:
        """``search`` of the current store (an empty list while there is no database)."""
        return self.search_many([text], top_k)[0]

    def search_many(
        self, texts: Sequence[str], top_k: int = 5, contexts: Sequence[str | None] | None = None
    ) -> list[list[Match]]:
        """``search_many`` of the current store (empty lists while there is no database)."""
        store = self.current()
        if store is None:
            return [[] for _ in texts]
        if contexts is None:
            return list(store.search_many(texts, top_k=top_k))
        return list(store.search_many(texts, top_k=top_k, contexts=contexts))

    def close(self) -> None:
        """Close the open store, if any."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
