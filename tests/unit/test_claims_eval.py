"""``veracity eval claims``: the CheckThat! loaders, the metrics, and that the card's numbers are reproduced."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from veracity.cli import main
from veracity.evaluation import claims as ev
from veracity.models.loading import MODELS_DIR


def test_ct24_loader_repairs_the_fused_line(tmp_path: Path) -> None:
    path = tmp_path / "ct24.tsv"
    path.write_text(
        "Sentence_id\tText\tclass_label\r\n"
        "1\tTaxes rose 5%.\tYes\r\n"
        "24098\tWe've got to invest and grow.\tNo29286\tYou can't bring back jobs.\tNo\n"
        "3\tHello.\tNo\n",
        encoding="utf-8",
    )
    assert ev.load_ct24(path) == [
        ("Taxes rose 5%.", 1),
        ("We've got to invest and grow.", 0),
        ("You can't bring back jobs.", 0),
        ("Hello.", 0),
    ]


def test_ct24_loader_refuses_unknown_lines(tmp_path: Path) -> None:
    path = tmp_path / "bad.tsv"
    path.write_text("Sentence_id\tText\tclass_label\n1\tText\tMaybe\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unexpected line"):
        ev.load_ct24(path)


def test_tweet_and_debate_loaders(tmp_path: Path) -> None:
    tweets = tmp_path / "t.tsv"
    tweets.write_text(
        "topic\ttweet_id\ttweet_url\ttweet_text\tclass_label\nCOVID-19\t1\tu\tMasks work.\t1\n", encoding="utf-8"
    )
    assert ev.load_ct22(tweets) == [("Masks work.", 1)]
    debates = tmp_path / "debates"
    debates.mkdir()
    (debates / "a.tsv").write_text(
        "1\tTRUMP\tWe lost 70,000 factories.\t1\n2\tTRUMP\tThank you.\t0\n", encoding="utf-8"
    )
    assert ev.load_ct21_debates(debates) == [("We lost 70,000 factories.", 1), ("Thank you.", 0)]


def test_metrics() -> None:
    assert ev.prf([1, 1, 0, 0], [1, 0, 1, 0]) == {"precision": 0.5, "recall": 0.5, "f1": 0.5}
    assert ev.prf([0, 0], [0, 0])["f1"] == 0.0
    assert ev.average_precision([1, 0, 1], [0.9, 0.8, 0.7]) == pytest.approx((1 + 2 / 3) / 2)
    threshold, f1 = ev.best_threshold([1, 1, 0, 0], [0.9, 0.6, 0.5, 0.1])
    assert f1 == 1.0 and 0.5 < threshold < 0.6
    assert ev.normalize("Read THIS: https://t.co/x  now!!") == "read this now"


def _card_f1() -> dict[str, float]:
    card = (MODELS_DIR / "claims-minilm-l6-int8" / "CARD.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (ct[\w-]+) \| \d+ \| \d+ \| [\d.]+ \| [\d.]+ \| \*\*([\d.]+)\*\* \|", card, flags=re.M)
    return {name: float(f1) for name, f1 in rows}


@pytest.mark.slow
@pytest.mark.data
def test_eval_reproduces_the_card(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    card = _card_f1()
    assert set(card) == set(ev.EVAL_SETS)
    code = main(["eval", "claims", "--data", str(shared_data), "--json", "--sets", "ct24-dev-test,ct22-1a-tweets-dev"])
    out, err = capsys.readouterr()
    assert code == 0, err
    results = json.loads(out)["sets"]
    for name in ("ct24-dev-test", "ct22-1a-tweets-dev"):
        assert results[name]["f1"] == pytest.approx(card[name], abs=1e-4), name
    assert results["ct24-dev-test"]["f1"] >= 0.85  # the target on the CheckThat! 2024 dev-test file


def test_unknown_set_is_a_usage_error(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["eval", "claims", "--data", str(shared_data), "--sets", "nope"])
    _, err = capsys.readouterr()
    assert code == 2 and "unknown evaluation set" in err
