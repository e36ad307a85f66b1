"""Warm latency of technique tagging for a 700-word article on one thread, and the ratio to Prta's architecture.

Usage: ``python benchmarks/bench_techniques.py [--words 700] [--repeat 7] [--threads 1]``.

* veracity: ``TechniqueModel.tag`` (tokenize, every overlapping window in one onnxruntime call, decode, rank labels).
* reference: a bert-base-cased token classifier (Prta runs BERT-base), built from a ``transformers`` config with random
  weights (no download: the cost does not depend on the weights), exported and int8-quantized exactly like ours, run
  over the same article in the same windows (512-token windows would cost more: attention grows with length).
  Skipped with a message when torch/transformers (the ``[train]`` extra) are not installed.

The article is the seed article (../shared/examples) repeated/cut to ``--words`` words, or synthetic text without it.
Prints a table and writes ``benchmarks/results/techniques.json`` (git-ignored).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

from veracity.analyzers import _techniques_decode as dec
from veracity.analyzers.techniques import TechniqueModel

REPO = Path(__file__).resolve().parents[1]
SEED = REPO.parent / "shared" / "examples" / "seed-article.txt"
RESULTS = REPO / "benchmarks" / "results" / "techniques.json"


def article(words: int) -> tuple[str, str]:
    """A ``words``-word article, and where it came from."""
    if SEED.is_file():
        base = SEED.read_text(encoding="utf-8").split()
        source = "seed-article.txt"
    else:
        base = [
            "officials",
            "said",
            "on",
            "Monday",
            "that",
            "the",
            "so-called",
            "programme",
            "was",
            "a",
            "blatant",
            "failure",
            "of",
            "the",
            "regime",
            ".",
        ]
        source = "synthetic"
    out = [base[i % len(base)] for i in range(words)]
    return " ".join(out), source


def timed(fn, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and process CPU milliseconds per call (CPU time stays honest on a machine busy with other jobs)."""
    fn()  # warm-up
    wall, cpu = [], []
    for _ in range(repeat):
        t, c = time.perf_counter(), time.process_time()
        fn()
        wall.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    return wall, cpu


def bert_base_reference(threads: int, workdir: Path):
    """An int8 ONNX session of a random-weight bert-base-cased token classifier (14 + 1 outputs), or None."""
    try:
        import torch
        from onnxruntime.quantization import QuantType, quantize_dynamic
        from transformers import BertConfig, BertForTokenClassification
    except ImportError:
        return None
    import onnxruntime as ort

    torch.manual_seed(0)
    cfg = BertConfig(vocab_size=28996, num_labels=dec.ANY + 1)  # bert-base-cased sizes: 12 layers, 768 hidden
    model = BertForTokenClassification(cfg).eval()
    model.set_attn_implementation("eager")  # exported like ours (see export() in training/train_techniques.py)

    class Wrapped(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.m = model

        def forward(self, input_ids, attention_mask):
            return torch.sigmoid(self.m(input_ids=input_ids, attention_mask=attention_mask).logits)

    fp32, int8 = workdir / "bert-base.onnx", workdir / "bert-base-int8.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        Wrapped().eval(),
        (ids, ids),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["probs"],
        dynamic_axes={"input_ids": {0: "b", 1: "s"}, "attention_mask": {0: "b", 1: "s"}, "probs": {0: "b", 1: "s"}},
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(str(fp32), str(int8), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    return ort.InferenceSession(str(int8), options, providers=["CPUExecutionProvider"])


def main() -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--words", type=int, default=700)
    parser.add_argument("--repeat", type=int, default=7, help="timed runs (median and best reported)")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    text, source = article(args.words)
    model = TechniqueModel(threads=args.threads)
    ids, _ = model.encode(text)
    starts = dec.window_starts(len(ids), model.body, int(model.decoding["stride"]))
    ours = timed(lambda: model.tag(text), args.repeat)
    rows = [("veracity techniques (MiniLM int8)", ours)]

    with tempfile.TemporaryDirectory() as tmp:
        ref = bert_base_reference(args.threads, Path(tmp))
        if ref is None:
            print("bert-base reference skipped: install the [train] extra (torch, transformers) to build it")
        else:
            input_ids, mask = dec.window_batch(ids, starts, model.body)
            input_ids = input_ids % 28996  # bert-base-cased has a smaller vocabulary; the cost does not depend on ids

            def run_ref() -> None:
                probs = ref.run(None, {"input_ids": input_ids, "attention_mask": mask})[0]
                dec.combine_windows(len(ids), starts, model.body, probs)

            rows.append(("bert-base-cased token classifier (int8, random)", timed(run_ref, args.repeat)))

    print(
        f"{args.words}-word article ({source}), {len(ids)} word pieces, {len(starts)} windows of <= {model.body + 2} tokens, {args.threads} thread(s)"
    )
    print(f"load average (1 min): {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")
    print(f"{'model':50} {'median ms':>10} {'best ms':>9} {'median CPU ms':>14}")
    for name, (wall, cpu) in rows:
        print(f"{name:50} {statistics.median(wall):10.1f} {min(wall):9.1f} {statistics.median(cpu):14.1f}")
    result = {
        "words": args.words,
        "word_pieces": len(ids),
        "windows": len(starts),
        "threads": args.threads,
        "source": source,
        "machine": platform.processor() or platform.machine(),
        "load_average_1min": os.getloadavg()[0],
        "median_ms": {name: statistics.median(w) for name, (w, _) in rows},
        "best_ms": {name: min(w) for name, (w, _) in rows},
        "median_cpu_ms": {name: statistics.median(c) for name, (_, c) in rows},
    }
    if len(rows) == 2:
        ratio = statistics.median(rows[1][1][0]) / statistics.median(rows[0][1][0])
        cpu_ratio = statistics.median(rows[1][1][1]) / statistics.median(rows[0][1][1])
        result["speedup_vs_bert_base"] = ratio
        result["cpu_speedup_vs_bert_base"] = cpu_ratio
        print(f"ratio bert-base / veracity: {ratio:.1f}x wall-clock, {cpu_ratio:.1f}x CPU time")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
