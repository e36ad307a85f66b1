"""Fact-check store speed: import records/s, index build, and search latency (p50/p95) at 100k and 1M records.

    python benchmarks/bench_factchecks.py [--sizes 100000,1000000] [--queries 200] [--json benchmarks/results/factchecks.json]

Records are generated (realistic ClaimReview fields: people, organisations, places, verbs, numbers, dates, ratings,
publishers) and written to a ClaimReview JSON array that is imported through the same streaming importer and upsert
as ``veracity factchecks import``. Embedding a million texts with MiniLM on a laptop CPU takes hours, so the index is
built with *synthetic vectors*: real MiniLM embeddings of a pool of generated claims, mixed and perturbed per record
(same dimension, norm and neighbourhood structure). Query vectors are real MiniLM embeddings, so search latency includes
the model. The embedding throughput is measured separately and reported, so the real index-build time can be derived.
The generated claims draw on ~150 distinct words, so each query word has 50k-250k BM25 postings at 1M records: BM25 is
costlier here than on real collections with their larger vocabularies (a pessimistic setting).

Indexing parses each claim once for its predicate (the same-claim check) and stores it, so a search parses only its
own text; ``parse_s`` is that cost. Measured on the 2-core development machine while other jobs ran (load 7-9;
``search_cpu_p50_ms`` is the process CPU time per search, close to what a quiet machine needs), synthetic vectors,
real MiniLM query vectors, real spaCy parses of every record: 100k records search p50 73.2 ms wall, 23.3 ms CPU, p95
117.7 ms (before predicates were stored: p50 199 ms wall, 88.5 ms CPU at load 12); import 4,083 records/s read and
stored, 440 s parsing 100k claims, 711 s import in all.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from veracity.stores import open_store
from veracity.stores.importers import read_records
from veracity.stores.records import FactCheckRecord

PEOPLE = [
    "Joe Biden",
    "Donald Trump",
    "Kamala Harris",
    "Bill Gates",
    "Greta Thunberg",
    "Elon Musk",
    "Angela Merkel",
    "Boris Johnson",
    "Emmanuel Macron",
    "Nancy Pelosi",
    "Anthony Fauci",
    "Hillary Clinton",
    "Barack Obama",
    "Vladimir Putin",
    "Narendra Modi",
    "Jair Bolsonaro",
    "Pope Francis",
    "Taylor Swift",
    "Oprah Winfrey",
    "Mark Zuckerberg",
]
ORGS = [
    "the WHO",
    "NASA",
    "the FDA",
    "the CDC",
    "the United Nations",
    "NATO",
    "the EU",
    "Pfizer",
    "Moderna",
    "Google",
    "Facebook",
    "the White Helmets",
    "the BBC",
    "CNN",
    "Fox News",
    "the IMF",
    "the Red Cross",
    "Greenpeace",
    "the NRA",
    "Amazon",
]
PLACES = [
    "Syria",
    "Ukraine",
    "Texas",
    "California",
    "London",
    "Paris",
    "Brazil",
    "India",
    "China",
    "Australia",
    "Florida",
    "Ohio",
    "Nigeria",
    "Germany",
    "Canada",
    "Mexico",
    "Israel",
    "Iran",
    "Venezuela",
    "Japan",
]
VERBS = [
    "banned",
    "funded",
    "secretly owns",
    "staged",
    "covered up",
    "approved",
    "cancelled",
    "announced",
    "leaked",
    "faked",
    "invented",
    "sold",
    "closed",
    "bought",
    "poisoned",
    "praised",
    "arrested",
    "sued",
    "endorsed",
    "doubled",
]
THINGS = [
    "chemical attacks",
    "5G towers",
    "vaccines",
    "the election results",
    "face masks",
    "bottled water",
    "electric cars",
    "wind turbines",
    "the moon landing",
    "school lunches",
    "bank accounts",
    "social security",
    "gas prices",
    "the border wall",
    "climate data",
    "voting machines",
    "a cure for cancer",
    "fluoride",
    "the stock market",
    "food stamps",
]
RATINGS = ["False", "Mostly False", "Mixture", "Mostly True", "True", "Pants on Fire!", "Misleading", "Unproven"]
PUBLISHERS = [
    ("Snopes", "snopes.com"),
    ("PolitiFact", "politifact.com"),
    ("Full Fact", "fullfact.org"),
    ("AFP Fact Check", "factcheck.afp.com"),
    ("Reuters", "reuters.com"),
    ("FactCheck.org", "factcheck.org"),
]


def make_claim(rng: random.Random) -> str:
    """One generated claim sentence."""
    subject = rng.choice(PEOPLE + ORGS)
    pattern = rng.randrange(4)
    if pattern == 0:
        return f"{subject} {rng.choice(VERBS)} {rng.choice(THINGS)} in {rng.choice(PLACES)}."
    if pattern == 1:
        return f"A video shows {subject} admitting that {rng.choice(ORGS)} {rng.choice(VERBS)} {rng.choice(THINGS)}."
    if pattern == 2:
        return f"{rng.randint(2, 900)} people died after {subject} {rng.choice(VERBS)} {rng.choice(THINGS)} in {rng.randint(1990, 2024)}."
    return f"{subject} said {rng.choice(ORGS)} {rng.choice(VERBS)} {rng.choice(THINGS)} to hide the truth about {rng.choice(THINGS)}."


def write_claimreviews(path: Path, n: int, seed: int = 7) -> None:
    """A ClaimReview JSON array of ``n`` generated records, written in a stream."""
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(n):
            name, site = rng.choice(PUBLISHERS)
            claim = make_claim(rng)
            obj = {
                "@context": "https://schema.org",
                "@type": "ClaimReview",
                "url": f"https://www.{site}/fact-check/{i}/",
                "claimReviewed": claim,
                "datePublished": f"20{rng.randint(10, 24)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                "author": {"@type": "Organization", "name": name, "url": f"https://www.{site}"},
                "itemReviewed": {"@type": "Claim", "author": {"@type": "Person", "name": rng.choice(PEOPLE)}},
                "reviewRating": {"@type": "Rating", "alternateName": rng.choice(RATINGS)},
                "name": "Fact check: " + claim.rstrip("."),
                "description": f"We looked into whether {claim[0].lower() + claim[1:]}",
                "inLanguage": "en",
            }
            fh.write(("," if i else "") + "\n" + json.dumps(obj))
        fh.write("\n]\n")


class SyntheticEmbedder:
    """Real MiniLM for small batches (queries); pool-mixed vectors for index building (see the module docstring)."""

    name = "bench-synthetic-minilm"
    dim = 384

    def __init__(self, pool_size: int = 2000) -> None:
        from veracity.models.embedder import get_embedder

        self.real = get_embedder()
        rng = random.Random(99)
        started = time.perf_counter()
        self.pool = self.real.embed([make_claim(rng) for _ in range(pool_size)])
        self.embed_rate = pool_size / (time.perf_counter() - started)

    def embed(self, texts: list[str]) -> np.ndarray:
        if len(texts) <= 16:
            return self.real.embed(texts)
        out = np.empty((len(texts), self.dim), np.float32)
        for i, text in enumerate(texts):
            h = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            a, b = h % len(self.pool), (h >> 20) % len(self.pool)
            noise = np.random.default_rng(h).standard_normal(self.dim).astype(np.float32) * 0.02
            v = self.pool[a] + 0.35 * self.pool[b] + noise
            out[i] = v / np.linalg.norm(v)
        return out


def bench(n: int, queries: int, embedder: SyntheticEmbedder, workdir: Path, reuse: bool = False) -> dict[str, float]:
    """Import, index and search ``n`` generated records (only search with ``reuse``); returns the measurements."""
    db = workdir / f"fc-{n}.sqlite3"
    import_s = index_s = parse_s = float("nan")
    rebuilt, parsed = False, 0
    if not (reuse and Path(f"{db}.usearch").is_file()):
        src = workdir / f"claimreviews-{n}.json"
        write_claimreviews(src, n)
        store = open_store(db, embedder=embedder)
        started = time.perf_counter()
        result = store.upsert(r for _pos, r in read_records(src) if isinstance(r, FactCheckRecord))
        import_s = time.perf_counter() - started
        assert result.added == n, result
        started = time.perf_counter()
        report = store.update_index()
        rebuilt = report.bm25_rebuilt
        index_s = time.perf_counter() - started
        parse_s, parsed = report.parse_seconds, report.parsed
        store.close()
    elif reuse:  # a database built by an older veracity gets its claim predicates parsed here, once
        store = open_store(db, embedder=embedder, create=False)
        report = store.update_index()
        parse_s, parsed = report.parse_seconds, report.parsed
        store.close()
    store = open_store(db, embedder=embedder, create=False)
    rng = random.Random(123)
    texts = [make_claim(rng) for _ in range(queries)]
    store.search(texts[0])  # load the indexes once
    latencies, cpu = [], []
    for text in texts:
        t0, c0 = time.perf_counter(), time.process_time()
        store.search(text, top_k=5)
        latencies.append((time.perf_counter() - t0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    store.close()
    latencies.sort()
    return {
        "records": n,
        "import_records_per_s": round(n / import_s) if import_s == import_s else "-",
        "index_build_s_synthetic_vectors": round(index_s, 1) if index_s == index_s else "-",
        "bm25_rebuilt": rebuilt,
        # claims parsed for their predicate while indexing (once per record; searches then parse only themselves)
        "predicates_parsed": parsed,
        "parse_s": round(parse_s, 1) if parse_s == parse_s else "-",
        "import_total_s": round(import_s + index_s, 1) if import_s + index_s == import_s + index_s else "-",
        "search_p50_ms": round(statistics.median(latencies), 2),
        "search_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 2),
        # CPU time of this process per search: what a quiet machine needs (wall time also counts waiting for a core)
        "search_cpu_p50_ms": round(statistics.median(cpu), 2),
        "db_mb": round(sum(p.stat().st_size for p in workdir.glob(f"fc-{n}.sqlite3*") if p.is_file()) / 1e6, 1),
    }


def bench_real(n: int, workdir: Path) -> dict[str, object]:
    """Import ``n`` generated records with the real MiniLM embedder on the batch path ``veracity factchecks import``
    uses, and extrapolate linearly to 1M records (embedding dominates and is linear in the records)."""
    src = workdir / f"claimreviews-real-{n}.json"
    write_claimreviews(src, n, seed=11)
    store = open_store(workdir / f"fc-real-{n}.sqlite3")
    started = time.perf_counter()
    cpu0 = time.process_time()
    store.upsert(r for _pos, r in read_records(src) if isinstance(r, FactCheckRecord))
    read_store_s = time.perf_counter() - started
    report = store.update_index()
    cpu_s = time.process_time() - cpu0
    store.close()
    per_record = (read_store_s + report.seconds) / n
    return {
        "records": n,
        "read_and_store_per_s": round(n / read_store_s),
        "embed_records_per_s": round(n / report.embed_seconds, 1),
        "index_total_s": round(report.seconds, 1),
        "bm25_s": round(report.bm25_seconds, 2),
        "process_cpu_s": round(cpu_s, 1),
        "extrapolated_1m_import_min": round(per_record * 1_000_000 / 60),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--json", default="benchmarks/results/factchecks.json")
    parser.add_argument("--workdir", default=None, help="keep the generated files here (default: a temporary folder)")
    parser.add_argument("--reuse", action="store_true", help="search databases already built in --workdir (no import)")
    parser.add_argument(
        "--real", type=int, default=0, metavar="N", help="only: import N records with real MiniLM vectors, extrapolate"
    )
    args = parser.parse_args()
    if args.real:
        with tempfile.TemporaryDirectory(prefix="veracity-bench-fc-") as tmp:
            row = bench_real(args.real, Path(args.workdir or tmp))
        print("| " + " | ".join(row) + " |\n|" + "---|" * len(row) + "\n| " + " | ".join(map(str, row.values())) + " |")
        print(f"machine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
        return 0
    embedder = SyntheticEmbedder()
    rows = []
    with tempfile.TemporaryDirectory(prefix="veracity-bench-fc-") as tmp:
        workdir = Path(args.workdir or tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        for n in (int(s) for s in args.sizes.split(",")):
            row = bench(n, args.queries, embedder, workdir, args.reuse)
            row["minilm_embed_texts_per_s"] = round(embedder.embed_rate)
            row["est_real_index_build_s"] = round(2 * n / embedder.embed_rate)
            rows.append(row)
            print(json.dumps(row), flush=True)
    cols = [
        "records",
        "import_records_per_s",
        "parse_s",
        "import_total_s",
        "search_p50_ms",
        "search_p95_ms",
        "search_cpu_p50_ms",
        "index_build_s_synthetic_vectors",
        "est_real_index_build_s",
        "db_mb",
    ]
    print("\n| " + " | ".join(cols) + " |\n|" + "---|" * len(cols))
    for row in rows:
        print("| " + " | ".join(str(row[c]) for c in cols) + " |")
    print(
        f"\nmachine: {os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f} (other work on the machine inflates times)"
    )
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(
            json.dumps({"rows": rows, "cpus": os.cpu_count()}, indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
