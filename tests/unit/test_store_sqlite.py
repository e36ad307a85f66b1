"""SQLite store specifics: schema versioning, refusing foreign files, the default-store lookup, index recovery, and the
rating/date normalisation the records rely on."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from veracity.config import Settings
from veracity.errors import ConfigurationError
from veracity.stores import open_default_store, open_store
from veracity.stores.records import FactCheckRecord, normalise_date, normalise_rating, register_ratings
from veracity.stores.sqlite import SCHEMA_VERSION
from veracity.stores.testing import HashEmbedder, sample_records


def test_new_database_has_current_schema_version(tmp_path: Path) -> None:
    with open_store(tmp_path / "db.sqlite3", embedder=HashEmbedder()) as store:
        assert store.schema_version == SCHEMA_VERSION >= 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    open_store(path, embedder=HashEmbedder()).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(ConfigurationError, match="upgrade veracity"):
        open_store(path)


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE things (x)")
    with pytest.raises(ConfigurationError, match="not a veracity fact-check database"):
        open_store(path)


def test_non_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not a database" * 100)
    with pytest.raises(ConfigurationError, match="not a veracity fact-check database"):
        open_store(path)


def test_open_default_store_is_none_without_a_database(tmp_path: Path) -> None:
    settings = Settings(db=str(tmp_path / "absent.sqlite3"))
    assert open_default_store(settings) is None
    assert not (tmp_path / "absent.sqlite3").exists()


def test_open_default_store_opens_an_existing_database(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with open_store(path, embedder=HashEmbedder()) as store:
        store.upsert(sample_records())
    store = open_default_store(Settings(db=str(path)), embedder=HashEmbedder())
    assert store is not None and store.count() == 5
    store.close()


def test_search_without_index_says_how_to_build_it(tmp_path: Path) -> None:
    with open_store(tmp_path / "db.sqlite3", embedder=HashEmbedder()) as store:
        store.upsert(sample_records())
        with pytest.raises(ConfigurationError, match="--rebuild-index"):
            store.search("moon")


def test_lost_index_file_is_rebuilt(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    embedder = HashEmbedder()
    with open_store(path, embedder=embedder) as store:
        store.upsert(sample_records())
        store.update_index()
    Path(f"{path}.usearch").unlink()
    with open_store(path, embedder=embedder) as store:
        assert store.update_index().embedded == 5
        assert store.search("moon landing studio", top_k=1)[0].id == "fc-1"


def test_other_embedder_triggers_reindex(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    with open_store(path, embedder=HashEmbedder()) as store:
        store.upsert(sample_records())
        store.update_index()

    class Other(HashEmbedder):
        name = "another-model"

    with open_store(path, embedder=Other()) as store:
        with pytest.raises(ConfigurationError, match="built with test-hash-embedder"):
            store.search("moon")
        assert store.update_index().embedded == 5
        assert store.search("moon landing studio", top_k=1)[0].id == "fc-1"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("False", "false"),
        ("Pants on Fire!", "false"),
        ("  'Mostly False' ", "mostly_false"),
        ("Barely True", "mostly_false"),
        ("Mixture", "mixed"),
        ("Half-True", "mixed"),
        ("Mostly True", "mostly_true"),
        ("Correct Attribution", "true"),
        ("Unproven", "unrated"),
        ("Four Pinocchios", "false"),
        ("This claim is partly false", "mostly_false"),
        ("Something nobody has heard of", "unrated"),
        ("", "unrated"),
    ],
)
def test_rating_normalisation(text: str, expected: str) -> None:
    assert normalise_rating(text) == expected


def test_numeric_ratings_use_their_scale() -> None:
    assert normalise_rating(None, 1, best=5, worst=1) == "false"
    assert normalise_rating(None, 5, best=5, worst=1) == "true"
    assert normalise_rating(None, 3, best=5, worst=1) == "mixed"
    assert normalise_rating(None, 9, best=5, worst=1) == "unrated"


def test_rating_map_is_extensible() -> None:
    assert normalise_rating("Zombie claim") == "unrated"
    register_ratings({"Zombie claim": "false"})
    assert normalise_rating("zombie CLAIM") == "false"
    with pytest.raises(ValueError, match="not a normalised rating"):
        register_ratings({"x": "kinda"})


def test_dates() -> None:
    assert normalise_date("19 April 2018") == "2018-04-19"
    assert normalise_date("April 19, 2018") == "2018-04-19"
    assert normalise_date("2018-04-19T10:00:00Z") == "2018-04-19"
    assert normalise_date("sometime in spring") == "sometime in spring"
    assert normalise_date(None) == ""


def test_record_requires_claim_and_id() -> None:
    with pytest.raises(ValueError, match="no claim text"):
        FactCheckRecord(id="x", claim=" ")
    with pytest.raises(ValueError, match="no id"):
        FactCheckRecord(id="", claim="c")
    with pytest.raises(ValueError, match="rating"):
        FactCheckRecord(id="x", claim="c", rating="bogus")


def test_claimreview_export_reimports_identically(tmp_path: Path) -> None:
    import json

    from veracity.stores.importers import read_records

    records = sample_records()
    path = tmp_path / "export.json"
    path.write_text(json.dumps([r.to_claimreview() for r in records]), encoding="utf-8")
    back = [item for _pos, item in read_records(path)]
    assert back == records
