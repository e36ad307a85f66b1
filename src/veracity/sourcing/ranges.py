"""Find the items whose character ranges overlap a range without scanning them all.

Sourcing asks "which attributions / quoted segments touch this claim?" once per claim; scanning every item for every
claim made the cost grow with the square of the text (a 300,000-character text spent minutes there). Items are kept
sorted by start; a query bisects to the ones that can overlap (start before the range's end, and no earlier than the
longest item's length before its start), so it costs the hits plus a window, not the whole list.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Generic, TypeVar

__all__ = ["RangeIndex"]

T = TypeVar("T")


class RangeIndex(Generic[T]):
    """Items with ``[start, end)`` character ranges, queried by overlap; insertion order is kept among equal starts."""

    def __init__(self, items: Iterable[tuple[int, int, T]]) -> None:
        self._items = sorted(items, key=lambda item: item[0])
        self._starts = [s for s, _, _ in self._items]
        self._longest = max((e - s for s, e, _ in self._items), default=0)

    def add(self, start: int, end: int, item: T) -> None:
        """Insert one item (after any with the same start)."""
        at = bisect_right(self._starts, start)
        self._items.insert(at, (start, end, item))
        self._starts.insert(at, start)
        self._longest = max(self._longest, end - start)

    def __len__(self) -> int:
        return len(self._items)

    def overlapping(self, start: int, end: int) -> list[T]:
        """Items whose range shares at least one character with ``[start, end)``, by start (an empty range: those
        containing ``start``)."""
        end = max(end, start + 1)
        lo = bisect_left(self._starts, start - self._longest)
        hi = bisect_left(self._starts, end)
        return [item for s, e, item in self._items[lo:hi] if s < end and e > start]

    def starting_in(self, start: int, end: int) -> list[T]:
        """Items whose range starts in ``[start, end)``, by start."""
        lo = bisect_left(self._starts, start)
        hi = bisect_left(self._starts, end)
        return [item for _, _, item in self._items[lo:hi]]
