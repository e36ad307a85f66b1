"""Claim predicates are parsed once, when a record is indexed, and stored: a search parses only its own sentence, and
its scores are exactly those of parsing every claim at search time (issue 18, search speed at 1M records)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from veracity.stores import open_store, predicate
from veracity.stores.predicate import claim_predicate, claim_predicates, decode_predicate, encode_predicate
from veracity.stores.records import FactCheckRecord
from veracity.stores.search import load_reranker
from veracity.stores.testing import HashEmbedder, sample_records

#: sentences whose best matches reach the threshold: some hold the claim's predicate, some only its subject
QUERIES = [
    "The moon landing in 1969 was filmed in a studio.",
    "The moon landing in 1969 was watched by millions.",
    "Drinking bleach cures viral infections.",
    "Drinking bleach is sold in every supermarket.",
    "The city council voted to close every public library next year.",
    "The city council voted on the budget next year.",
    "Eating carrots gives people perfect night vision.",
]


def _records() -> list[FactCheckRecord]:
    return [
        *sample_records(),
        FactCheckRecord(id="wh", claim="The White Helmets are linked to terrorists.", title="White Helmets"),
        FactCheckRecord(id="q", claim="Is the moon made of cheese?"),  # no subject/predicate split: never gated
    ]


@pytest.fixture
def store(tmp_path: Path):
    s = open_store(tmp_path / "fc.sqlite3", embedder=HashEmbedder())
    s.upsert(_records())
    s.update_index()
    yield s
    s.close()


def _scores(store) -> list[list[tuple[str, float]]]:
    return [[(m.id, m.score) for m in ms] for ms in store.search_many(QUERIES, top_k=5)]


def test_index_stores_every_claims_predicate(store) -> None:
    rows = store.conn.execute("SELECT f.claim, p.words FROM factchecks f JOIN predicates p USING (rowid)").fetchall()
    assert len(rows) == len(_records())
    assert all(decode_predicate(words) == claim_predicate(claim) for claim, words in rows)
    assert dict(rows)["The White Helmets are linked to terrorists."] == "link terrorist"
    assert dict(rows)["Is the moon made of cheese?"] == encode_predicate(claim_predicate("Is the moon made of cheese?"))


def test_batched_parse_equals_one_claim_at_a_time() -> None:
    claims = [r.claim for r in _records()]
    assert claim_predicates(claims) == [claim_predicate(c) for c in claims]


def test_search_parses_no_claim_and_scores_exactly_as_parsing_them(store, monkeypatch: pytest.MonkeyPatch) -> None:
    outcomes: list[bool] = []
    original = predicate.predicate_found

    def counted(*args: object, **kwargs: object) -> bool:
        outcomes.append(original(*args, **kwargs))  # type: ignore[arg-type]
        return outcomes[-1]

    monkeypatch.setattr(predicate, "predicate_found", counted)
    store.conn.execute("DELETE FROM predicates")  # as a database indexed by an older veracity: claims parsed here
    live = _scores(store)
    # the check ran, kept some matches and demoted others: otherwise this test would prove nothing
    assert True in outcomes and False in outcomes, (outcomes, live, load_reranker().threshold)

    def no_claim_parses(claim: str) -> frozenset[str]:
        raise AssertionError(f"search parsed a stored claim: {claim!r}")

    assert store.update_index().parsed == len(_records())  # the next index update stores them again
    monkeypatch.setattr(predicate, "claim_predicate", no_claim_parses)
    assert _scores(store) == live


def test_changed_record_gets_its_predicate_parsed_again(store) -> None:
    changed = replace(_records()[-2], claim="The White Helmets rescued thousands of civilians.")
    store.upsert([changed])
    report = store.update_index()
    assert report.parsed == 1
    rowid = store.conn.execute("SELECT rowid FROM factchecks WHERE id='wh'").fetchone()[0]
    assert decode_predicate(store.predicates_by_rowid([rowid])[rowid]) == claim_predicate(changed.claim)
    store.delete(["wh"])
    assert store.conn.execute("SELECT COUNT(*) FROM predicates WHERE rowid=?", (rowid,)).fetchone()[0] == 0


def test_predicates_of_another_parser_are_not_used(store) -> None:
    store.meta_set("predicate_version", "0:another-parser")
    assert store.predicates_by_rowid([1, 2, 3]) == {}
    assert store.update_index().parsed == len(_records())
    assert len(store.predicates_by_rowid([1, 2, 3])) == 3
