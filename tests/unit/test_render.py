"""Renderers: overlapping spans, legends limited to what was found, escaping, every format from one report."""

from __future__ import annotations

from veracity import Document, Layer, Report, Span
from veracity.report import SCHEMA_VERSION
from veracity.report.render import render
from veracity.report.view import segments

TEXT = "They are <b>traitors</b> & liars, said nobody."


def report() -> Report:
    doc = Document(TEXT)
    legend = {
        "Name_Calling,Labeling": "labels instead of arguments",
        "Doubt": "questioning credibility",
        "Slogans": "x",
    }
    doc.add_layer(
        Layer(
            "techniques",
            [Span(9, 33, "Name_Calling,Labeling", 0.8), Span(27, 33, "Doubt", 0.6)],
            data={"legend": legend},
        )
    )
    return Report.from_document(doc)


def test_segments_split_overlaps_into_nested_runs() -> None:
    r = report()
    spans = [(s, "techniques") for s in r.layer("techniques").spans]
    cuts = [(a, b, [s.label for s, _ in cover]) for a, b, cover in segments(TEXT, spans)]
    assert cuts == [
        (0, 9, []),
        (9, 27, ["Name_Calling,Labeling"]),
        (27, 33, ["Name_Calling,Labeling", "Doubt"]),
        (33, len(TEXT), []),
    ]


def test_html_escapes_text_and_lists_only_found_techniques_in_the_key() -> None:
    page = render(report(), "html")
    assert "<b>traitors</b>" not in page and "&lt;b&gt;traitors&lt;/b&gt;" in page
    key = page.split('<p class="legend">', 1)[1].split("</p>", 1)[0]
    assert "Name_Calling,Labeling" in key and "Doubt" in key and "Slogans" not in key
    assert "labels instead of arguments" in page  # the definition is on hover


def test_every_format_renders() -> None:
    r = report()
    assert f'"schema_version": "{SCHEMA_VERSION}"' in render(r, "json")
    assert "Name_Calling,Labeling" in render(r, "md")
    text = render(r, "text")
    assert "Doubt" in text and "Slogans" not in text.split("persuasion techniques")[0]


def test_a_match_without_a_verdict_says_so_instead_of_a_badge() -> None:
    from veracity.report.view import FactCheckView

    bare = FactCheckView("v1", "unrated", "", "Snopes", "a claim", None, 0.9)
    assert bare.display == "no verdict in the imported data"
    rated = FactCheckView("v2", "false", "Pants on Fire", "PolitiFact", "a claim", None, 0.9)
    assert rated.display == "false (Pants on Fire)"
    assert FactCheckView("v3", "mostly_false", "Mostly False", "x", "c", None, None).display == "mostly false"
