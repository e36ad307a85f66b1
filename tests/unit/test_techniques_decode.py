"""Span decoding of the technique tagger: windows, seams, overlaps, article edges, empty input (no model needed)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from veracity.analyzers import _techniques_decode as dec


class _Enc:
    def __init__(self, ids: list[int], offsets: list[tuple[int, int]]) -> None:
        self.ids, self.offsets = ids, offsets


class _WhitespaceTokenizer:
    """Stands in for a ``tokenizers.Tokenizer``: one token per whitespace-separated word."""

    def encode(self, text: str, add_special_tokens: bool = True) -> _Enc:
        ids, offsets, pos = [], [], 0
        for word in text.split():
            start = text.index(word, pos)
            pos = start + len(word)
            ids.append(1000 + len(ids))
            offsets.append((start, pos))
        return _Enc(ids, offsets)


@pytest.mark.parametrize(
    ("n", "body", "stride"), [(1, 254, 128), (254, 254, 128), (255, 254, 128), (1000, 254, 224), (700, 10, 3)]
)
def test_windows_cover_every_token_and_end_at_the_article_end(n: int, body: int, stride: int) -> None:
    starts = dec.window_starts(n, body, stride)
    covered = np.zeros(n, dtype=bool)
    for s in starts:
        covered[s : s + body] = True
        assert s >= 0 and s + min(body, n) <= n
    assert covered.all()
    assert starts[0] == 0 and starts[-1] + min(body, n) == n
    assert all(b - a <= stride for a, b in itertools.pairwise(starts))


def test_window_batch_adds_special_tokens_and_pads() -> None:
    ids = np.arange(5, 12, dtype=np.int64)
    input_ids, mask = dec.window_batch(ids, [0, 4], body=4)
    assert input_ids[0].tolist() == [dec.CLS_ID, 5, 6, 7, 8, dec.SEP_ID]
    assert input_ids[1].tolist() == [dec.CLS_ID, 9, 10, 11, dec.SEP_ID, dec.PAD_ID]
    assert mask.tolist() == [[1] * 6, [1] * 5 + [0]]


def test_combine_windows_prefers_the_window_with_context_at_a_seam() -> None:
    n, body = 40, 30
    starts = dec.window_starts(n, body, stride=10)
    assert starts == [0, 10]
    out = np.zeros((2, body + 2, 1))
    out[0, 1 : body + 1, 0] = 1.0  # window 0 says 1 everywhere, window 1 says 0
    combined = dec.combine_windows(n, starts, body, out)[:, 0]
    assert combined[:10].tolist() == [1.0] * 10  # only window 0 sees these
    assert combined[30:].tolist() == [0.0] * 10  # only window 1 sees these
    # token 29 is window 0's last (a seam) but deep inside window 1: window 1 dominates
    assert combined[29] < 0.2
    # token 10 is window 1's first (a seam) but deep inside window 0: window 0 dominates
    assert combined[10] > 0.8


def test_seam_weights_keep_article_edges_at_full_weight() -> None:
    w = dec.seam_weights(20, first=True, last=True)
    assert w.tolist() == [1.0] * 20
    inner = dec.seam_weights(20, first=False, last=False, ramp=4)
    assert inner[0] == pytest.approx(0.25) and inner[-1] == pytest.approx(0.25) and inner[10] == 1.0


def test_token_runs_join_small_gaps_only_when_asked() -> None:
    p = np.array([0.9, 0.9, 0.1, 0.8, 0.1, 0.1, 0.7])
    assert dec.token_runs(p, 0.5) == [(0, 2), (3, 4), (6, 7)]
    assert dec.token_runs(p, 0.5, gap=1) == [(0, 4), (6, 7)]
    assert dec.token_runs(p, 0.95) == []
    assert dec.token_runs(np.zeros(0), 0.5) == []


def test_decode_spans_snaps_word_pieces_to_whole_words_at_article_edges() -> None:
    text = "Terrorists disguised themselves"
    # word pieces: "terror" "##ists" "disguised" "themselves"
    offsets = np.array([[0, 6], [6, 10], [11, 20], [21, 31]])
    probs = np.array([0.1, 0.9, 0.2, 0.9])
    spans = dec.decode_spans(text, offsets, probs, threshold=0.5)
    assert [(s, e) for s, e, *_ in spans] == [(0, 10), (21, 31)]
    assert text[spans[0][0] : spans[0][1]] == "Terrorists"
    assert text[spans[1][0] : spans[1][1]] == "themselves"  # the last token ends the article
    assert spans[1][2] == pytest.approx(0.9)


def test_decode_spans_min_chars_drops_tiny_spans() -> None:
    text = "a big lie"
    offsets = np.array([[0, 1], [2, 5], [6, 9]])
    probs = np.array([0.9, 0.1, 0.9])
    assert [(s, e) for s, e, *_ in dec.decode_spans(text, offsets, probs, 0.5, min_chars=2)] == [(6, 9)]


def test_overlapping_spans_of_two_techniques_decode_independently() -> None:
    tok = _WhitespaceTokenizer()
    text = "the so-called brutal regime of thugs"
    ids, offsets = dec.encode(tok, text)
    probs = np.zeros((len(ids), dec.ANY + 1))
    probs[1:4, 0] = 0.9  # "so-called brutal regime"
    probs[2:6, 1] = 0.8  # "brutal regime of thugs"
    a = dec.decode_spans(text, offsets, probs[:, 0], 0.5)
    b = dec.decode_spans(text, offsets, probs[:, 1], 0.5)
    assert text[a[0][0] : a[0][1]] == "so-called brutal regime"
    assert text[b[0][0] : b[0][1]] == "brutal regime of thugs"
    assert a[0][1] > b[0][0]  # they overlap


def test_empty_text_encodes_to_no_tokens_and_decodes_to_nothing() -> None:
    ids, offsets = dec.encode(_WhitespaceTokenizer(), "   \n ")
    assert ids.shape == (0,) and offsets.shape == (0, 2)
    assert dec.decode_spans("   \n ", offsets, np.zeros(0), 0.5) == []
    with pytest.raises(ValueError, match="no tokens"):
        dec.span_tokens(offsets, 0, 1)


def test_span_tokens_finds_overlapping_tokens_or_the_nearest_one() -> None:
    offsets = np.array([[0, 3], [4, 8], [9, 12]])
    assert dec.span_tokens(offsets, 5, 10) == (1, 3)
    assert dec.span_tokens(offsets, 0, 12) == (0, 3)
    assert dec.span_tokens(offsets, 3, 4) in {(0, 1), (1, 2)}  # whitespace between tokens: the nearest token


def test_assign_duplicates_gives_repeated_gold_spans_distinct_labels() -> None:
    probs = np.array([[0.1, 0.6, 0.3], [0.1, 0.6, 0.3], [0.5, 0.2, 0.3]])
    keys = [("a", 0, 5), ("a", 0, 5), ("a", 6, 9)]
    assert dec.assign_duplicates(probs, keys) == [1, 2, 0]


def test_labels_are_the_fourteen_ptc_classes() -> None:
    assert len(dec.LABELS) == 14 == len(set(dec.LABELS))
    assert {"Name_Calling,Labeling", "Loaded_Language", "Whataboutism,Straw_Men,Red_Herring"} <= set(dec.LABELS)


def test_hysteresis_keeps_only_runs_that_reach_the_high_threshold() -> None:
    text = "one two three four five six"
    offsets = np.array([[0, 3], [4, 7], [8, 13], [14, 18], [19, 23], [24, 27]])
    probs = np.array([0.55, 0.8, 0.55, 0.1, 0.55, 0.58])
    kept = dec.decode_spans(text, offsets, probs, threshold=0.5, high=0.7)
    assert [text[s:e] for s, e, *_ in kept] == ["one two three"]  # the weak run "five six" never reaches 0.7
    both = dec.decode_spans(text, offsets, probs, threshold=0.5)
    assert [text[s:e] for s, e, *_ in both] == ["one two three", "five six"]


def test_score_column_mixes_the_any_output_with_the_best_technique() -> None:
    probs = np.zeros((3, dec.ANY + 1), np.float32)
    probs[:, dec.ANY] = [0.2, 0.8, 0.5]
    probs[0, 3], probs[1, 0], probs[2, 7], probs[2, 1] = 0.6, 0.4, 0.9, 0.1
    np.testing.assert_allclose(dec.score_column(probs, "any"), [0.2, 0.8, 0.5])
    np.testing.assert_allclose(dec.score_column(probs, "union"), [0.6, 0.4, 0.9])
    np.testing.assert_allclose(dec.score_column(probs, "mix", 0.6), [0.36, 0.64, 0.66], rtol=1e-6)


@pytest.mark.parametrize(("method", "weight"), [("mean", 1.0), ("mix", 1.5), ("mix", -0.1)])
def test_score_column_rejects_unknown_methods_and_weights(method: str, weight: float) -> None:
    with pytest.raises(ValueError, match=r"method|any_weight"):
        dec.score_column(np.zeros((2, dec.ANY + 1), np.float32), method, weight)
