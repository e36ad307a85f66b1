"""Issue 23 item 1: analysis cost must grow linearly with text length.

Speed itself is measured by ``benchmarks/bench_long_text.py`` (10k to 1M characters, slope per layer). These tests pin
what makes it linear without changing results: long texts are parsed in pieces cut at paragraph breaks that join back to
the exact text, and the paragraph-break component (now written in one pass) sets the same boundaries as before.
"""

from __future__ import annotations

import itertools

import pytest

from veracity.analyzers._spacy import PIECE_CHARS, parse, split_for_parse
from veracity.doc import Document
from veracity.models.loading import _FINAL_PUNCT, spacy_pipeline

PARAGRAPH = (
    "The minister said on Monday that the talks had stalled. \u201cWe are not giving up,\u201d she told reporters.\n"
    "According to two officials, the deal could collapse (ISIS/ISIL)* was not discussed. experts disagree.\n\n"
)


def _long_text(chars: int) -> str:
    return (PARAGRAPH * (chars // len(PARAGRAPH) + 1))[:chars].rstrip() + "."


def _per_token_reference(doc):  # type: ignore[no-untyped-def]
    """The component as it was before the fix (one ``is_sent_start`` write per token, each scanning the document)."""
    for token in doc[1:]:
        prev = doc[token.i - 1]
        if prev.is_space and prev.text.count("\n") >= 2:
            token.is_sent_start = True
        elif token.is_space or "\n" in prev.text:
            continue
        else:
            closing = (token.is_punct and not token.is_left_punct and not token.is_quote) or token.text in {"*", "**"}
            if closing or (token.text[:1].islower() and prev.text not in _FINAL_PUNCT):
                token.is_sent_start = False
    return doc


def test_quadratic_cost_paragraph_component_sets_the_same_boundaries_in_one_pass() -> None:
    """Case 1 (quadratic cost): the one-pass paragraph-break component keeps the boundaries of the per-token one."""
    nlp = spacy_pipeline()
    component = nlp.get_pipe("veracity_paragraph_breaks")
    for text in [_long_text(6_000), "x", "A headline\n\n\nBody. and more (ISIS)* here.\n\nEnd"]:
        fast = component(nlp.make_doc(text))
        slow = _per_token_reference(nlp.make_doc(text))
        assert [t.sent_start for t in fast] == [t.sent_start for t in slow]


def test_quadratic_cost_long_text_is_split_at_paragraph_breaks_that_join_back() -> None:
    """Case 1 (quadratic cost): a long text is parsed in pieces of bounded size, each cut after a blank line."""
    text = _long_text(7 * PIECE_CHARS)
    pieces = split_for_parse(text)
    assert "".join(pieces) == text
    assert len(pieces) >= 4 and max(map(len, pieces)) <= 2 * PIECE_CHARS
    assert all(p.endswith("\n\n") and not n[:1].isspace() for p, n in itertools.pairwise(pieces))
    assert split_for_parse("short text") == ["short text"]


@pytest.mark.parametrize("text", ["word " * 9_000, "x" * 25_000, "no breaks here. " * 2_000])
def test_quadratic_cost_text_without_paragraphs_still_splits_and_joins(text: str) -> None:
    """Case 1 (quadratic cost): one endless paragraph (or no spaces at all) still gets bounded pieces."""
    pieces = split_for_parse(text)
    assert "".join(pieces) == text and len(pieces) > 1
    assert max(map(len, pieces)) <= 2 * PIECE_CHARS


@pytest.mark.slow
def test_quadratic_cost_pieced_parse_gives_the_sentences_of_a_whole_parse() -> None:
    """Case 1 (quadratic cost): parsing in pieces and joining changes no sentence and keeps exact offsets."""
    text = _long_text(3 * PIECE_CHARS)
    joined = parse(Document(text))
    whole = spacy_pipeline()(text)
    assert joined.text == text
    assert [(s.start_char, s.end_char) for s in joined.sents] == [(s.start_char, s.end_char) for s in whole.sents]
    assert [(e.start_char, e.end_char, e.label_) for e in joined.ents] == [
        (e.start_char, e.end_char, e.label_) for e in whole.ents
    ]
