"""Claim types from the parse (veracity.claim_types), the labelled set that measures them, and the LODO record."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.claim_types import TYPES, claim_types
from veracity.evaluation import claims as ev
from veracity.models.loading import spacy_pipeline


@pytest.fixture(scope="module")
def nlp():  # type: ignore[no-untyped-def]
    return spacy_pipeline()


def types_of(nlp, text: str) -> list[str]:  # type: ignore[no-untyped-def]
    return claim_types(nlp(text)[:])


def test_seed_article_amounts_are_quantities_and_the_attack_a_prediction(nlp, seed_text: str) -> None:  # type: ignore[no-untyped-def]
    sentences = [s for s in nlp(seed_text).sents]

    def containing(fragment: str):  # type: ignore[no-untyped-def]
        found = [s for s in sentences if fragment in s.text]
        assert found, fragment
        return found[0]

    assert "quantity" in claim_types(containing("$200 million"))
    assert "quantity" in claim_types(containing("$6.6 million"))
    assert "prediction" in claim_types(containing("may be preparing a new false flag chemical attack"))
    # the opening accusation carries no type cue: a scare-quoted name is not a quotation
    assert claim_types(containing("US authorities have invited ISIS terrorists")) == ["other"]


@pytest.mark.parametrize(
    ("text", "expected", "absent"),
    [
        (
            "Inflation fell to 2.1 percent in May, down from 3.4 percent a year earlier.",
            {"quantity", "comparison"},
            set(),
        ),
        ("The war began in 1973 and ended in 1975.", set(), {"quantity"}),  # years date a claim, they count nothing
        ("New York has lost more than 40,000 people.", {"quantity"}, {"comparison"}),  # a bound, not a comparison
        ("Prices are higher than they were a year ago.", {"comparison"}, set()),
        ("It was the largest deficit in American history.", {"comparison"}, set()),
        ("The company is expected to announce job cuts next week.", {"prediction"}, set()),
        ("You may have mistyped the page address.", set(), {"prediction"}),  # a past possibility
        ("The floods were caused by weeks of heavy rain.", {"causal"}, set()),
        ("The minister said that the hospital would open in the spring.", {"quote"}, set()),
        ("The group, called the ‘White Helmets’, arrived on Monday.", set(), {"quote"}),  # a scare-quoted name
        ("The Supreme Court ruled that the ban on street protests was unconstitutional.", {"law_or_rule"}, set()),
        ("I grew up in a mining town and watched the pits close.", {"personal_experience"}, set()),
        ("I think the plan is a mistake.", set(), {"personal_experience"}),  # an opinion, not an experience
    ],
)
def test_rules(nlp, text: str, expected: set[str], absent: set[str]) -> None:  # type: ignore[no-untyped-def]
    found = set(types_of(nlp, text))
    assert expected <= found, found
    assert not (absent & found), found


def test_output_is_ordered_and_other_only_alone(nlp) -> None:  # type: ignore[no-untyped-def]
    found = types_of(nlp, "According to the police, three people were arrested because of the riot.")
    assert found == [t for t in TYPES if t in found] and {"quantity", "causal", "quote"} <= set(found)
    assert types_of(nlp, "The mayor opened the new bridge on Saturday.") == ["other"]
    assert claim_types(nlp("   ")[:]) == ["other"]


def test_labelled_set_is_well_formed_and_holds_no_dataset_text() -> None:
    rows = [
        line.split("\t")
        for line in ev.CLAIM_TYPES_FILE.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert len(rows) >= 300
    assert {r[3] for r in rows} == {"dev", "test"}
    for locator, key, types, _split in rows:
        assert len(key) == 10 and set(types.split(",")) <= set(TYPES), locator
        assert ("other" not in types) or types == "other", locator
        if not locator.startswith("own:"):  # dataset rows point into ../shared, they never carry the text
            assert "#" in locator and len(locator) < 120, locator
    sources = {r[0].split("/")[0].split(":")[0] for r in rows}
    assert {
        "examples",
        "buzzfeed-webis-fake-news-2016",
        "claimbuster",
        "checkthat-checkworthiness-en",
        "own",
    } <= sources


def test_rows_whose_data_is_absent_are_skipped_with_the_reason(tmp_path: Path) -> None:
    labels = tmp_path / "labels.tsv"
    text = "The treaty forbids nuclear tests in the atmosphere."
    labels.write_text(
        f"own:{text}\t{ev.text_key(text)}\tlaw_or_rule\ttest\n"
        f"claimbuster/groundtruth.csv#id7\t0123456789\tother\tdev\n",
        encoding="utf-8",
    )
    rows, skipped = ev.load_claim_types(tmp_path / "data", tmp_path / "examples", labels)
    assert rows == [(f"own:{text}", text, ["law_or_rule"], "test")]
    assert len(skipped) == 1 and skipped[0].startswith("claimbuster/groundtruth.csv#id7: FileNotFoundError")


def test_ct24_rows_lose_their_csv_quoting(tmp_path: Path) -> None:
    rel = "checkthat-checkworthiness-en/ct2024-task1-en/x.tsv"
    (tmp_path / rel).parent.mkdir(parents=True)
    (tmp_path / rel).write_text(
        'Sentence_id\tText\tclass_label\n1\t"Well, there are seven million."\tYes\n2\tHe said ""no"".\tNo\n',
        encoding="utf-8",
    )
    assert ev.tsv_items(tmp_path, rel) == [(2, "Well, there are seven million.", 1), (3, 'He said ""no"".', 0)]
    assert ev.resolve_locator(f"{rel}#L2", tmp_path, tmp_path) == "Well, there are seven million."


def test_type_metrics_micro_average() -> None:
    gold = [["quantity"], ["quote", "prediction"], ["other"]]
    pred = [["quantity", "comparison"], ["quote"], ["other"]]
    m = ev.type_metrics(gold, pred, TYPES)
    assert m["types"]["quantity"]["f1"] == 1.0 and m["types"]["prediction"]["recall"] == 0.0
    assert m["micro"] == {"precision": 0.75, "recall": 0.75, "f1": 0.75}  # 3 right of 4 predicted, of 4 gold


def test_lodo_record_has_every_fold_and_honest_means() -> None:
    lodo = json.loads(ev.LODO_FILE.read_text(encoding="utf-8"))
    assert lodo["folds"] == [
        "ct24-dev-test",
        "claimbuster-crowdsourced",
        "ct22-tweets-dev",
        "ct21-tweets-dev",
        "ct21-debates-dev",
    ]
    for name, recipe in lodo["recipes"].items():
        f1s = [recipe[f]["f1"] for f in lodo["folds"] if isinstance(recipe.get(f), dict)]
        if recipe.get("mean_f1") is not None:
            assert len(f1s) == 5 and recipe["mean_f1"] == pytest.approx(sum(f1s) / 5, abs=1e-4), name
        assert recipe.get("command"), name


@pytest.mark.slow
@pytest.mark.data
def test_claim_types_reach_the_target_on_the_labelled_set(shared_data: Path) -> None:
    results = ev.evaluate_types(shared_data, shared_data.parent / "examples")
    assert not results["skipped"]
    assert results["splits"]["all"]["n"] >= 300
    assert results["splits"]["test"]["micro"]["f1"] >= 0.80  # the target, on rows the rules were not fit on


def test_unknown_part_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from veracity.cli import main

    code = main(["eval", "claims", "--parts", "dev,nope"])
    _, err = capsys.readouterr()
    assert code == 2 and "--parts" in err and "lodo" in err


@pytest.mark.slow
@pytest.mark.data
def test_eval_prints_lodo_and_types_tables(shared_data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from veracity.cli import main

    code = main(["eval", "claims", "--data", str(shared_data), "--parts", "lodo,types"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "leave-one-dataset-out" in out and "frozen: base" in out and "0.440/0.423" in out
    micro = [line for line in out.splitlines() if line.startswith("micro")]
    assert micro and micro[0].split()[2].endswith("/0.821")  # test-split micro-F1, as the README states
