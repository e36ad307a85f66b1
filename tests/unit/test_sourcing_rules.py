"""Sourcing rules chosen on PolNeAR train in the second pass on issue 16: claims covered by reported content, a
main-verb cue framing its source's evidence, cues that report nothing said, sources inside another speaker's quotation,
headline labels, agency datelines, pronoun and "the group" antecedents, outlets asking for comment, and the claim
measure that leaves partly attributed sentences out."""

from __future__ import annotations

import pytest

from veracity.doc import Document, Span
from veracity.evaluation.attributions import claim_scores
from veracity.pipeline import Pipeline
from veracity.sourcing.claims import claim_sourcing


def _run(text: str) -> Document:
    doc = Document(text)
    Pipeline(only=["sources", "sentences"]).run(doc)
    return doc


def _rows(doc: Document) -> list[str]:
    return [row["name"] for row in doc.layer("sources").data["summary"]["sources"]]


def _whole(doc: Document, words: str) -> dict:
    start = doc.text.index(words)
    return claim_sourcing(doc, start, start + len(words))


def _source_text(doc: Document, result: dict) -> str | None:
    src = result.get("source")
    return doc.text[src["start"] : src["end"]] if src else None


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Document:
    return _run(seed_text)


def test_seed_accusation_sentence_is_sourced_to_damascus_and_moscow(seed: Document) -> None:
    # the accusation's content is a third of the sentence; the rest is the evidence the accusers say they provided
    start = seed.text.index("Damascus and Moscow accuse the group")
    end = seed.text.index("staging fake attacks.") + len("staging fake attacks.")
    result = claim_sourcing(seed, start, end)
    assert result["sourcing"] == "sourced"
    assert _source_text(seed, result) == "Damascus and Moscow"


def test_seed_the_groups_propensity_is_the_white_helmets_not_the_nusra_front(seed: Document) -> None:
    att = next(a for a in seed.layer("attributions").spans if seed.text[a.start : a.end] == "fake attacks")
    resolved = att.attrs["resolved_source"]
    assert seed.text[resolved["start"] : resolved["end"]] == "The White Helmets"


def test_a_conjoined_verb_without_evidence_does_not_widen_the_claim() -> None:
    doc = _run(
        "The minister spoke for an hour in the capital on Tuesday. Officials accuse the council of wasting the money"
        " on roads, and have opened a new office in the north of the country."
    )
    start = doc.text.index("Officials accuse")
    result = claim_sourcing(doc, start, len(doc.text))
    assert result["sourcing"] == "unsourced"


def test_a_short_attributed_sentence_is_sourced_by_its_speaker() -> None:
    doc = _run("Mayor Elena Varga said the pipes were old. Prices rose sharply in the city.")
    result = _whole(doc, "Mayor Elena Varga said the pipes were old.")
    assert result["sourcing"] == "sourced" and _source_text(doc, result) == "Mayor Elena Varga"
    assert _whole(doc, "Prices rose sharply in the city.")["sourcing"] == "unsourced"


@pytest.mark.parametrize(
    ("text", "who"),
    [
        ("A spokeswoman for the mayor did not respond to requests for comment on the new budget.", "A spokeswoman"),
        ("Councilman Roberto Diaz declined to comment on the allegations about the contract.", "Roberto Diaz"),
        ("The new law requires presidential candidates to disclose their tax returns every year.", "candidates"),
        ("The heavy fighting claimed the lives of 129 soldiers and 116 rebels near the town.", "fighting"),
        ("Colonel Mark Tully said no one can credibly state that the attack came from Russia.", "no one"),
    ],
)
def test_nothing_said_lists_no_source(text: str, who: str) -> None:
    doc = _run(text)
    assert not any(who in name for name in _rows(doc))


def test_nothing_said_sources_no_claim() -> None:
    doc = _run("A spokeswoman for the mayor did not respond to requests for comment on the new budget.")
    assert _whole(doc, "A spokeswoman for the mayor did not respond")["sourcing"] == "unsourced"


def test_people_talked_about_in_a_quote_are_not_sources() -> None:
    doc = _run(
        '"There are days when everything pales in comparison to that mad man threatening Hillary Clinton not once but'
        ' twice," David Mandel said on Sunday. He added, "A lot of people do not want to laugh about this stuff."'
    )
    rows = _rows(doc)
    assert rows == ["David Mandel"]
    he = next(a for a in doc.layer("attributions").spans if a.attrs["source"] and a.attrs["cue_lemma"] == "add")
    resolved = he.attrs["resolved_source"]
    assert doc.text[resolved["start"] : resolved["end"]] == "David Mandel"  # not Hillary Clinton, quoted by him


def test_she_prefers_the_sentences_subject_over_a_name_it_mentions() -> None:
    doc = _run(
        "Jill Soloway, creator of the series, compared the Republican nominee to Adolf Hitler and warned against what"
        " she said were efforts to divide people."
    )
    she = next(a for a in doc.layer("attributions").spans if doc.text[a.attrs["source"]["start"] :].startswith("she"))
    resolved = she.attrs["resolved_source"]
    assert doc.text[resolved["start"] : resolved["end"]].startswith("Jill Soloway")
    assert "Adolf Hitler" not in _rows(doc)


@pytest.mark.parametrize(
    "text",
    [
        "Correction: An earlier version of this article misstated when the program began in the state.",
        "The Latest: Trump's leaked taxes were not from Connecticut, the state's tax commissioner says today.",
        "Stealth Over Health: Hillary Clinton Was Headed to ER But Diverted to Avoid Bad Optics.",
        "Veto Power Impedes Peace Efforts: Eliminating the scourge of war is one of the original goals.",
        "Another Obama Success Story: Twice Arrested Illegal Alien Kills Sheriff's Deputy in Missouri",
    ],
)
def test_a_headline_label_is_not_a_speaker(text: str) -> None:
    doc = _run(text)
    label = text.split(":")[0]
    assert label not in _rows(doc)


def test_a_named_speaker_line_is_still_a_source() -> None:
    doc = _run(
        'Pat Caddell: Democrat voters are worried about the race this year.\n\n"PENCE: Well, look, the American people have a choice to make this fall.'
    )
    rows = _rows(doc)
    assert "Pat Caddell" in rows and "PENCE" in rows
    # a negation in what the speaker says does not unsay the colon layout
    assert _rows(_run("Roger Stone: Don't trust the polls this year, they are rigged against us.")) == ["Roger Stone"]


def test_an_agency_dateline_is_cut_from_the_source() -> None:
    doc = _run(
        "(CNN)One of the big winners at the Emmys said on Sunday that the nominee was dangerous for the country."
    )
    assert _rows(doc) == ["One of the big winners at the Emmys"]


def test_an_outlet_asking_for_comment_relays_no_one() -> None:
    doc = _run(
        "The officials and a member of the group AP reached for comment said the operation was likely to happen soon."
        " ABC News has reached out to the Trump campaign for comment."
    )
    data = doc.layer("sources").data
    assert not data["relays"]
    assert not any(row["kind"] == "outlet" for row in data["summary"]["sources"])


def test_a_long_person_phrase_shows_the_persons_name() -> None:
    doc = _run(
        'Clinton\'s deputy communications director, Christina Reynolds, put out a statement. "It is a fraud," said'
        " Clinton's deputy communications director, Christina Reynolds, on Tuesday."
    )
    assert "Christina Reynolds" in _rows(doc)


def test_partly_attributed_sentences_are_scored_apart() -> None:
    text = "Advocates said the government should go much further with the plan. Prices rose sharply in the city."
    doc = _run(text)
    content = text.index("the government"), text.index(" much further")  # about a third of the first sentence
    gold = [{"content": [content], "source": (0, 9), "direct": False, "cue": []}]
    scores = claim_scores([("a", gold, doc)])
    assert scores["sentences"] == 1 and scores["partially_attributed_sentences"] == 1
    # the first sentence is sourced, so counting it as "should be unsourced" costs the all-sentences measure
    assert scores["claim_sourcing_accuracy"] == 1.0 and scores["claim_sourcing_accuracy_all_sentences"] == 0.5


def test_an_unsaid_attribution_is_marked_in_the_layer() -> None:
    doc = _run("Councilman Roberto Diaz declined to comment on the allegations about the contract.")
    spans: list[Span] = [a for a in doc.layer("attributions").spans if a.attrs["cue_lemma"] == "comment"]
    assert spans and all(a.attrs["unsaid"] and not a.attrs["cited"] for a in spans)
