"""The contract every FactCheckStore implementation passes: idempotent upserts, lookups, deletes, persistence and
search that returns calibrated, ordered matches. Add a factory to STORES to run it on a new implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from veracity.stores import FactCheckStore, Match, open_store
from veracity.stores.records import RATINGS
from veracity.stores.testing import HashEmbedder, sample_records

Factory = Callable[[Path, HashEmbedder], FactCheckStore]

STORES: dict[str, Factory] = {
    "sqlite": lambda folder, embedder: open_store(folder / "factchecks.sqlite3", embedder=embedder),
}


@pytest.fixture(params=sorted(STORES))
def factory(request: pytest.FixtureRequest) -> Factory:
    return STORES[request.param]


@pytest.fixture
def store(factory: Factory, tmp_path: Path) -> Iterator[FactCheckStore]:
    s = factory(tmp_path, HashEmbedder())
    yield s
    s.close()


def test_is_a_factcheck_store(store: FactCheckStore) -> None:
    assert isinstance(store, FactCheckStore)


def test_upsert_is_idempotent(store: FactCheckStore) -> None:
    records = sample_records()
    first = store.upsert(records)
    again = store.upsert(records)
    assert (first.added, first.updated, first.unchanged) == (5, 0, 0)
    assert (again.added, again.updated, again.unchanged) == (0, 0, 5)
    assert store.count() == 5


def test_changed_record_is_updated_not_duplicated(store: FactCheckStore) -> None:
    records = sample_records()
    store.upsert(records)
    changed = replace(records[0], textual_rating="Mostly False", rating="mostly_false")
    result = store.upsert([changed])
    assert (result.added, result.updated) == (0, 1)
    assert store.count() == 5
    assert store.get(changed.id) == changed


def test_duplicate_ids_in_one_batch_keep_the_last(store: FactCheckStore) -> None:
    a = sample_records()[0]
    b = replace(a, summary="second version")
    store.upsert([a, b])
    assert store.count() == 1
    assert store.get(a.id).summary == "second version"


def test_get_missing_is_none(store: FactCheckStore) -> None:
    assert store.get("nope") is None


def test_delete(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    assert store.delete(["fc-1", "missing"]) == 1
    assert store.get("fc-1") is None
    assert store.count() == 4


def test_iter_records_round_trips(store: FactCheckStore) -> None:
    records = sample_records()
    store.upsert(records)
    assert list(store.iter_records()) == records


def test_stats(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    stats = store.stats()
    assert stats["records"] == 5
    assert stats["by_rating"]["false"] == 2
    assert set(stats["by_rating"]) <= set(RATINGS)


def test_search_finds_the_matching_record_first(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    store.update_index()
    matches = store.search("Bleach cures viral infections, says a viral post", top_k=3)
    assert matches and isinstance(matches[0], Match)
    assert matches[0].id == "fc-2"
    assert matches[0].rating == "false" and matches[0].textual_rating == "Pants on Fire!"
    scores = [m.score for m in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= s <= 1.0 for s in scores)
    assert len(matches) <= 3


def test_search_many_keeps_order(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    store.update_index()
    results = store.search_many(["carrots night vision", "moon landing studio"], top_k=2)
    assert [r[0].id for r in results] == ["fc-5", "fc-1"]


def test_search_empty_store_returns_nothing(store: FactCheckStore) -> None:
    store.update_index()
    assert store.search("anything") == []


def test_deleted_records_leave_search(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    store.update_index()
    store.delete(["fc-2"])
    store.update_index()
    assert all(m.id != "fc-2" for m in store.search("bleach cures viral infections", top_k=5))


def test_index_updates_only_changed_records(factory: Factory, tmp_path: Path) -> None:
    embedder = HashEmbedder()
    store = factory(tmp_path, embedder)
    try:
        store.upsert(sample_records())
        assert store.update_index().embedded == 5
        store.upsert([replace(sample_records()[3], claim="A new tunnel under the river will open in June.")])
        report = store.update_index()
        assert report.embedded == 1
        assert store.search("tunnel under the river opens in June", top_k=1)[0].id == "fc-4"
    finally:
        store.close()


def test_persists_across_reopen(factory: Factory, tmp_path: Path) -> None:
    store = factory(tmp_path, HashEmbedder())
    store.upsert(sample_records())
    store.update_index()
    store.close()
    reopened = factory(tmp_path, HashEmbedder())
    try:
        assert reopened.count() == 5
        assert reopened.search("moon landing filmed in a studio", top_k=1)[0].id == "fc-1"
        assert reopened.update_index().embedded == 0
    finally:
        reopened.close()


def test_match_attrs_are_json_ready(store: FactCheckStore) -> None:
    import json

    store.upsert(sample_records())
    store.update_index()
    attrs = store.search("moon landing studio", top_k=1)[0].as_attrs()
    assert json.loads(json.dumps(attrs)) == attrs
    assert {"rating", "publisher", "url", "claim", "score"} <= set(attrs)


def test_search_from_several_threads(store: FactCheckStore) -> None:
    from concurrent.futures import ThreadPoolExecutor

    store.upsert(sample_records())
    store.update_index()
    texts = ["moon landing studio", "bleach cures infections", "carrots night vision", "library closing vote"] * 5
    expected = [store.search(t, top_k=1)[0].id for t in texts]
    with ThreadPoolExecutor(max_workers=4) as pool:
        got = list(pool.map(lambda t: store.search(t, top_k=1)[0].id, texts))
    assert got == expected
