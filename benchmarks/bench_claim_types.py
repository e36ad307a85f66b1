"""Cost of ``claim_types`` per sentence on top of the spaCy parse the ``sentences`` layer already makes.

Texts: the CheckThat! 2024 dev + dev-test sentences when ../shared/data is present, else synthetic sentences. The
sentences are parsed once (timed separately, since the report pipeline parses anyway), then typed ``--repeat`` times.
Prints a table and writes benchmarks/results/claim_types.json.

    python benchmarks/bench_claim_types.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

from veracity.claim_types import claim_types
from veracity.models.loading import spacy_pipeline

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "checkthat-checkworthiness-en"


def texts() -> tuple[str, list[str]]:
    """(description, texts) for the benchmark."""
    from veracity.evaluation import claims as ev

    if DATA.is_dir():
        sets = ["ct24-dev", "ct24-dev-test"]
        return f"CheckThat! {', '.join(sets)}", [t for name in sets for t, _ in ev.load_eval_set(DATA, name)]
    base = [
        "The unemployment rate fell to 3.5 percent in September, the lowest level since 1969.",
        "Thank you all for coming tonight.",
        "Officials said the evacuation was expected to take place within days, according to two people familiar.",
    ]
    return "synthetic", base * 450


def main() -> int:
    """Parse once, type ``--repeat`` times; print sentences/s and CPU-seconds per 1,000 sentences."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    what, items = texts()
    nlp = spacy_pipeline()
    t0, c0 = time.perf_counter(), time.process_time()
    spans = [doc[:] for doc in nlp.pipe(items, batch_size=64)]
    parse_s, parse_cpu = time.perf_counter() - t0, time.process_time() - c0
    runs, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for span in spans:
            claim_types(span)
        runs.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    rate, cpu_rate = len(items) / min(runs), len(items) / min(cpu)
    rows = [
        ("texts", f"{len(items)} ({what})"),
        (
            "spaCy parse (s, wall / CPU)",
            f"{parse_s:.2f} / {parse_cpu:.2f}  ({len(items) / parse_cpu:.0f} per CPU-second)",
        ),
        ("claim_types, best of runs (s)", f"{min(runs):.3f}  (runs: {', '.join(f'{r:.3f}' for r in runs)})"),
        ("claim_types sentences/s (wall)", f"{rate:.0f}"),
        ("claim_types sentences per CPU-second", f"{cpu_rate:.0f}  (independent of other load)"),
        ("load average (1 min)", f"{os.getloadavg()[0]:.1f}"),
    ]
    width = max(len(k) for k, _ in rows)
    print("claim types: rules over an existing parse")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    results = REPO / "benchmarks" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "claim_types.json").write_text(
        json.dumps(
            {
                "texts": len(items),
                "source": what,
                "parse_cpu_s": round(parse_cpu, 3),
                "runs_s": [round(r, 4) for r in runs],
                "sentences_per_s": round(rate, 1),
                "sentences_per_cpu_s": round(cpu_rate, 1),
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
