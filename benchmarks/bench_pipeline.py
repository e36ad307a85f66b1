"""Where the CPU goes per article: every layer, the spaCy components, and two model anchors, side by side in one run.

Usage::

    python benchmarks/bench_pipeline.py [--articles 40] [--rounds 2] [--seed-rounds 7] [--json PATH]

Everything runs in this one process on one thread (``VERACITY_THREADS=1``) and is measured in CPU time
(``time.process_time``), because wall time moves with the load of a shared machine; the ratios are what to compare.

* **Real articles** (the first ``--articles`` BuzzFeed-Webis and FA-KES articles under ../shared/data, interleaved):
  the whole pipeline (every registered analyzer, no fact-check database) in batch mode (``run_batch``, 16 documents at
  a time, as ``veracity batch`` runs them), with the CPU time of each layer (its ``analyze_batch`` call) per 1,000
  words. The spaCy parse is charged to the layers that pay for it: ``sentences`` runs the pipeline up to the parser,
  ``entities`` the rest (attribute rules, lemmas, NER). Then smaller requests over the same articles (``--only
  sentences``, ``--only claims``), and the parse split by spaCy component.
* **The seed article** (../shared/examples/seed-article.txt), warm, one document at a time (``Pipeline.run``).
* **Anchors** over the same word pieces of each text: the floor is one pass of the shipped int8 MiniLM-L6 encoder
  over non-overlapping 256-token windows; the anchor is a bert-base-cased token classifier (Prta's architecture;
  random weights, int8 like ours, same windows), built with torch/transformers when they are installed
  (``pip install -e '.[bench,train]'``; torch is never a runtime dependency), else that row is skipped with a note.

Prints tables of ratios; writes JSON (default benchmarks/results/pipeline.json, git-ignored) so commits can be compared.
Targets (issue 22): batch CPU per article <= 2x the MiniLM floor; the seed >= 3x faster than the bert-base anchor.
"""

from __future__ import annotations

import os

os.environ.setdefault("VERACITY_THREADS", "1")  # before veracity reads its settings: one onnxruntime thread

import argparse
import csv
import json
import platform
import statistics
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
SEED = REPO.parent / "shared" / "examples" / "seed-article.txt"
RESULTS = REPO / "benchmarks" / "results" / "pipeline.json"
BATCH = 16  # documents per run_batch call: veracity batch's default --chunk-size
WINDOW = 254  # word pieces per encoder window ([CLS] and [SEP] make 256)


def real_articles(data: Path, n: int) -> list[tuple[str, str]]:
    """(source id, text) of up to ``n`` BuzzFeed-Webis and FA-KES articles with at least 100 words, interleaved."""
    buzz: list[tuple[str, str]] = []
    for p in sorted((data / "buzzfeed-webis-fake-news-2016" / "articles").glob("*.xml")):
        text = (ET.parse(p).getroot().findtext("mainText") or "").strip()
        if len(text.split()) >= 100:
            buzz.append((f"buzzfeed/{p.stem}", text))
    fakes: list[tuple[str, str]] = []
    path = data / "fa-kes" / "FA-KES-Dataset.csv"
    if path.is_file():
        with path.open(encoding="utf-8", errors="replace", newline="") as fh:
            for row in csv.DictReader(fh):
                text = (row.get("article_content") or "").strip()
                if len(text.split()) >= 100:
                    fakes.append((f"fa-kes/{row.get('unit_id')}", text))
    mixed = [a for pair in zip(buzz, fakes, strict=False) for a in pair]
    longer = buzz if len(buzz) > len(fakes) else fakes
    mixed += longer[len(mixed) // 2 :]
    return mixed[:n]


def words(text: str) -> int:
    """Whitespace-separated words (what "per 1,000 words" counts)."""
    return len(text.split())


class LayerClock:
    """Charges the CPU time of each analyzer's outermost ``analyze``/``analyze_batch`` call to its layer."""

    def __init__(self, pipeline: Any) -> None:
        self.cpu: dict[str, float] = {name: 0.0 for name in pipeline.layer_names}
        for analyzer in pipeline.analyzers:
            depth = [0]
            for method in ("analyze", "analyze_batch"):
                if hasattr(analyzer, method):
                    setattr(analyzer, method, self._timed(analyzer.produces, getattr(analyzer, method), depth))

    def _timed(self, layer: str, fn: Callable[..., Any], depth: list[int]) -> Callable[..., Any]:
        def call(*args: Any, **kwargs: Any) -> Any:
            depth[0] += 1
            started = time.process_time()
            try:
                return fn(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:  # analyze_batch may call analyze: count the outer call only
                    self.cpu[layer] += time.process_time() - started

        return call


def spacy_components(texts: list[str], rounds: int) -> dict[str, float]:
    """CPU seconds per word of each spaCy component (and the tokenizer) over the texts, batched like the pipeline."""
    from veracity.models.loading import spacy_pipeline

    nlp = spacy_pipeline()
    spent: dict[str, float] = {"tokenizer": 0.0, **{name: 0.0 for name in nlp.pipe_names}}
    for _ in range(rounds):
        started = time.process_time()
        docs = [nlp.make_doc(t) for t in texts]
        spent["tokenizer"] += time.process_time() - started
        for name, component in nlp.pipeline:
            started = time.process_time()
            if hasattr(component, "pipe"):
                docs = list(component.pipe(docs, batch_size=BATCH))
            else:
                docs = [component(d) for d in docs]
            spent[name] += time.process_time() - started
    total = rounds * sum(words(t) for t in texts)
    return {name: seconds / total for name, seconds in spent.items()}


class Encoders:
    """The MiniLM floor and (when torch is installed) the bert-base anchor, over the same word-piece windows."""

    def __init__(self, workdir: Path) -> None:
        from veracity.analyzers import _techniques_decode as dec
        from veracity.analyzers.techniques import TechniqueModel
        from veracity.models.loading import onnx_session

        self.dec = dec
        self.tokenizer = TechniqueModel(threads=1)  # the MiniLM word pieces every model of ours reads
        self.minilm = onnx_session("minilm-l6-v2-int8", "model.onnx", threads=1)
        self.minilm_inputs = {i.name for i in self.minilm.get_inputs()}
        self.bert, self.bert_note = None, ""
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from bench_techniques import bert_base_reference

        try:
            self.bert = bert_base_reference(1, workdir)
        except Exception as exc:  # export trouble must not hide the rest of the benchmark
            self.bert_note = f"bert-base anchor failed to build: {type(exc).__name__}: {exc}"
        if self.bert is None and not self.bert_note:
            self.bert_note = (
                "bert-base anchor skipped: torch and transformers are not installed; "
                "enable it with: pip install -e '.[bench,train]' (torch==2.13.0 first)"
            )

    def windows(self, text: str) -> tuple[Any, Any]:
        """Non-overlapping windows of the text's word pieces, as model inputs."""
        ids, _ = self.tokenizer.encode(text)
        starts = self.dec.window_starts(len(ids), WINDOW, WINDOW) if len(ids) else []
        if not starts:
            ids, starts = ids[:0], [0]
        return self.dec.window_batch(ids, starts, WINDOW)

    def floor(self, text: str) -> None:
        """One int8 MiniLM-L6 pass over the text's word pieces."""
        import numpy as np

        input_ids, mask = self.windows(text)
        feeds = {"input_ids": input_ids, "attention_mask": mask, "token_type_ids": np.zeros_like(input_ids)}
        self.minilm.run(None, {k: v for k, v in feeds.items() if k in self.minilm_inputs})

    def anchor(self, text: str) -> None:
        """One int8 bert-base-cased token-classifier pass over the same windows (ids folded into its vocabulary)."""
        input_ids, mask = self.windows(text)
        assert self.bert is not None
        self.bert.run(None, {"input_ids": input_ids % 28996, "attention_mask": mask})


def cpu_per_call(fn: Callable[[], Any], rounds: int) -> list[float]:
    """CPU seconds of each of ``rounds`` calls, after one warm-up call."""
    fn()
    out = []
    for _ in range(rounds):
        started = time.process_time()
        fn()
        out.append(time.process_time() - started)
    return out


#: smaller requests timed on the same articles (``--only``): what a caller who wants fewer layers pays
ONLY = (["sentences"], ["claims"])


def layer_request(pipeline: Any, texts: list[str]) -> float:
    """CPU seconds for one pass of ``pipeline`` over the texts in batches (fresh documents), after a warm-up batch."""
    from veracity.doc import Document

    pipeline.load().run_batch([Document(t, id=f"warm:{i}") for i, t in enumerate(texts[:BATCH])])
    started = time.process_time()
    for i in range(0, len(texts), BATCH):
        pipeline.run_batch([Document(t, id=f"only:{i + j}") for j, t in enumerate(texts[i : i + BATCH])])
    return time.process_time() - started


def cpu_over(fn: Callable[[str], Any], texts: list[str]) -> float:
    """Mean CPU seconds of ``fn`` per text, after one warm-up call."""
    fn(texts[0])
    started = time.process_time()
    for text in texts:
        fn(text)
    return (time.process_time() - started) / len(texts)


def main() -> int:
    """Run the benchmark, print the tables, write the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA, help="the shared data folder (default ../shared/data)")
    parser.add_argument("--articles", type=int, default=40, help="real articles to run (default 40)")
    parser.add_argument("--rounds", type=int, default=2, help="passes over the real articles (default 2)")
    parser.add_argument("--seed-rounds", type=int, default=7, help="timed runs on the seed article (default 7)")
    parser.add_argument("--json", type=Path, default=RESULTS, help=f"where to write results (default {RESULTS})")
    args = parser.parse_args()

    from veracity.config import Settings
    from veracity.doc import Document
    from veracity.pipeline import Pipeline

    articles = real_articles(args.data, args.articles) if args.data.is_dir() else []
    if not articles:
        print(
            f"skipped: no BuzzFeed-Webis or FA-KES articles under {args.data}; the per-layer table needs real "
            "articles (../shared/data, see its DATASETS.md)"
        )
    settings = Settings(db=str(REPO / "benchmarks" / "results" / "no-database.sqlite3"))
    pipeline = Pipeline.from_settings(settings).load()
    clock = LayerClock(pipeline)
    result: dict[str, Any] = {
        "machine": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "load_average_1min": round(os.getloadavg()[0], 2),
        "threads": os.environ["VERACITY_THREADS"],
        "layers": pipeline.layer_names,
    }

    with tempfile.TemporaryDirectory(prefix="veracity-bench-pipeline-") as tmp:
        enc = Encoders(Path(tmp))
        if articles:
            texts = [t for _, t in articles]
            n_words = sum(words(t) for t in texts)
            pipeline.run_batch(
                [Document(t, id=f"warm:{i}") for i, t in enumerate(texts[:BATCH])]
            )  # first calls allocate
            clock.cpu = dict.fromkeys(clock.cpu, 0.0)
            started = time.process_time()
            for r in range(args.rounds):
                for i in range(0, len(texts), BATCH):
                    # fresh documents under fresh ids: parsed anew (older versions kept parses in a cache by id)
                    pipeline.run_batch([Document(t, id=f"{r}:{i + j}") for j, t in enumerate(texts[i : i + BATCH])])
            total = time.process_time() - started
            per_article = total / (args.rounds * len(texts))
            floor = cpu_over(enc.floor, texts)
            anchor = cpu_over(enc.anchor, texts) if enc.bert is not None else None
            per_kw = {k: 1e6 * v / (args.rounds * n_words) for k, v in clock.cpu.items()}
            comps = spacy_components(texts, 1)
            requested = {
                ",".join(only): 1e6 * layer_request(Pipeline.from_settings(settings, only=only), texts) / n_words
                for only in ONLY
            }
            result["articles"] = {
                "sources": sorted({s.split("/")[0] for s, _ in articles}),
                "count": len(texts),
                "mean_words": round(n_words / len(texts)),
                "rounds": args.rounds,
                "batch": BATCH,
                "cpu_ms_per_article": round(1e3 * per_article, 1),
                "cpu_ms_per_1k_words": round(1e6 * total / (args.rounds * n_words), 1),
                "minilm_floor_ms_per_article": round(1e3 * floor, 1),
                "bert_base_anchor_ms_per_article": None if anchor is None else round(1e3 * anchor, 1),
                "pipeline_over_floor": round(per_article / floor, 2),
                "anchor_over_pipeline": None if anchor is None else round(anchor / per_article, 2),
                "layer_cpu_ms_per_1k_words": {k: round(v, 1) for k, v in per_kw.items()},
                "spacy_cpu_ms_per_1k_words": {k: round(1e6 * v, 1) for k, v in comps.items()},
                "only_cpu_ms_per_1k_words": {k: round(v, 1) for k, v in requested.items()},
            }

        seed_text = SEED.read_text(encoding="utf-8") if SEED.is_file() else None
        if seed_text is None:
            print(f"seed rows skipped: {SEED} is absent")
        else:
            ids = iter(range(args.seed_rounds + 1))
            seed = cpu_per_call(lambda: pipeline.run(Document(seed_text, id=f"seed:{next(ids)}")), args.seed_rounds)
            seed_floor = cpu_per_call(lambda: enc.floor(seed_text), args.seed_rounds)
            seed_anchor = cpu_per_call(lambda: enc.anchor(seed_text), args.seed_rounds) if enc.bert else None
            med = statistics.median
            result["seed"] = {
                "words": words(seed_text),
                "rounds": args.seed_rounds,
                "pipeline_cpu_ms": round(1e3 * med(seed), 1),
                "minilm_floor_cpu_ms": round(1e3 * med(seed_floor), 1),
                "bert_base_anchor_cpu_ms": None if seed_anchor is None else round(1e3 * med(seed_anchor), 1),
                "pipeline_over_floor": round(med(seed) / med(seed_floor), 2),
                "anchor_over_pipeline": None if seed_anchor is None else round(med(seed_anchor) / med(seed), 2),
            }
        if enc.bert_note:
            result["bert_base_anchor_note"] = enc.bert_note
    report(result)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten: {args.json}")
    return 0


def report(result: dict[str, Any]) -> None:
    """Print the tables (CPU milliseconds and ratios)."""
    print(f"one thread, CPU time; load average {result['load_average_1min']} on {result['cpus']} CPUs")
    if note := result.get("bert_base_anchor_note"):
        print(note)
    rows = []
    if a := result.get("articles"):
        rows.append(("real articles, batches of 16 (per article)", a))
    if s := result.get("seed"):
        rows.append(("seed article, warm, one at a time", s))
    if rows:
        print(
            f"\n{'run':44} {'words':>6} {'pipeline ms':>12} {'MiniLM floor':>13} {'bert-base':>10} {'/floor':>7} {'anchor/':>8}"
        )
        for name, r in rows:
            pipe = r.get("cpu_ms_per_article", r.get("pipeline_cpu_ms"))
            floor = r.get("minilm_floor_ms_per_article", r.get("minilm_floor_cpu_ms"))
            anchor = r.get("bert_base_anchor_ms_per_article", r.get("bert_base_anchor_cpu_ms"))
            ratio = r["anchor_over_pipeline"]
            print(
                f"{name:44} {r.get('mean_words', r.get('words')):>6} {pipe:>12.1f} {floor:>13.1f} "
                f"{'-' if anchor is None else f'{anchor:.1f}':>10} {r['pipeline_over_floor']:>6.2f}x "
                f"{'-' if ratio is None else f'{ratio:.2f}x':>8}"
            )
        print("(/floor: pipeline over one MiniLM pass, target <= 2x; anchor/: bert-base over pipeline, target >= 3x)")
    if a := result.get("articles"):
        layers = a["layer_cpu_ms_per_1k_words"]
        total = sum(layers.values())
        print(f"\nper layer, {a['count']} articles ({', '.join(a['sources'])}), mean {a['mean_words']} words")
        print(f"{'layer':16} {'CPU ms / 1k words':>18} {'share':>7}")
        for name, ms in sorted(layers.items(), key=lambda kv: -kv[1]):
            print(f"{name:16} {ms:>18.1f} {ms / total:>7.1%}")
        print(f"{'all layers':16} {total:>18.1f}   (whole run_batch: {a['cpu_ms_per_1k_words']:.1f})")
        print(f"\n{'request':16} {'CPU ms / 1k words':>18} {'of all layers':>14}")
        for name, ms in a.get("only_cpu_ms_per_1k_words", {}).items():
            print(f"--only {name:9} {ms:>18.1f} {ms / a['cpu_ms_per_1k_words']:>14.1%}")
        comps = a["spacy_cpu_ms_per_1k_words"]
        parse = sum(comps.values())
        print(f"\nspaCy components (run one by one over the same articles), parse = {parse:.1f} ms / 1k words")
        print(f"{'component':26} {'CPU ms / 1k words':>18} {'of parse':>9} {'of all':>7}")
        for name, ms in comps.items():
            print(f"{name:26} {ms:>18.1f} {ms / parse:>9.1%} {ms / a['cpu_ms_per_1k_words']:>7.1%}")


if __name__ == "__main__":
    raise SystemExit(main())
