"""Load run of ``veracity serve`` on loopback: latency and throughput of POST /v1/analyze, and memory over time.

Starts ``veracity serve`` in a subprocess (one worker, ``--threads`` analysis threads), waits for /readyz, then:

1. for each concurrency (default 1, 4, 16): ``--requests`` requests of a ~700-word article (the seed article
   extended with its own paragraphs), each made unique by a trailing reference sentence so no cache hides the work;
   p50 / p95 latency, throughput and errors;
2. ``--memory-requests`` (default 1,000) sequential requests while the server's resident memory (VmRSS of the
   process) is read after every request; reports RSS after the first 50 and at the end, and the change in percent.

Every phase is bounded by ``--max-seconds``; a phase cut short says how many requests it made. Prints a table and
writes benchmarks/results/service.json (git-ignored).

    python benchmarks/bench_service.py                                # defaults
    python benchmarks/bench_service.py --requests 40 --memory-requests 200 --only sentences,entities
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "examples" / "seed-article.txt"


def article(words: int = 700) -> str:
    """The seed article, extended with its own paragraphs to about ``words`` words (a synthetic text without it)."""
    if SEED.is_file():
        paragraphs = [p for p in SEED.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    else:
        paragraphs = [
            f"Officials in the capital said on Tuesday that the new bridge, which cost {i} million dollars, will reopen "
            "in May after repairs, according to a statement from the ministry of transport."
            for i in range(10)
        ]
    out: list[str] = []
    i = 0
    while sum(len(p.split()) for p in out) < words:
        out.append(paragraphs[i % len(paragraphs)])
        i += 1
    return "\n\n".join(out)


def rss_kib(pid: int) -> int:
    """Resident memory of a process in KiB (Linux /proc)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for pid {pid}")


class Client:
    """One keep-alive HTTP connection per thread."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def analyze(self, text: str) -> tuple[int, float]:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
        body = json.dumps({"text": text}).encode()
        started = time.perf_counter()
        for attempt in (1, 2):  # the server closes idle keep-alive connections; reconnect once
            try:
                conn.request("POST", "/v1/analyze", body, {"Content-Type": "application/json"})
                response = conn.getresponse()
                data = response.read()
                status = response.status
                break
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = self.local.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=300)
                if attempt == 2:
                    return 0, time.perf_counter() - started
                started = time.perf_counter()
        elapsed = time.perf_counter() - started
        if status == 200:
            json.loads(data)  # a whole report came back
        return status, elapsed


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))]


def load_phase(client: Client, base: str, concurrency: int, requests: int, max_seconds: float) -> dict[str, Any]:
    """``requests`` requests at a fixed concurrency, stopping early at ``max_seconds``."""
    deadline = time.monotonic() + max_seconds
    counter = iter(range(requests))
    lock = threading.Lock()
    results: list[tuple[int, float]] = []

    def worker() -> None:
        while time.monotonic() < deadline:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            results.append(client.analyze(f"{base}\n\nReference c{concurrency}-{n}."))

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(concurrency):
            pool.submit(worker)
    wall = time.perf_counter() - started
    ok = [t for s, t in results if s == 200]
    return {
        "concurrency": concurrency,
        "requests": len(results),
        "errors": sum(1 for s, _ in results if s != 200),
        "statuses": {str(k): v for k, v in Counter(s for s, _ in results).items()},
        "p50_ms": round(1000 * statistics.median(ok), 1) if ok else None,
        "p95_ms": round(1000 * percentile(ok, 95), 1) if ok else None,
        "throughput_rps": round(len(ok) / wall, 2) if wall else None,
        "seconds": round(wall, 1),
        "cut_short": len(results) < requests,
    }


def memory_phase(client: Client, base: str, pid: int, requests: int, max_seconds: float) -> dict[str, Any]:
    """Sequential requests, reading the server's RSS after each; compares the end with after-50."""
    deadline = time.monotonic() + max_seconds
    samples: list[tuple[int, int]] = []
    errors = 0
    done = 0
    statuses: Counter[int] = Counter()
    for n in range(requests):
        if time.monotonic() > deadline:
            break
        status, _ = client.analyze(f"{base}\n\nReference m-{n}.")
        errors += status != 200
        statuses[status] += 1
        done += 1
        samples.append((done, rss_kib(pid)))
    after_50 = next((kib for i, kib in samples if i == 50), None)
    end = samples[-1][1] if samples else None
    peak = max((kib for _, kib in samples), default=None)
    return {
        "requests": done,
        "errors": errors,
        "statuses": {str(k): v for k, v in statuses.items()},
        "rss_after_50_mib": round(after_50 / 1024, 1) if after_50 else None,
        "rss_end_mib": round(end / 1024, 1) if end else None,
        "rss_peak_mib": round(peak / 1024, 1) if peak else None,
        "change_pct": round(100 * (end - after_50) / after_50, 2) if after_50 and end else None,
        "within_10pct": abs(end - after_50) / after_50 <= 0.10 if after_50 and end else None,
        "rss_every_100_mib": [round(kib / 1024, 1) for i, kib in samples if i % 100 == 0],
        "cut_short": done < requests,
    }


def main() -> int:
    """Run the phases against a fresh server; print the table; write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", default="1,4,16", help="comma-separated levels (default 1,4,16)")
    parser.add_argument("--requests", type=int, default=64, help="requests per concurrency level (default 64)")
    parser.add_argument(
        "--memory-requests", type=int, default=1000, help="sequential requests for memory (default 1000)"
    )
    parser.add_argument("--max-seconds", type=float, default=900, help="cap on each phase (default 900)")
    parser.add_argument("--threads", type=int, default=2, help="analysis threads in the server (default 2)")
    parser.add_argument("--words", type=int, default=700, help="article length in words (default 700)")
    parser.add_argument("--only", help="layers the server produces (default: every registered analyzer)")
    parser.add_argument("--out", default=str(REPO / "benchmarks" / "results" / "service.json"))
    args = parser.parse_args()

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "veracity.cli", "serve", "--port", str(port), "--threads", str(args.threads),
           "--time-budget", "600", "--log-level", "warning", *(["--only", args.only] if args.only else [])]  # fmt: skip
    env = {k: v for k, v in os.environ.items() if k != "VERACITY_API_KEYS"}
    server = subprocess.Popen(cmd, env=env)
    try:
        started = time.monotonic()
        while True:
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                conn.request("GET", "/readyz")
                response = conn.getresponse()
                ready = json.loads(response.read())
                if response.status == 200:
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() - started > 300:
                print("bench_service: the server did not start", file=sys.stderr)
                return 1
            time.sleep(0.5)
        startup = time.monotonic() - started
        text = article(args.words)
        client = Client(port)
        client.analyze(text + "\n\nWarm-up.")  # first-request costs (lazy imports) are not part of the numbers
        rss_start = rss_kib(server.pid)
        phases = [
            load_phase(client, text, int(c), args.requests, args.max_seconds) for c in args.concurrency.split(",")
        ]
        memory = memory_phase(client, text, server.pid, args.memory_requests, args.max_seconds)
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()

    result = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "server": {
            "threads": args.threads,
            "workers": 1,
            "layers": ready.get("layers"),
            "startup_s": round(startup, 1),
            "rss_after_warmup_mib": round(rss_start / 1024, 1),
        },
        "article_words": len(text.split()),
        "load": phases,
        "memory": memory,
    }
    print(
        f"veracity serve on loopback: {result['article_words']}-word article, layers {', '.join(ready.get('layers') or [])}"
    )
    print(f"server: 1 worker, {args.threads} threads, ready in {startup:.1f} s, {os.cpu_count()} CPUs")
    print(f"{'concurrency':>11} {'requests':>8} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7}")
    for p in phases:
        note = "  (cut short)" if p["cut_short"] else ""
        print(
            f"{p['concurrency']:>11} {p['requests']:>8} {p['errors']:>6} {p['p50_ms']!s:>8} {p['p95_ms']!s:>8} {p['throughput_rps']!s:>7}{note}"
        )
    m = memory
    print(
        f"memory over {m['requests']} sequential requests ({m['errors']} errors): RSS after 50 = {m['rss_after_50_mib']} MiB, "
        f"at the end = {m['rss_end_mib']} MiB ({m['change_pct']:+}%), peak {m['rss_peak_mib']} MiB; "
        f"within 10%: {m['within_10pct']}{'  (cut short)' if m['cut_short'] else ''}"
    )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
