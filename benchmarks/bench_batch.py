"""Batch throughput and peak memory: local engine with 1 and 2 workers, Ray on 2 CPUs, and 1,000 vs 5,000 articles.

The corpus is built from ../shared/data article texts (PTC, PolNeAR, BuzzFeed-Webis) into a temporary folder (never
into the repository); the 5,000-article corpus repeats the 1,000 under new ids, so only the corpus size changes.
Each configuration runs ``veracity batch`` in a subprocess while a sampler records the resident memory of the whole
process tree (main process, workers, Ray processes) and of the largest single worker every 0.2 s. Prints a table; writes benchmarks/results/batch.json.
Needs psutil (and Ray for the ``ray2`` row): ``pip install -e '.[bench]'``.

    python benchmarks/bench_batch.py                          # default (all registered) analyzers
    python benchmarks/bench_batch.py --only sentences,entities --configs local1,local2
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
CONFIGS = {  # name: (engine, workers, corpus size in multiples of --articles)
    "local1": ("local", 1, 1),
    "local2": ("local", 2, 1),
    "ray2": ("ray", 2, 1),
    "local2-5k": ("local", 2, 5),
}


def article_texts(data: Path) -> list[tuple[str, str]]:
    """(source id, text) for every PTC, PolNeAR and BuzzFeed-Webis article, in a fixed interleaved order."""
    groups: list[list[tuple[str, str]]] = []
    ptc = data / "ptc-semeval2020-task11"
    groups.append(
        [
            (f"ptc/{p.stem}", p.read_text(encoding="utf-8"))
            for d in ("train-articles", "dev-articles")
            for p in sorted((ptc / d).glob("*.txt"))
        ]
    )
    polnear = data / "polnear"
    groups.append(
        [
            (f"polnear/{p.stem}", p.read_text(encoding="utf-8"))
            for d in ("train", "dev")
            for p in sorted((polnear / d / "text").glob("*.txt"))
        ]
    )
    buzz: list[tuple[str, str]] = []
    for p in sorted((data / "buzzfeed-webis-fake-news-2016" / "articles").glob("*.xml")):
        text = (ET.parse(p).getroot().findtext("mainText") or "").strip()
        if text:
            buzz.append((f"buzzfeed/{p.stem}", text))
    groups.append(buzz)
    mixed: list[tuple[str, str]] = []
    for i in range(max(len(g) for g in groups)):
        mixed.extend(g[i] for g in groups if i < len(g) and g[i][1].strip())
    return mixed


def write_corpus(path: Path, articles: list[tuple[str, str]], n: int, base: int = 1000) -> None:
    """n articles as JSONL; beyond ``base`` the first ``base`` articles repeat under new ids."""
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            source, text = articles[i % base]
            fh.write(json.dumps({"id": f"{i:05d}:{source}", "text": text}, ensure_ascii=False) + "\n")


def is_worker(cmdline: str) -> bool:
    """Whether a process is an analysis worker: a local engine's spawned process or a Ray ``_ChunkActor``."""
    return "spawn_main" in cmdline or "_ChunkActor" in cmdline


class TreeMemory(threading.Thread):
    """Samples the summed RSS of a process and all its descendants; keeps the peak, the main process's, a worker's."""

    def __init__(self, pid: int, interval: float = 0.2) -> None:
        super().__init__(daemon=True)
        import psutil

        self.proc = psutil.Process(pid)
        self.interval = interval
        self.peak_tree = 0
        self.peak_main = 0
        self.peak_worker = 0  # the largest resident size any one worker reached
        self.workers: dict[int, bool] = {}
        self.cpu: dict[int, float] = {}  # last seen user+system seconds per process (Ray workers are not our children)
        self.running = True

    def run(self) -> None:
        import psutil

        while self.running:
            try:
                procs = [self.proc, *self.proc.children(recursive=True)]
            except psutil.Error:
                break
            total = 0
            for p in procs:
                try:
                    rss = p.memory_info().rss
                    times = p.cpu_times()
                    if not self.workers.get(p.pid):  # re-read: a Ray worker renames itself once it hosts an actor
                        self.workers[p.pid] = is_worker(" ".join([p.name(), *p.cmdline()]))
                except psutil.Error:
                    continue
                if self.workers[p.pid]:
                    self.peak_worker = max(self.peak_worker, rss)
                self.cpu[p.pid] = times.user + times.system
                total += rss
                if p.pid == self.proc.pid:
                    self.peak_main = max(self.peak_main, rss)
            self.peak_tree = max(self.peak_tree, total)
            time.sleep(self.interval)


def run_config(name: str, corpus: Path, out: Path, engine: str, workers: int, only: str | None) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "veracity.cli", "batch", str(corpus), "--out", str(out), "--engine", engine]
    cmd += ["--workers", str(workers), "--no-progress"]
    if only:
        cmd += ["--only", only]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    sampler = TreeMemory(proc.pid)
    sampler.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    sampler.running = False
    sampler.join()
    cpu = sum(sampler.cpu.values())  # sampled every 0.2 s: the last moments of each process are missed
    if proc.returncode != 0:
        raise SystemExit(f"{name} failed ({proc.returncode}): {err.strip()[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    docs = summary["documents"]
    startup = summary["startup_seconds"] or 0.0
    return {
        "config": name,
        "engine": engine,
        "workers": workers,
        "documents": docs,
        "errors": summary["errors"],
        "wall_s": round(wall, 2),
        "run_s": round(summary["seconds"], 2),
        "startup_s": round(startup, 2),
        "docs_per_s": round(docs / summary["seconds"], 2),
        # after the first results: excludes interpreter start, model loading and Ray start-up
        "steady_docs_per_s": round((docs - 16) / max(1e-9, summary["seconds"] - startup), 2),
        # CPU seconds of the whole process tree per document: equal for 1 and 2 workers means no parallel overhead,
        # so on an otherwise idle 2-core machine 2 workers approach 2x (wall-clock rates depend on machine load)
        "cpu_ms_per_doc": round(1000 * cpu / max(1, docs), 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
        "peak_rss_tree_mb": round(sampler.peak_tree / 2**20),
        "peak_rss_main_mb": round(sampler.peak_main / 2**20),
        "peak_rss_worker_mb": round(sampler.peak_worker / 2**20),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data", type=Path, default=DEFAULT_DATA, help="the shared data folder (default ../shared/data)"
    )
    parser.add_argument("--only", help="comma-separated layers (default: every registered analyzer)")
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"which runs, from {', '.join(CONFIGS)}")
    parser.add_argument("--articles", type=int, default=1000, help="base corpus size (default 1,000; local2-5k: 5x)")
    parser.add_argument("--json", type=Path, default=REPO / "benchmarks" / "results" / "batch.json")
    args = parser.parse_args()
    try:
        import psutil  # noqa: F401  (the memory and CPU sampler)
    except ImportError:
        raise SystemExit("bench_batch.py needs psutil: pip install -e '.[bench]'") from None
    if not args.data.is_dir():
        print(f"skipped: {args.data} is absent; the batch benchmark builds its corpus from ../shared/data")
        return 0
    articles = article_texts(args.data)
    base = args.articles
    if len(articles) < base:
        raise SystemExit(f"only {len(articles)} articles found under {args.data}; need {base:,}")
    names = [c.strip() for c in args.configs.split(",") if c.strip()]
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="veracity-bench-batch-") as tmp:
        root = Path(tmp)
        for name in names:
            engine, workers, times = CONFIGS[name]
            size = times * base
            corpus = root / f"corpus-{size}.jsonl"
            if not corpus.exists():
                write_corpus(corpus, articles, size, base)
            row = run_config(name, corpus, root / f"out-{name}", engine, workers, args.only)
            row["corpus"] = size
            rows.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
    chars = sum(len(t) for _, t in articles[:base])
    header = [
        "config",
        "corpus",
        "documents",
        "errors",
        "run_s",
        "startup_s",
        "docs_per_s",
        "steady_docs_per_s",
        "cpu_ms_per_doc",
        "load_avg_1m",
        "peak_rss_tree_mb",
        "peak_rss_main_mb",
        "peak_rss_worker_mb",
    ]
    print(f"veracity batch benchmark ({args.only or 'all analyzers'}; {base:,} articles = {chars:,} characters)")
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row[h]) for h in header))
    by = {r["config"]: r for r in rows}
    derived: dict[str, float] = {}
    if "local1" in by and "local2" in by:
        derived["speedup_2_vs_1_workers"] = round(by["local2"]["docs_per_s"] / by["local1"]["docs_per_s"], 2)
        # parallel overhead: CPU per document with 2 workers over 1 (1.0 = none; machine load does not change it)
        derived["cpu_per_doc_2_over_1_workers"] = round(
            by["local2"]["cpu_ms_per_doc"] / by["local1"]["cpu_ms_per_doc"], 2
        )
        derived["steady_speedup_2_vs_1_workers"] = round(
            by["local2"]["steady_docs_per_s"] / by["local1"]["steady_docs_per_s"], 2
        )
    if "local2" in by and "local2-5k" in by:
        derived["peak_tree_5x_over_1x"] = round(
            by["local2-5k"]["peak_rss_tree_mb"] / by["local2"]["peak_rss_tree_mb"], 2
        )
        derived["peak_main_5x_over_1x"] = round(
            by["local2-5k"]["peak_rss_main_mb"] / by["local2"]["peak_rss_main_mb"], 2
        )
    for key, value in derived.items():
        print(f"{key}: {value}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    record = {"only": args.only, "articles": base, "cpus": os.cpu_count(), "rows": rows, "derived": derived}
    args.json.write_text(json.dumps(record, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
