"""The contract every FactCheckStore implementation passes: idempotent upserts, lookups, deletes, persistence and
search that returns calibrated, ordered matches. Add a factory to STORES to run it on a new implementation."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from veracity.stores import FactCheckRecord, FactCheckStore, Match, open_store
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


def _unrelated_records(n: int) -> list[FactCheckRecord]:
    """``n`` invented records on other topics (every one different)."""
    topics = ["football", "recipes", "gardening", "astronomy", "railways", "knitting", "chess", "opera", "sailing"]
    return [
        FactCheckRecord(
            id=f"other-{i}",
            claim=f"A {topics[i % len(topics)]} club in town number {i} changed its {topics[(i * 7) % len(topics)]} rules.",
            review_url=f"https://other.example.org/{i}",
            publisher_name="Other Checks",
            textual_rating="False",
            rating="false",
            title=f"Story {i} about {topics[(i * 3) % len(topics)]}",
        )
        for i in range(n)
    ]


def test_scores_do_not_depend_on_the_rest_of_the_store(store: FactCheckStore) -> None:
    """issue 18: adding one related record moved another claim's match from 0.862 to 0.641. A pair's score depends
    only on the pair and the model: 1,000 more records move no score by more than 0.01."""
    store.upsert(sample_records())
    store.update_index()
    queries = [
        "Bleach cures viral infections, says a viral post",
        "The moon landing was filmed in a studio",
        "carrots give you night vision",
        "the council will close every library",
    ]
    before = [{m.id: m.score for m in ms} for ms in store.search_many(queries, top_k=5)]
    store.upsert(_unrelated_records(1000))
    store.upsert([replace(sample_records()[1], id="fc-2b", claim="Drinking bleach cures infections, a post claims.")])
    store.update_index()
    after = [{m.id: m.score for m in ms} for ms in store.search_many(queries, top_k=50)]
    moved = [(q, rid, s, a.get(rid)) for q, b, a in zip(queries, before, after, strict=True) for rid, s in b.items()]
    # a match worth showing is still retrieved (near-zero ones may give way to the new records in the candidate pool)
    assert all(now is not None for *_x, s, now in moved if s >= 0.1), moved
    kept = [(s, now) for *_x, s, now in moved if now is not None]
    assert len(kept) >= len(queries) and max(abs(s - now) for s, now in kept) <= 0.01, moved


def test_a_score_does_not_depend_on_the_other_texts_searched(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    store.update_index()
    alone = store.search("The moon landing was filmed in a studio", top_k=3)
    batch = store.search_many(["carrots", "The moon landing was filmed in a studio", "a bridge opens"], top_k=3)[1]
    assert [(m.id, round(m.score, 6)) for m in alone] == [(m.id, round(m.score, 6)) for m in batch]


def test_matches_carry_verdict_and_agreement(store: FactCheckStore) -> None:
    store.upsert(sample_records())
    store.update_index()
    m = store.search("Drinking bleach does not cure viral infections.", top_k=1)[0]
    assert m.id == "fc-2" and m.agreement == "contradicts"
    assert m.verdict == "Pants on Fire! (Sample Facts, 2020-01-02)"
    attrs = m.as_attrs()
    assert attrs["agreement"] == "contradicts" and attrs["verdict"] == m.verdict and attrs["has_verdict"] is True
    assert store.search("Drinking bleach cures viral infections.", top_k=1)[0].agreement == "repeats"


def test_context_lets_a_sentence_that_needs_it_match(store: FactCheckStore) -> None:
    """contexts=: a record scores the higher of the sentence alone and context + sentence."""
    store.upsert(sample_records())
    store.update_index()
    sentence = "Investigators later said it was all filmed in a studio."
    alone = {m.id: m.score for m in store.search_many([sentence], top_k=5)[0]}
    with_context = store.search_many([sentence], top_k=5, contexts=["The 1969 moon landing was celebrated."])[0]
    assert with_context[0].id == "fc-1"
    assert with_context[0].score >= alone.get("fc-1", 0.0)
    assert all(with_context[0].score >= m.score for m in with_context)


# -- kill-safety: an import killed anywhere is repaired by running the same command again (issue 18, issue 23 item 8)
_KILLER = """
import os, pathlib, sys
from veracity.stores import open_store, search
from veracity.stores.testing import HashEmbedder, sample_records
from veracity.stores.records import FactCheckRecord
from dataclasses import replace

db, point, stage = sys.argv[1], sys.argv[2], sys.argv[3]
def die(*_a, **_k):
    os._exit(137)
if stage == "second":
    if point == "after_dense_save":
        search.HybridIndex._save_context = die
    elif point == "after_context_save":
        original = search.HybridIndex._save_context
        def save_then_die(self, *a, **k):
            original(self, *a, **k)
            die()
        search.HybridIndex._save_context = save_then_die
    elif point == "during_bm25":
        search.HybridIndex._rebuild_bm25 = die
    elif point == "rebuild_after_forgetting":
        pathlib.Path.unlink = die
records = sample_records()
if stage == "second":
    records = [replace(records[0], claim="The moon landing in 1969 was staged in a film studio.")] + records[1:]
    records += [FactCheckRecord(id=f"new-{i}", claim=f"New claim {i} about ferries and harbours.") for i in range(3)]
def stream():
    for n, r in enumerate(records):
        if stage == "second" and point == "during_upsert" and n == 4:
            die()
        yield r
store = open_store(db, embedder=HashEmbedder())
store.upsert(stream(), batch_size=2)
store.update_index(rebuild=(stage == "second" and point == "rebuild_after_forgetting"))
store.close()
"""


@pytest.mark.parametrize(
    "point", ["during_upsert", "after_dense_save", "after_context_save", "during_bm25", "rebuild_after_forgetting"]
)
def test_import_killed_anywhere_is_repaired_by_running_it_again(factory: Factory, tmp_path: Path, point: str) -> None:
    import subprocess
    import sys

    db = tmp_path / "factchecks.sqlite3"
    if factory is not STORES["sqlite"]:
        pytest.skip("the kill script drives the SQLite store")
    first = subprocess.run([sys.executable, "-c", _KILLER, str(db), point, "first"], capture_output=True, text=True)
    assert first.returncode == 0, first.stderr
    killed = subprocess.run([sys.executable, "-c", _KILLER, str(db), point, "second"], capture_output=True, text=True)
    assert killed.returncode == 137, killed.stderr
    # the same command again, not killed this time
    again = subprocess.run(
        [sys.executable, "-c", _KILLER, str(db), "none", "second"], capture_output=True, text=True, check=False
    )
    assert again.returncode == 0, again.stderr
    store = factory(tmp_path, HashEmbedder())
    try:
        assert store.count() == 8  # nothing twice, nothing lost
        index = store.stats()["index"]
        assert index["stale_records"] == 0 and index["dense_vectors"] == 8 and index["bm25_current"]
        assert store.update_index().embedded == 0
        top = store.search("the moon landing was staged in a film studio", top_k=1)[0]
        assert top.id == "fc-1" and "staged" in top.claim
        assert store.search("new claim 2 about ferries and harbours", top_k=1)[0].id.startswith("new-")
    finally:
        store.close()
