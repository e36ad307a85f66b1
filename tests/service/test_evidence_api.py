"""``POST /v1/evidence`` and evidence on the page: a small corpus built in a temporary folder reaches the service."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote_plus

import pytest

from tests.service.conftest import make_client
from tests.service.fakes import FakeClaims
from veracity.analyzers.evidence import evidence_for_claim
from veracity.config import Services, Settings
from veracity.errors import ConfigurationError
from veracity.models.stance import LABELS
from veracity.pipeline import Pipeline
from veracity.stores.corpus import CorpusDocument, CorpusStore, open_corpus

DOCS = [
    CorpusDocument(
        "ipcc-ar6",
        "Global mean sea level rose by 0.20 metres between 1901 and 2018. The rate of rise is accelerating.",
        "IPCC AR6 summary",
        "https://example.org/ipcc",
        "2021-08-09",
    ),
    CorpusDocument("fruit", "Bananas are rich in potassium. They grow in the tropics.", "Fruit facts"),
]
CLAIM = "Sea levels rose by 20 centimetres in the last century."


@pytest.fixture(scope="module")
def corpus_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A two-document corpus indexed with the real embedder (what `veracity corpus add` writes)."""
    path = tmp_path_factory.mktemp("corpus") / "mine.sqlite3"
    store = CorpusStore(path)
    store.add(DOCS)
    store.close()
    return path


def test_no_corpus_is_a_clear_404(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline) as c:
        r = c.post("/v1/evidence", json={"claim": CLAIM})
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["type"] == "NoCorpus" and "veracity serve --corpus" in err["message"]


def test_evidence_from_the_settings_corpus(corpus_file: Path, small_pipeline: Pipeline) -> None:
    """The corpus named by the settings (what `veracity serve --corpus PATH` writes) answers /v1/evidence."""
    with make_client(small_pipeline, Settings(corpus=str(corpus_file))) as c:
        r = c.post("/v1/evidence", json={"claim": CLAIM, "top": 2})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["corpus"] == "mine" and body["claim"] == CLAIM and "read the passage" in body["stance_caveat"]
        first = body["passages"][0]
        assert len(body["passages"]) == 2
        assert first["doc_id"] == "ipcc-ar6" and first["url"] == "https://example.org/ipcc"
        assert first["date"] == "2021-08-09" and first["title"] == "IPCC AR6 summary"
        assert DOCS[0].text[first["start"] : first["end"]] == first["text"]
        assert first["stance"]["label"] in LABELS and set(first["stance"]["scores"]) == set(LABELS)
        # the same JSON as `veracity evidence --json` (one function behind both faces)
        store = open_corpus(str(corpus_file))
        try:
            assert evidence_for_claim(store, CLAIM, 2) == body
        finally:
            store.close()
        for bad in ({"claim": "   "}, {"claim": CLAIM, "top": 0}, {"claim": CLAIM, "top": 51}, {"text": CLAIM}):
            r = c.post("/v1/evidence", json=bad)
            assert r.status_code == 422 and r.json()["error"]["message"], bad
        assert "/v1/evidence" in c.get("/openapi.json").json()["paths"]


def test_a_missing_corpus_fails_at_start_with_its_path(tmp_path: Path, small_pipeline: Pipeline) -> None:
    missing = tmp_path / "none.sqlite3"
    with pytest.raises(ConfigurationError, match="no corpus at"):
        make_client(small_pipeline, Settings(corpus=str(missing)))


def test_the_page_shows_passages_under_each_claim(corpus_file: Path) -> None:
    """The analyzer in the service's pipeline gets the corpus; the page draws its passages under the claim."""
    settings = Settings(corpus=str(corpus_file))
    services = Services.open(settings)
    pipeline = Pipeline(["sentences", FakeClaims(), "evidence"], services=services)
    text = "Sea levels rose by 20 centimetres in the last century, the report says. It rained."
    with make_client(pipeline, settings) as c:
        report = c.post("/v1/analyze", json={"text": text}).json()
        layer = report["layers"]["evidence"]
        assert layer["data"]["corpus"] == "mine" and layer["spans"], layer
        assert layer["spans"][0]["attrs"]["doc_id"] == "ipcc-ar6"
        page = c.post(
            "/analyze",
            content="text=" + quote_plus(text) + "&url=&title=",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
        assert page.status_code == 200
        html = page.text
        assert "Global mean sea level rose by 0.20 metres" in html and "https://example.org/ipcc" in html
        assert "passage to read" in html and "your corpus, refutes" not in html
    services.close()


def test_serve_hands_the_corpus_flag_to_the_workers(
    corpus_file: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`veracity serve --corpus PATH` writes the corpus into the settings every worker loads."""
    import uvicorn

    from veracity.cli import main

    seen: dict[str, str] = {}

    def fake_run(*args: object, **kwargs: object) -> None:
        import os

        seen["config"] = Path(os.environ["VERACITY_CONFIG"]).read_text(encoding="utf-8")

    monkeypatch.setattr(uvicorn, "run", fake_run)
    monkeypatch.delenv("VERACITY_CONFIG", raising=False)
    monkeypatch.setenv("VERACITY_CONFIG", str(tmp_path / "absent.toml"))
    assert main(["serve", "--corpus", str(corpus_file)]) == 0
    assert f"corpus = {json.dumps(str(corpus_file))}" in seen["config"]
    code = main(["serve", "--corpus", str(tmp_path / "none.sqlite3")])
    assert code == 2 and "no corpus at" in capsys.readouterr().err
