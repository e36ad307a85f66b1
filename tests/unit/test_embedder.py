"""The shared int8 embedder: fidelity to the fp32 reference, output contract, determinism, and clear model errors."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from veracity.errors import ConfigurationError, ModelMissingError
from veracity.models import loading
from veracity.models.embedder import ARTIFACT, DIM, Embedder, default_threads, get_embedder

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "embedder_reference.json"


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    """One embedder for the whole session (the model loads once)."""
    return get_embedder()


@pytest.fixture(scope="session")
def reference() -> tuple[list[str], np.ndarray]:
    """Texts and fp32 sentence-transformers vectors written by training/export_embedder.py --reference."""
    data = json.loads(REFERENCE.read_text(encoding="utf-8"))
    texts = [item["text"] for item in data["items"]]
    vectors = np.array([item["vector"] for item in data["items"]], dtype=np.float32)
    return texts, vectors


def _cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(axis=1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.mark.parametrize("batch_size", [1, 4, 32])
def test_int8_stays_close_to_fp32_reference(
    embedder: Embedder, reference: tuple[list[str], np.ndarray], batch_size: int
) -> None:
    texts, ref = reference
    cos = _cosines(embedder.embed(texts, batch_size=batch_size), ref)
    worst = int(np.argmin(cos))
    print(f"batch {batch_size}: min cosine {cos.min():.4f} (text {worst}), mean {cos.mean():.4f}")
    assert cos.min() >= 0.97, f"text {worst} {texts[worst][:40]!r} has cosine {cos[worst]:.4f} to fp32"


def test_reference_covers_truncation(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    texts, _ = reference
    longest = max(len(embedder._tokenizer.encode(t).ids) for t in texts)
    assert longest == embedder.max_tokens == 256


def test_shape_dtype_and_unit_norm(embedder: Embedder) -> None:
    vectors = embedder.embed(["A short sentence.", "", "Another, slightly longer sentence about the news today."])
    assert vectors.shape == (3, DIM) == (3, embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(vectors).all()


def test_empty_list(embedder: Embedder) -> None:
    vectors = embedder.embed([])
    assert vectors.shape == (0, DIM)
    assert vectors.dtype == np.float32


def test_single_str_is_refused(embedder: Embedder) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("not a list")  # type: ignore[arg-type]


def test_deterministic(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    texts, _ = reference
    assert np.array_equal(embedder.embed(texts), embedder.embed(texts))


def test_order_preserved_under_length_sorting(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    texts, ref = reference
    order = np.random.default_rng(0).permutation(len(texts))
    shuffled = embedder.embed([texts[i] for i in order], batch_size=3)
    # Each output row must match the reference of the text at that input position, not of its sorted neighbour.
    assert _cosines(shuffled, ref[order]).min() >= 0.97
    assert np.array_equal(embedder.embed(texts)[order], embedder.embed([texts[i] for i in order]))


def test_similar_texts_are_closer_than_unrelated(embedder: Embedder) -> None:
    a, b, c = embedder.embed(
        [
            "The president signed the new climate law on Monday.",
            "On Monday the new climate legislation was signed by the president.",
            "My cat likes to sleep on the warm windowsill.",
        ]
    )
    assert a @ b > a @ c + 0.3


@pytest.mark.slow
def test_no_torch_at_run_time() -> None:
    code = (
        "import sys; from veracity.models.embedder import get_embedder; get_embedder().embed(['check']); "
        "bad = sorted({'torch', 'transformers', 'sentence_transformers'} & set(sys.modules)); "
        "sys.exit(f'imported {bad}' if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_threads_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VERACITY_THREADS", "3")
    assert default_threads() == 3
    monkeypatch.setenv("VERACITY_THREADS", "many")
    with pytest.raises(ConfigurationError, match="VERACITY_THREADS"):
        default_threads()
    monkeypatch.delenv("VERACITY_THREADS")
    assert 1 <= default_threads() <= 2


@pytest.fixture
def fake_models_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A temporary models folder; the loading caches are cleared before and after so real files are untouched."""
    loading.artifact_path.cache_clear()
    loading._read_manifest.cache_clear()
    monkeypatch.setattr(loading, "MODELS_DIR", tmp_path)
    yield tmp_path
    loading.artifact_path.cache_clear()
    loading._read_manifest.cache_clear()


def test_missing_artifact_is_a_clear_error(fake_models_dir: Path) -> None:
    with pytest.raises(ModelMissingError, match="missing from this installation"):
        Embedder()


def test_corrupted_artifact_is_a_clear_error(fake_models_dir: Path) -> None:
    folder = fake_models_dir / ARTIFACT
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"version https://git-lfs.github.com/spec/v1\n")
    (folder / "tokenizer.json").write_text("{}", encoding="utf-8")
    loading.write_manifest(folder)
    (folder / "model.onnx").write_bytes(b"corrupted")
    with pytest.raises(ModelMissingError, match="fails its checksum"):
        Embedder()


def test_file_missing_from_manifest_is_a_clear_error(fake_models_dir: Path) -> None:
    folder = fake_models_dir / ARTIFACT
    folder.mkdir()
    (folder / "model.onnx").write_bytes(b"x")
    loading.write_manifest(folder)
    (folder / "model.onnx").unlink()
    with pytest.raises(ModelMissingError, match="is missing"):
        Embedder()


def test_concurrent_calls_match_sequential(embedder: Embedder, reference: tuple[list[str], np.ndarray]) -> None:
    from concurrent.futures import ThreadPoolExecutor

    texts, _ = reference
    expected = embedder.embed(texts)
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: embedder.embed(texts), range(8)))
    assert all(np.array_equal(r, expected) for r in results)
