"""The service with the real analyzers and stores: seed article report, passage classification, claim scores,
fact-check search. Each check runs when the module it needs is in this build (the routes answer 503 otherwise)."""

from __future__ import annotations

from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

import veracity
from tests.service.conftest import make_client
from veracity import registry
from veracity.config import Settings
from veracity.pipeline import Pipeline
from veracity.report import Report

pytestmark = pytest.mark.slow


def test_seed_article_report_through_the_api(real_client: TestClient, seed_text: str) -> None:
    r = real_client.post("/v1/analyze", json={"text": seed_text})
    assert r.status_code == 200, r.text
    data = r.json()
    jsonschema.validate(data, Report.json_schema())
    Report.from_dict(data)
    assert set(data["layers"]) == set(registry.available())
    assert not data["errors"]
    if "techniques" in data["layers"]:
        assert data["layers"]["techniques"]["data"]["legend"]
    page = real_client.post(
        "/analyze", content="text=" + _q(seed_text), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert page.status_code == 200 and 'id="results"' in page.text


def test_classify_passages_with_the_real_model(real_client: TestClient, seed_text: str) -> None:
    if not hasattr(veracity, "classify_techniques"):
        pytest.skip("veracity.classify_techniques is not in this build")
    phrase = "a propaganda arm for the Nusra Front terror group"
    start = seed_text.index(phrase)
    fact = seed_text.index("The evacuation is expected to take place")
    r = real_client.post(
        "/v1/techniques/classify",
        json={
            "text": seed_text,
            "spans": [{"start": start, "end": start + len(phrase)}, {"start": fact, "end": fact + 40}],
        },
    )
    assert r.status_code == 200, r.text
    results = r.json()["results"]
    assert [x["text"] for x in results] == [phrase, seed_text[fact : fact + 40]]
    scores = [x["score"] for x in results[0]["labels"]]
    assert len(scores) >= 2 and scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)
    assert all(x["definition"] for x in results[0]["labels"])  # every label comes with its plain-language meaning
    assert results[1]["labels"] == []  # a plain description: "no technique recognised"
    blank = seed_text.index("\n\n")
    r = real_client.post(
        "/v1/techniques/classify", json={"text": seed_text, "spans": [{"start": blank, "end": blank + 2}]}
    )
    assert r.status_code == 422 and r.json()["error"]["type"] == "UsageError"


def test_claim_scores_agree_between_text_and_sentences(real_client: TestClient, full_pipeline: Pipeline) -> None:
    if "claims" not in full_pipeline.layer_names:
        pytest.skip("no claims analyzer in this build")
    text = "US authorities have invited ISIS terrorists to enter America.\n\nThe member said he was tired."
    by_text = real_client.post("/v1/claims/score", json={"text": text})
    assert by_text.status_code == 200, by_text.text
    by_sentences = real_client.post(
        "/v1/claims/score",
        json={
            "sentences": [
                "US authorities have invited ISIS terrorists to enter America.",
                "The member said he was tired.",
            ]
        },
    )
    assert by_sentences.status_code == 200, by_sentences.text
    scores_text = {c["text"]: c["score"] for c in by_text.json()["claims"]}
    for c in by_sentences.json()["claims"]:
        assert c["label"] in ("checkworthy", "not_checkworthy") and 0 <= c["score"] <= 1
        assert c["score"] == pytest.approx(scores_text[c["text"]], abs=1e-3)


def test_factcheck_search_on_a_real_store(small_pipeline: Pipeline, tmp_path: Path) -> None:
    stores = pytest.importorskip("veracity.stores")
    testing = pytest.importorskip("veracity.stores.testing")
    if not hasattr(stores, "open_default_store"):
        pytest.skip("veracity.stores.open_default_store is not in this build")
    path = tmp_path / "factchecks.sqlite3"
    store = stores.open_store(path)
    store.upsert(testing.sample_records())
    store.update_index()
    store.close()
    with make_client(small_pipeline, Settings(db=str(path))) as c:
        r = c.get("/v1/factchecks/search", params={"q": "Was the moon landing filmed in a studio?", "k": 3})
        assert r.status_code == 200, r.text
        results = r.json()["results"]
        assert results and results[0]["id"] == "fc-1" and results[0]["rating"] == "false"
        assert [x["score"] for x in results] == sorted((x["score"] for x in results), reverse=True)


def _q(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)


def test_sources_panel_with_the_real_sourcing_analyzers(seed_text: str) -> None:
    if not {"attributions", "sources"} <= set(registry.available()):
        pytest.skip("the sourcing analyzers are not in this build")
    with make_client(Pipeline(["sentences", "entities", "attributions", "sources"])) as c:
        r = c.post(
            "/analyze", content="text=" + _q(seed_text), headers={"content-type": "application/x-www-form-urlencoded"}
        )
    assert r.status_code == 200
    table = r.text[r.text.index('<table class="sources">') :]
    table = table[: table.index("</table>")]
    assert "Sputnikenews.com" in table and "anonymous" in table
    assert "Two anonymous US officials" in table
    assert "low" in table  # Sputnik low (the bundled ratings); AP, only named in passing, is not a source row
