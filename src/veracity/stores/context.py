"""The context a sentence is searched with: the sentence before it in the same paragraph.

``search_many(texts, contexts=previous_sentences(text, sentences, claims))``: an article's sentence often makes its
claim only together with the one before it ("Subsequent investigations have shown that the video was a fake."). A
paragraph break (a blank line) ends the context: a sentence that opens a paragraph is searched alone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["MAX_CONTEXT_CHARS", "previous_sentences"]

#: a context longer than this keeps its end (the part next to the sentence)
MAX_CONTEXT_CHARS = 400

_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def previous_sentences(
    text: str, sentences: Sequence[tuple[int, int]], targets: Sequence[tuple[int, int]]
) -> list[str]:
    """For each target ``(start, end)`` span: the text of the last sentence of ``sentences`` (character spans of
    ``text``) that ends at or before the target's start with no paragraph break in between; "" when there is none."""
    ordered = sorted(sentences)
    out: list[str] = []
    for start, _end in targets:
        before = [s for s in ordered if s[1] <= start]
        if not before:
            out.append("")
            continue
        s_start, s_end = before[-1]
        if _PARAGRAPH_BREAK.search(text, s_end, start) or _PARAGRAPH_BREAK.search(text[s_start:s_end]):
            out.append("")
            continue
        out.append(text[s_start:s_end].strip()[-MAX_CONTEXT_CHARS:])
    return out
