"""The "none" calibration of the technique model (training/calibrate_techniques.py) on synthetic features."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from veracity.analyzers import _techniques_decode as dec

SCRIPT = Path(__file__).resolve().parents[2] / "training" / "calibrate_techniques.py"


@pytest.fixture(scope="module")
def calib():
    spec = importlib.util.spec_from_file_location("calibrate_techniques", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _data(n: int = 600, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = (rng.random(n) < 0.4).astype(int)
    x = rng.normal(size=(n, len(dec.NONE_FEATURES)))
    x[:, 0] += 2.0 * y  # one feature carries the signal
    arts = np.array([f"a{i % 40}" for i in range(n)])
    return x, y, arts


def test_threshold_leaves_the_asked_share_of_negatives_below_it_out_of_fold(calib) -> None:
    x, y, arts = _data()
    out = calib.calibrate(x, y, arts, quantile=0.85, folds=5, seed=13)
    cv = out["cv"]
    assert cv["none_share_sentences_without_technique"] == pytest.approx(0.85, abs=0.01)
    assert cv["none_share_gold_spans"] < 0.5  # the informative feature keeps most positives above it
    p = calib.probabilities(x, out)
    assert ((p[y == 0] < out["threshold"]).mean()) >= 0.8  # in-sample at least as separable
    assert out["weights"][0] > 0 and abs(out["weights"][0]) > max(abs(w) for w in out["weights"][1:])


def test_calibration_is_deterministic(calib) -> None:
    x, y, arts = _data(seed=3)
    assert calib.calibrate(x, y, arts, 0.85, 5, 13) == calib.calibrate(x, y, arts, 0.85, 5, 13)


def test_line_ranges_skip_blank_lines(calib) -> None:
    text = "Title\n\nFirst line.\nSecond."
    assert [text[a:b] for a, b in calib.line_ranges(text)] == ["Title", "First line.", "Second."]
