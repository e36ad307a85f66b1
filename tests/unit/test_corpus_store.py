"""The corpus store: passages with offsets, incremental adds, deletes, resume after a kill, hybrid search."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from veracity.errors import ConfigurationError, UsageError
from veracity.stores.corpus import CorpusDocument, CorpusStore, corpus_path, split_passages
from veracity.stores.testing import HashEmbedder

DOCS = [
    CorpusDocument(
        "d1",
        "Sea levels rose by 20 centimetres last century. Glaciers are retreating worldwide.",
        "Seas",
        "https://example.org/seas",
        "2020-01-01",
    ),
    CorpusDocument("d2", "The Arctic ice sheet shrank sharply in summer.\n\nPolar bears depend on sea ice.", "Arctic"),
    CorpusDocument("d3", "Carrots contain vitamins and fibre. They do not give perfect night vision.", "Carrots"),
]


def store(tmp_path: Path) -> CorpusStore:
    return CorpusStore(tmp_path / "c.sqlite3", embedder=HashEmbedder())


def test_passages_keep_offsets_and_context() -> None:
    text = DOCS[0].text + "\n\nA third one here. And a fourth"
    parts = split_passages(text)
    assert [p.text for p in parts] == [
        "Sea levels rose by 20 centimetres last century.",
        "Glaciers are retreating worldwide.",
        "A third one here.",
        "And a fourth",
    ]
    for p in parts:
        assert text[p.start : p.end] == p.text
        assert text[p.context_start : p.context_end] == p.context
        assert p.context_start <= p.start and p.end <= p.context_end
    assert parts[1].context.startswith("Sea levels") and parts[1].context.endswith("A third one here.")
    assert split_passages(text, context=0)[1].context == "Glaciers are retreating worldwide."


def test_add_search_with_provenance(tmp_path: Path) -> None:
    s = store(tmp_path)
    report = s.add(DOCS)
    assert (report.documents_added, report.passages_added, report.embedded) == (3, 6, 6)
    hits = s.search("How much did sea levels rise last century?", top_k=2)
    top = hits[0]
    assert top.doc_id == "d1" and top.title == "Seas" and top.url == "https://example.org/seas"
    assert top.date == "2020-01-01"
    assert DOCS[0].text[top.start : top.end] == top.text == "Sea levels rose by 20 centimetres last century."
    assert len(top.content_hash) == 64 and top.bm25 > 0
    assert s.stats()["unindexed_passages"] == 0


def test_incremental_add_replace_and_remove(tmp_path: Path) -> None:
    s = store(tmp_path)
    s.add(DOCS)
    again = s.add(DOCS)
    assert (again.documents_unchanged, again.documents_added, again.embedded) == (3, 0, 0)
    changed = CorpusDocument("d3", "Carrots are orange root vegetables.", "Carrots")
    r = s.add([changed])
    assert (r.documents_replaced, r.passages_added, r.embedded) == (1, 1, 1)
    assert s.stats()["passages"] == 5 and s.stats()["dense_vectors"] == 5
    assert all(h.doc_id != "d3" or "orange" in h.text for h in s.search("carrots night vision", top_k=5))
    assert s.remove(["d2", "nope"]) == 1
    st = s.stats()
    assert (st["documents"], st["passages"], st["dense_vectors"]) == (2, 3, 3)
    assert all(h.doc_id != "d2" for h in s.search("Arctic ice polar bears", top_k=5))
    assert len(s._load_dense()) == 3


def test_resume_after_kill_has_no_duplicates(tmp_path: Path) -> None:
    """A process killed after writing passages but before saving vectors: the next add embeds them once."""
    db = tmp_path / "k.sqlite3"
    script = textwrap.dedent(
        f"""
        import os
        from veracity.stores.corpus import CorpusDocument, CorpusStore
        from veracity.stores.testing import HashEmbedder
        s = CorpusStore({str(db)!r}, embedder=HashEmbedder())
        s._save_dense = lambda *a, **k: os._exit(9)   # die right before the index file is saved
        s.add([CorpusDocument(f"doc{{i}}", f"Sentence number {{i}} about topic {{i}}. Another one {{i}}.") for i in range(40)], batch_size=10)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == 9, proc.stderr.decode()
    s = CorpusStore(db, embedder=HashEmbedder())
    assert s.stats()["documents"] == 10 and s.stats()["dense_vectors"] == 0  # first batch committed, not indexed
    docs = [CorpusDocument(f"doc{i}", f"Sentence number {i} about topic {i}. Another one {i}.") for i in range(40)]
    r = s.add(docs, batch_size=10)
    assert (r.documents_unchanged, r.documents_added) == (10, 30)
    st = s.stats()
    assert (st["documents"], st["passages"], st["dense_vectors"], st["unindexed_passages"]) == (40, 80, 80, 0)
    assert len(s._load_dense()) == 80
    n = sqlite3.connect(db).execute("SELECT COUNT(*), COUNT(DISTINCT doc_id) FROM documents").fetchone()
    assert n == (40, 40)
    assert s.search("topic 17", top_k=1)[0].doc_id == "doc17"


def test_errors_are_clear(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="corpus add"):
        CorpusStore(tmp_path / "missing.sqlite3", create=False)
    other = tmp_path / "other.sqlite3"
    sqlite3.connect(other).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(ConfigurationError, match="not a veracity corpus"):
        CorpusStore(other)
    with pytest.raises(UsageError, match="not valid"):
        corpus_path("bad name!")
    assert corpus_path("climate").name == "climate.sqlite3"
    s = store(tmp_path)
    assert s.search("anything") == []
    r = s.add([CorpusDocument("e", "   ")])
    assert r.documents_skipped == 1


def test_fusion_mixes_cosine_and_relative_bm25(tmp_path: Path) -> None:
    """Each hit's score is DENSE_WEIGHT·cosine + (1−DENSE_WEIGHT)·bm25/best, hits sorted by it, best BM25 = 1."""
    from veracity.stores.corpus import DENSE_WEIGHT

    s = store(tmp_path)
    s.add(DOCS)
    hits = s.search("sea ice polar bears", top_k=6)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    for h in hits:
        assert 0.0 <= h.bm25 <= 1.0
        assert h.score == pytest.approx(DENSE_WEIGHT * h.cosine + (1 - DENSE_WEIGHT) * h.bm25, abs=2e-4)
    assert max(h.bm25 for h in hits) == 1.0 and hits[0].text == "Polar bears depend on sea ice."
    # a passage found only by the dense side still gets its BM25 share (0 when it shares no word)
    assert any(h.bm25 == 0.0 for h in hits)


def test_bm25_parameters_are_recorded_and_an_old_index_is_rebuilt(tmp_path: Path) -> None:
    from veracity.stores.corpus import BM25_B, BM25_K1

    s = store(tmp_path)
    s.add(DOCS)
    assert s.meta_get("bm25_params") == f"k1={BM25_K1} b={BM25_B}" and s.stats()["bm25_current"]
    s.conn.execute("UPDATE meta SET value='k1=1.5 b=0.75' WHERE key='bm25_params'")  # built by an older veracity
    assert not s.stats()["bm25_current"]
    s.index()
    assert s.stats()["bm25_current"] and s.search("polar bears")[0].doc_id == "d2"


def test_the_same_sentence_in_many_documents_is_shown_once(tmp_path: Path) -> None:
    s = store(tmp_path)
    copies = [CorpusDocument(f"copy{i}", "Sea level rise is accelerating.", f"Copy {i}") for i in range(6)]
    s.add([*copies, *DOCS])
    hits = s.search("Is sea level rise accelerating?", top_k=3)
    texts = [h.text for h in hits]
    assert texts.count("Sea level rise is accelerating.") == 1 and len(hits) == 3
    assert hits[0].text == "Sea level rise is accelerating."


def test_records_keep_their_title_as_provenance_not_as_a_passage(tmp_path: Path) -> None:
    from veracity.batch.records import open_records
    from veracity.stores.corpus import documents_from_records

    src = tmp_path / "d.jsonl"
    src.write_text('{"id": "a", "title": "Sea level rise", "text": "Seas rose 20 cm. Ice melts."}\n', encoding="utf-8")
    (doc,) = list(documents_from_records(open_records(str(src))))
    assert (doc.title, doc.text) == ("Sea level rise", "Seas rose 20 cm. Ice melts.")


def test_a_reader_sees_what_another_writer_added(tmp_path: Path) -> None:
    """A service's open corpus searches documents added by `corpus add` in another process after it started."""
    reader = store(tmp_path)
    reader.add(DOCS[:1])
    assert all(h.doc_id == "d1" for h in reader.search("carrots night vision", top_k=3))
    writer = store(tmp_path)
    writer.add(DOCS[2:])
    writer.close()
    assert reader.search("carrots night vision", top_k=1)[0].doc_id == "d3"
