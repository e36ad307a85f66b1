"""The context a claim sentence is searched with (the sentence before it, within its paragraph)."""

from __future__ import annotations

from veracity.stores.context import MAX_CONTEXT_CHARS, previous_sentences


def _spans(text: str, parts: list[str]) -> list[tuple[int, int]]:
    out, at = [], 0
    for part in parts:
        start = text.index(part, at)
        out.append((start, start + len(part)))
        at = start + len(part)
    return out


def test_previous_sentence_within_the_paragraph() -> None:
    parts = ["The video came from Douma.", "It was a fake.", "A new paragraph starts.", "It ends here."]
    text = f"{parts[0]} {parts[1]}\n\n{parts[2]} {parts[3]}"
    spans = _spans(text, parts)
    assert previous_sentences(text, spans, spans) == ["", parts[0], "", parts[2]]


def test_long_context_keeps_its_end() -> None:
    first = "word " * 200 + "Douma."
    text = f"{first} It was a fake."
    spans = _spans(text, [first, "It was a fake."])
    context = previous_sentences(text, spans, spans[1:])[0]
    assert len(context) == MAX_CONTEXT_CHARS and context.endswith("Douma.")
