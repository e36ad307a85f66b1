"""End to end on the seed article (../shared/examples/seed-article.txt): what a fact-checker sees first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import veracity
from tests.conftest import SEED_ARTICLE

SCHEMA = json.loads((Path(veracity.__file__).parent / "report" / "schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def seed_report(seed_text: str) -> dict:
    """The full default report of the seed article, produced by the real command in a fresh process."""
    proc = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "analyze", str(SEED_ARTICLE), "--format", "json"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def test_report_validates_and_has_sentences_and_entities(seed_report: dict) -> None:
    jsonschema.validate(seed_report, SCHEMA)
    layers = seed_report["layers"]
    assert len(layers["sentences"]["spans"]) >= 15
    ents = {(s["text"], s["label"]) for s in layers["entities"]["spans"]}
    assert ("James Le Mesurier", "PERSON") in ents
    assert ("Syria", "GPE") in ents
    text = seed_report["document"]["text"]
    for layer in layers.values():
        for span in layer["spans"]:
            assert text[span["start"] : span["end"]] == span["text"]
    assert not seed_report["errors"], seed_report["errors"]
