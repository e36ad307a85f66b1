"""RangeIndex answers overlap queries exactly as a scan of every item would (it replaced such scans in sourcing)."""

from __future__ import annotations

import random

from veracity.sourcing.ranges import RangeIndex


def _scan(items: list[tuple[int, int, int]], start: int, end: int) -> list[int]:
    end = max(end, start + 1)
    return sorted(i for s, e, i in items if s < end and e > start)


def test_overlapping_matches_a_full_scan_on_random_ranges() -> None:
    rng = random.Random(7)
    items = []
    for i in range(400):
        s = rng.randrange(0, 5000)
        items.append((s, s + rng.choice([1, 3, 20, 200, 1500]), i))
    index = RangeIndex(items[:200])
    for s, e, i in items[200:]:
        index.add(s, e, i)  # built in two ways: up front and one by one
    for _ in range(500):
        a = rng.randrange(-50, 5100)
        b = a + rng.choice([0, 1, 5, 80, 900])
        assert sorted(index.overlapping(a, b)) == _scan(items, a, b)
        assert sorted(index.starting_in(a, b)) == sorted(i for s, _, i in items if a <= s < b)


def test_touching_ranges_do_not_overlap_and_empty_queries_ask_for_a_point() -> None:
    index = RangeIndex([(0, 5, "a"), (5, 9, "b")])
    assert index.overlapping(5, 5) == ["b"]  # the character at 5 belongs to b only
    assert index.overlapping(4, 6) == ["a", "b"]
    assert index.overlapping(9, 12) == []
    assert len(RangeIndex([])) == 0 and RangeIndex([]).overlapping(0, 10) == []


def test_paragraph_lookup_matches_searching_the_text_around_each_sentence() -> None:
    """The claims analyzer's paragraph lookup (bisection over blank lines) gives what rfind/find around it gave."""
    from veracity.analyzers.claims import _Paragraphs

    def scan(text: str, at: int) -> str:
        start = text.rfind("\n\n", 0, at)
        start = 0 if start < 0 else start + 2
        end = text.find("\n\n", at)
        return text[start : end if end >= 0 else len(text)].strip()

    rng = random.Random(3)
    for _ in range(200):
        text = "".join(rng.choice(["a", " ", "\n", "\n\n", "\n\n\n", "b."]) for _ in range(rng.randrange(0, 60)))
        paragraphs = _Paragraphs(text)
        assert all(paragraphs.holding(at) == scan(text, at) for at in range(len(text) + 1)), text
