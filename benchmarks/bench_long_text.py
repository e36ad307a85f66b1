"""Does analysis cost grow linearly with text length? Time per layer for one document of 10k to 1M characters.

The text is ordinary prose: BuzzFeed-Webis article bodies joined by blank lines when ``../shared/data`` is present,
else the seed article repeated, cut at a paragraph end near each size. Each size runs in a fresh subprocess (so one
size's caches and memory cannot help or hurt the next) through ``Pipeline.run`` with ``on_error="record"``; every
layer's own timing comes from its provenance. Prints a table with the slope between sizes (log time / log size: 1.0 is
linear, 2.0 quadratic), and the target check: time(1M) within 1.3 x of 10 x time(100k). Writes
benchmarks/results/bench_long_text.json.

    python benchmarks/bench_long_text.py                                  # every layer, 10k … 1M
    python benchmarks/bench_long_text.py --only sentences --sizes 10000,100000,1000000
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import resource
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared" / "data"
DEFAULT_SIZES = "10000,30000,100000,300000,1000000"


def prose(data: Path, size: int) -> tuple[str, str]:
    """(label, text) of about ``size`` characters of news prose, cut after a whole paragraph (or at ``size``)."""
    paragraphs: list[str] = []
    articles = sorted((data / "buzzfeed-webis-fake-news-2016" / "articles").glob("*.xml"))
    for path in articles:
        body = (ET.parse(path).getroot().findtext("mainText") or "").strip()
        if body:
            paragraphs.append(body)
    label = f"BuzzFeed-Webis articles ({len(paragraphs)})"
    if not paragraphs:
        seed = data.parent / "examples" / "seed-article.txt"
        paragraphs = [seed.read_text(encoding="utf-8").strip()]
        label = "seed article, repeated"
    parts: list[str] = []
    total = 0
    i = 0
    while total < size:
        part = paragraphs[i % len(paragraphs)]
        parts.append(part)
        total += len(part) + 2
        i += 1
    text = "\n\n".join(parts)[:size]
    cut = text.rfind("\n\n", size // 2)
    return label, (text[:cut] if cut > 0 else text)


def measure(size: int, data: Path, only: list[str] | None) -> dict[str, Any]:
    """Run the pipeline once on a text of ``size`` characters (in this process); seconds per layer and in all."""
    from veracity.config import Settings
    from veracity.pipeline import Pipeline

    label, text = prose(data, size)
    settings = Settings(max_chars=max(size * 2, 2_000_000))
    pipeline = Pipeline(only=only, services={"settings": settings}, on_error="record").load()
    pipeline.run("Warm-up: the minister said on Monday that the talks had stalled.")
    started, cpu = time.perf_counter(), time.process_time()
    report = pipeline.run(text).to_dict()
    total, cpu = time.perf_counter() - started, time.process_time() - cpu
    layers = {name: layer["provenance"].get("seconds") for name, layer in report["layers"].items()}
    return {
        "chars": len(text),
        "text": label,
        "seconds": round(total, 3),
        "cpu_seconds": round(cpu, 3),
        "layers": layers,
        "spans": {name: len(layer["spans"]) for name, layer in report["layers"].items()},
        "errors": [f"{e.get('layer') or e.get('analyzer')}: {e.get('type')}" for e in report["errors"]],
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def slope(a: dict[str, Any], b: dict[str, Any], key: str | None = None, *, cpu: bool = False) -> float | None:
    """log(time ratio) / log(size ratio) between two sizes (1.0 linear, 2.0 quadratic); a layer's, or the total."""
    total = "cpu_seconds" if cpu else "seconds"
    ta = a[total] if key is None else a["layers"].get(key)
    tb = b[total] if key is None else b["layers"].get(key)
    if not ta or not tb or ta <= 0 or tb <= 0:
        return None
    return math.log(tb / ta) / math.log(b["chars"] / a["chars"])


def main() -> None:
    """Run every size in a subprocess, print the table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--sizes", default=DEFAULT_SIZES, help="comma-separated character counts")
    parser.add_argument("--only", help="comma-separated layers (default: every registered analyzer)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per size")
    parser.add_argument("--threads", default="1", help="model threads (VERACITY_THREADS; 1 makes CPU time = wall)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # internal: measure one size, print JSON
    args = parser.parse_args()
    only = [s.strip() for s in args.only.split(",")] if args.only else None
    if args.one:
        print(json.dumps(measure(args.one, Path(args.data), only)))
        return
    rows: list[dict[str, Any]] = []
    for size in (int(s) for s in args.sizes.split(",")):
        cmd = [sys.executable, __file__, "--one", str(size), "--data", args.data]
        if args.only:
            cmd += ["--only", args.only]
        try:
            env = {**os.environ, "VERACITY_THREADS": args.threads, "OMP_NUM_THREADS": args.threads}
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=args.timeout, check=False, env=env)
        except subprocess.TimeoutExpired:
            print(f"{size:>9,} chars: did not finish in {args.timeout:.0f} s", flush=True)
            rows.append({"chars": size, "seconds": None, "timed_out": True, "layers": {}})
            break
        if done.returncode != 0:
            sys.exit(f"size {size} failed:\n{done.stderr[-2000:]}")
        row = json.loads(done.stdout.strip().splitlines()[-1])
        rows.append(row)
        print(
            f"{row['chars']:>9,} chars: {row['seconds']:8.2f} s wall, {row['cpu_seconds']:8.2f} s CPU, "
            f"peak RSS {row['peak_rss_mb']:,.0f} MB",
            flush=True,
        )
    measured = [r for r in rows if r.get("seconds")]
    layer_names = list(measured[0]["layers"]) if measured else []
    print(
        f"\nText: {measured[0]['text'] if measured else '-'}; {platform.processor() or platform.machine()}, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    head = f"{'chars':>9} " + "".join(f"{n[:12]:>13}" for n in layer_names)
    head += f"{'total s':>10}{'slope':>7}{'CPU s':>9}{'slope':>7}"
    print(head)
    for prev, row in zip([None, *measured], measured, strict=False):
        cells = "".join(
            f"{row['layers'][n]:>13.3f}" if row["layers"].get(n) is not None else f"{'-':>13}" for n in layer_names
        )
        s = slope(prev, row) if prev else None
        c = slope(prev, row, cpu=True) if prev else None
        print(
            f"{row['chars']:>9,} {cells}{row['seconds']:>10.2f}{(f'{s:.2f}' if s is not None else '-'):>7}"
            f"{row['cpu_seconds']:>9.2f}{(f'{c:.2f}' if c is not None else '-'):>7}"
        )
    if len(measured) >= 2:
        first, last = measured[0], measured[-1]
        print(
            "slope per layer, first to last size: "
            + ", ".join(f"{n} {s:.2f}" for n in layer_names if (s := slope(first, last, n)) is not None)
        )
    by_size = {r["chars"]: r for r in measured}
    near = {round(c, -4 if c < 200_000 else -5): r for c, r in by_size.items()}
    result: dict[str, Any] = {"rows": rows}
    if 100_000 in near and 1_000_000 in near:
        small, big = near[100_000], near[1_000_000]
        for key in ("seconds", "cpu_seconds"):
            ratio = big[key] / (small[key] * big["chars"] / small["chars"])
            result[f"ratio_1m_to_10x_100k_{key}"] = round(ratio, 3)
            verdict = "holds" if ratio <= 1.3 else "MISSED"
            print(
                f"target ({'wall' if key == 'seconds' else 'CPU'}): time(1M) / (10 x time(100k)), scaled to the exact "
                f"sizes = {ratio:.2f} (<= 1.30: {verdict})"
            )
    errors = sorted({e for r in measured for e in r.get("errors", [])})
    if errors:
        print("analyzer errors recorded: " + "; ".join(errors))
    out = REPO / "benchmarks" / "results" / "bench_long_text.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
