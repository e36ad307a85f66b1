"""The precision-first stance gate: one per-pair decision (``StanceQuality.shown_label``) read from ``metrics.json``,
used by the evidence analyzer, ``evidence_for_claim`` and so every face; and the cross-encoder's batch independence."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
import pytest

from veracity.analyzers.evidence import EvidenceAnalyzer, evidence_for_claim
from veracity.doc import Document, Layer, Span
from veracity.models.stance import LABELS, StanceQuality, StanceResult
from veracity.stores.corpus import CorpusDocument, CorpusStore
from veracity.stores.testing import HashEmbedder


def metrics(
    fs_acc: float = 0.62,
    sup: tuple[float, float, int] = (0.70, 0.82, 50),
    ref: tuple[float, float, int] = (0.90, 0.60, 40),
) -> dict[str, Any]:
    """A metrics.json as train_stance_cross.py writes it: per label (threshold, FEVER-Symmetric precision, shown)."""
    out: dict[str, Any] = {
        "fever_symmetric_dev_accuracy_2way": fs_acc,
        "cv_macro_f1_climate_fever": {"one fold": 0.55},
        "chosen": "one fold",
        "thresholds": {},
        "fever_symmetric_at_thresholds": {},
        "heldout": {},
    }
    for label, (t, p, n) in (("supports", sup), ("refutes", ref)):
        out["thresholds"][label] = t
        out["fever_symmetric_at_thresholds"][label] = {"precision": p, "shown": n, "coverage": n / 705, "recall": 0.1}
        out["heldout"][f"{label}_at_threshold"] = {
            "annotated (chooses)": {"threshold": t, "precision": 0.81, "shown": 90}
        }
    return out


def quality_from(tmp_path: Path, content: dict[str, Any]) -> StanceQuality:
    path = tmp_path / "metrics.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    return StanceQuality.from_metrics_file(path)


def result(label: str, p: float) -> StanceResult:
    rest = (1.0 - p) / 2
    return StanceResult(label, {k: (p if k == label else rest) for k in LABELS})


def test_a_label_is_shown_only_above_its_threshold(tmp_path: Path) -> None:
    q = quality_from(tmp_path, metrics())
    assert not q.trusted and q.gates["supports"].threshold == 0.70
    assert q.shown_label(result("supports", 0.75)) == "supports"
    assert q.shown_label(result("supports", 0.70)) == "supports"  # the threshold itself counts
    assert q.shown_label(result("supports", 0.65)) is None
    assert q.shown_label(result("not_enough_info", 0.99)) is None  # only supports / refutes have gates


def test_a_label_under_the_fever_symmetric_bar_is_never_shown(tmp_path: Path) -> None:
    q = quality_from(tmp_path, metrics())  # refutes: precision 0.60 on FEVER-Symmetric at its threshold
    assert q.shown_label(result("refutes", 0.99)) is None
    assert q.shown_labels == ("supports",)
    few = quality_from(tmp_path, metrics(sup=(0.70, 0.90, 12)))  # precise but on 12 pairs: too few to say
    assert few.shown_label(result("supports", 0.99)) is None and few.shown_labels == ()
    assert "passages to read" in few.caveat() and "0.62" in few.caveat()


def test_no_threshold_or_no_file_means_nothing_is_shown(tmp_path: Path) -> None:
    m = metrics()
    m["thresholds"]["supports"] = None  # no threshold reached precision 0.80 on the held-out fold
    assert quality_from(tmp_path, m).shown_labels == ()
    missing = StanceQuality.from_metrics_file(tmp_path / "absent.json")
    assert missing.fever_symmetric is None and missing.shown_label(result("supports", 0.99)) is None


def test_a_trusted_model_shows_every_label(tmp_path: Path) -> None:
    q = quality_from(tmp_path, {**metrics(fs_acc=0.80), "cv_macro_f1_climate_fever": {"one fold": 0.65}})
    assert q.trusted and q.shown_labels == LABELS
    assert q.shown_label(result("refutes", 0.40)) == "refutes"  # below its threshold: the whole model is trusted


def test_the_caveat_names_the_open_gate(tmp_path: Path) -> None:
    caveat = quality_from(tmp_path, metrics()).caveat()
    assert "'supports' only at probability >= 0.70" in caveat and "0.82 on FEVER-Symmetric" in caveat
    assert "'refutes'" not in caveat


class FixedStance:
    """Scores by passage: a confident supporter, an unsure supporter, a confident refuter."""

    TABLE: ClassVar[dict[str, tuple[str, float]]] = {
        "gauges": ("supports", 0.9),
        "maybe": ("supports", 0.6),
        "denial": ("refutes", 0.95),
    }

    def predict(self, pairs: list[tuple[str, str]]) -> list[StanceResult]:
        out = []
        for _, passage in pairs:
            key = next(k for k in self.TABLE if k in passage)
            out.append(result(*self.TABLE[key]))
        return out


def store(tmp_path: Path) -> CorpusStore:
    s = CorpusStore(tmp_path / "c.sqlite3", embedder=HashEmbedder())
    s.add(
        [
            CorpusDocument("a", "Sea levels rose by 20 centimetres last century, gauges show.", "A"),
            CorpusDocument("b", "Sea levels rose by 20 centimetres last century maybe.", "B"),
            CorpusDocument("c", "Sea levels rose by 20 centimetres last century is denial.", "C"),
        ]
    )
    return s


def test_every_face_uses_the_same_per_pair_decision(tmp_path: Path) -> None:
    """The analyzer's span labels, its summary and evidence_for_claim's ``shown`` all follow shown_label."""
    q = quality_from(tmp_path, metrics())
    text = "Sea levels rose by 20 centimetres last century."
    doc = Document(text, id="d")
    doc.add_layer(Layer("claims", [Span(0, len(text), "checkworthy", 0.9, "claims/0")]))
    corpus = store(tmp_path)
    layer = EvidenceAnalyzer(corpus=corpus, stance_model=FixedStance(), stance_quality=q).analyze(doc)
    labels = {s.attrs["doc_id"]: (s.label, s.attrs["stance_hint"]) for s in layer.spans}
    assert labels == {"a": ("supports", "supports"), "b": ("passage", "supports"), "c": ("passage", "refutes")}
    assert layer.data["summary"]["claims_supported"] == 1 and "claims_refuted" not in layer.data["summary"]
    assert layer.data["summary"]["stance_shown"] is True
    assert set(layer.data["legend"]) == {"passage", "supports"}
    import veracity.analyzers.evidence as ev

    original = ev._quality
    ev._quality = lambda: q
    try:
        found = evidence_for_claim(corpus, text, 3, stance_model=FixedStance())
    finally:
        ev._quality = original
    shown = {p["doc_id"]: p["stance"]["shown"] for p in found["passages"]}
    assert shown == {"a": "supports", "b": None, "c": None}
    corpus.close()


def test_the_cross_encoder_scores_a_pair_the_same_alone_and_in_a_batch() -> None:
    pytest.importorskip("onnxruntime")
    from veracity.errors import ModelMissingError
    from veracity.models.stance import CrossStanceModel

    try:
        model = CrossStanceModel.shipped()
    except ModelMissingError as exc:
        pytest.skip(f"cross-encoder artifact not installed: {exc}")
    pairs = [
        ("The Earth is not warming.", "The Earth is warming."),
        ("Sea levels are rising.", "Tide gauges show sea level rose about 20 cm between 1900 and 2000, faster lately."),
        ("Vaccines cause autism.", "Large studies in several countries found no link between vaccines and autism."),
        ("Bananas are blue.", "Bananas are yellow when ripe."),
        ("x", "y"),
    ]
    together = model.probabilities(pairs)
    alone = np.stack([model.probabilities([p])[0] for p in pairs])
    assert np.abs(together - alone).max() < 1e-5
    assert np.allclose(together.sum(axis=1), 1.0, atol=1e-4)
    assert model.batch > 1  # the shipped file quantises per pair, so it is scored in batches
