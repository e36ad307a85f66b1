"""Bulk check-worthiness scoring speed (sentences/s) on this machine, the way ``veracity claims score`` runs it.

Texts: the CheckThat! 2024 dev + dev-test sentences and the CT22 tweet dev set when ../shared/data is present (real
lengths), else synthetic sentences. Prints a table and writes benchmarks/results/claims.json. Target: >= 500
sentences/s on the 2-core development machine.

    python benchmarks/bench_claims.py [--repeat 3] [--threads N]

Wall-clock rates depend on what else runs; "sentences per CPU-second" (process CPU time, all threads) does not, and
is what to compare when the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

from veracity.analyzers.claims import ClaimScorer

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "checkthat-checkworthiness-en"


def texts() -> tuple[str, list[str]]:
    """(description, texts) for the benchmark."""
    from veracity.evaluation import claims as ev

    if DATA.is_dir():
        sets = ["ct24-dev", "ct24-dev-test", "ct22-1a-tweets-dev"]
        out = [t for name in sets for t, _ in ev.load_eval_set(DATA, name)]
        return f"CheckThat! {', '.join(sets)}", out
    base = [
        "The unemployment rate fell to 3.5 percent in September, the lowest level since 1969.",
        "Thank you all for coming tonight.",
        "Officials said the evacuation was expected to take place within days, according to two people familiar with it.",
    ]
    return "synthetic", base * 450


def main() -> int:
    """Time cold start, then bulk scoring ``--repeat`` times; print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=None, help="onnxruntime intra-op threads (default: all cores)")
    args = parser.parse_args()
    what, items = texts()
    started = time.perf_counter()
    scorer = ClaimScorer(threads=args.threads)
    load_s = time.perf_counter() - started
    scorer.score_texts(items[:64])  # warm-up
    runs, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        scorer.score_texts(items)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    best = min(runs)
    rate = len(items) / best
    cpu_rate = len(items) / min(cpu)
    load = os.getloadavg()[0]
    mean_chars = sum(map(len, items)) / len(items)
    rows = [
        ("texts", f"{len(items)} ({what}; mean {mean_chars:.0f} chars)"),
        ("cores", str(os.cpu_count())),
        ("model load (s)", f"{load_s:.2f}"),
        ("bulk scoring, best of runs (s)", f"{best:.2f}  (runs: {', '.join(f'{r:.2f}' for r in runs)})"),
        ("sentences/s (wall)", f"{rate:.0f}  (target >= 500)"),
        ("sentences per CPU-second", f"{cpu_rate:.0f}  (independent of other load)"),
        ("load average (1 min)", f"{load:.1f}  (wall rates drop when this exceeds the core count)"),
    ]
    width = max(len(k) for k, _ in rows)
    print("claims: bulk check-worthiness scoring")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "claims.json").write_text(
        json.dumps(
            {
                "texts": len(items),
                "source": what,
                "cores": os.cpu_count(),
                "machine": platform.processor() or platform.machine(),
                "load_s": round(load_s, 3),
                "runs_s": [round(r, 3) for r in runs],
                "sentences_per_s": round(rate, 1),
                "sentences_per_cpu_s": round(cpu_rate, 1),
                "threads": args.threads,
                "load_avg_1m": round(load, 2),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
