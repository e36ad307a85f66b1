"""Evidence speed: corpus index build (passages/s per core) and evidence for one claim (search + stance of the top 5).

    python benchmarks/bench_evidence.py [--fill 1000000] [--queries 100] [--data ../shared/data] [--json FILE]

Real passages: every Climate-FEVER evidence sentence (~7k), added through ``CorpusStore.add`` exactly as ``veracity
corpus add`` does (sentence split, SQLite, MiniLM int8 embedding, usearch, bm25s); the build rate is measured on them
and divided by the embedder's onnxruntime threads. Synthetic fill: ``--fill`` further passages whose *text* is drawn
from the real passages' vocabulary (for BM25 postings) and whose *vectors* are real passage vectors perturbed with
noise (for the HNSW neighbourhood structure), written straight into the store's tables and index, because embedding a
million texts on this CPU takes hours. Queries are the Climate-FEVER claims, embedded for real; each query's time
includes the claim's embedding, hybrid search and the stance model on the top 5 (their embedding included).

Measured on the shared 2-core machine: 105,264 passages p50 43.7 ms, p95 70.5 ms (load 3.3); 1,005,264 passages
p50 58.9 ms, p95 107.8 ms, process CPU p50 53.7 ms (load 2.4; the 1M fill took 366 s); build 65 passages/s per core at
load 3.3, 16 at load 10+.
"""

from __future__ import annotations

import argparse
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

from veracity.evaluation.evidence import climate_fever_corpus
from veracity.models.embedder import get_embedder
from veracity.models.stance import get_stance_model
from veracity.stores.corpus import CorpusDocument, CorpusStore, split_passages


def fill(store: CorpusStore, n: int, seed: int = 7) -> float:
    """Add ``n`` synthetic passages (text from the real vocabulary, vectors near real ones); returns seconds."""
    started = time.perf_counter()
    rng = random.Random(seed)
    nrng = np.random.default_rng(seed)
    real = store.conn.execute("SELECT rowid, text FROM passages").fetchall()
    vocab = [w for _, t in real for w in t.split()]
    dense = store._load_dense()
    base = np.asarray(dense.get(np.array([r for r, _ in real], dtype=np.uint64)), dtype=np.float32)
    chunk = 20000
    done = 0
    while done < n:
        m = min(chunk, n - done)
        store.conn.execute("BEGIN IMMEDIATE")
        first = store.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM passages").fetchone()[0] + 1
        doc_rows = []
        pass_rows = []
        for i in range(m):
            text = " ".join(rng.choices(vocab, k=rng.randint(12, 30))) + "."
            doc_rows.append((f"synthetic-{done + i}", "synthetic", "", "", "-", len(text), "-"))
            pass_rows.append((text,))
        cur = store.conn.execute("SELECT COALESCE(MAX(rowid), 0) FROM documents").fetchone()[0] + 1
        store.conn.executemany(
            "INSERT INTO documents(doc_id, title, url, date, content_hash, chars, added_at) VALUES (?,?,?,?,?,?,?)",
            doc_rows,
        )
        store.conn.executemany(
            "INSERT INTO passages(doc_rowid, ordinal, start, end, context_start, context_end, text, context, "
            "content_hash) VALUES (?, 0, 0, ?, 0, ?, ?, ?, '-')",
            [(cur + i, len(t), len(t), t, t) for i, (t,) in enumerate(pass_rows)],
        )
        keys = np.arange(first, first + m, dtype=np.uint64)
        vecs = base[nrng.integers(0, len(base), m)] + nrng.normal(0, 0.03, (m, base.shape[1])).astype(np.float32)
        vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
        dense.add(keys, vecs, threads=os.cpu_count() or 1)
        store.conn.executemany("INSERT INTO index_state VALUES (?)", [(int(k),) for k in keys])
        store._bump_generation()
        store.conn.execute("COMMIT")
        done += m
    store._save_dense(dense, [], store.meta_get("dense_model"))
    store._refresh_bm25()
    return time.perf_counter() - started


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[2] / "shared" / "data"))
    ap.add_argument("--fill", type=int, default=1_000_000, help="synthetic passages added after the real ones")
    ap.add_argument("--queries", type=int, default=100)
    ap.add_argument("--json", metavar="FILE")
    args = ap.parse_args()
    docs, claims, _ = climate_fever_corpus(Path(args.data) / "climate-fever" / "climate-fever.jsonl")
    threads = getattr(get_embedder(), "threads", 1)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp) / "bench.sqlite3")
        split_passages("Warm up. The sentencizer loads once.")  # one-off imports are not build cost
        get_embedder().embed(["warm up"])
        cpu0 = time.process_time()
        report = store.add(CorpusDocument(k, d["text"], d["title"]) for k, d in docs.items())
        cpu = time.process_time() - cpu0
        rate = report.passages_added / report.seconds
        rows.append(("real passages indexed", f"{report.passages_added:,}"))
        rows.append(("index build, passages/s (wall)", f"{rate:.0f}"))
        rows.append((f"index build, passages/s (wall) / {threads} onnx threads", f"{rate / threads:.0f}"))
        rows.append(
            ("index build, passages per CPU-second (all threads: per core)", f"{report.passages_added / cpu:.0f}")
        )
        rows.append(("load average at build end (1 min)", f"{os.getloadavg()[0]:.1f}"))
        if args.fill:
            secs = fill(store, args.fill)
            rows.append(("synthetic fill passages (not embedded)", f"{args.fill:,} in {secs:.0f}s"))
        total = store.stats()["passages"]
        model = get_stance_model()
        rng = random.Random(3)
        queries = rng.sample(claims, min(args.queries, len(claims)))
        store.search(queries[0])  # load indexes
        model.predict([(queries[0], queries[0])])
        times, cpu = [], []
        for q in queries:
            t0, c0 = time.perf_counter(), time.process_time()
            hits = store.search(q, top_k=5)
            model.predict([(q, h.context if len(h.context) <= 600 else h.text) for h in hits])
            times.append(1000 * (time.perf_counter() - t0))
            cpu.append(1000 * (time.process_time() - c0))
        times.sort()
        rows.append((f"evidence for one claim, {total:,} passages: p50 ms", f"{statistics.median(times):.1f}"))
        rows.append(("  p95 ms", f"{times[int(0.95 * (len(times) - 1))]:.1f}"))
        rows.append(("  process CPU ms p50", f"{statistics.median(cpu):.1f}"))
        rows.append(("load average (1 min)", f"{os.getloadavg()[0]:.1f}"))
        store.close()
    width = max(len(r[0]) for r in rows)
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    if args.json:
        Path(args.json).write_text(json.dumps(dict(rows), indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
