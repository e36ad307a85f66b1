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
def test_seed_claims_show_the_snopes_white_helmets_fact_checks(small_db: Path) -> None:
    report = _analyze("--only", "claims", env_db=small_db)
    claims = report["layers"]["claims"]
    matched = {fc["claim"]: fc for span in claims["spans"] for fc in span["attrs"].get("factchecks", [])}
    assert any("White Helmets" in c and "terror" in c for c in matched), matched.keys()
    assert any("White Helmets" in c and "chemical attack" in c for c in matched), matched.keys()
    assert all(fc["publisher"] == "Snopes" and fc["url"] for fc in matched.values())
    assert claims["relations"] and all(r["label"] == "checked_by" for r in claims["relations"])
    assert "notes" not in claims["data"]


@pytest.mark.slow
def test_without_a_database_the_report_says_so_once(seed_text: str, tmp_path: Path) -> None:
    report = _analyze("--only", "claims", env_db=tmp_path / "absent.sqlite3")
    assert report["layers"]["claims"]["data"]["notes"] == [
        n for n in report["layers"]["claims"]["data"]["notes"] if "veracity factchecks import" in n
    ]
    assert len(report["layers"]["claims"]["data"]["notes"]) == 1
    assert not report["errors"]
    assert not (tmp_path / "absent.sqlite3").exists(), "a report must not create a database"


def test_seed_claim_sourcing_in_the_claims_layer(seed_text: str) -> None:
    import veracity

    claims = veracity.analyze(seed_text, only=["claims"]).layer("claims")
    isis = next(s for s in claims.spans if s.text.startswith("US authorities have invited ISIS terrorists"))
    douma = next(s for s in claims.spans if s.text.startswith("Subsequent investigations have shown"))
    assert isis.attrs["sourcing"] == "unsourced" and douma.attrs["sourcing"] == "unsourced"
    anonymous = [s for s in claims.spans if s.attrs.get("sourcing") == "anonymous"]
    assert any("evacuat" in s.text for s in anonymous), [s.text[:60] for s in anonymous]
    summary = claims.data["summary"]["sourcing"]
    assert summary["counts"]["unsourced"] >= 2 and abs(sum(summary["shares"].values()) - 1) < 1e-6
