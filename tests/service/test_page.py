"""The web page: server-rendered with no inline script or style, the report drawn, stateless downloads, passage questions."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient

import veracity
from tests.service.conftest import make_client
from tests.service.fakes import LEGEND
from veracity.pipeline import Pipeline
from veracity.report import Report

TEXT = (
    "US authorities have invited ISIS terrorists to enter America. Officials said the so-called plan was secret.\r\n\r\n"
    "Sputnikenews.com reports: Two anonymous US officials said the evacuation would happen soon."
)
FORM = {"content-type": "application/x-www-form-urlencoded"}


class _Collect(HTMLParser):
    """Tags with their attributes, and the text inside #article."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.article: list[str] = []
        self._depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if self._depth:
            self._depth += 1
        elif a.get("id") == "article":
            self._depth = 1

    def handle_endtag(self, tag: str) -> None:
        if self._depth:
            self._depth -= 1

    def handle_data(self, data: str) -> None:
        if self._depth:
            self.article.append(data)


def parse(html: str) -> _Collect:
    p = _Collect()
    p.feed(html)
    return p


def test_index_is_an_accessible_form_without_inline_script_or_external_assets(client: TestClient) -> None:
    r = client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    page = parse(r.text)
    ids = {a.get("id") for _, a in page.tags}
    labels = {a.get("for") for t, a in page.tags if t == "label"}
    assert {"text", "url", "title"} <= labels <= ids  # every field has a label
    assert any(t == "button" and a.get("type") == "submit" for t, a in page.tags)
    for tag, attrs in page.tags:
        assert "style" not in attrs, tag
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/")
        if tag in ("link", "img", "script"):
            assert not re.match(r"(https?:)?//", attrs.get("src") or attrs.get("href") or ""), attrs
    for asset in ("/static/app.js", "/static/style.css"):
        r = client.get(asset)
        assert r.status_code == 200 and "http://" not in r.text and "https://" not in r.text


def test_analysing_in_the_page_draws_the_report(client: TestClient) -> None:
    r = client.post("/analyze", content="text=" + _q(TEXT) + "&url=&title=Seed", headers=FORM)
    assert r.status_code == 200, r.text[:500]
    page = parse(r.text)
    text = TEXT.replace("\r\n", "\n")  # the textarea's CRLF becomes the user's LF again
    # the article is exactly the analysed text (the title, analysed with it, then the body), so selection offsets match
    assert "".join(page.article) == "Seed\n\n" + text
    marks = [a for t, a in page.tags if t == "mark"]
    techniques = [m for m in marks if "t" in m["class"].split()]
    assert techniques and all(re.search(r"\bc\d+\b", m["class"]) for m in techniques)
    assert any("Loaded_Language" in m["data-tip"] and LEGEND["Loaded_Language"] in m["data-tip"] for m in techniques)
    assert any("claim" in m["class"].split() for m in marks) and any("src" in m["class"].split() for m in marks)
    assert all(m.get("tabindex") == "0" for m in marks)  # each finding is reachable from the keyboard
    html = r.text
    for definition in LEGEND.values():
        assert definition in html  # the legend explains the labels
    assert 'href="https://www.snopes.com/fact-check/x/"' in html and "White Helmets are terrorists" in html
    hrefs = [a.get("href") or "" for t, a in page.tags if t == "a"]
    assert not any(h.lower().startswith("javascript") for h in hrefs)  # an unsafe link in a report stays text
    assert "Evil link" in html
    assert "Sputnik" in html and "0.12 low" in html  # the sources panel with reliability
    hidden = next(a for t, a in page.tags if t == "input" and a.get("name") == "report")
    report = Report.from_json(hidden["value"])
    assert report.document.text == "Seed\n\n" + text and report.document.meta.title == "Seed"


def test_downloads_are_rebuilt_from_the_carried_report(client: TestClient) -> None:
    report = client.post("/v1/analyze", json={"text": TEXT}).json()
    body = "format=json&report=" + _q(json.dumps(report))
    r = client.post("/report", content=body, headers=FORM)
    assert r.status_code == 200 and r.headers["content-disposition"] == 'attachment; filename="veracity-report.json"'
    assert r.json() == report
    pytest.importorskip("veracity.report.render")
    r = client.post("/report", content="format=html&report=" + _q(json.dumps(report)), headers=FORM)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert "attachment" in r.headers["content-disposition"] and "sandbox" in r.headers["content-security-policy"]
    assert "anonymous US officials" in r.text
    tampered = json.loads(json.dumps(report))
    tampered["layers"]["techniques"]["spans"][0]["start"] += 1
    r = client.post("/report", content="format=json&report=" + _q(json.dumps(tampered)), headers=FORM)
    assert r.status_code == 422  # the upload is the client's input: said plainly, not an internal error
    assert "does not match" in r.text
    r = client.post("/report", content="format=pdf&report=" + _q(json.dumps(report)), headers=FORM)
    assert r.status_code == 422 and "format must be json or html" in r.text


@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("text=&url=", 422, "paste an article"),
        ("text=hello&url=https%3A%2F%2Fexample.org%2F", 422, "not both"),
        ("text=&url=http%3A%2F%2F127.0.0.1%2Fadmin", 400, "URLRefusedError"),
        ("text=&url=file%3A%2F%2F%2Fetc%2Fpasswd", 400, "URLRefusedError"),
    ],
)
def test_page_errors_are_shown_in_the_page(client: TestClient, body: str, status: int, words: str) -> None:
    r = client.post("/analyze", content=body, headers=FORM)
    assert r.status_code == status and r.headers["content-type"].startswith("text/html")
    assert 'role="alert"' in r.text and words in r.text


def test_page_limits(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline, max_body_bytes=500) as c:
        r = c.post("/analyze", content="text=" + "x" * 600, headers={**FORM, "accept": "text/html"})
        assert r.status_code == 413 and 'role="alert"' in r.text
        r = c.post("/analyze", json={"text": "x"}, headers={"accept": "text/html"})
        assert r.status_code == 415 and "application/x-www-form-urlencoded" in r.text


def test_passage_question(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def fake(text: str, spans: list) -> list:
        seen.append((text, spans))
        return [{"Loaded_Language": 0.8, "Doubt": 0.1}]

    monkeypatch.setattr(veracity, "classify_techniques", fake, raising=False)
    context = TEXT.replace("\r\n", "\n")
    start = context.index("so-called")
    body = f"passage=so-called+plan&context={_q(context)}&start={start}&end={start + 14}"
    r = client.post("/passage", content=body, headers={**FORM, "accept": "application/json"})
    assert r.status_code == 200, r.text
    assert seen[-1] == (context, [(start, start + 14)])  # the selection is classified in its context
    labels = r.json()["labels"]
    assert [x["label"] for x in labels] == ["Loaded_Language", "Doubt"]
    assert labels[0]["definition"] == "" or isinstance(labels[0]["definition"], str)
    r = client.post("/passage", content="passage=edited+text&context=" + _q(context) + "&start=0&end=3", headers=FORM)
    assert r.status_code == 200 and "edited text" in r.text and seen[-1] == ("edited text", [(0, 11)])
    r = client.post("/passage", content="passage=", headers={**FORM, "accept": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["type"] == "UsageError"
    monkeypatch.delattr(veracity, "classify_techniques", raising=False)
    r = client.post("/passage", content="passage=x", headers={**FORM, "accept": "application/json"})
    assert r.status_code == 503 and "not available" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ([[{"label": "A", "score": 0.2}, {"label": "B", "score": 0.9}]], ["B", "A"]),
        ([{"A": 0.1, "B": 0.5}], ["B", "A"]),
        ([{"labels": [("A", 0.9)]}], ["A"]),
        ([["A", "B"]], ["A", "B"]),
        ([{"label": "A", "score": 0.3}], ["A"]),
        ([[]], []),
    ],
)
def test_classifier_output_shapes_are_normalised(raw: object, want: list[str]) -> None:
    from veracity.service.page import normalise_classification

    assert [x["label"] for x in normalise_classification(raw)] == want


def _q(text: str) -> str:
    from urllib.parse import quote_plus

    return quote_plus(text)
