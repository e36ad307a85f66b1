"""Issue 16: only cited sources in the table, the right source per claim (relayed chains), outlets by name with
context rules, quoted versus the writer's own voice, and the SpanError on an empty source (issue 23 item 5)."""

from __future__ import annotations

import json
from importlib import resources
from itertools import pairwise
from pathlib import Path

import pytest

from veracity.doc import Document
from veracity.evaluation.attributions import claim_scores, outlet_scores, table_scores
from veracity.pipeline import Pipeline
from veracity.sourcing.claims import claim_sourcing
from veracity.sourcing.outlets import find_outlets, outlet_index


def _run(text: str, **meta: str) -> Document:
    doc = Document(text, meta=meta)
    Pipeline(only=["sources", "sentences"]).run(doc)
    return doc


def _rows(doc: Document) -> list[str]:
    return [row["name"] for row in doc.layer("sources").data["summary"]["sources"]]


def _range(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


@pytest.fixture(scope="module")
def seed(seed_text: str) -> Document:
    return _run(seed_text)


# --- the seed's Done-when cases ---------------------------------------------------------------------------------------


def test_seed_officials_claim_reaches_us_via_sputnik(seed: Document) -> None:
    text = seed.text
    start = text.index("Two anonymous US officials")
    end = text.index("possibly Canada.") + len("possibly Canada.")
    result = claim_sourcing(seed, start, end)
    assert result["sourcing"] == "anonymous"
    assert text[result["source"]["start"] : result["source"]["end"]] == "Two anonymous US officials"
    assert [text[v["start"] : v["end"]] for v in result["via"]] == ["Sputnikenews.com"]
    assert result["via"][0]["kind"] == "outlet" and result["via"][0]["rating"] == "low"


def test_seed_criticism_is_sourced_to_damascus_not_its_target(seed: Document) -> None:
    text = seed.text
    sentence = _range(text, "Damascus issued a scathing criticism of the US decision")
    end = text.index("since 2011.”") + len("since 2011.”")
    result = claim_sourcing(seed, sentence[0], end)
    assert result["sourcing"] == "sourced"
    assert text[result["source"]["start"] : result["source"]["end"]] == "Damascus"


def test_seed_accusation_is_attributed_to_damascus_and_moscow(seed: Document) -> None:
    text = seed.text
    cue = text.index("accuse the group")
    att = next(s for s in seed.layer("attributions").spans if s.attrs["cue"]["start"] == cue)
    assert att.attrs["cited"] and att.attrs["source"]["text"] == "Damascus and Moscow"
    assert "Damascus and Moscow" in _rows(seed)


def test_seed_table_has_no_pronoun_abstract_noun_or_accused_object(seed: Document) -> None:
    names = _rows(seed)
    assert "Washington and its allies" not in names  # the object of the accusation
    assert "states" not in names and "Syrian forces" not in names and "US authorities" not in names
    mentions = [seed.span_text(s).lower() for s in seed.layer("sources").spans if not s.attrs.get("refers_to")]
    assert not set(mentions) & {"it", "he", "she", "they", "them", "the group’s", "who"}
    assert len(names) == len(set(names))


def test_seed_relays_military_sources_through_sputnik_arabic(seed: Document) -> None:
    text = seed.text
    start = text.index("Earlier, military sources")
    end = text.index("the Syrian army’s advance.") + len("the Syrian army’s advance.")
    result = claim_sourcing(seed, start, end)
    assert result["kind"] == "anonymous"
    assert [v.get("domain") for v in result["via"]] == ["arabic.sputniknews.com"]


# --- cited sources only -----------------------------------------------------------------------------------------------


def test_subjects_of_non_reporting_verbs_are_not_sources() -> None:
    doc = _run(
        "The ministry launched an inquiry into the deal. The chance of a deal continues to shrink. "
        "Senator Mary Fox said the deal was dead."
    )
    assert _rows(doc) == ["Senator Mary Fox"]


def test_unresolved_pronoun_is_not_a_row_but_a_resolved_one_joins_its_source() -> None:
    doc = _run("It said the plan was safe. Mayor Elena Varga spoke on Monday. She said the pipes were old.")
    assert _rows(doc) == ["Elena Varga"]  # the antecedent: the PERSON entity the pronoun resolved to
    she = next(s for s in doc.layer("sources").spans if doc.span_text(s) == "She")
    assert she.attrs["refers_to"]["text"] == "Elena Varga"


def test_a_poll_credits_its_outlet() -> None:
    doc = _run("A CNN poll found that most voters backed the plan.")
    rows = doc.layer("sources").data["summary"]["sources"]
    assert any(r["kind"] == "outlet" and r["domain"] == "cnn.com" for r in rows)


def test_an_outlet_only_named_is_not_a_source() -> None:
    doc = _run("He appeared on Fox News last year and was later fired.")
    assert _rows(doc) == []
    assert [o["domain"] for o in doc.layer("sources").data["outlets_mentioned"]] == ["foxnews.com"]


def test_non_reporting_attribution_does_not_source_a_claim() -> None:
    text = "In April, the US, France and Britain launched missile strikes against multiple targets around Syria."
    doc = _run(text)
    assert claim_sourcing(doc, 0, len(text))["sourcing"] == "unsourced"


def test_told_an_outlet_is_a_relay_of_the_claim() -> None:
    text = "Two officials told The New York Times that the plan was shelved last week."
    doc = _run(text)
    result = claim_sourcing(doc, 0, len(text))
    assert result["sourcing"] == "anonymous"
    assert [v.get("domain") for v in result["via"]] == ["nytimes.com"]


# --- issue 23 item 5: an empty source no longer crashes the analyzer --------------------------------------------------


def test_punctuation_subject_is_no_source_and_does_not_crash() -> None:
    doc = _run("While the media hyper-focuses on it.")
    assert all(s.attrs["source"] is None for s in doc.layer("attributions").spans)
    assert _rows(doc) == []


# --- quoted versus the writer's own voice -----------------------------------------------------------------------------


def test_quoted_segments_mark_reported_text_with_its_source() -> None:
    text = 'The council met on Monday. "The water is safe," Mayor Elena Varga said. Prices rose.'
    doc = _run(text)
    layer = doc.layer("attributions")
    segments = layer.data["quoted"]
    assert len(segments) == 1
    seg = segments[0]
    assert text[seg["start"] : seg["end"]] == '"The water is safe,"'
    assert seg["voice"] == "quoted" and seg["attribution"] == "attributions/0"
    source = next(s for s in doc.layer("sources").spans if s.id == seg["source"])
    assert doc.span_text(source) == "Mayor Elena Varga"
    # the writer's own sentences are in no segment
    for words in ("The council met on Monday.", "Prices rose."):
        s, e = _range(text, words)
        assert not any(g["start"] < e and s < g["end"] for g in segments)


def test_nested_report_gives_each_segment_to_the_innermost_attribution() -> None:
    text = "Reuters reported that officials said the talks had collapsed, and that prices would rise."
    doc = _run(text)
    segments = doc.layer("attributions").data["quoted"]
    inner = _range(text, "the talks had collapsed")
    owners = {g["attribution"] for g in segments if g["start"] <= inner[0] < g["end"]}
    atts = {s.id: s for s in doc.layer("attributions").spans}
    assert len(owners) == 1 and atts[owners.pop()].attrs["cue"]["text"] == "said"
    assert all(a["end"] <= b["start"] for a, b in pairwise(segments))


# --- outlets by name --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "name", "domain"),
    [
        ("The Washington Times reported the leak.", "The Washington Times", "washingtontimes.com"),
        ("The claim ran on World Net Daily first.", "World Net Daily", "wnd.com"),
        ("WorldNetDaily ran the claim.", "WorldNetDaily", "wnd.com"),
        ("Voice of America said talks resume.", "Voice of America", "voanews.com"),
        ("She told Vanity Fair she was leaving.", "Vanity Fair", "vanityfair.com"),
        ("A columnist for The Hill said so.", "The Hill", "thehill.com"),
        ("A story in OC Weekly was wrong.", "OC Weekly", "ocweekly.com"),
    ],
)
def test_outlet_names(text: str, name: str, domain: str) -> None:
    found = [(text[o.start : o.end], o.domain) for o in find_outlets(text)]
    assert (name, domain) in found


@pytest.mark.parametrize(
    "text",
    [
        "Thousands gathered in Times Square.",
        "They walked up the hill.",
        "The economist who led the study said growth would slow.",
        "Lawmakers on the Hill said no.",
        "The Atlantic Ocean was rough.",
        "Salon owners said the rules were unfair.",
        "The Times said the FBI knew.",  # which Times? nothing in the article says
    ],
)
def test_not_outlets(text: str) -> None:
    assert find_outlets(text) == []


def test_bare_paper_word_is_the_articles_earlier_outlet_or_its_own() -> None:
    text = "The Washington Times reported the leak. The Times said the FBI knew."
    assert [o.domain for o in find_outlets(text)] == ["washingtontimes.com", "washingtontimes.com"]
    assert [o.domain for o in find_outlets("He told the Post on Monday.", own_domain="washingtonpost.com")] == [
        "washingtonpost.com"
    ]


def test_every_indexed_name_records_its_origin() -> None:
    index = outlet_index()
    assert len(index) > 1000
    assert all(entry["origin"] and entry["domain"] for entry in index.values())
    assert "veracity" in index["WND"]["origin"] and any(o.startswith("mbfc-slug") for o in index["WND"]["origin"])


def test_outlet_recognition_set_scores_and_a_miss_counts(tmp_path: Path) -> None:
    scores = outlet_scores()
    assert scores["outlet_sentences"] >= 100 and scores["outlets_found_in_negatives"] == 0
    bad = tmp_path / "set.jsonl"
    rows = [
        {"text": "Times Square was full.", "outlets": []},
        {"text": "The Gazette of Nowhere said so.", "outlets": [{"name": "Gazette of Nowhere", "domain": "x.com"}]},
    ]
    bad.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    assert outlet_scores(bad)["outlet_accuracy"] == 0.5


def test_recognition_set_is_bundled() -> None:
    raw = resources.files("veracity.data").joinpath("outlet_recognition.jsonl").read_text(encoding="utf-8")
    assert sum(1 for line in raw.splitlines() if line.strip()) == outlet_scores()["outlet_sentences"]


# --- the evaluation's metrics -----------------------------------------------------------------------------------------


def test_table_precision_and_mention_recall_count_rows_and_gold_spans() -> None:
    doc = _run("Mayor Elena Varga said the pipes were old. Senator Mary Fox said the deal was dead.")
    text = doc.text
    gold = [{"content": [(0, 1)], "source": _range(text, "Mayor Elena Varga"), "direct": False, "cue": []}]
    gold.append({"content": [(0, 1)], "source": _range(text, "pipes"), "direct": False, "cue": []})
    scores = table_scores([("a", text, gold, doc.layer("sources"))])
    assert scores["listed_sources"] == 2 and scores["table_precision"] == 0.5
    assert scores["mention_recall"] == 0.5 and scores["wrong_rows"][0]["mentions"] == ["Senator Mary Fox"]


def test_claim_accuracy_needs_the_overlapping_source() -> None:
    text = "Mayor Elena Varga said the pipes were old. Prices rose sharply in the city."
    doc = _run(text)
    content = _range(text, "Mayor Elena Varga said the pipes were old.")
    right = [{"content": [content], "source": _range(text, "Mayor Elena Varga"), "direct": False, "cue": []}]
    wrong = [{"content": [content], "source": _range(text, "Prices"), "direct": False, "cue": []}]
    assert claim_scores([("a", right, doc)])["claim_sourcing_accuracy"] == 1.0
    assert claim_scores([("a", wrong, doc)])["claim_sourcing_accuracy"] == 0.5


# --- user labels per domain -------------------------------------------------------------------------------------------


def test_ratings_import_adds_labels_per_domain(tmp_path: Path) -> None:
    from veracity.sourcing.ratings import import_ratings, ratings_table

    dest = tmp_path / "ratings.csv"
    listed = tmp_path / "state.csv"
    listed.write_text("domain\nsputniknews.com\nrt.com\n", encoding="utf-8")
    count, _ = import_ratings(listed, str(dest), label="state-affiliated")
    assert count == 2
    scored = tmp_path / "scored.csv"
    scored.write_text("domain,score,labels\nrt.com,0.1,propaganda;kremlin\n", encoding="utf-8")
    import_ratings(scored, str(dest))
    table = ratings_table(str(dest))
    sputnik = table.lookup("arabic.sputniknews.com")
    assert sputnik is not None and sputnik["labels"] == ["state-affiliated"]
    assert sputnik["source"].startswith("Lin et al. 2023")  # labels alone keep the bundled score
    rt = table.lookup("rt.com")
    assert rt is not None and rt["score"] == 0.1 and rt["labels"] == ["kremlin", "propaganda", "state-affiliated"]


def test_labels_show_in_the_sources_layer(tmp_path: Path) -> None:
    from veracity.analyzers.sources import SourceAnalyzer
    from veracity.sourcing.ratings import RatingsTable, import_ratings

    dest = tmp_path / "ratings.csv"
    listed = tmp_path / "state.csv"
    listed.write_text("domain,labels\nsputniknews.com,state-affiliated\n", encoding="utf-8")
    import_ratings(listed, str(dest))
    doc = Document("Sputnik reported that the talks had stalled.")
    Pipeline(only=["attributions"]).run(doc)
    layer = SourceAnalyzer(RatingsTable(dest)).analyze(doc)
    row = layer.data["summary"]["sources"][0]
    assert row["domain"] == "sputniknews.com" and row["reliability"]["labels"] == ["state-affiliated"]


def test_a_ratings_file_needs_a_score_or_labels(tmp_path: Path) -> None:
    from veracity.errors import InputError
    from veracity.sourcing.ratings import import_ratings

    bad = tmp_path / "bad.csv"
    bad.write_text("domain\nrt.com\n", encoding="utf-8")
    with pytest.raises(InputError, match="score or labels"):
        import_ratings(bad, str(tmp_path / "r.csv"))


# --- one source, one row; documents are named sources ----------------------------------------------------------------


def test_short_back_reference_joins_the_full_name() -> None:
    doc = _run(
        "The fighting went on, the Syrian Observatory for Human Rights said on Monday. "
        "Later the Observatory said 12 people died."
    )
    assert _rows(doc) == ["the Syrian Observatory for Human Rights"]


def test_arabic_article_prefix_and_apposition_keep_one_person() -> None:
    doc = _run(
        "Activist Shadi al-Jundi said the army fired. Jundi said 12 people died. "
        "Lanhee Chen, an adviser who worked for Marco Rubio, said the plan failed. Chen said it was costly."
    )
    assert _rows(doc) == ["Activist Shadi al-Jundi", "Lanhee Chen"]


def test_a_document_is_a_named_source_and_unnamed_studies_are_vague() -> None:
    text = "The lawsuit says the county broke the law. Studies show the water is unsafe."
    doc = _run(text)
    kinds = {r["name"]: r["kind"] for r in doc.layer("sources").data["summary"]["sources"]}
    assert kinds == {"The lawsuit": "document", "Studies": "vague"}
    end = text.index(".") + 1
    assert claim_sourcing(doc, 0, end)["sourcing"] == "sourced"


def test_a_name_glued_on_by_the_parser_is_not_part_of_the_source() -> None:
    text = "A member of the group AP reached for comment said the operation was likely to happen soon."
    doc = _run(text)
    att = next(s for s in doc.layer("attributions").spans if s.attrs["cue"]["text"] == "said")
    assert att.attrs["source"]["text"] == "A member of the group"


def test_issue_examples_sources_say_and_the_observatory_said() -> None:
    text = (
        "Sources say that Donald Trump wants to replace the chief of staff, who has resisted the move. "
        "The Observatory, which monitors the war, said fighting raged near the border."
    )
    doc = _run(text)
    first = text.index(".") + 1
    result = claim_sourcing(doc, 0, first)
    assert result["sourcing"] == "anonymous" and text[result["source"]["start"] : result["source"]["end"]] == "Sources"
    second = text.index("The Observatory")
    result = claim_sourcing(doc, second, len(text))
    assert result["sourcing"] == "sourced"
    assert text[result["source"]["start"] : result["source"]["end"]] == "The Observatory"
    assert "the chief of staff" not in _rows(doc) and "who" not in _rows(doc)


def test_a_name_inside_the_quote_is_not_who_he_is() -> None:
    doc = _run(
        "Activist Abu Omar spoke to reporters. "
        '"The regime is hitting the civilians who support the revolt against President Bashar al-Assad," he added.'
    )
    assert _rows(doc) == ["Abu Omar"]


def test_voice_of_a_claim() -> None:
    from veracity.sourcing.claims import voice_shares

    text = 'The council met on Monday. "The water is safe," Mayor Elena Varga said. Prices rose.'
    doc = _run(text)
    quote = _range(text, '"The water is safe,"')
    assert voice_shares(doc, *quote)["quoted"] == 1.0
    own = _range(text, "Prices rose.")
    assert voice_shares(doc, *own) == {"own": 1.0, "quoted": 0.0, "reported": 0.0, "belief": 0.0}
    assert claim_sourcing(doc, *own)["voice"] == "own"
    sentence = _range(text, '"The water is safe," Mayor Elena Varga said.')
    assert claim_sourcing(doc, *sentence)["voice"] == "quoted"
