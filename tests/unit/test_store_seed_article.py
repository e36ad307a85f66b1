"""The issue's "done when": after importing CheckThat! vclaims, the seed article's sentences find the Snopes fact-checks
on whether the White Helmets are terrorists and whether they staged a chemical attack, above MATCH_THRESHOLD.

Uses a subset of the 14,231 vclaims (the first 2,000 plus every one mentioning Syria, chemical attacks or the White
Helmets, which are the hard distractors) to keep the test quick; the full import is measured by the benchmark."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from veracity.stores import MATCH_THRESHOLD, open_store

TERRORISTS = "vclaim-sno-syrian-rescue-organization-the-white-helmets-are-terrorists"
STAGED = "vclaim-sno-is-this-proof-white-helmets-staged-chemical-attack"
VCLAIMS = Path("checkthat-claim-retrieval-en") / "ct2022-task2a" / "vclaims.jsonl"

pytestmark = [pytest.mark.slow, pytest.mark.data]


@pytest.fixture(scope="module")
def store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[object]:
    source = shared_data / VCLAIMS
    if not source.is_file():
        pytest.skip(f"{source} is absent")
    hard = re.compile(r"syria|chemical|white helmets|terror", re.I)
    subset = tmp_path_factory.mktemp("vclaims") / "subset.jsonl"
    with open(source, encoding="utf-8") as src, open(subset, "w", encoding="utf-8") as out:
        for n, line in enumerate(src):
            if n < 2000 or hard.search(line):
                out.write(line)
    from veracity.stores.importers import read_records
    from veracity.stores.records import FactCheckRecord

    s = open_store(tmp_path_factory.mktemp("db") / "fc.sqlite3")
    s.upsert(r for _p, r in read_records(subset, "checkthat") if isinstance(r, FactCheckRecord))
    s.update_index()
    yield s
    s.close()


def test_seed_article_claims_find_the_snopes_fact_checks(store, seed_text: str) -> None:
    sentences = [s.strip() for s in re.split(r"(?<=[.!?”])\s+|\n\s*\n", seed_text) if len(s.strip()) > 30]
    shown: dict[str, list[tuple[float, str]]] = {}
    for sentence, matches in zip(sentences, store.search_many(sentences, top_k=3), strict=True):
        for m in matches:
            if m.score >= MATCH_THRESHOLD:
                shown.setdefault(m.id, []).append((round(m.score, 3), sentence[:60]))
    assert TERRORISTS in shown, f"terrorists fact-check not shown; shown: {shown}"
    assert STAGED in shown, f"staged chemical attack fact-check not shown; shown: {shown}"
    white_helmets = store.get(TERRORISTS)
    assert white_helmets.publisher_name == "Snopes"
    assert white_helmets.review_url.startswith("https://www.snopes.com/fact-check/")


def test_unrelated_sentences_show_nothing(store) -> None:
    matches = store.search_many(
        ["The committee will meet again on Thursday afternoon.", "Our recipe needs two cups of flour and an egg."],
        top_k=1,
    )
    assert all(m.score < MATCH_THRESHOLD for ms in matches for m in ms)


def _sentence_and_previous(seed_text: str, starts: str) -> tuple[str, str]:
    """The sentence starting with ``starts`` and the sentence before it in its paragraph ("" when it opens it)."""
    for paragraph in seed_text.split("\n\n"):
        sentences = re.split(r"(?<=[.!?”])\s+(?=[A-Z“‘])", paragraph.strip())
        for i, sentence in enumerate(sentences):
            if sentence.startswith(starts):
                return sentence, sentences[i - 1] if i else ""
    raise AssertionError(f"no sentence starts with {starts!r}")


def test_seed_done_when_same_claim_not_same_topic(store, seed_text: str) -> None:
    """issue 18 "Done when": the two sentences that make the staged-attack claim match the staged-attack fact-check;
    the "founded … in 2014" sentence (same topic, another claim) matches nothing."""
    starts = ("Subsequent investigations have shown", "Damascus and Moscow accuse", "The White Helmets are a self-")
    pairs = [_sentence_and_previous(seed_text, s) for s in starts]
    video, staging, founded = store.search_many([s for s, _ in pairs], top_k=3, contexts=[c for _, c in pairs])
    assert "the video was a fake" in pairs[0][0] and "staging fake attacks" in pairs[1][0] and "2014" in pairs[2][0]
    for matches in (video, staging):
        shown = {m.id for m in matches if m.score >= MATCH_THRESHOLD}
        assert STAGED in shown, [(m.id, round(m.score, 3)) for m in matches]
    assert all(m.score < MATCH_THRESHOLD for m in founded), [(m.id, round(m.score, 3)) for m in founded]
    # the CheckThat! vclaims carry no verdicts, and a match says so
    assert video[0].verdict == "no verdict in the imported data"
