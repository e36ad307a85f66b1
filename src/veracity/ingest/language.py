"""Which language a text is in, so a report can say first when it is not English (every model here is English).

py3langid (a maintained, offline fork of langid.py; its model ships in the wheel) decides. Its model takes ~3 s to
load, so ordinary English prose is recognised first by its function words ("the", "and", "of", "that", …: over 12% of
the words of English news, near 0% of French, German or Spanish), and the model is loaded only for the rest.
``python benchmarks/bench_language.py`` measures both paths.
"""

from __future__ import annotations

import re
from typing import Any

from veracity.models import loading

__all__ = ["ENGLISH_MARKERS", "SAMPLE_CHARS", "detect_language"]

#: how much of a text is read (language is a property of the whole; the head is enough)
SAMPLE_CHARS = 3000
#: English function words that are not words of the other major Latin-script languages
ENGLISH_MARKERS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "is",
        "that",
        "with",
        "for",
        "was",
        "are",
        "this",
        "have",
        "from",
        "by",
        "not",
        "were",
        "which",
        "been",
        "has",
        "their",
        "they",
        "would",
        "there",
        "will",
        "said",
        "his",
        "her",
        "its",
        "who",
        "what",
        "when",
        "than",
        "but",
        "about",
        "after",
        "also",
    ]
)
#: share of marker words above which (with enough words) a text is English without asking the model
MARKER_SHARE = 0.12
MIN_WORDS = 30
_WORD = re.compile(r"[^\W\d_]+")


def _identifier() -> Any:
    import py3langid.langid as langid

    return langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence in [0, 1]; (None, 0.0) when the text has too few letters to tell."""
    sample = text[:SAMPLE_CHARS]
    words = _WORD.findall(sample.lower())
    if len(words) < 3:
        return None, 0.0
    if len(words) >= MIN_WORDS and sum(w in ENGLISH_MARKERS for w in words) / len(words) >= MARKER_SHARE:
        return "en", 1.0
    code, prob = loading.shared("py3langid", _identifier).classify(sample)
    return str(code), round(float(prob), 4)
