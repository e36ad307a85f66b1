"""Technique classification of passages, shared by ``POST /v1/techniques/classify`` and the page's passage question."""

from __future__ import annotations

import importlib
from typing import Any

from veracity.errors import ServiceError

__all__ = ["classifier", "normalise_classification", "technique_legend"]


def classifier() -> Any:
    try:
        veracity = importlib.import_module("veracity")
        fn = veracity.classify_techniques
    except (ImportError, AttributeError):
        raise ServiceError(
            503,
            "NotAvailable",
            "not available: the technique classifier (veracity.classify_techniques) is not in this build",
        ) from None
    return fn


def technique_legend() -> dict[str, str]:
    """One-line definitions of the technique labels (from the techniques analyzer's module)."""
    try:
        from veracity.analyzers.techniques import DEFINITIONS
    except ImportError:
        return {}
    return {str(k): str(v) for k, v in DEFINITIONS.items()}


def normalise_classification(raw: Any) -> list[dict[str, Any]]:
    """The first passage's labels as ``[{"label", "score"}]``, best first, whatever shape the classifier returns."""
    item = raw[0] if isinstance(raw, (list, tuple)) and raw and not _is_label_pair(raw[0]) else raw
    if isinstance(item, dict):
        for key in ("labels", "techniques", "scores", "predictions"):
            if key in item:
                return normalise_classification([item[key]])
        if "label" in item:
            return [{"label": str(item["label"]), "score": _score(item.get("score"))}]
        return sorted(
            ({"label": str(k), "score": _score(v)} for k, v in item.items() if isinstance(v, (int, float))),
            key=lambda d: -(d["score"] or 0.0),
        )
    if isinstance(item, (list, tuple)):
        out: list[dict[str, Any]] = []
        for entry in item:
            if isinstance(entry, dict) and "label" in entry:
                out.append({"label": str(entry["label"]), "score": _score(entry.get("score"))})
            elif isinstance(entry, (list, tuple)) and len(entry) == 2:
                out.append({"label": str(entry[0]), "score": _score(entry[1])})
            elif isinstance(entry, str):
                out.append({"label": entry, "score": None})
            elif hasattr(entry, "label"):
                out.append({"label": str(entry.label), "score": _score(getattr(entry, "score", None))})
        return sorted(out, key=lambda d: -(d["score"] or 0.0))
    if isinstance(item, str):
        return [{"label": item, "score": None}]
    return []


def _is_label_pair(value: Any) -> bool:
    return (isinstance(value, dict) and "label" in value) or (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and isinstance(value[0], str)
        and isinstance(value[1], (int, float))
    )


def _score(value: Any) -> float | None:
    try:
        return None if value is None else round(float(value), 4)
    except (TypeError, ValueError):
        return None
