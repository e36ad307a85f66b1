"""The JSON API: every route, every documented error status, one error shape, limits, auth and headers."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient

import veracity
from tests.conftest import reply
from tests.service.conftest import make_client
from tests.service.fakes import SlowAnalyzer
from veracity import registry
from veracity.config import Settings
from veracity.pipeline import Pipeline
from veracity.report import Report

TEXT = (
    "US authorities have invited ISIS terrorists to enter America. Officials said the so-called plan was secret.\n\n"
    "Sputnikenews.com reports: Two anonymous US officials said the evacuation would happen soon."
)


def assert_error(response, status: int, kind: str | None = None) -> dict:
    """The response has the status and exactly the shared error shape."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"type", "message"}
    assert body["error"]["message"].strip() and "\n" not in body["error"]["message"]
    if kind:
        assert body["error"]["type"] == kind, body
    return body["error"]


# -- POST /v1/analyze --------------------------------------------------------------------------------------------------


def test_analyze_text_returns_a_valid_report(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": TEXT, "title": "Test"})
    assert r.status_code == 200
    data = r.json()
    jsonschema.validate(data, Report.json_schema())
    report = Report.from_dict(data)  # checks every span against the text
    # the title is analysed with the body: it opens the text, and meta says where the body starts
    assert report.document.text == "Test\n\n" + TEXT
    assert report.document.meta.title == "Test"
    assert report.document.meta.model_extra == {"headline": {"start": 0, "end": 4}, "body_start": 6}
    assert set(report.layers) == {"sentences", "techniques", "claims", "sources"}
    assert [s.text for s in report.layers["techniques"].spans] == ["terrorists", "so-called plan"]


def test_analyze_only_limits_layers(client: TestClient) -> None:
    r = client.post("/v1/analyze", json={"text": TEXT, "only": ["sentences"]})
    assert r.status_code == 200 and set(r.json()["layers"]) == {"sentences"}
    r = client.post("/v1/analyze", json={"text": TEXT, "only": "claims"})  # comma string; requirements added
    assert r.status_code == 200 and set(r.json()["layers"]) == {"sentences", "claims"}
    err = assert_error(client.post("/v1/analyze", json={"text": TEXT, "only": ["nonsense"]}), 422, "UsageError")
    assert "nonsense" in err["message"]


def test_analyze_html(client: TestClient) -> None:
    page = f"<html><head><title>Page title</title></head><body><article><p>{TEXT}</p></article></body></html>"
    r = client.post("/v1/analyze", json={"html": page})
    assert r.status_code == 200
    assert "anonymous US officials" in r.json()["document"]["text"]


def test_analyze_url_through_the_safe_fetcher(fake_pipeline: Pipeline, http_server) -> None:
    base, routes = http_server
    routes["/story"] = reply(f"<html><body><article><p>{TEXT}</p></article></body></html>".encode())
    routes["/slow"] = reply(b"<html><body>late</body></html>", delay=2.0)
    routes["/pdf"] = reply(b"%PDF-1.4", content_type="application/pdf")
    settings = Settings(allow_private=True, fetch_read_timeout=0.4, fetch_connect_timeout=0.4)
    with make_client(fake_pipeline, settings) as c:
        r = c.post("/v1/analyze", json={"url": base + "/story"})
        assert r.status_code == 200, r.text
        assert r.json()["document"]["meta"]["url"] == base + "/story"
        assert "anonymous US officials" in r.json()["document"]["text"]
        assert_error(c.post("/v1/analyze", json={"url": base + "/slow"}), 504, "FetchTimeoutError")
        assert_error(c.post("/v1/analyze", json={"url": base + "/missing"}), 502, "FetchError")
        assert_error(c.post("/v1/analyze", json={"url": base + "/pdf"}), 415, "UnsupportedInputError")


def test_private_and_non_http_urls_are_refused(client: TestClient, http_server) -> None:
    base, routes = http_server
    routes["/story"] = reply(b"<html><body><p>secret intranet page</p></body></html>")
    for url in (
        base + "/story",
        "http://localhost/",
        "http://10.0.0.1/",
        "http://[::1]/",
        "http://169.254.169.254/latest",
    ):
        err = assert_error(client.post("/v1/analyze", json={"url": url}), 400, "URLRefusedError")
        assert "private" in err["message"] or "loopback" in err["message"]
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x/"):
        assert_error(client.post("/v1/analyze", json={"url": url}), 400, "URLRefusedError")


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"text": TEXT, "url": "https://example.org/"},
        {"text": 5},
        {"text": TEXT, "unexpected": 1},
        {"title": "only a title"},
        {"text": TEXT, "only": 7},
        ["a", "list"],
    ],
)
def test_invalid_requests_get_422(client: TestClient, payload: object) -> None:
    assert_error(client.post("/v1/analyze", json=payload), 422, "ValidationError")


def test_empty_text_and_malformed_json_get_422(client: TestClient) -> None:
    assert_error(client.post("/v1/analyze", json={"text": "   \n"}), 422, "EmptyInputError")
    r = client.post("/v1/analyze", content=b'{"text": "unterminated', headers={"content-type": "application/json"})
    assert "not valid JSON" in assert_error(r, 422, "MalformedJSON")["message"]
    r = client.post("/v1/analyze", content=b"\xff\xfe{}", headers={"content-type": "application/json"})
    assert_error(r, 422)


def test_wrong_content_type_gets_415(client: TestClient) -> None:
    for ctype in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None):
        headers = {"content-type": ctype} if ctype else {}
        r = client.post("/v1/analyze", content=json.dumps({"text": TEXT}).encode(), headers=headers)
        assert_error(r, 415, "UnsupportedMediaType")
    assert (
        client.post(
            "/v1/analyze",
            content=json.dumps({"text": TEXT}),
            headers={"content-type": "application/json; charset=utf-8"},
        ).status_code
        == 200
    )


def test_body_cap_gets_413_declared_or_streamed(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline, max_body_bytes=1000) as c:
        big = json.dumps({"text": "word " * 400}).encode()
        assert_error(
            c.post("/v1/analyze", content=big, headers={"content-type": "application/json"}), 413, "InputTooLargeError"
        )

        def chunks():  # no Content-Length: the cap is enforced while reading
            for _ in range(10):
                yield b" " * 200

        r = c.post("/v1/analyze", content=chunks(), headers={"content-type": "application/json"})
        assert_error(r, 413, "InputTooLargeError")
        assert c.post("/v1/analyze", json={"text": "A short article."}).status_code == 200


def test_text_over_max_chars_gets_413(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline, Settings(max_chars=50)) as c:
        err = assert_error(c.post("/v1/analyze", json={"text": "x " * 100}), 413, "InputTooLargeError")
        assert "50" in err["message"]


def test_time_budget_gets_503(tmp_path: Path) -> None:
    slow = SlowAnalyzer()
    slow.seconds = 1.5
    with make_client(Pipeline([slow]), time_budget=0.3) as c:
        r = c.post("/v1/analyze", json={"text": TEXT})
        assert_error(r, 503, "TimeBudgetExceeded")
        assert "Retry-After" in r.headers


def test_not_ready_before_start_up(small_pipeline: Pipeline) -> None:
    c = make_client(small_pipeline)  # the lifespan has not run: models are not loaded
    assert_error(c.get("/readyz"), 503, "NotReady")
    assert_error(c.post("/v1/analyze", json={"text": TEXT}), 503, "NotReady")
    assert c.get("/healthz").json() == {"status": "ok", "layers": None, "loaded_seconds": None, "in_flight": None}


def test_results_store_is_off_by_default_and_writes_reports_when_enabled(
    small_pipeline: Pipeline, tmp_path: Path
) -> None:
    with make_client(small_pipeline, results_dir=str(tmp_path)) as c:
        r = c.post("/v1/analyze", json={"text": TEXT})
    saved = list(tmp_path.glob("*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text(encoding="utf-8")) == r.json()
    assert saved[0].name == r.json()["document"]["id"].replace(":", "-") + ".json"


# -- auth, headers, routing ----------------------------------------------------------------------------------------------


def test_api_keys_guard_v1_only(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline, api_keys=("k-one", "k-two")) as c:
        r = c.post("/v1/analyze", json={"text": TEXT})
        assert_error(r, 401, "Unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert_error(c.get("/v1/analyzers", headers={"Authorization": "Bearer wrong"}), 401)
        assert_error(c.get("/v1/schema", headers={"X-API-Key": "k-one-but-longer"}), 401)
        assert c.post("/v1/analyze", json={"text": TEXT}, headers={"Authorization": "Bearer k-two"}).status_code == 200
        assert c.get("/v1/schema", headers={"X-API-Key": "k-one"}).status_code == 200
        assert c.get("/healthz").status_code == 200 and c.get("/readyz").status_code == 200
        assert c.get("/").status_code == 200


def test_secure_headers_everywhere(client: TestClient) -> None:
    for r in (client.get("/"), client.get("/v1/schema"), client.post("/v1/analyze", json={}), client.get("/nope")):
        csp = r.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["referrer-policy"] == "no-referrer"
    assert client.post("/v1/analyze", json={"text": TEXT}).headers["cache-control"] == "no-store"


def test_unknown_routes_and_methods_use_the_error_shape(client: TestClient) -> None:
    assert_error(client.get("/v1/nothing-here"), 404, "NotFound")
    assert_error(client.get("/v1/analyze"), 405, "MethodNotAllowed")
    assert_error(client.get("/docs"), 404)  # Swagger UI would load a CDN; the OpenAPI JSON is served instead


# -- the other routes ----------------------------------------------------------------------------------------------------


def test_health_and_readiness(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    ready = client.get("/readyz").json()
    assert ready["status"] == "ready" and ready["layers"] == ["sentences", "techniques", "claims", "sources"]


def test_analyzers_and_schema(client: TestClient) -> None:
    rows = client.get("/v1/analyzers").json()
    assert [r["name"] for r in rows] == list(registry.available())
    assert {r["name"]: r["loaded"] for r in rows}["sentences"] is True
    assert client.get("/v1/schema").json() == Report.json_schema()


def test_openapi_documents_every_route_and_error(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/v1/analyze", "/v1/claims/score", "/v1/factchecks/search", "/v1/techniques/classify",
                 "/v1/analyzers", "/v1/schema", "/healthz", "/readyz"):  # fmt: skip
        assert path in paths, path
    assert not any(p in paths for p in ("/", "/analyze", "/report", "/passage"))  # the page is not API
    analyze = paths["/v1/analyze"]["post"]
    for status in ("400", "413", "415", "422", "504"):
        assert analyze["responses"][status]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorBody")
    assert analyze["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/Report")
    assert analyze["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("/AnalyzeRequest")


def test_claims_score(client: TestClient) -> None:
    r = client.post("/v1/claims/score", json={"text": TEXT})
    assert r.status_code == 200, r.text
    claims = r.json()["claims"]
    assert len(claims) == 3 and [c["score"] for c in claims] == sorted((c["score"] for c in claims), reverse=True)
    assert all(TEXT[c["start"] : c["end"]] == c["text"] for c in claims)
    sentences = ["Short one.", "A much longer sentence that makes a claim about the world and its numbers, 42 of them."]
    r = client.post("/v1/claims/score", json={"sentences": sentences})
    assert r.status_code == 200
    got = r.json()["claims"]
    assert [c["index"] for c in got] == [1, 0] and got[0]["text"] == sentences[1]
    assert_error(client.post("/v1/claims/score", json={}), 422, "ValidationError")
    assert_error(client.post("/v1/claims/score", json={"text": "a", "sentences": ["b"]}), 422)
    assert_error(client.post("/v1/claims/score", content=b"x", headers={"content-type": "text/plain"}), 415)


def test_claims_score_without_a_claims_analyzer_is_503(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline) as c:
        assert (
            "not available"
            in assert_error(c.post("/v1/claims/score", json={"text": TEXT}), 503, "NotAvailable")["message"]
        )


def test_factcheck_search_without_a_database_is_503(small_pipeline: Pipeline, tmp_path: Path) -> None:
    with make_client(small_pipeline, Settings(db=str(tmp_path / "none.sqlite3"))) as c:
        assert (
            "not available"
            in assert_error(c.get("/v1/factchecks/search", params={"q": "White Helmets"}), 503)["message"]
        )
        assert_error(c.get("/v1/factchecks/search"), 422, "ValidationError")
        assert_error(c.get("/v1/factchecks/search", params={"q": "x", "k": 0}), 422)
        assert_error(c.get("/v1/factchecks/search", params={"q": "   "}), 422, "UsageError")


class _Match:
    def __init__(self, claim: str, score: float) -> None:
        self.claim, self.score = claim, score

    def as_attrs(self) -> dict:
        return {"id": "x1", "score": self.score, "claim": self.claim, "rating": "false", "publisher": "Snopes",
                "url": "https://www.snopes.com/x", "title": "", "textual_rating": "False", "review_date": ""}  # fmt: skip


class _Store:
    def __init__(self) -> None:
        self.calls: list[tuple[str, int]] = []

    def search(self, text: str, top_k: int = 5) -> list[_Match]:
        self.calls.append((text, top_k))
        return [_Match(f"claim about {text}", 0.9), _Match("other", 0.2)][:top_k]

    def close(self) -> None:
        pass


def test_factcheck_search_uses_the_store(small_pipeline: Pipeline) -> None:
    with make_client(small_pipeline) as c:
        store = _Store()
        c.app.state.engine.services.factchecks = store
        r = c.get("/v1/factchecks/search", params={"q": "White Helmets", "k": 1})
        assert r.status_code == 200, r.text
        assert r.json()["results"][0]["claim"] == "claim about White Helmets" and len(r.json()["results"]) == 1
        assert store.calls == [("White Helmets", 1)]


def test_classify_route(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = []

    def fake(text: str, spans: list) -> list:
        calls.append((text, spans))
        return [[{"label": "Loaded_Language", "score": 0.7}] for _ in spans]

    monkeypatch.setattr(veracity, "classify_techniques", fake, raising=False)
    r = client.post("/v1/techniques/classify", json={"text": TEXT, "spans": [{"start": 0, "end": 10}]})
    assert r.status_code == 200, r.text
    assert r.json()["results"] == [
        {
            "start": 0,
            "end": 10,
            "text": TEXT[:10],
            "labels": [
                {
                    "label": "Loaded_Language",
                    "score": 0.7,
                    "definition": r.json()["results"][0]["labels"][0]["definition"],
                }
            ],
        }
    ]
    assert calls == [(TEXT, [(0, 10)])]
    client.post("/v1/techniques/classify", json={"text": "so-called experts"})
    assert calls[-1] == ("so-called experts", [(0, 17)])
    assert_error(client.post("/v1/techniques/classify", json={"text": TEXT, "spans": [{"start": 5, "end": 5000}]}), 422)
    assert_error(client.post("/v1/techniques/classify", json={"text": ""}), 422)
    monkeypatch.delattr(veracity, "classify_techniques", raising=False)
    assert_error(client.post("/v1/techniques/classify", json={"text": TEXT}), 503, "NotAvailable")


def test_a_failing_analyzer_leaves_its_error_in_the_report(small_pipeline: Pipeline) -> None:
    from veracity.analyzers.base import BaseAnalyzer

    class Broken(BaseAnalyzer):
        name = produces = "broken"

        def _analyze(self, doc):  # type: ignore[no-untyped-def]
            raise RuntimeError("boom")

    with make_client(Pipeline(["sentences", Broken()], on_error="record")) as c:
        r = c.post("/v1/analyze", json={"text": TEXT})
        assert r.status_code == 200
        assert set(r.json()["layers"]) == {"sentences"}
        assert r.json()["errors"] == [
            {"analyzer": "broken", "layer": "broken", "type": "RuntimeError", "message": "boom"}
        ]
        page = c.post(
            "/analyze", content="text=Some+text.", headers={"content-type": "application/x-www-form-urlencoded"}
        )
        assert page.status_code == 200 and "broken failed: RuntimeError: boom" in page.text


def test_the_default_pipeline_records_analyzer_failures_and_honours_only() -> None:
    with make_client(None, only=("sentences",)) as c:
        engine = c.app.state.engine
        assert engine.pipeline.on_error == "record" and engine.layers == ["sentences"]
        assert c.get("/readyz").json()["layers"] == ["sentences"]


def test_a_database_imported_after_start_up_is_picked_up(small_pipeline: Pipeline, tmp_path: Path) -> None:
    import json

    from veracity.cli import main

    db = tmp_path / "later.sqlite3"
    with make_client(small_pipeline, Settings(db=str(db))) as c:
        assert_error(c.get("/v1/factchecks/search", params={"q": "White Helmets"}), 503, "NotAvailable")
        src = tmp_path / "v.jsonl"
        src.write_text(json.dumps({"vclaim_id": "v1", "vclaim": "The White Helmets staged a chemical attack."}) + "\n")
        assert main(["factchecks", "import", str(src), "--format", "checkthat", "--db", str(db), "-q"]) == 0
        response = c.get("/v1/factchecks/search", params={"q": "White Helmets staged a chemical attack"})
        assert response.status_code == 200, response.text


@pytest.mark.slow
def test_records_imported_while_running_reach_search_and_analysis_without_a_restart(tmp_path: Path) -> None:
    """One store per process, current with the database: a second import shows in the next request of both routes."""
    import json

    from veracity.cli import main

    db = tmp_path / "live.sqlite3"
    first = tmp_path / "first.jsonl"
    first.write_text(json.dumps({"vclaim_id": "v1", "vclaim": "The council spent 40 million dollars on pipes."}) + "\n")
    assert main(["factchecks", "import", str(first), "--format", "checkthat", "--db", str(db), "-q"]) == 0
    claim = "The White Helmets staged the chemical attack in Douma in April 2018."
    with make_client(None, Settings(db=str(db)), only=("factchecks",)) as c:
        before = c.post("/v1/analyze", json={"text": claim}).json()
        assert before["layers"]["factchecks"]["spans"] == []
        later = tmp_path / "later.jsonl"
        later.write_text(
            json.dumps({"vclaim_id": "v2", "vclaim": "The White Helmets staged a chemical attack in Douma."}) + "\n"
        )
        assert main(["factchecks", "import", str(later), "--format", "checkthat", "--db", str(db), "-q"]) == 0
        found = c.get("/v1/factchecks/search", params={"q": claim}).json()["results"]
        assert found and found[0]["id"] == "v2"
        after = c.post("/v1/analyze", json={"text": claim}).json()
        layer = after["layers"]["factchecks"]
        assert [s["attrs"]["id"] for s in layer["spans"]] == ["v2"]
        claim_ids = {s["id"] for s in after["layers"]["claims"]["spans"]}
        assert all(r["tail_id"] in claim_ids for r in layer["relations"])
