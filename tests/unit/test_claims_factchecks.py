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
    pipeline = Pipeline.from_settings(Settings(db=str(db)), only=["factchecks"])
    report = pipeline.run(ARTICLE)
    assert report.layer("claims").spans and not report.errors
    notes = report.layer("factchecks").data["notes"]
    assert len(notes) == 1 and notes[0].startswith("fact-check search unavailable") and "index" in notes[0]
    # the note belongs to that report only: once the index exists, the next report searches again
    assert main(["factchecks", "import", str(records), "--format", "checkthat", "--db", str(db), "-q"]) == 0
    again = pipeline.run(ARTICLE)
    assert "notes" not in again.layer("factchecks").data
