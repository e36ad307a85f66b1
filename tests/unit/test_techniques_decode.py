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


# ---------------------------------------------------------------------------------------------------- span hygiene


@pytest.mark.parametrize(
    ("text", "start", "end", "expected"),
    [
        ("the anti-trust laws that break up", 8, 24, "anti-trust laws that"),  # started on the hyphen
        ("the group’s propensity for", 9, 22, "group’s propensity"),  # started on the apostrophe
        ("they don't care", 5, 8, "don't"),
        ("a - b", 2, 3, "-"),  # a free-standing dash is not joined to anything
    ],
)
def test_snap_to_words_treats_joined_words_as_one(text: str, start: int, end: int, expected: str) -> None:
    s, e = dec.snap_to_words(text, start, end)
    assert text[s:e] == expected


def test_snap_to_words_stays_within_its_limits() -> None:
    text = "alpha beta"
    assert dec.snap_to_words(text, 7, 9, lo=7, hi=9) == (7, 9)


def test_trim_span_drops_stray_punctuation_and_dangling_quotes() -> None:
    text = ", so-called “experts”. “"
    s, e = dec.trim_span(text, 0, len(text))
    assert text[s:e] == "so-called “experts”"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“safety of flight issue", "safety of flight issue"),  # its closing mark lies outside
        ("the “so-called” experts", "the “so-called” experts"),  # balanced: kept
        ('"we will win', "we will win"),
        ("rescue group called the White Helmets”", "rescue group called the White Helmets"),
        ("less like a real person and less like a", "less like a real person and less like"),  # dangling "a"
        ("the scale of the", "the scale"),
        ("a", "a"),  # a single word stays
    ],
)
def test_trim_span_drops_an_unmatched_quotation_mark(text: str, expected: str) -> None:
    s, e = dec.trim_span(text, 0, len(text))
    assert text[s:e] == expected


def test_barriers_are_blank_lines_and_footnote_marks_not_censored_words() -> None:
    text = "ISIS/ISIL)* was defeated.\n\n*A terrorist group.\nThe f**k word.\n**B"
    found = [text[a:b] for a, b in dec.barriers(text)]
    assert found == ["*", "\n\n", "*", "**"]  # "f**k" is a word; a single line break is no barrier by default
    with_lines = [text[a:b] for a, b in dec.barriers(text, line_breaks=True)]
    assert with_lines.count("\n") == 2 and "\n\n" in with_lines


def test_segments_cut_at_barriers_and_sentences() -> None:
    text = "One two. Three four.\n\n*Note five."
    pieces = dec.segments(text)
    assert [text[a:b] for a, b in pieces] == ["One two. Three four.", "Note five."]
    sentences = [(0, 8), (9, 20), (22, 33)]
    assert [text[a:b] for a, b in dec.segments(text, sentences=sentences)] == [
        "One two.",
        "Three four.",
        "Note five.",
    ]


def test_decode_spans_never_cross_a_blank_line_or_a_footnote_mark() -> None:
    tok = _WhitespaceTokenizer()
    text = "a fake.\n\n*A terrorist group outlawed here"
    ids, offsets = dec.encode(tok, text)
    probs = np.full(len(ids), 0.9)
    bounds = dec.segments(text)
    spans = dec.decode_spans(text, offsets, probs, 0.5, gap=3, bounds=bounds)
    texts = [text[s:e] for s, e, *_ in spans]
    assert texts == ["a fake", "A terrorist group outlawed here"]
    for s, e, *_ in spans:
        assert "\n" not in text[s:e] and "*" not in text[s:e]
    unbounded = dec.decode_spans(text, offsets, probs, 0.5, gap=3)
    assert "\n\n*" in text[unbounded[0][0] : unbounded[0][1]]  # what the bounds prevent


def test_each_piece_of_a_cut_run_must_reach_the_high_threshold_itself() -> None:
    tok = _WhitespaceTokenizer()
    text = "loaded words here. weak tail words"
    _, offsets = dec.encode(tok, text)
    probs = np.array([0.9, 0.9, 0.8, 0.55, 0.55, 0.55])
    bounds = dec.segments(text, sentences=[(0, 18), (19, len(text))])
    spans = dec.decode_spans(text, offsets, probs, 0.5, high=0.7, bounds=bounds)
    assert [text[s:e] for s, e, *_ in spans] == ["loaded words here"]  # the next sentence's evidence is too weak
    joined = dec.decode_spans(text, offsets, probs, 0.5, high=0.7)
    assert [text[s:e] for s, e, *_ in joined] == [text]


def test_none_features_and_technique_probability() -> None:
    probs = np.zeros((4, dec.ANY + 1))
    probs[:, dec.ANY] = [0.1, 0.9, 0.8, 0.2]
    probs[1, 0] = 0.7
    f = dec.none_features(probs, "mix", 0.6)
    assert f.shape == (len(dec.NONE_FEATURES),)
    assert f[dec.NONE_FEATURES.index("max_any")] == pytest.approx(0.9)
    assert f[dec.NONE_FEATURES.index("log_tokens")] == pytest.approx(np.log(4))
    calibration = {"mean": [0.0] * len(f), "scale": [1.0] * len(f), "weights": [0.0] * len(f), "bias": 0.0}
    assert dec.technique_probability(f, calibration) == pytest.approx(0.5)
    calibration["weights"][dec.NONE_FEATURES.index("max_any")] = 10.0
    weak = dec.none_features(probs * 0.1, "mix", 0.6)
    assert dec.technique_probability(f, calibration) > dec.technique_probability(weak, calibration)
    with pytest.raises(ValueError, match="at least one token"):
        dec.none_features(probs[:0], "mix", 0.6)
