"""Claims are scored several to a model call, and a sentence's score does not depend on its batch mates."""

from __future__ import annotations

import numpy as np
import pytest

from veracity.models.claims import BATCH, ClaimScorer

pytestmark = pytest.mark.slow

SENTENCES = [
    "Unemployment fell to 3.5 percent last year, the lowest rate in fifty years.",
    "I think that's great.",
    "The senator voted against the bill 12 times between 2010 and 2014, according to congressional records.",
    "Thank you.",
    "Crime in the city has doubled since the new mayor took office, police figures show.",
    "We will never give up on our veterans, and we will rebuild this country's roads, bridges and airports.",
    "Vaccines cause autism.",
    "She said it was a beautiful day for a parade, and everyone agreed with her.",
    "The company paid no federal income tax on $2.3 billion in profits.",
]


def test_a_sentence_scores_the_same_alone_and_in_any_batch() -> None:
    scorer = ClaimScorer(threads=1)
    assert scorer.batch == BATCH > 1  # the shipped file quantises per text, so texts are grouped
    alone = np.array([scorer.score_texts([s])[0] for s in SENTENCES])
    together = scorer.score_texts(SENTENCES)
    reordered = scorer.score_texts(SENTENCES[::-1])[::-1]
    with_blanks = scorer.score_texts(["", *SENTENCES, "  "])[1:-1]
    for scores in (together, reordered, with_blanks):
        np.testing.assert_allclose(scores, alone, rtol=0, atol=1e-6)
    assert alone.max() - alone.min() > 0.5  # different sentences, different scores: the groups mix lengths


def test_a_file_quantised_per_call_is_scored_one_text_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    from veracity.models import loading

    real = loading.manifest("claims-minilm-l6-int8")
    monkeypatch.setattr(
        loading, "manifest", lambda artifact: {k: v for k, v in real.items() if k != "activation_quantisation"}
    )
    assert ClaimScorer(threads=1).batch == 1
