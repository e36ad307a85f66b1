"""Issue 23 item 12: bad arguments and unwritable outputs are usage errors, the service never echoes internals, and
onnxruntime's telemetry is off."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Document, Layer
from veracity.errors import SpanError

SECRET = "/srv/secret/path/model.onnx offset 123456"


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "veracity.cli", *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--out", "/proc/version"], "cannot write /proc/version"),
        (["--out", "/"], "it is a folder"),
        (["--max-chars", "-5"], "must be at least 1"),
        (["--out", "/nonexistent/folder/r.json"], "does not exist"),
    ],
    ids=["unwritable-out", "out-is-a-folder", "negative-cap", "missing-folder"],
)
def test_bad_arguments_and_outputs_are_one_line_usage_errors(tmp_path: Path, args: list[str], words: str) -> None:
    """Case 12a: exit 2 with one line naming the problem, never 'internal error' or a traceback."""
    article = tmp_path / "a.txt"
    article.write_text("The minister said on Monday that the talks had stalled.", encoding="utf-8")
    proc = _cli("analyze", str(article), "--only", "sentences", *args)
    assert proc.returncode == 2, proc.stderr
    assert words in proc.stderr and "internal error" not in proc.stderr and "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1


class Broken(BaseAnalyzer):
    """Fails the way a bug of ours would, with internals (a path, an offset) in its message."""

    name = produces = "broken"
    version = "0.0-test"
    description = "test analyzer that fails with internals in its message"

    def _analyze(self, doc: Document) -> Layer:
        raise SpanError(f"span out of range in {SECRET}")


class Crashing(Broken):
    name = produces = "crashing"

    def _analyze(self, doc: Document) -> Layer:
        raise RuntimeError(f"KeyError in {SECRET}")


@pytest.mark.parametrize("analyzer", [Broken, Crashing], ids=["veracity-fault", "plain-exception"])
def test_service_faults_never_echo_internals(analyzer: type[BaseAnalyzer]) -> None:
    """Case 12b: a fault of ours answers 500 with a generic line on the API and the page, and logs the details."""
    pytest.importorskip("fastapi", reason="the service needs the serve extra")
    from tests.service.conftest import make_client
    from veracity.pipeline import Pipeline

    with make_client(Pipeline([analyzer()])) as c:
        api = c.post("/v1/analyze", json={"text": "Some text to analyse."})
        page = c.post("/analyze", data={"text": "Some text to analyse."}, headers={"accept": "text/html"})
    assert api.status_code == 500 and api.json()["error"]["type"] == "InternalError"
    assert page.status_code == 500 and "InternalError" in page.text
    for body in (api.text, page.text):
        assert "/srv/secret" not in body and "123456" not in body


def test_onnxruntime_telemetry_is_turned_off_before_any_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Case 12c: every model session is built after telling onnxruntime to send no telemetry."""
    import onnxruntime as ort

    from veracity.models.loading import onnx_session

    calls: list[str] = []
    monkeypatch.setattr(ort, "disable_telemetry_events", lambda: calls.append("off"))
    real = ort.InferenceSession

    def session(*args, **kwargs):  # type: ignore[no-untyped-def]
        assert calls, "a session was built before telemetry was turned off"
        return real(*args, **kwargs)

    monkeypatch.setattr(ort, "InferenceSession", session)
    onnx_session("claims-minilm-l6-int8", "model.onnx", threads=1)
    assert calls == ["off"]


def test_service_lone_surrogate_is_a_422_not_a_500() -> None:
    """Case 4 (service): valid JSON holding a lone surrogate is the client's input error, answered 422."""
    pytest.importorskip("fastapi", reason="the service needs the serve extra")
    from tests.service.conftest import make_client
    from veracity.pipeline import Pipeline

    body = b'{"text": "Broken \\ud800 text here. It goes on."}'
    with make_client(Pipeline(["sentences"])) as c:
        r = c.post("/v1/analyze", content=body, headers={"content-type": "application/json"})
        form = {"accept": "text/html", "content-type": "application/x-www-form-urlencoded"}
        page = c.post("/analyze", content=b"text=Broken+%ED%A0%80+text", headers=form)
    assert r.status_code == 422, r.text
    assert "surrogate" in r.json()["error"]["message"] or "encod" in r.json()["error"]["message"]
    # a form's bytes that are not UTF-8 are decoded with replacement characters: analysed, never a 500
    assert page.status_code == 200 and "\ufffd" in page.text


def test_a_layer_failing_the_door_check_is_recorded_and_the_others_kept() -> None:
    """Case 5: under the record policy, a layer whose span lies outside the text is an error entry, not a lost
    report; layers that do not need it are still there."""
    from veracity.doc import Span
    from veracity.pipeline import Pipeline

    class OutOfRange(BaseAnalyzer):
        name = produces = "outside"
        version = "0.0-test"
        description = "test analyzer whose span ends past the text"

        def _analyze(self, doc: Document) -> Layer:
            return Layer("outside", (Span(0, len(doc.text) + 5, "x"),))

    report = Pipeline(["sentences", OutOfRange()], on_error="record").run("One sentence here. And another one.")
    assert "sentences" in report.layers and "outside" not in report.layers
    assert [e.layer for e in report.errors] == ["outside"]


def test_lxml_html_clean_is_a_declared_dependency() -> None:
    """Case 12d: trafilatura needs lxml's html cleaner, which lxml >= 5.2 moved out; we depend on it ourselves."""
    from importlib.metadata import requires

    import lxml_html_clean  # noqa: F401 (importable in this install)

    assert any(r.replace("-", "_").startswith("lxml_html_clean") for r in requires("veracity") or [])
