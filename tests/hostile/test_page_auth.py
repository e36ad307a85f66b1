"""Issue 23 item 11: with API keys set, the page's forms need a key too, and no form can be posted cross-site.

Before: ``POST /analyze``, ``/report`` and ``/passage`` analysed and fetched URLs for anyone, keys or not, and a page
on another site could make a visitor's browser submit them.
"""

from __future__ import annotations

import pytest

pytest.importorskip("fastapi", reason="the service needs the serve extra: pip install -e '.[serve,test]'")

from fastapi.testclient import TestClient

from tests.service.conftest import make_client
from veracity.pipeline import Pipeline
from veracity.service.session import COOKIE

TEXT = "The minister said on Monday that the talks had stalled."
FORMS = {
    "/analyze": {"text": TEXT},
    "/passage": {"passage": "so-called experts"},
    "/report": {"report": "{}", "format": "json"},
}


@pytest.fixture(scope="module")
def keyed(small_pipeline: Pipeline):  # type: ignore[no-untyped-def]
    with make_client(small_pipeline, api_keys=("right-key",)) as c:
        yield c


@pytest.mark.parametrize("path", sorted(FORMS))
def test_every_form_endpoint_refuses_work_without_a_key(keyed: TestClient, path: str) -> None:
    """Case 11a: no session, no key header: 401 before any work, for every form that does work."""
    keyed.cookies.clear()
    r = keyed.post(path, data=FORMS[path], headers={"accept": "text/html"})
    assert r.status_code == 401
    assert "API key" in r.text and "<html" in r.text  # the page's own error box, not JSON, for a browser


def test_the_page_asks_for_the_key_then_keeps_a_session(keyed: TestClient) -> None:
    """Case 11b: GET / shows a key form; a wrong key is refused; the right one sets an HttpOnly, Strict cookie."""
    keyed.cookies.clear()
    page = keyed.get("/")
    assert 'id="key-form"' in page.text and 'id="analyze-form"' not in page.text
    wrong = keyed.post("/session", data={"key": "wrong"}, follow_redirects=False)
    assert wrong.status_code == 401 and "not a key" in wrong.text
    right = keyed.post("/session", data={"key": "right-key"}, follow_redirects=False)
    assert right.status_code == 303
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "right-key" not in cookie
    assert 'id="analyze-form"' in keyed.get("/").text
    r = keyed.post("/analyze", data={"text": TEXT})
    assert r.status_code == 200 and 'id="results"' in r.text
    keyed.cookies.clear()


def test_scripts_may_use_the_key_header_on_the_forms(keyed: TestClient) -> None:
    """Case 11c: the API key header works on the form endpoints too (no cookie needed)."""
    keyed.cookies.clear()
    r = keyed.post("/analyze", data={"text": TEXT}, headers={"x-api-key": "right-key"})
    assert r.status_code == 200


def test_a_session_ends_when_the_operator_removes_its_key(small_pipeline: Pipeline) -> None:
    """Case 11d: the cookie proves a key, so a key taken off the list no longer opens the page."""
    with make_client(small_pipeline, api_keys=("right-key",)) as c:
        c.post("/session", data={"key": "right-key"}, follow_redirects=False)
        token = c.cookies.get(COOKIE)
    assert token
    with make_client(small_pipeline, api_keys=("new-key",)) as c:
        c.cookies.set(COOKIE, token)
        assert c.post("/analyze", data={"text": TEXT}).status_code == 401


@pytest.mark.parametrize(
    "headers",
    [
        {"origin": "https://evil.example"},
        {"origin": "null"},
        {"sec-fetch-site": "cross-site"},
        {"sec-fetch-site": "same-site", "origin": "https://sub.testserver"},
        {"referer": "https://evil.example/page.html"},
    ],
    ids=["other-origin", "null-origin", "sec-fetch-cross-site", "sec-fetch-same-site", "other-referer"],
)
@pytest.mark.parametrize("path", sorted(FORMS))
def test_cross_site_form_posts_are_refused(client: TestClient, path: str, headers: dict[str, str]) -> None:
    """Case 11e (CSRF): a form posted from another site gets 403, keys or not."""
    r = client.post(path, data=FORMS[path], headers={**headers, "accept": "text/html"})
    assert r.status_code == 403 and "another site" in r.text


def test_same_origin_and_configured_origins_pass(small_pipeline: Pipeline) -> None:
    """Case 11f: the page's own origin passes, and so does an origin the operator lists (a proxy in front)."""
    with make_client(small_pipeline, allowed_origins=("https://news.example.org",)) as c:
        assert c.post("/analyze", data={"text": TEXT}, headers={"origin": "http://testserver"}).status_code == 200
        ok = c.post("/analyze", data={"text": TEXT}, headers={"origin": "https://news.example.org"})
        assert ok.status_code == 200
        # a real browser under the page's no-referrer policy: Origin "null", but Sec-Fetch-Site says same-origin
        same = {"sec-fetch-site": "same-origin", "origin": "null"}
        assert c.post("/analyze", data={"text": TEXT}, headers=same).status_code == 200
