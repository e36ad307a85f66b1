"""Quotation spans from double quotation marks, curly or straight, nested or unbalanced.

Two apostrophes (''…'') count as a double mark. Only the outermost double-quoted stretch counts (single quotes are too often apostrophes or scare quotes). An opening
mark left unclosed at a paragraph break ends there, unless the next paragraph reopens the quote (the newspaper
convention for a quote running over several paragraphs), in which case the quote goes on.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Quote", "find_quotes"]

_OPEN = {"“": "”", "„": "”", "«": "»", "‟": "”"}
_CLOSE = {"”", "»"}
_STRAIGHT = '"'
_DOUBLED = "''"


@dataclass(frozen=True)
class Quote:
    """A quoted stretch ``[start, end)`` including its marks; ``balanced`` is False when the closing mark is missing."""

    start: int
    end: int
    balanced: bool


def _paragraph_break(text: str, i: int) -> bool:
    """Whether a blank line starts at ``text[i]`` (a newline followed by optional spaces and another newline)."""
    if text[i] != "\n":
        return False
    j = i + 1
    while j < len(text) and text[j] in " \t\r":
        j += 1
    return j < len(text) and text[j] == "\n"


def find_quotes(text: str) -> list[Quote]:
    """Outermost double-quoted stretches in reading order."""
    quotes: list[Quote] = []
    stack: list[str] = []
    start = -1
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if text.startswith(_DOUBLED, i):
            # ''…'': two apostrophes as a double quotation mark (the New York Times' archive style)
            if stack and stack[-1] == _DOUBLED:
                stack.pop()
                if not stack:
                    quotes.append(Quote(start, i + 2, True))
            else:
                if not stack:
                    start = i
                stack.append(_DOUBLED)
            i += 2
            continue
        if ch in _OPEN or (ch == _STRAIGHT and (not stack or stack[-1] != _STRAIGHT)):
            if not stack:
                start = i
            stack.append(ch)
        elif ch in _CLOSE or ch == _STRAIGHT:
            if stack:
                stack.pop()
                if not stack:
                    quotes.append(Quote(start, i + 1, True))
        elif stack and _paragraph_break(text, i):
            # A quote unclosed at a paragraph end: it continues when the next paragraph opens with a mark.
            j = i
            while j < n and text[j].isspace():
                j += 1
            end = i
            while end > start and text[end - 1].isspace():
                end -= 1
            if j < n and (text[j] in _OPEN or text[j] == _STRAIGHT) and stack[0] != _STRAIGHT:
                i = j + 1  # skip the reopening mark; the quote goes on
                continue
            if stack[0] == _DOUBLED and text.startswith(_DOUBLED, j):
                i = j + 2
                continue
            if end > start + 1:
                quotes.append(Quote(start, end, False))
            stack.clear()
            i = j
            continue
        i += 1
    if stack and start >= 0:
        end = n
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start + 1:
            quotes.append(Quote(start, end, False))
    return quotes
