"""The service on a real loopback socket: concurrent requests, the bounded pool, and ``veracity serve`` itself."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.conftest import free_port
from tests.service.browser import live_server
from tests.service.fakes import SlowAnalyzer
from veracity.config import ServiceSettings, Settings
from veracity.pipeline import Pipeline
from veracity.service.app import create_app


def post(base: str, path: str, payload: object, timeout: float = 120) -> tuple[int, dict]:
    """POST JSON, return (status, body) for success and error alike."""
    request = urllib.request.Request(
        base + path, json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def get(base: str, path: str, timeout: float = 30) -> tuple[int, dict]:
    """GET JSON."""
    try:
        with urllib.request.urlopen(base + path, timeout=timeout) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _stable(report: dict) -> dict:
    """The report without timings (the only part allowed to differ between runs)."""
    report = json.loads(json.dumps(report))
    for layer in report["layers"].values():
        if layer.get("provenance"):
            layer["provenance"].pop("seconds", None)
    return report


@pytest.mark.slow
def test_concurrent_requests_get_the_same_reports_as_sequential_runs(full_pipeline: Pipeline, seed_text: str) -> None:
    paragraphs = [p for p in seed_text.split("\n\n") if p.strip()]
    texts = ["\n\n".join(paragraphs[i : i + 3]) for i in range(0, min(len(paragraphs), 12), 2)]
    texts.append(seed_text)
    expected = [_stable(full_pipeline.run(t).to_dict()) for t in texts]
    app = create_app(Settings(), full_pipeline, ServiceSettings(threads=4))
    jobs = [i % len(texts) for i in range(3 * len(texts))]
    with live_server(app) as base, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda i: post(base, "/v1/analyze", {"text": texts[i]}), jobs))
    for i, (status, body) in zip(jobs, results, strict=True):
        assert status == 200, body
        assert _stable(body) == expected[i]


def test_pool_bounds_concurrency_and_a_full_queue_gets_503(seed_text: str) -> None:
    slow = SlowAnalyzer()
    slow.seconds = 1.0
    app = create_app(Settings(), Pipeline([slow]), ServiceSettings(threads=1, queue=1))
    with live_server(app) as base, ThreadPoolExecutor(5) as pool:
        futures = [pool.submit(post, base, "/v1/analyze", {"text": f"text {i}"}) for i in range(5)]
        # while analyses run, the event loop still answers
        time.sleep(0.3)
        status, _ = get(base, "/healthz")
        ready_status, ready = get(base, "/readyz")
        running_then = slow.running
        results = [f.result() for f in futures]
    assert status == 200 and running_then == 1  # answered while an analysis was running
    assert ready_status == 503 and ready["error"]["type"] == "Busy"  # saturated: a balancer sends work elsewhere
    statuses = sorted(s for s, _ in results)
    assert statuses.count(200) >= 2 and 503 in statuses, statuses
    assert {b["error"]["type"] for s, b in results if s == 503} == {"Busy"}
    assert slow.peak == 1  # one thread: never two analyses at once


def test_serve_rejects_bad_flags() -> None:
    for args in (["--port", "70000"], ["--workers", "0"]):
        proc = subprocess.run(
            [sys.executable, "-m", "veracity.cli", "serve", *args], capture_output=True, text=True, timeout=60
        )
        assert proc.returncode == 2 and proc.stderr.count("\n") == 1, proc.stderr
    env = {**os.environ, "VERACITY_SERVICE_THREADS": "lots"}
    proc = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "serve"], capture_output=True, text=True, timeout=60, env=env
    )
    assert proc.returncode == 2 and "VERACITY_SERVICE_THREADS" in proc.stderr


@pytest.mark.slow
def test_veracity_serve_runs_the_page_and_the_api() -> None:
    port = free_port()
    env = {**os.environ, "VERACITY_API_KEYS": "secret-key"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "veracity.cli", "serve", "--port", str(port), "--threads", "1", "--max-body", "5000"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 240
        while True:
            try:
                status, body = get(base, "/readyz", timeout=2)
                if status == 200:
                    break
            except OSError:
                pass
            assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
            assert time.monotonic() < deadline, "veracity serve did not become ready"
            time.sleep(0.5)
        assert "sentences" in body["layers"]
        status, body = post(base, "/v1/analyze", {"text": "Officials said the bridge will reopen in May."})
        assert status == 401 and body["error"]["type"] == "Unauthorized"
        request = urllib.request.Request(
            base + "/v1/analyze", json.dumps({"text": "Officials said the bridge will reopen in May.", "only": ["sentences"]}).encode(),
            headers={"Content-Type": "application/json", "Authorization": "Bearer secret-key"}, method="POST",
        )  # fmt: skip
        with urllib.request.urlopen(request, timeout=60) as response:
            assert json.loads(response.read())["layers"]["sentences"]["spans"][0]["text"].startswith("Officials")
        status, body = post(base, "/v1/analyze", {"text": "x" * 6000})
        assert status in (401, 413)  # the key check comes first
        with urllib.request.urlopen(base + "/", timeout=10) as response:
            assert "<form" in response.read().decode()
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
