"""The claims layer with a fact-check store that cannot search: the report says why, and the claims stand."""

from __future__ import annotations

import json
from pathlib import Path

from veracity import Pipeline
from veracity.cli import main
from veracity.config import Settings

ARTICLE = "The city council approved a budget of 40 million dollars for new water pipes on Monday."


def test_database_without_index_becomes_a_note(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    records = tmp_path / "vclaims.jsonl"
    records.write_text(
        json.dumps({"vclaim_id": "v1", "vclaim": "The council spent 40 million dollars on pipes.", "title": "Pipes"})
        + "\n",
        encoding="utf-8",
    )
    db = tmp_path / "fc.sqlite3"
    assert (
        main(["factchecks", "import", str(records), "--format", "checkthat", "--db", str(db), "--no-index", "-q"]) == 0
    )
    capsys.readouterr()
    report = Pipeline(only=["claims"], services={"settings": Settings(db=str(db))}).run(ARTICLE)
    claims = report.layer("claims")
    assert claims.spans and not report.errors
    notes = claims.data["notes"]
    assert len(notes) == 1 and notes[0].startswith("fact-check search unavailable") and "index" in notes[0]
