"""Issue 23 item 9, ingest cases: bogus charsets, endless files, deeply nested pages."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from veracity.config import Settings
from veracity.errors import DecodingError, InputTooLargeError, UnsupportedInputError
from veracity.ingest.files import document_from_bytes, read_file
from veracity.ingest.html import document_from_html

ARTICLE = "The minister said on Monday that the talks had stalled and would resume next week. " * 4


@pytest.mark.parametrize("charset", ["rot13", "base64", "hex", "zlib", "punycode", "idna", "utf-7", "bz2"])
def test_declared_charset_that_is_not_a_text_encoding_is_a_clear_error(charset: str) -> None:
    """Case 9 (charset rot13/base64/hex/zlib/punycode): a clear DecodingError naming the charset, never a crash."""
    page = f'<html><head><meta charset="{charset}"></head><body><p>{ARTICLE}</p></body></html>'.encode()
    with pytest.raises(DecodingError, match="not a text encoding"):
        document_from_bytes(page, name="page.html", settings=Settings())
    with pytest.raises(DecodingError, match="not a text encoding"):  # the same from an HTTP Content-Type header
        document_from_bytes(ARTICLE.encode(), name="url", settings=Settings(), charset=charset)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_dev_zero_is_read_with_a_cap() -> None:
    """Case 9 (/dev/zero): an endless device reads at most the cap, then a clear too-large error."""
    with pytest.raises(InputTooLargeError, match="more than the cap"):
        read_file(Path("/dev/zero"), settings=Settings(max_bytes=100_000))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_is_read_with_a_cap(tmp_path: Path) -> None:
    """Case 9 (FIFO): a named pipe that keeps sending is cut at the cap, not read until memory runs out."""
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    stop = threading.Event()

    def writer() -> None:
        try:
            with fifo.open("wb") as fh:
                while not stop.is_set():
                    fh.write(b"endless text " * 1000)
        except (BrokenPipeError, OSError):
            pass

    thread = threading.Thread(target=writer, daemon=True)
    thread.start()
    try:
        with pytest.raises(InputTooLargeError):
            read_file(fifo, settings=Settings(max_bytes=200_000))
    finally:
        stop.set()
    thread.join(5)


def _nested(depth: int) -> str:
    return (
        "<html><head><title>Deep</title></head><body>"
        + "<div>" * depth
        + f"<article><p>{ARTICLE}</p></article>"
        + "</div>" * depth
        + "</body></html>"
    )


def test_article_nested_deeper_than_256_elements_is_extracted() -> None:
    """Case 9 (nesting > 256): the article inside 400 nested elements is extracted, not reported as "no text"."""
    doc = document_from_html(_nested(400))
    assert "talks had stalled" in doc.text


def test_article_nested_beyond_the_parser_limit_gets_a_clear_error() -> None:
    """Case 9 (nesting beyond ~2,000): a clear error saying the page is nested too deep, not "no text"."""
    with pytest.raises(UnsupportedInputError, match="levels deep"):
        document_from_html(_nested(2_500))
