"""Issue 5/6 acceptance on the seed article: fact-check matches under its claims, sourcing, and the no-database note."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED_ARTICLE

VCLAIMS = Path("checkthat-claim-retrieval-en/ct2022-task2a/vclaims.jsonl")


def _analyze(*args: str, env_db: Path) -> dict:
    proc = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "analyze", str(SEED_ARTICLE), "--format", "json", "--db", str(env_db), *args],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.fixture(scope="module")
def small_db(shared_data: Path, seed_text: str, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fact-check DB from the real vclaims file: every White Helmets record plus 300 unrelated ones as distractors."""
    lines = (shared_data / VCLAIMS).read_text(encoding="utf-8").splitlines()
    chosen = [line for line in lines if "White Helmets" in line] + [
        line for line in lines[:300] if "White Helmets" not in line
    ]
    src = tmp_path_factory.mktemp("fc") / "subset.jsonl"
    src.write_text("\n".join(chosen) + "\n", encoding="utf-8")
    db = src.with_name("fc.sqlite3")
    proc = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "factchecks", "import", str(src), "--format", "checkthat", "--db", str(db)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return db


@pytest.mark.slow
def test_seed_factchecks_layer_links_matches_to_claim_span_ids(small_db: Path) -> None:
    report = _analyze("--only", "factchecks", env_db=small_db)
    assert set(report["layers"]) == {"sentences", "claims", "factchecks"}
    layer = report["layers"]["factchecks"]
    claim_ids = {s["id"] for s in report["layers"]["claims"]["spans"] if s["label"] == "checkworthy"}
    matched = {s["attrs"]["claim"]: s["attrs"] for s in layer["spans"]}
    assert any("White Helmets" in c and "terror" in c for c in matched), matched.keys()
    assert any("White Helmets" in c and "chemical attack" in c for c in matched), matched.keys()
    assert all(fc["publisher"] == "Snopes" and fc["url"] for fc in matched.values())
    # every match is a span over its claim, linked to that claim's real span id
    spans = {s["id"]: s for s in layer["spans"]}
    assert layer["relations"] and {r["label"] for r in layer["relations"]} == {"checks"}
    for rel in layer["relations"]:
        assert rel["tail_id"] in claim_ids and rel["head_id"] in spans
        claim = next(c for c in report["layers"]["claims"]["spans"] if c["id"] == rel["tail_id"])
        assert (claim["start"], claim["end"]) == (spans[rel["head_id"]]["start"], spans[rel["head_id"]]["end"])
    assert "notes" not in layer["data"]


@pytest.mark.slow
def test_without_a_database_the_report_says_so_once(seed_text: str, tmp_path: Path) -> None:
    report = _analyze("--only", "factchecks", env_db=tmp_path / "absent.sqlite3")
    notes = report["layers"]["factchecks"]["data"]["notes"]
    assert len(notes) == 1 and "veracity factchecks import" in notes[0]
    assert not report["errors"]
    assert not (tmp_path / "absent.sqlite3").exists(), "a report must not create a database"


@pytest.mark.slow
def test_only_claims_does_no_sourcing_or_store_work(seed_text: str, tmp_path: Path) -> None:
    report = _analyze("--only", "claims", env_db=tmp_path / "absent.sqlite3")
    assert set(report["layers"]) == {"sentences", "claims"}
    allowed = {"sentence", "rank", "priority", "reported", "fragment", "prediction", "truncated", "boilerplate", "type"}
    assert all(set(s["attrs"]) <= allowed for s in report["layers"]["claims"]["spans"])  # no sourcing, no matches


def test_seed_claim_sourcing_layer(seed_text: str) -> None:
    import veracity

    report = veracity.analyze(seed_text, only=["claim_sourcing"])
    claims = {s.id: s for s in report.layer("claims").spans}
    layer = report.layer("claim_sourcing")
    by_claim = {s.attrs["claim_id"]: s for s in layer.spans}
    assert set(by_claim) == {i for i, s in claims.items() if s.label == "checkworthy"}
    isis = next(
        by_claim[i] for i, s in claims.items() if s.text.startswith("US authorities have invited ISIS terrorists")
    )
    douma = next(by_claim[i] for i, s in claims.items() if s.text.startswith("Subsequent investigations have shown"))
    assert isis.label == "unsourced"
    # "Subsequent investigations have shown …": unnamed investigations are a vague source, not a named one
    assert douma.label == "anonymous" and douma.attrs["source_kind"] == "vague"
    anonymous = [s for s in layer.spans if s.label == "anonymous"]
    assert any("evacuat" in s.text for s in anonymous), [s.text[:60] for s in anonymous]
    # the claim -> attribution link is kept as relations
    attribution_ids = {s.id for s in report.layer("attributions").spans}
    linked = [r for r in layer.relations if r.label == "attributed_by"]
    assert linked and all(r.tail_id in attribution_ids for r in linked)
    summary = layer.data["summary"]
    assert summary["counts"]["unsourced"] >= 2 and abs(sum(summary["shares"].values()) - 1) < 1e-6


@pytest.mark.slow
def test_with_the_snopes_records_the_first_finding_is_the_matching_fact_check(small_db: Path) -> None:
    report = _analyze(env_db=small_db)
    first = report["summary"]["findings"][0]
    assert first["kind"] == "factcheck_match" and first["severity"] == "high"
    assert "Snopes" in first["message"] and "White Helmets" in first["message"]
    assert any(i.startswith("factchecks/") for i in first["spans"])
