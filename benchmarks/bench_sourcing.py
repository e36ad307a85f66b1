"""Speed of the sourcing analyzers (attributions + sources) beyond the spaCy parse, in ms per 700-word article.

Texts: PolNeAR dev articles when ``../shared/data`` is present, else the seed article, else a synthetic news text.
Each document is parsed first (the cached parse every analyzer shares); then the ``attributions`` and ``sources``
layers, and ``claim_sourcing`` called on every sentence (an upper bound for the check-worthy claims), are timed over
several rounds, and the time is scaled to 700 words::

    python benchmarks/bench_sourcing.py [--data ../shared/data] [--limit 40] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

from veracity.analyzers._spacy import parse_many
from veracity.analyzers.attributions import AttributionAnalyzer
from veracity.analyzers.entities import EntityAnalyzer
from veracity.analyzers.sentences import SentenceAnalyzer
from veracity.analyzers.sources import SourceAnalyzer
from veracity.doc import Document
from veracity.sourcing.claims import claim_sourcing

REPO = Path(__file__).resolve().parents[1]
SYNTHETIC = (
    "The minister said on Monday that the talks had stalled. “We are not giving up,” she told reporters. "
    "According to two officials familiar with the matter, the deal could collapse. Reuters reported that the "
    "negotiators met again late at night. Experts say the economy will suffer. "
) * 12


def _texts(data: Path, limit: int) -> tuple[str, list[str]]:
    polnear = data / "polnear" / "dev" / "text"
    if polnear.is_dir():
        files = sorted(polnear.glob("*.txt"))[:limit]
        return f"PolNeAR dev ({len(files)} articles)", [f.open(encoding="utf-8", newline="").read() for f in files]
    seed = data.parent / "examples" / "seed-article.txt"
    if seed.is_file():
        return "seed article", [seed.read_text(encoding="utf-8")]
    return "synthetic text", [SYNTHETIC]


def main() -> None:
    """Print the table and write benchmarks/results/bench_sourcing.json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--limit", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    label, texts = _texts(Path(args.data), args.limit)
    words = sum(len(t.split()) for t in texts)
    analyzers = {"attributions": AttributionAnalyzer(), "sources": SourceAnalyzer()}
    for a in [*analyzers.values(), SentenceAnalyzer(), EntityAnalyzer()]:
        a.load()
    started = time.perf_counter()
    parse_many([Document(t) for t in texts])
    parse_s = time.perf_counter() - started
    timings: dict[str, list[float]] = {name: [] for name in [*analyzers, "claim sourcing (all sentences)"]}
    for _ in range(args.rounds):
        docs = [Document(t) for t in texts]  # same ids, so the cached parses are reused
        for doc in docs:
            doc.add_layer(SentenceAnalyzer().analyze(doc))
            doc.add_layer(EntityAnalyzer().analyze(doc))
        for name, analyzer in analyzers.items():
            t0 = time.perf_counter()
            for doc in docs:
                doc.add_layer(analyzer.analyze(doc))
            timings[name].append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for doc in docs:
            for sent in doc.layer("sentences").spans:
                claim_sourcing(doc, sent.start, sent.end)
        timings["claim sourcing (all sentences)"].append(time.perf_counter() - t0)
    per700 = {name: statistics.median(v) / words * 700 * 1000 for name, v in timings.items()}
    total = sum(per700.values())
    parse_ms = parse_s / words * 700 * 1000
    print(
        f"sourcing speed on {label}: {words} words, median of {args.rounds} rounds, {platform.processor() or platform.machine()}"
    )
    print(f"{'step':<28} {'ms / 700 words':>15}")
    print(f"{'spaCy parse (for reference)':<28} {parse_ms:15.1f}")
    for name, ms in per700.items():
        print(f"{name:<28} {ms:15.1f}")
    print(f"{'sourcing beyond the parse':<28} {total:15.1f}   (target ≤ 50)")
    out = REPO / "benchmarks" / "results"
    out.mkdir(parents=True, exist_ok=True)
    result = {
        "texts": label,
        "words": words,
        "parse_ms_per_700": parse_ms,
        "ms_per_700": per700,
        "total_ms_per_700": total,
    }
    (out / "bench_sourcing.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
