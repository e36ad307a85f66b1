"""Issue 17 on the seed article: findings first, naming what a fact-checker would flag; footnotes are not claims;
a French text says first that it is not English; a plain article says nothing stands out."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

import veracity
from veracity.config import Services, Settings
from veracity.pipeline import Pipeline
from veracity.report import Report
from veracity.report.render import render
from veracity.report.renderers import text as text_face
from veracity.stores.records import Match

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_report(seed_text: str) -> Report:
    return veracity.analyze(seed_text)


def _kinds(report: Report) -> list[str]:
    return [f["kind"] for f in report.summary["findings"]]


def test_seed_findings_name_the_lede_the_fake_video_the_anonymous_sources_and_sputnik(seed_report: Report) -> None:
    findings = seed_report.summary["findings"]
    first = findings[:4]
    text = " ".join(f["message"] for f in first)
    # the unsourced share (7 of 14 once "Damascus and Moscow accuse …" is sourced to them) is below the mainstream
    # median, so that finding is no longer high; the lede is still named among the first four
    assert all(f["severity"] == "high" for f in first[:3])
    assert "US authorities have invited ISIS terrorists" in text  # the unsourced lede
    assert "the video was a fake" in text
    assert "anonymous US officials" in text and "military sources" in text
    assert "Sputnik" in text and "low-reliability" in text
    # every finding points at spans of the report
    ids = {s.id for layer in seed_report.layers.values() for s in layer.spans}
    assert all(f["spans"] and set(f["spans"]) <= ids for f in findings)


def test_seed_footnotes_are_marked_and_never_check_worthy(seed_report: Report) -> None:
    claims = seed_report.layer("claims").spans
    footnotes = [s for s in claims if s.text.lstrip("*").startswith("A terrorist group outlawed in Russia")]
    assert len(footnotes) == 2
    assert all(s.attrs.get("boilerplate") == "footnote" and s.label == "not_checkworthy" for s in footnotes)
    worst_real = max(s.attrs["rank"] for s in claims if not s.attrs.get("boilerplate"))
    assert all(s.attrs["rank"] > worst_real for s in footnotes)  # furniture ranks after every real sentence


def test_seed_terminal_report_shows_the_findings_in_its_first_screen(
    seed_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(text_face, "PLAIN_WIDTH", 100)
    screen = " ".join(" ".join(render(seed_report, "text").splitlines()[:40]).replace("│", " ").split())
    for finding in seed_report.summary["findings"]:
        assert " ".join(finding["message"].split())[:60] in screen


class _Snopes:
    """A stand-in store with one published fact-check on the staged-attack claim."""

    def search_many(self, texts: Sequence[str], top_k: int = 5, contexts: object = None) -> list[list[Match]]:
        return [
            [Match("fc1", 0.95, "The White Helmets staged a chemical attack in Douma.", "false", "False", "Snopes",
                   "https://www.snopes.com/fact-check/x/")]
            if "video was a fake" in t else []
            for t in texts
        ]  # fmt: skip


def test_a_matching_fact_check_rated_false_is_the_first_finding(seed_text: str) -> None:
    report = Pipeline.from_settings(Settings(), services=Services(Settings(), _Snopes())).run(seed_text)
    first = report.summary["findings"][0]
    assert first["kind"] == "factcheck_match" and first["severity"] == "high"
    assert "rated false" in first["message"] and "Snopes" in first["message"] and "video was a fake" in first["message"]
    assert any(i.startswith("factchecks/") for i in first["spans"])


def test_a_french_article_says_first_that_it_is_not_english() -> None:
    text = (
        "Le gouvernement a annoncé mardi une réforme des retraites qui sera présentée au Parlement le mois prochain. "
        "Selon le ministre, les syndicats ont été consultés pendant plusieurs semaines, mais aucun accord n'a été "
        "trouvé. L'opposition dénonce un projet injuste et promet de manifester samedi dans toute la France."
    )
    report = veracity.analyze(text)
    assert report.document.meta.language == "fr"
    assert _kinds(report)[0] == "language" and "French" in report.summary["findings"][0]["message"]


def test_a_plain_sourced_article_says_nothing_stands_out() -> None:
    report = veracity.analyze("The library opens at nine, said Jane Doe, the head librarian.")
    assert _kinds(report) == ["none"]
    assert report.summary["findings"][0]["severity"] == "low"


def test_seed_check_worthy_claims_carry_their_types_in_every_face(seed_report: Report) -> None:
    claims = {s.text[:30]: s for s in seed_report.layer("claims").spans}
    froze = next(s for k, s in claims.items() if k.startswith("The US temporarily froze"))
    assert "quantity" in froze.attrs["type"]
    attack = next(s for s in seed_report.layer("claims").spans if "new false flag chemical attack" in s.text)
    assert "prediction" in attack.attrs["type"]
    assert all("type" not in s.attrs for s in seed_report.layer("claims").spans if s.label != "checkworthy")
    for fmt in ("text", "html", "md"):
        assert "quantity" in render(seed_report, fmt)
