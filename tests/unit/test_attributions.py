"""Attributions: quotes (curly, straight, nested, over sentences, unbalanced), reported speech, sources, no attribution."""

from __future__ import annotations

import pytest

from veracity.doc import Document, Span
from veracity.pipeline import Pipeline
from veracity.sourcing.quotes import find_quotes


def _run(text: str) -> Document:
    doc = Document(text)
    Pipeline(only=["attributions"]).run(doc)
    return doc


def _atts(text: str) -> list[Span]:
    return list(_run(text).layer("attributions").spans)


def _src(doc: Document, span: Span) -> str | None:
    src = span.attrs["source"]
    return doc.text[src["start"] : src["end"]] if src else None


def _by_cue(doc: Document, cue: str) -> Span:
    """The first attribution whose cue is ``cue`` (StopIteration, failing the test, when there is none)."""
    return next(s for s in doc.layer("attributions").spans if s.attrs["cue"]["text"] == cue)


# --- quotation marks -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("He said “yes, we will” today.", ["“yes, we will”"]),
        ('He said "yes, we will" today.', ['"yes, we will"']),
        ("“Outer ‘inner’ and “nested” end” he said.", ["“Outer ‘inner’ and “nested” end”"]),
        ('She said "a “b” c" and left.', ['"a “b” c"']),
        ("“One. Two. Three,” she said.", ["“One. Two. Three,”"]),
        ("no quotes at all", []),
    ],
)
def test_find_quotes_outermost(text: str, expected: list[str]) -> None:
    assert [text[q.start : q.end] for q in find_quotes(text)] == expected


def test_unbalanced_quote_ends_at_the_paragraph() -> None:
    text = "He said “this never closes\n\nNext paragraph is narration."
    quotes = find_quotes(text)
    assert len(quotes) == 1 and not quotes[0].balanced
    assert text[quotes[0].start : quotes[0].end] == "“this never closes"


def test_quote_reopened_in_next_paragraph_continues() -> None:
    text = "“First paragraph of the quote.\n\n“Second paragraph,” she said."
    (quote,) = find_quotes(text)
    assert quote.balanced and quote.start == 0 and text[quote.end - 1] == "”"


def test_stray_closing_mark_is_ignored() -> None:
    assert find_quotes("a ” b") == []


# --- attributions ----------------------------------------------------------------------------------------------------


def test_direct_quote_over_several_sentences_with_curly_marks() -> None:
    text = "“These are hard hours. This is the worst day of my life,” the rescue worker said."
    doc = _run(text)
    direct = [s for s in doc.layer("attributions").spans if s.label == "direct"]
    assert direct, "the quotation should be a direct attribution"
    span = direct[0]
    assert doc.text[span.start : span.end].startswith("“These are hard hours.")
    assert _src(doc, span) == "the rescue worker"
    assert span.attrs["cue"]["text"] == "said"


def test_direct_quote_with_straight_marks() -> None:
    text = 'The senator said: "We will not vote for this bill under any circumstances."'
    doc = _run(text)
    direct = [s for s in doc.layer("attributions").spans if s.label == "direct"]
    assert direct and _src(doc, direct[0]) == "The senator"
    assert doc.text[direct[0].start] == '"'


def test_nested_quote_stays_inside_the_outer_attribution() -> None:
    text = "“He told me ‘leave now’ and I did,” the witness said."
    doc = _run(text)
    outer = [s for s in doc.layer("attributions").spans if s.attrs["cue"]["text"] == "said"]
    assert outer and outer[0].start == 0 and _src(doc, outer[0]) == "the witness"


def test_unbalanced_quote_still_attributed() -> None:
    text = "The mayor said “the bridge will reopen in May and traffic will improve.\n\nThe council met later."
    doc = _run(text)
    spans = doc.layer("attributions").spans
    assert spans and _src(doc, spans[0]) == "The mayor"
    assert doc.text[spans[0].start : spans[0].end].endswith("improve.")


def test_indirect_speech_with_that_clause() -> None:
    doc = _run("Two anonymous officials noted that the operation was likely to happen soon.")
    (span,) = doc.layer("attributions").spans
    assert span.label == "indirect"
    assert _src(doc, span) == "Two anonymous officials"
    assert doc.span_text(span).startswith("that the operation")


def test_according_to() -> None:
    doc = _run("The economy grew 3 percent last year, according to the Commerce Department.")
    (span,) = doc.layer("attributions").spans
    assert _src(doc, span) == "the Commerce Department"
    assert span.attrs["cue"]["text"] == "according to"
    assert doc.span_text(span) == "The economy grew 3 percent last year"


def test_passive_report_has_no_source() -> None:
    doc = _run("Planning for the operation was said to have been accelerated after the summit.")
    (span,) = doc.layer("attributions").spans
    assert span.attrs["source"] is None and span.attrs["cue"]["text"] == "said"


def test_belief_label() -> None:
    doc = _run("The governor believes that the plan will fail.")
    (span,) = doc.layer("attributions").spans
    assert span.label == "belief"


def test_pronoun_source_resolves_to_the_named_person() -> None:
    doc = _run("Angela Merkel spoke in Berlin on Monday. She said that Europe must act together.")
    span = _by_cue(doc, "said")
    assert _src(doc, span) == "She"
    assert span.attrs["resolved_source"]["text"] == "Angela Merkel"


def test_no_attribution_at_all() -> None:
    doc = _run("The river rose two metres overnight. Several roads were closed and schools stayed shut.")
    layer = doc.layer("attributions")
    assert layer.spans == () and layer.relations == ()
    assert layer.data["summary"]["direct"] == 0


def test_relations_point_from_content_to_source_mentions() -> None:
    doc = Document("Reuters reported that talks had stalled. A diplomat said the talks would resume.")
    Pipeline(only=["sources"]).run(doc)
    atts, sources = doc.layer("attributions"), doc.layer("sources")
    assert atts.relations
    for rel in atts.relations:
        head = atts.by_id(rel.head_id)
        tail = sources.by_id(rel.tail_id)
        assert (tail.start, tail.end) == (head.attrs["source"]["start"], head.attrs["source"]["end"])


def test_quote_after_said_and_a_full_stop_continues_the_attribution() -> None:
    doc = _run("“We are ready for this fight,” Conant said. “It is a three-person race from here on.”")
    spans = list(doc.layer("attributions").spans)
    assert len(spans) == 1
    assert [doc.text[p["start"] : p["end"]] for p in spans[0].attrs["parts"]] == [
        "“We are ready for this fight,”",
        "“It is a three-person race from here on.”",
    ]
    assert _src(doc, spans[0]) == "Conant"


def test_next_quote_with_its_own_cue_is_not_taken_over() -> None:
    doc = _run("“We are ready for this fight,” Conant said. “It is a three-person race from here on,” Smith added.")
    by_source = {_src(doc, s): doc.text[s.start : s.end] for s in doc.layer("attributions").spans}
    assert by_source["Conant"] == "“We are ready for this fight,”"
    assert by_source["Smith"] == "“It is a three-person race from here on,”"


def test_quote_with_a_cue_inside_still_gets_its_speaker() -> None:
    doc = _run("“Did you know it was Mussolini?” Todd asked.")
    quoted = [s for s in doc.layer("attributions").spans if doc.text[s.start : s.end].startswith("“")]
    assert [_src(doc, s) for s in quoted] == ["Todd"]


def test_quote_after_the_rest_of_the_cue_sentence_continues_the_attribution() -> None:
    doc = _run(
        "“I have no intention of being vice president,” Rubio said on Fox News on Sunday."
        " “I am not seeking it, and it will not happen.”"
    )
    rubio = [s for s in doc.layer("attributions").spans if _src(doc, s) == "Rubio"]
    assert len(rubio) == 1
    assert len(rubio[0].attrs["parts"]) == 2
    assert doc.text[rubio[0].end - 1] == "”"


@pytest.mark.parametrize(
    ("text", "cue"),
    [
        (
            "Carson said he plans to present a strategy for Libya, insisting that American leaders had failed.",
            "insisting",
        ),
        ("Lazar said he welcomed the extradition and added that he would plead guilty.", "added"),
    ],
)
def test_second_speech_cue_inside_a_reported_clause_keeps_the_first_speaker(text: str, cue: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, cue)
    assert _src(doc, span) == text.split()[0]


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("Mr. Trump was criticized by his party and said that the remarks were a joke.", "Mr. Trump"),
        ("He's said he gets his ideas about monetary policy from a novel.", "He"),
    ],
)
def test_subject_of_a_passive_first_conjunct_or_a_contracted_perfect(text: str, source: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, "said")
    assert _src(doc, span) == source


@pytest.mark.parametrize(
    ("text", "cue", "source"),
    [
        (
            "Campaign aides believe the senator is strong and the race is tight, pointing to new polls.",
            "pointing",
            "Campaign aides",
        ),
        ("The mayor thinks the plan failed and refuses to fund it again.", "refuses", "The mayor"),
    ],
)
def test_any_cue_inside_a_reported_clause_keeps_the_reporting_subject(text: str, cue: str, source: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, cue)
    assert _src(doc, span) == source


def test_passive_cue_with_an_agent() -> None:
    doc = _run("Clinton was endorsed by the largest teachers union on Friday.")
    (span,) = doc.layer("attributions").spans
    assert doc.span_text(span) == "Clinton"
    assert _src(doc, span) == "the largest teachers union"


def test_passive_cue_without_an_agent_has_no_source() -> None:
    doc = _run("The plan was criticized on Monday.")
    (span,) = doc.layer("attributions").spans
    assert doc.span_text(span) == "The plan" and span.attrs["source"] is None
    assert _atts("He was criticized on Monday.") == []


def test_learned_cue_word_in_the_passive_takes_its_agent() -> None:
    from veracity.analyzers.attributions import extract_attributions

    doc = Document("The president was greeted by thousands of protesters.")
    table = {"V:greet": {"dobj": [0.5, 0.9]}}
    (att,) = extract_attributions(doc, table=table)
    assert doc.text[att.start : att.end] == "The president"
    assert att.source is not None and doc.text[att.source[0] : att.source[1]] == "thousands of protesters"
    assert extract_attributions(doc, table={"V:greet": {"dobj": [0.1, 0.9]}}) == []


def test_transcript_speaker_labels() -> None:
    text = (
        "The interview was edited.\n\nQ: How did things go for you at school?\n\nKATE BOLDUAN: Why not debate him now?"
    )
    doc = _run(text)
    by_source = {_src(doc, s): doc.span_text(s) for s in doc.layer("attributions").spans}
    assert by_source["Q"] == "How did things go for you at school?"
    assert by_source["KATE BOLDUAN"] == "Why not debate him now?"


@pytest.mark.parametrize(
    ("text", "cue", "source"),
    [
        (
            "Mr. Ackman first bought shares in 2014, in a bid to persuade the company to buy Allergan.",
            "persuade",
            "Mr. Ackman",
        ),
        ("His office issued a statement saying the country cannot vet every refugee.", "saying", "His office"),
        ("A chorus of Democrats urging him to quit grew louder.", "urging", "A chorus of Democrats"),
    ],
)
def test_cue_modifying_a_noun_takes_a_speaker_not_a_thing(text: str, cue: str, source: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, cue)
    assert _src(doc, span) == source


@pytest.mark.parametrize(
    ("text", "source"),
    [
        (
            "Unity pledge.\n\nWASHINGTON (AP) — Donald Trump and House Speaker Paul Ryan pledged to work together.",
            "Donald Trump and House Speaker Paul Ryan",
        ),
        (
            "Brexit.\n\nWashington (AFP) – Democrat Hillary Clinton has taken a swipe at Donald Trump, saying that his"
            " comments do more harm than good.",
            "Democrat Hillary Clinton",
        ),
    ],
)
def test_dateline_is_not_the_source(text: str, source: str) -> None:
    spans = [s for s in _atts(text) if s.start > text.index("\n")]
    assert spans and all(text[s.attrs["source"]["start"] : s.attrs["source"]["end"]] == source for s in spans)


def test_speaker_outside_a_quote_attached_only_after_it() -> None:
    text = (
        "The campaign doubled down. \"Well, look, she's clearly experienced, right? Clearly an intelligent person,"
        ' experienced person," Sanders campaign manager Jeff Weaver said Monday in an interview.'
    )
    doc = _run(text)
    direct = [s for s in doc.layer("attributions").spans if s.label == "direct"]
    assert direct and _src(doc, direct[0]) == "Sanders campaign manager Jeff Weaver"


def test_misparsed_subject_is_not_climbed_into_an_opening_phrase() -> None:
    text = (
        "In an interview with Morning Joe hosts Joe Scarborough and Mika Brzezinski, the Democratic presidential"
        " candidate stated that Trump's comments do not fit with what she knew about him."
    )
    doc = _run(text)
    span = _by_cue(doc, "stated")
    assert (_src(doc, span) or "").endswith("the Democratic presidential candidate")


def test_opening_asked_has_no_source_even_when_tagged_as_past_tense() -> None:
    doc = _run(
        "His father died.\n\nAsked what might surprise people about him, he says he still meets his old friends."
    )
    span = _by_cue(doc, "Asked")
    assert span.attrs["source"] is None


def test_placeholder_it_is_not_a_source() -> None:
    doc = _run("It's hard to imagine Republican incumbents surviving in Wisconsin and Illinois.")
    span = _by_cue(doc, "imagine")
    assert span.attrs["source"] is None


def test_quote_continues_after_a_long_rest_of_the_cue_sentence() -> None:
    doc = _run(
        "“I think it is coming,” said a strategist for one of these candidates, speaking on the condition of"
        " anonymity to offer a strategic assessment. “But it will not happen until the field winnows down.”"
    )
    said = _by_cue(doc, "said")
    assert len(said.attrs["parts"]) == 2 and doc.text[said.end - 1] == "”"


@pytest.mark.parametrize(
    ("text", "cue", "content", "source"),
    [
        (
            "This includes a special force to assist Kurdish fighters, Defense Secretary Ash Carter told a Senate"
            " panel Wednesday.",
            "told",
            "This includes a special force to assist Kurdish fighters",
            "Defense Secretary Ash Carter",
        ),
        (
            'The rejection of the treaty signals "the beginning of the end" for the EU, said Geert Wilders, founder'
            " of the Dutch Party for Freedom.",
            "said",
            'The rejection of the treaty signals "the beginning of the end" for the EU',
            "Geert Wilders, founder of the Dutch Party for Freedom",
        ),
    ],
)
def test_reporting_clause_after_the_content(text: str, cue: str, content: str, source: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, cue)
    assert doc.span_text(span) == content and _src(doc, span) == source


@pytest.mark.parametrize(
    ("text", "quote", "source"),
    [
        ("The anchor pressed on. “But why?” reporter Jackie Nespral asked.", "“But why?”", "reporter Jackie Nespral"),
        ("Asked about a cabinet post, Mrs. Clinton shook her head and said, “No.”", "“No.”", "Mrs. Clinton"),
    ],
)
def test_short_quote_punctuated_as_speech(text: str, quote: str, source: str) -> None:
    doc = _run(text)
    span = next(s for s in doc.layer("attributions").spans if doc.span_text(s) == quote)
    assert _src(doc, span) == source


def test_short_scare_quote_is_not_speech() -> None:
    assert not [s for s in _atts("The so-called “experts” met on Monday.") if s.label == "direct"]


@pytest.mark.parametrize(
    ("text", "answer", "source"),
    [
        (
            "Asked whether she is honest, 72 percent of Democrats said yes while 48 percent overall agreed.",
            "yes",
            "72 percent of Democrats",
        ),
        (
            "Asked if he was ever bullied, the Republican presidential candidate said no.",
            "no",
            "the Republican presidential candidate",
        ),
    ],
)
def test_one_word_answers_are_content(text: str, answer: str, source: str) -> None:
    doc = _run(text)
    span = _by_cue(doc, "said")
    assert doc.span_text(span) == answer and _src(doc, span) == source


def test_agent_of_a_passive_cue_with_a_clause_is_the_source() -> None:
    doc = _run("When asked by a reporter whether this differed from the old registry, he did not answer.")
    span = _by_cue(doc, "asked")
    assert _src(doc, span) == "a reporter" and doc.span_text(span).startswith("whether this differed")


def test_a_named_group_is_not_resolved_to_an_earlier_organisation() -> None:
    doc = _run("Acme Corp said profits rose. The Harbour Watch group warned that the water would soon be undrinkable.")
    warned = next(a for a in doc.layer("attributions").spans if a.attrs["cue"]["text"] == "warned")
    assert _src(doc, warned) == "The Harbour Watch group"
    assert warned.attrs["resolved_source"] is None


def test_a_cue_under_an_agentive_noun_takes_the_noun_not_its_possessor() -> None:
    from veracity.analyzers.attributions import _ancestor_source
    from veracity.models.loading import spacy_pipeline
    from veracity.sourcing.syntax import np_range

    text = "Moscow issued a statement, accusing London and its allies of claiming that the poison came from Russia."
    parsed = spacy_pipeline()(text)
    claiming = next(t for t in parsed if t.text == "claiming")
    assert claiming.head.head.text == "allies"  # the parse this rule is for: "of claiming" hangs on "allies"
    start, end = np_range(_ancestor_source(claiming))
    assert text[start:end] == "London and its allies"
