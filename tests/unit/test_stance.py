"""The stance model: feature maths, the public function's input checks, and the shipped head on clear pairs."""

from __future__ import annotations

import numpy as np
import pytest

from veracity.errors import UsageError
from veracity.models.stance import LABELS, LEXICAL, StanceModel, lexical_features, pair_features, stance
from veracity.stores.testing import HashEmbedder


def test_lexical_cues() -> None:
    f = dict(zip(LEXICAL, lexical_features("Sea ice is not shrinking.", "Sea ice is shrinking fast."), strict=True))
    assert f["neg_claim_only"] == 1.0 and f["neg_passage_only"] == 0.0
    f = dict(zip(LEXICAL, lexical_features("Temperatures rose 3 degrees.", "Temperatures rose 1 degree."), strict=True))
    assert f["claim_numbers_missing"] == 1.0
    f = dict(zip(LEXICAL, lexical_features("Glaciers increase.", "Glaciers decrease in size."), strict=True))
    assert f["antonym_pair"] == 1.0


def test_features_are_pairwise_only() -> None:
    """No feature reads the claim alone: swapping in a different claim vector changes u·v and |u−v| together."""
    u = np.eye(4, dtype=np.float32)[:2]
    v = np.eye(4, dtype=np.float32)[[0, 2]]
    x = pair_features(u, v, ["a", "b"], ["a", "c"])
    assert x.shape == (2, 4 + 4 + 1 + len(LEXICAL))
    assert x[0, -3] == 0.0  # no negation on either side
    assert x[0, 8] == pytest.approx(1.0) and x[1, 8] == pytest.approx(0.0)


def test_head_maths_with_a_given_head() -> None:
    dim = 64 * 2 + 1 + len(LEXICAL)
    w = np.zeros((dim, 3), np.float32)
    w[128, 0] = 5.0  # cosine → supports
    head = {
        "labels": list(LABELS),
        "lexical": list(LEXICAL),
        "mean": [0.0] * dim,
        "scale": [1.0] * dim,
        "layers": [[w.tolist(), [0.0, 0.0, 0.5]]],
    }
    model = StanceModel(head, embedder=HashEmbedder())
    same, other = model.predict([("glaciers melt", "glaciers melt"), ("glaciers melt", "stock prices fell")])
    assert same.label == "supports" and other.label == "not_enough_info"
    assert sum(same.scores.values()) == pytest.approx(1.0, abs=1e-3)
    bad = {**head, "lexical": ["x"]}
    with pytest.raises(Exception, match="other features"):
        StanceModel(bad, embedder=HashEmbedder())


def test_public_function_checks_input() -> None:
    with pytest.raises(UsageError, match="list of"):
        stance(("a claim", "a passage"))  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="item 0"):
        stance([("only one",)])  # type: ignore[list-item]
    with pytest.raises(UsageError, match="empty"):
        stance([("claim", "  ")])
    assert stance([]) == []


def test_shipped_model_on_clear_pairs() -> None:
    pytest.importorskip("onnxruntime")
    from veracity.errors import ModelMissingError

    try:
        out = stance(
            [
                ("The Earth is warming.", "Global average temperatures have risen markedly over the past century."),
                ("The Eiffel Tower is in Paris.", "Bananas are rich in potassium."),
            ]
        )
    except ModelMissingError as exc:
        pytest.skip(f"stance artifact not installed: {exc}")
    assert [set(o["scores"]) for o in out] == [set(LABELS)] * 2
    assert out[0]["scores"]["supports"] > out[0]["scores"]["refutes"]
    assert out[1]["label"] == "not_enough_info"


@pytest.mark.xfail(
    strict=True,
    reason="known weakness of the first stance head (CARD.md): a claim and its negation embed "
    "close together; a stronger model makes this pass, and then this mark must go",
)
def test_shipped_model_sees_a_plain_negation() -> None:
    pytest.importorskip("onnxruntime")
    out = stance([("The Earth is not warming.", "The Earth is warming.")])[0]
    assert out["scores"]["refutes"] > out["scores"]["supports"]
