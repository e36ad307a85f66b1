"""What a request for some layers costs: CPU ms per article for ``--only claims`` against what it used to pull in.

Before the house split (issue 15), ``--only claims`` also ran the attribution rules, the sources analyzer and a
fact-check store search; now those are the ``claim_sourcing`` and ``factchecks`` layers, run only when asked for.
Each row builds the pipeline once (models loaded), then analyses the seed article ``--rounds`` times, each a fresh
document (a number appended, so the shared spaCy parse is never served from its cache), and reports CPU time per
article (``time.process_time``; wall time moves with machine load). With ``--db`` the fact-check rows search that
database; without one the ``factchecks`` layer only notes that there is none::

    python benchmarks/bench_layers.py [--rounds 5] [--db factchecks.sqlite3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from veracity.config import Settings
from veracity.doc import Document
from veracity.pipeline import Pipeline

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "examples" / "seed-article.txt"
FALLBACK = (
    "The minister said on Monday that the talks had stalled. According to two officials familiar with the matter, "
    "the deal could collapse. Reuters reported that the negotiators met again late at night. "
) * 20

#: the layer sets compared, by what a user asks for
ROWS = {
    "--only claims": ["claims"],
    "claims + sourcing + fact-checks (what --only claims ran before)": ["claim_sourcing", "factchecks"],
    "every layer": None,
}


def _time(pipelines: dict[str, Pipeline], text: str, rounds: int) -> dict[str, list[float]]:
    """CPU seconds per article for each pipeline, the pipelines taking turns so machine drift hits them alike."""
    for pipeline in pipelines.values():
        pipeline.run(Document(text + "\n\nwarm-up"))  # load models and warm caches outside the timing
    out: dict[str, list[float]] = {name: [] for name in pipelines}
    for i in range(rounds):
        for name, pipeline in pipelines.items():
            doc = Document(f"{text}\n\n{name} {i}")
            started = time.process_time()
            pipeline.run(doc)
            out[name].append(time.process_time() - started)
    return out


def main() -> None:
    """Print the table and write benchmarks/results/bench_layers.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--db", default="", help="a fact-check database for the factchecks layer (default: none)")
    args = parser.parse_args()
    text = SEED.read_text(encoding="utf-8") if SEED.is_file() else FALLBACK
    label = "seed article" if SEED.is_file() else "synthetic text"
    settings = Settings(db=args.db or str(REPO / "benchmarks" / "results" / "no-database.sqlite3"))
    pipelines = {name: Pipeline.from_settings(settings, only=only) for name, only in ROWS.items()}
    times = _time(pipelines, text, args.rounds)
    results = [
        {"request": name, "layers": p.layer_names, "cpu_ms_median": statistics.median(times[name]) * 1e3}
        for name, p in pipelines.items()
    ]
    base = results[0]["cpu_ms_median"]
    print(f"{label}: {len(text.split())} words, {args.rounds} rounds, CPU ms per article (median)")
    print(f"{'request':<66} {'layers':>6} {'CPU ms':>8} {'x claims':>9}")
    for r in results:
        print(f"{r['request']:<66} {len(r['layers']):>6} {r['cpu_ms_median']:>8.1f} {r['cpu_ms_median'] / base:>9.2f}")
    out = REPO / "benchmarks" / "results" / "bench_layers.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps({"text": label, "rounds": args.rounds, "machine": platform.machine(), "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
