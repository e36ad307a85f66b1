"""Agreement (issue 18): does an article's sentence repeat a fact-checked claim, contradict it, or neither?

``tests/data/agreement_pairs.tsv`` holds 70 pairs written for this: negation, denial, antonyms, swapped numbers,
questions, hedges, and same-topic sentences that state another claim. Target: accuracy >= 0.90."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from veracity.stores.agreement import agreement, explain

PAIRS = Path(__file__).resolve().parents[1] / "data" / "agreement_pairs.tsv"


def pairs() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in PAIRS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, kind, sentence, claim = line.split("\t")
            rows.append((label, kind, sentence, claim))
    return rows


def accuracy(predict) -> tuple[float, Counter, Counter]:
    ok, total = Counter(), Counter()
    for label, kind, sentence, claim in pairs():
        total[kind] += 1
        ok[kind] += predict(sentence, claim) == label
    return sum(ok.values()) / sum(total.values()), ok, total


def test_the_test_set_covers_each_case() -> None:
    kinds = Counter(kind for _l, kind, _s, _c in pairs())
    labels = Counter(label for label, *_ in pairs())
    assert len(pairs()) >= 60
    assert all(kinds[k] >= 5 for k in ("negation", "antonym", "number", "topic"))
    assert all(labels[lab] >= 15 for lab in ("repeats", "contradicts", "unclear"))


def test_rules_alone_reach_the_target() -> None:
    acc, ok, total = accuracy(agreement)
    assert acc >= 0.90, {k: f"{ok[k]}/{total[k]}" for k in total}


@pytest.mark.slow
def test_with_embedding_similarity() -> None:
    """With the MiniLM cosine (what search passes), paraphrases ("5G networks" / "5G towers") count as the claim."""
    from veracity.models.embedder import get_embedder

    rows = pairs()
    vectors = get_embedder().embed([r[2] for r in rows] + [r[3] for r in rows])
    sims = {(r[2], r[3]): float(vectors[i] @ vectors[i + len(rows)]) for i, r in enumerate(rows)}
    acc, ok, total = accuracy(lambda s, c: agreement(s, c, similarity=sims[(s, c)]))
    assert acc >= 0.95, {k: f"{ok[k]}/{total[k]}" for k in total}


@pytest.mark.parametrize(
    ("sentence", "claim", "label"),
    [
        ("Vaccines do not cause autism.", "Vaccines cause autism.", "contradicts"),
        ("Vaccines don't cause autism.", "Vaccines cause autism.", "contradicts"),
        ("It is not true that vaccines cause autism.", "Vaccines cause autism.", "contradicts"),  # one flip, not two
        ("The minister did not win the election.", "The minister lost the election.", "repeats"),  # two flips
        ("The tax rose to 12 percent.", "The tax rose to 8 percent.", "contradicts"),
        ("The tax rose to 8 percent in 2019.", "The tax rose to 8 percent.", "repeats"),
        ("Did the tax rise to 8 percent?", "The tax rose to 8 percent.", "unclear"),
        ("The tax office moved to a new building.", "The tax rose to 8 percent.", "unclear"),
    ],
)
def test_cases(sentence: str, claim: str, label: str) -> None:
    assert agreement(sentence, claim) == label, explain(sentence, claim)


def test_context_supplies_the_claim_words() -> None:
    claim = "The White Helmets staged a chemical attack in Douma."
    alone = explain("Investigations showed the attack was staged.", claim)
    with_context = explain(
        "Investigations showed the attack was staged.", claim, context="The White Helmets filmed it in Douma."
    )
    assert alone["label"] == "unclear" and with_context["label"] == "repeats"
