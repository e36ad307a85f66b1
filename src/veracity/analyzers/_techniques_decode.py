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

import re
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
    average = WindowAverage(n_tokens, body, outputs.shape[-1])
    average.add(starts, outputs)
    return average.result()


class WindowAverage:
    """``combine_windows`` fed a batch of windows at a time, in order: it holds the per-token sums, never every
    window's outputs at once (a 300,000-character text has ~280 windows: 105 MB of encoder states)."""

    def __init__(self, n_tokens: int, body: int, k: int) -> None:
        self.n_tokens, self.body = n_tokens, body
        self.total = np.zeros((n_tokens, k), dtype=np.float64)
        self.weight = np.zeros((n_tokens, 1), dtype=np.float64)

    def add(self, starts: Sequence[int], outputs: np.ndarray) -> None:
        """Add windows starting at ``starts`` (outputs ``(len(starts), width, k)``, [CLS] at 0)."""
        for row, s in enumerate(starts):
            length = min(self.body, self.n_tokens - s)
            w = seam_weights(length, first=s == 0, last=s + length >= self.n_tokens)[:, None]
            self.total[s : s + length] += w * outputs[row, 1 : length + 1]
            self.weight[s : s + length] += w

    def result(self) -> np.ndarray:
        """The per-token averages ``(n_tokens, k)`` as float32."""
        return (self.total / np.maximum(self.weight, 1e-12)).astype(np.float32)


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


#: Characters that join two letters or digits into one word ("anti-trust", "group’s", "don't").
WORD_JOINERS = "-'’_"
#: Marks of a footnote: a reference after a word ("terror group**") or the start of a footnote line ("*A terrorist …").
FOOTNOTE_MARKS = "*†‡"
#: Stripped from the edges of a span: spaces and punctuation that never start or end a technique in PTC.
_LEAD_TRIM = " \t\r\n\f\v,;:.!?)]}”’—–-"
_TAIL_TRIM = " \t\r\n\f\v,;:.([{“‘—–-"
#: Words a technique span never ends on (articles, conjunctions, prepositions, demonstratives).
DANGLING = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "nor",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "from",
        "with",
        "as",
        "into",
        "than",
        "that",
        "this",
        "these",
        "those",
    ]
)
_CLOSING_QUOTES = {"“": "”", '"': '"', "«": "»"}
_OPENING_QUOTES = set(_CLOSING_QUOTES)
_CLOSERS = {"”": "“", "»": "«"}


def _in_word(text: str, i: int) -> bool:
    """Whether character ``i`` belongs to a word: a letter or digit, or a joiner between two of them."""
    if i < 0 or i >= len(text):
        return False
    c = text[i]
    if c.isalnum():
        return True
    return c in WORD_JOINERS and 0 < i < len(text) - 1 and text[i - 1].isalnum() and text[i + 1].isalnum()


def snap_to_words(text: str, start: int, end: int, lo: int = 0, hi: int | None = None) -> tuple[int, int]:
    """Widen a character range (within ``[lo, hi)``) so that it neither starts nor ends inside a word.

    Hyphens and apostrophes between letters count as part of the word, so "-trust laws" becomes "anti-trust laws" and
    "’s propensity" becomes "group’s propensity".
    """
    hi = len(text) if hi is None else hi
    while start > lo and _in_word(text, start - 1) and _in_word(text, start):
        start -= 1
    while end < hi and _in_word(text, end) and _in_word(text, end - 1):
        end += 1
    return start, end


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Strip spaces and stray punctuation from both edges (a closing quote at the start, an opening one at the end)."""
    while start < end and text[start] in _LEAD_TRIM and not _in_word(text, start):
        start += 1
    while end > start and text[end - 1] in _TAIL_TRIM and not _in_word(text, end - 1):
        end -= 1
    # a span does not end on a dangling function word ("… less like a", "the scale of"): 1% of PTC gold spans do
    cut = text.rfind(" ", start, end)
    if cut > start and text[cut + 1 : end].lower() in DANGLING:
        return trim_span(text, start, cut)
    # an opening mark whose closing one lies outside the span (or the other way round) is not part of it
    if end - start > 1 and text[start] in _OPENING_QUOTES and _CLOSING_QUOTES[text[start]] not in text[start + 1 : end]:
        return trim_span(text, start + 1, end)
    if end - start > 1 and text[end - 1] in _CLOSERS and _CLOSERS[text[end - 1]] not in text[start : end - 1]:
        return trim_span(text, start, end - 1)
    return start, end


def barriers(text: str, line_breaks: bool = False) -> list[tuple[int, int]]:
    """Character ranges no technique span may cross: blank lines (paragraph breaks) and footnote marks.

    A footnote mark is a run of ``*``, ``†`` or ``‡`` that does not sit between two letters ("f**k" is a word, not a
    footnote). With ``line_breaks`` every line break is a barrier too (text with one paragraph per line).
    """
    found: list[tuple[int, int]] = []
    pattern = r"\n[^\S\n]*(?:\n\s*)?" if line_breaks else r"\n[^\S\n]*\n\s*"
    found.extend(m.span() for m in re.finditer(pattern, text))
    for m in re.finditer(f"[{re.escape(FOOTNOTE_MARKS)}]+", text):
        a, b = m.span()
        if not (a > 0 and b < len(text) and text[a - 1].isalpha() and text[b].isalpha()):
            found.append((a, b))
    return sorted(found)


def segments(
    text: str, line_breaks: bool = False, sentences: Sequence[tuple[int, int]] | None = None
) -> list[tuple[int, int]]:
    """The ranges of ``text`` a span must stay inside: between barriers, and within one sentence when given."""
    pieces: list[tuple[int, int]] = []
    pos = 0
    for a, b in barriers(text, line_breaks):
        if a > pos:
            pieces.append((pos, a))
        pos = max(pos, b)
    if pos < len(text):
        pieces.append((pos, len(text)))
    if sentences is None:
        return pieces
    out = []
    for s0, s1 in sorted(sentences):
        for p0, p1 in pieces:
            a, b = max(s0, p0), min(s1, p1)
            if a < b:
                out.append((a, b))
    return out


def decode_spans(
    text: str,
    offsets: np.ndarray,
    probs: np.ndarray,
    threshold: float,
    gap: int = 0,
    min_chars: int = 1,
    high: float | None = None,
    bounds: Sequence[tuple[int, int]] | None = None,
) -> list[tuple[int, int, float, int, int]]:
    """Character spans ``(start, end, mean probability, first token, end token)`` from one column of token probabilities.

    Hysteresis: tokens at or above ``threshold`` extend a span, but a span is kept only if one of its tokens reaches
    ``high`` (when given). With ``bounds`` (ranges from :func:`segments`), a run that crosses a bound is cut there and
    each piece must earn its place on its own (a token at ``threshold`` and, with ``high``, one at ``high``), so no
    span crosses a paragraph break, a footnote mark or a sentence end its evidence does not reach.
    """
    spans = []
    limits = sorted(bounds) if bounds is not None else [(0, len(text))]
    starts = np.asarray([lo for lo, _ in limits], dtype=np.int64)
    for a, b in token_runs(probs, threshold, gap):
        if bounds is None:
            pieces = [(a, b, 0, len(text))]
        else:
            pieces = []
            first = max(0, int(np.searchsorted(starts, offsets[a, 0], side="right")) - 1)
            for lo, hi in limits[first:]:
                if lo >= offsets[b - 1, 1]:
                    break
                inside = np.flatnonzero((offsets[a:b, 1] > lo) & (offsets[a:b, 0] < hi)) + a
                if inside.size:
                    pieces.append((int(inside[0]), int(inside[-1]) + 1, lo, hi))
        for pa, pb, lo, hi in pieces:
            top = float(np.max(probs[pa:pb]))
            if top < threshold or (high is not None and top < high):
                continue
            on = np.flatnonzero(probs[pa:pb] >= threshold)
            pa, pb = pa + int(on[0]), pa + int(on[-1]) + 1  # a piece never starts or ends on a gap token
            start, end = max(lo, int(offsets[pa, 0])), min(hi, int(offsets[pb - 1, 1]))  # a token may straddle a bound
            start, end = snap_to_words(text, start, end, lo, hi)
            start, end = trim_span(text, start, end)
            if end - start < min_chars:
                continue
            spans.append((start, end, float(np.mean(probs[pa:pb])), pa, pb))
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


#: Features of a passage for the "no technique" decision, in the order ``none_features`` returns them.
NONE_FEATURES = (
    "mean_score",
    "max_score",
    "mean_any",
    "max_any",
    "max_technique",
    "share_over_half",
    "log_tokens",
    "top3_score",
)


def none_features(probs: np.ndarray, method: str, any_weight: float = 1.0) -> np.ndarray:
    """Evidence that a passage (its tokens' 15 outputs, ``(n, 15)``) holds any technique, as ``NONE_FEATURES``."""
    if len(probs) == 0:
        raise ValueError("a passage needs at least one token")
    col = score_column(probs, method, any_weight)
    top = np.sort(col)[-min(3, len(col)) :]
    return np.array(
        [
            col.mean(),
            col.max(),
            probs[:, ANY].mean(),
            probs[:, ANY].max(),
            probs[:, : len(LABELS)].max(),
            (col >= 0.5).mean(),
            np.log(len(col)),
            top.mean(),
        ],
        dtype=np.float64,
    )


def technique_probability(features: np.ndarray, calibration: dict[str, Any]) -> float:
    """P(the passage holds a technique) from ``none_features`` and the logistic model in ``decoding.json``'s "none"."""
    z = (features - np.asarray(calibration["mean"])) / np.asarray(calibration["scale"])
    logit = float(z @ np.asarray(calibration["weights"]) + float(calibration["bias"]))
    return float(1.0 / (1.0 + np.exp(-logit)))
