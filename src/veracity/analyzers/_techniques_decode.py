"""Windowing and span decoding for the propaganda-technique tagger, shared by the analyzer and the training script.

Pure numpy (plus a ``tokenizers.Tokenizer`` passed in): no veracity imports, so ``training/train_techniques.py`` can
load this file by path on a machine where only torch is installed, and cross-validation tunes exactly the decoding
that runs in production.

An article is tokenized once (no special tokens), cut into windows of at most ``body`` word pieces that overlap by
``body - stride``; per-token outputs of each window are averaged across windows with weights that fall off near a
window's inner edges (a token seen near a seam gets most of its value from the window where it has context on both
sides). Runs of tokens whose probability reaches a threshold become character spans through the tokenizer's offsets,
snapped outwards to whole words.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

#: The 14 technique classes of SemEval-2020 Task 11, spelled as in the PTC label files (commas included).
LABELS: tuple[str, ...] = (
    "Loaded_Language",
    "Name_Calling,Labeling",
    "Repetition",
    "Doubt",
    "Exaggeration,Minimisation",
    "Appeal_to_fear-prejudice",
    "Flag-Waving",
    "Causal_Oversimplification",
    "Appeal_to_Authority",
    "Slogans",
    "Whataboutism,Straw_Men,Red_Herring",
    "Black-and-White_Fallacy",
    "Thought-terminating_Cliches",
    "Bandwagon,Reductio_ad_hitlerum",
)
#: Index of the extra label-agnostic "inside any technique" output that follows the 14 per-technique outputs.
ANY = len(LABELS)
MAX_LEN = 256
CLS_ID = 101
SEP_ID = 102
PAD_ID = 0


def encode(tokenizer: Any, text: str) -> tuple[np.ndarray, np.ndarray]:
    """Word-piece ids (int64) and character offsets (n, 2) of a whole text, without special tokens."""
    enc = tokenizer.encode(text, add_special_tokens=False)
    ids = np.asarray(enc.ids, dtype=np.int64)
    offsets = np.asarray(enc.offsets, dtype=np.int64).reshape(-1, 2)
    return ids, offsets


def window_starts(n_tokens: int, body: int, stride: int) -> list[int]:
    """Start indices of windows of ``body`` tokens every ``stride`` tokens, the last one ending at the article's end."""
    if body <= 0 or stride <= 0:
        raise ValueError("body and stride must be positive")
    if n_tokens <= body:
        return [0]
    starts = list(range(0, n_tokens - body + 1, stride))
    if starts[-1] + body < n_tokens:
        starts.append(n_tokens - body)
    return starts


def window_batch(ids: np.ndarray, starts: Sequence[int], body: int) -> tuple[np.ndarray, np.ndarray]:
    """Model inputs for the given windows: ``[CLS] piece… [SEP]`` padded to one length, and the attention mask."""
    n = len(ids)
    lengths = [min(body, n - s) for s in starts]
    width = max(lengths) + 2
    input_ids = np.full((len(starts), width), PAD_ID, dtype=np.int64)
    mask = np.zeros((len(starts), width), dtype=np.int64)
    for row, (s, length) in enumerate(zip(starts, lengths, strict=True)):
        input_ids[row, 0] = CLS_ID
        input_ids[row, 1 : length + 1] = ids[s : s + length]
        input_ids[row, length + 1] = SEP_ID
        mask[row, : length + 2] = 1
    return input_ids, mask


def seam_weights(length: int, first: bool, last: bool, ramp: int = 16) -> np.ndarray:
    """Per-token weights of one window: 1 inside, rising from 1/ramp at an inner seam (article edges keep 1)."""
    w = np.ones(length, dtype=np.float64)
    k = np.arange(length, dtype=np.float64)
    if not first:
        w = np.minimum(w, (k + 1) / ramp)
    if not last:
        w = np.minimum(w, (length - k) / ramp)
    return w


def combine_windows(n_tokens: int, starts: Sequence[int], body: int, outputs: np.ndarray) -> np.ndarray:
    """Average per-window outputs ``(windows, width, k)`` (with [CLS] at 0) into per-token values ``(n_tokens, k)``."""
    k = outputs.shape[-1]
    total = np.zeros((n_tokens, k), dtype=np.float64)
    weight = np.zeros((n_tokens, 1), dtype=np.float64)
    for row, s in enumerate(starts):
        length = min(body, n_tokens - s)
        w = seam_weights(length, first=s == 0, last=s + length >= n_tokens)[:, None]
        total[s : s + length] += w * outputs[row, 1 : length + 1]
        weight[s : s + length] += w
    return (total / np.maximum(weight, 1e-12)).astype(np.float32)


def score_column(probs: np.ndarray, method: str, any_weight: float = 1.0) -> np.ndarray:
    """The per-token score that span decoding thresholds, from the tagger's 15 outputs ``(n_tokens, 15)``.

    ``any``: the label-agnostic "inside any technique" output; ``union``: the highest of the 14 technique outputs;
    ``mix``: ``any_weight`` × any + (1 − ``any_weight``) × union. The two heads err differently (the union is more
    sensitive, the any output more precise), so cross-validation picks how much of each to trust.
    """
    union = probs[:, : len(LABELS)].max(axis=1)
    if method == "any":
        return probs[:, ANY]
    if method == "union":
        return union
    if method == "mix":
        if not 0.0 <= any_weight <= 1.0:
            raise ValueError(f"any_weight must lie in [0, 1], got {any_weight}")
        return any_weight * probs[:, ANY] + (1.0 - any_weight) * union
    raise ValueError(f"unknown decoding method {method!r}; expected 'any', 'union' or 'mix'")


def token_runs(probs: np.ndarray, threshold: float, gap: int = 0) -> list[tuple[int, int]]:
    """Half-open token ranges where ``probs >= threshold``, joining runs separated by at most ``gap`` tokens."""
    on = np.flatnonzero(probs >= threshold)
    if on.size == 0:
        return []
    runs: list[list[int]] = [[int(on[0]), int(on[0]) + 1]]
    for i in on[1:]:
        i = int(i)
        if i - runs[-1][1] <= gap:
            runs[-1][1] = i + 1
        else:
            runs.append([i, i + 1])
    return [(a, b) for a, b in runs]


def snap_to_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen a character range so that it neither starts nor ends inside a word."""
    while start > 0 and text[start - 1].isalnum() and text[start].isalnum():
        start -= 1
    while end < len(text) and text[end].isalnum() and text[end - 1].isalnum():
        end += 1
    return start, end


def decode_spans(
    text: str,
    offsets: np.ndarray,
    probs: np.ndarray,
    threshold: float,
    gap: int = 0,
    min_chars: int = 1,
    high: float | None = None,
) -> list[tuple[int, int, float, int, int]]:
    """Character spans ``(start, end, mean probability, first token, end token)`` from one column of token probabilities.

    Hysteresis: tokens at or above ``threshold`` extend a span, but a span is kept only if one of its tokens reaches
    ``high`` (when given).
    """
    spans = []
    for a, b in token_runs(probs, threshold, gap):
        if high is not None and float(np.max(probs[a:b])) < high:
            continue
        start, end = snap_to_words(text, int(offsets[a, 0]), int(offsets[b - 1, 1]))
        if end - start < min_chars:
            continue
        spans.append((start, end, float(np.mean(probs[a:b])), a, b))
    return spans


def span_tokens(offsets: np.ndarray, start: int, end: int) -> tuple[int, int]:
    """Half-open range of the tokens that overlap characters ``[start, end)``; the nearest token when none does."""
    if len(offsets) == 0:
        raise ValueError("the text has no tokens")
    inside = np.flatnonzero((offsets[:, 0] < end) & (offsets[:, 1] > start))
    if inside.size:
        return int(inside[0]), int(inside[-1]) + 1
    nearest = int(np.argmin(np.minimum(np.abs(offsets[:, 0] - end), np.abs(offsets[:, 1] - start))))
    return nearest, nearest + 1


def span_features(hidden: np.ndarray, a: int, b: int) -> np.ndarray:
    """Features of tokens ``[a, b)`` for the span classifier: mean, first and last token states, concatenated."""
    return np.concatenate([hidden[a:b].mean(axis=0), hidden[a], hidden[b - 1]]).astype(np.float32)


def softmax(x: np.ndarray) -> np.ndarray:
    """Row-wise softmax."""
    z = x - x.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def assign_duplicates(probs: np.ndarray, keys: Sequence[Any]) -> list[int]:
    """Predicted label per gold span; spans sharing a key (same article and boundaries) get distinct top labels."""
    seen: dict[Any, int] = {}
    out = []
    for row, key in zip(probs, keys, strict=True):
        rank = seen.get(key, 0)
        seen[key] = rank + 1
        order = np.argsort(-row)
        out.append(int(order[min(rank, len(order) - 1)]))
    return out
