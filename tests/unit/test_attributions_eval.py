"""The PolNeAR attribution evaluation: brat parsing, direct/indirect split, source accuracy, and a small real run."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from veracity.evaluation.attributions import read_ann, run, score


def test_read_ann_discontinuous_content_and_missing_source(tmp_path: Path) -> None:
    text = '"We will win," he said, "and soon." Taxes rose, it was reported.'
    ann = tmp_path / "a_x.ann"
    ann.write_text(
        "T1\tSource 15 17\the\nT2\tCue 18 22\tsaid\nT3\tContent 0 14;24 36\tx\nT4\tAttribution 18 22\tsaid\n"
        "E1\tAttribution:T4 Content:T3 Cue:T2 Source:T1\n"
        "T5\tContent 37 47\tTaxes rose\nT6\tCue 56 64\treported\nT7\tAttribution-no-source 56 64\treported\n"
        "E2\tAttribution-no-source:T7 Content:T5 Cue:T6\n#1\tAnnotatorNotes T1\tnote\nbroken line\n",
        encoding="utf-8",
    )
    gold = read_ann(ann, text)
    assert gold[0] == {"content": [(0, 14), (24, 36)], "source": (15, 17), "direct": True, "cue": [(18, 22)]}
    assert gold[1] == {"content": [(37, 47)], "source": None, "direct": False, "cue": [(56, 64)]}


def test_score_source_accuracy_counts_unmatched_gold_as_wrong() -> None:
    gold = [
        {"content": [(0, 10)], "source": (20, 25), "direct": True},
        {"content": [(30, 40)], "source": None, "direct": False},
        {"content": [(50, 60)], "source": (61, 65), "direct": False},
    ]
    pred = [
        {"content": [(0, 10)], "source": (21, 24), "direct": True},
        {"content": [(32, 40)], "source": (70, 72), "direct": False},
    ]
    result = score([("doc", gold, pred)])
    assert result["source_accuracy"] == pytest.approx(1 / 3)
    assert result["source_accuracy_matched"] == pytest.approx(1 / 2)
    assert result["direct"]["f1"] == pytest.approx(1.0)
    assert 0 < result["indirect"]["recall"] < 1


@pytest.mark.slow
def test_eval_runs_on_a_few_polnear_dev_articles(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    if not (shared_data / "polnear").is_dir():
        pytest.skip("../shared/data/polnear is absent")
    out = tmp_path / "scores.json"
    args = argparse.Namespace(data=str(shared_data), split="dev", limit=3, json=str(out))
    assert run(args) == 0
    scores = json.loads(out.read_text(encoding="utf-8"))
    assert scores["articles"] == 3 and scores["gold_attributions"] > 0
    assert 0.0 < scores["all"]["f1"] <= 1.0
    assert "source accuracy" in capsys.readouterr().out
