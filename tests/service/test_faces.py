"""Every face renders from the one view model: text, HTML, Markdown and the web page list the same claims, sources,
techniques and fact-checks for the same report (the seed article through the real analyzers, a stand-in store)."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

import pytest

from tests.service.conftest import make_client
from veracity.config import Services, Settings
from veracity.pipeline import Pipeline
from veracity.report import Report
from veracity.report.render import render
from veracity.report.renderers import text as text_face
from veracity.report.view import build_view
from veracity.stores.records import Match

pytestmark = pytest.mark.slow


class _Store:
    """Matches every sentence that names the White Helmets with one fact-check (no database needed)."""

    def search_many(self, texts: Sequence[str], top_k: int = 5, contexts: object = None) -> list[list[Match]]:
        return [
            [Match("fc-wh", 0.97, "White Helmets are a terrorist group", "false", "False", "Snopes",
                   "https://www.snopes.com/fact-check/white-helmets/")]
            if "White Helmets" in t else []
            for t in texts
        ]  # fmt: skip


@pytest.fixture(scope="module")
def seed_report(seed_text: str) -> Report:
    pipeline = Pipeline.from_settings(Settings(), services=Services(Settings(), _Store()))
    return pipeline.run(seed_text, title="Seed")


def _probe(text: str, n: int = 40) -> str:
    return " ".join(text.split())[:n].strip()


def _after(page: str, marker: str) -> str:
    assert marker in page, marker
    return page.split(marker, 1)[1]


def _flat(page: str) -> str:
    """Visible text of a face, whitespace collapsed (HTML unescaped, Markdown escapes removed)."""
    page = re.sub(r"<[^>]+>", " ", page)
    page = html.unescape(page)
    page = re.sub(r"\\(.)", r"\1", page)
    return " ".join(page.split())


def test_every_face_lists_the_same_claims_sources_techniques_and_fact_checks(
    seed_report: Report, monkeypatch: pytest.MonkeyPatch
) -> None:
    view = build_view(seed_report)
    claims = [_probe(c.text) for c in view.claims]
    sources = [s.name for s in view.sources]
    passages = [_probe(s.text, 30) for s in view.technique_spans]
    checks = [fc.claim for c in view.claims for fc in c.factchecks]
    assert claims and sources and passages and checks, "the seed report should have every section"

    findings = [_probe(f.message, 50) for f in view.findings]
    assert findings, "the seed report should have findings"
    monkeypatch.setattr(text_face, "PLAIN_WIDTH", 2000)  # one table row per line, so cells are not wrapped
    leads = {
        "text": render(seed_report, "text"),
        "html": render(seed_report, "html"),
        "md": render(seed_report, "md"),
    }
    faces = {
        "text": _flat(_after(render(seed_report, "text"), "claims, most check-worthy first")),
        "html": _flat(_after(render(seed_report, "html"), "<h2>Claims")),
        "md": _flat(_after(render(seed_report, "md"), "## Claims")),
    }
    client = make_client(Pipeline.from_settings(Settings(), services=Services(Settings(), _Store())))
    with client as c:
        r = c.post("/analyze", content="title=Seed&text=" + _q(seed_report.document.text),
                   headers={"content-type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert r.status_code == 200
        faces["page"] = _flat(_after(r.text, 'id="claims"'))
        leads["page"] = _after(r.text, 'id="results"')
    article_starts = {"text": "─ article", "html": '<div class="article">', "md": "## Claims", "page": 'id="article"'}
    for face, page in leads.items():  # every face leads with the findings: all of them, before the article and claims
        assert article_starts[face] in page, face
        before = _flat(page.split(article_starts[face], 1)[0])
        missing = [f for f in findings if f not in before]
        assert not missing, f"{face} face does not lead with findings: {missing[:2]}"
    for face, shown in faces.items():
        for what, items in (("claim", claims), ("source", sources), ("technique passage", passages),
                            ("fact-check", checks)):  # fmt: skip
            missing = [x for x in items if x not in shown]
            assert not missing, f"{face} face misses {what}s: {missing[:3]}"
        # and in the same order: claims by rank
        positions = [shown.index(x) for x in claims]
        assert positions == sorted(positions), f"{face} face lists claims out of rank order"


def _q(text: str) -> str:
    from urllib.parse import quote

    return quote(text, safe="")


def test_the_page_and_the_renderers_share_the_view(seed_report: Report) -> None:
    """The page's sections come from build_view: counts it prints match the view's."""
    view = build_view(seed_report)
    with make_client(Pipeline.from_settings(Settings(), services=Services(Settings(), _Store()))) as c:
        page = c.post("/analyze", content="text=" + _q(seed_report.document.text),
                      headers={"content-type": "application/x-www-form-urlencoded"}).text  # fmt: skip
    assert f"{view.claims_checkworthy} of {view.claims_scored} sentences" in page
    assert f"Every passage found ({len(view.technique_spans)})" in page
