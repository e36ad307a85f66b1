"""The ``FactCheckStore`` protocol: what every fact-check store (SQLite today, PostgreSQL later) offers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from veracity.stores.records import FactCheckRecord, Match

__all__ = ["FactCheckStore", "IndexReport", "UpsertResult"]


@dataclass
class UpsertResult:
    """How many records an upsert added, changed, or found identical."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.added += other.added
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


@dataclass
class IndexReport:
    """What an index update did: records embedded (two texts each) and removed, claims parsed for their predicate,
    whether BM25 was rebuilt, and where the time went (``seconds`` in all; embedding, parsing, saving the dense index
    and its bookkeeping, rebuilding BM25)."""

    embedded: int = 0
    removed: int = 0
    bm25_rebuilt: bool = False
    seconds: float = 0.0
    embed_seconds: float = 0.0
    save_seconds: float = 0.0
    bm25_seconds: float = 0.0
    parsed: int = 0
    parse_seconds: float = 0.0


@runtime_checkable
class FactCheckStore(Protocol):
    """A collection of fact-checks with idempotent upserts and hybrid (lexical + dense) search."""

    def upsert(self, records: Iterable[FactCheckRecord]) -> UpsertResult:
        """Insert new records and replace changed ones (matched by id); identical records change nothing."""
        ...

    def get(self, record_id: str) -> FactCheckRecord | None:
        """The record with this id, or None."""
        ...

    def delete(self, ids: Sequence[str]) -> int:
        """Remove records by id; returns how many existed."""
        ...

    def count(self) -> int:
        """Number of records."""
        ...

    def iter_records(self) -> Iterator[FactCheckRecord]:
        """Every record, in insertion order, streamed."""
        ...

    def stats(self) -> dict[str, Any]:
        """Counts by rating, publisher and language, schema version and index state."""
        ...

    def update_index(self, rebuild: bool = False, progress: Callable[[int, int], None] | None = None) -> IndexReport:
        """Bring the search indexes up to date with the records (new/changed only unless ``rebuild``)."""
        ...

    def search(self, text: str, top_k: int = 5) -> list[Match]:
        """The best-matching fact-checks for one text, best first, scores calibrated to [0, 1]."""
        ...

    def search_many(
        self, texts: Sequence[str], top_k: int = 5, contexts: Sequence[str | None] | None = None
    ) -> list[list[Match]]:
        """``search`` for many texts at once (embeds them in one batch). ``contexts`` (optional, one per text): the
        text just before it (the previous sentence of its paragraph); each record then scores the higher of the text
        alone and context + text. A score depends only on the pair (and context) and the model."""
        ...

    def close(self) -> None:
        """Release files and connections."""
        ...
