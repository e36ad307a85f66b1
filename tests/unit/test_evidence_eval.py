"""``veracity eval evidence``: the Climate-FEVER corpus and gold sets it measures against."""

from __future__ import annotations

import json

import pytest

from veracity.errors import ConfigurationError
from veracity.evaluation._data import data_dir
from veracity.evaluation.evidence import climate_fever_corpus

pytestmark = pytest.mark.data


def test_gold_is_the_supporting_and_refuting_sentences() -> None:
    try:
        root = data_dir(None, "climate-fever")
    except ConfigurationError as exc:
        pytest.skip(f"Climate-FEVER not available: {exc}")
    path = root / "climate-fever" / "climate-fever.jsonl"
    docs, claims, gold = climate_fever_corpus(path)
    first = json.loads(path.open(encoding="utf-8").readline())
    assert claims[0] == first["claim"]
    assert gold[0] == {e["evidence_id"] for e in first["evidences"] if e["evidence_label"] != "NOT_ENOUGH_INFO"}
    assert all(g <= docs.keys() for g in gold)
    assert len(docs) == len(
        {e for line in path.open(encoding="utf-8") for e in (x["evidence_id"] for x in json.loads(line)["evidences"])}
    )
