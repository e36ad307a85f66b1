"""Sentence and entity offsets index the original text exactly, whatever its line endings and Unicode."""

from __future__ import annotations

import itertools

import pytest

from veracity import Pipeline

TRICKY = {
    "crlf": "James Le Mesurier founded the group in 2014.\r\nIt works in Syria.\r\n\r\nAnother paragraph follows here.",
    "emoji": "🔥🔥 Breaking: Angela Merkel met Emmanuel Macron in Paris today. 👀 Nobody expected it.",
    "combining": "Zoe\u0308 and Jose\u0301 Garci\u0301a met in Madrid. The cafe\u0301 was closed.",
    "nbsp": "Officials\u00a0in\u00a0Berlin said\u00a0the vote\u202fwill happen.\u00a0Critics in London disagreed.",
    "zero_width": "The minister\u200b said that Ukraine\u200d would win. Then she left for Kyiv.",
}


@pytest.fixture(scope="module")
def pipeline() -> Pipeline:
    return Pipeline(only=["sentences", "entities"])


@pytest.mark.parametrize("name", sorted(TRICKY))
def test_spans_index_the_original_text(pipeline: Pipeline, name: str) -> None:
    text = TRICKY[name]
    report = pipeline.run(text)
    sentences = report.layer("sentences").spans
    assert len(sentences) >= 2
    for span in sentences + report.layer("entities").spans:
        assert text[span.start : span.end] == span.text
        assert span.text == span.text.strip(), f"untrimmed span {span.text!r}"
    # sentences never overlap and appear in order
    assert all(a.end <= b.start for a, b in itertools.pairwise(sentences))


def test_entities_after_emoji_and_crlf_land_on_the_names(pipeline: Pipeline) -> None:
    ents = {(s.text, s.label) for s in pipeline.run(TRICKY["emoji"]).layer("entities").spans}
    assert ("Angela Merkel", "PERSON") in ents and ("Paris", "GPE") in ents
    ents = {(s.text, s.label) for s in pipeline.run(TRICKY["crlf"]).layer("entities").spans}
    assert ("James Le Mesurier", "PERSON") in ents and ("Syria", "GPE") in ents


def test_blank_lines_always_break_sentences(pipeline: Pipeline) -> None:
    text = "A headline without a full stop\n\nThe body starts here and goes on. It ends here."
    sents = [s.text for s in pipeline.run(text).layer("sentences").spans]
    assert sents[0] == "A headline without a full stop"
    assert pipeline.run(text).layer("sentences").spans[-1].attrs["paragraph"] == 1


def test_very_long_line(pipeline: Pipeline) -> None:
    unit = "The council in Leeds approved the budget on Tuesday, said Mary Smith. "
    text = unit * 400  # ~28k characters on one line
    report = pipeline.run(text)
    spans = report.layer("sentences").spans
    assert len(spans) >= 300
    assert spans[-1].end == len(text.rstrip())
    assert sum(1 for s in report.layer("entities").spans if s.text == "Leeds") >= 300


def test_footnote_marks_and_closing_punctuation_do_not_start_sentences(pipeline: Pipeline) -> None:
    text = "Trump spoke of leaving once Daesh (ISIS/ISIL)* was defeated, but paid $6 million. Then he left."
    sents = [s.text for s in pipeline.run(text).layer("sentences").spans]
    assert sents == [
        "Trump spoke of leaving once Daesh (ISIS/ISIL)* was defeated, but paid $6 million.",
        "Then he left.",
    ]
    footnote = "The group**, and others, agreed.\n\n*A note below the article.\n\n**Another note."
    sents = [s.text for s in pipeline.run(footnote).layer("sentences").spans]
    assert sents == ["The group**, and others, agreed.", "*A note below the article.", "**Another note."]
