"""Readers: bytes sniffing and strict decoding, HTML extraction, sources dispatch, settings precedence."""

from __future__ import annotations

from pathlib import Path

import pytest

from veracity.config import Settings, load_settings
from veracity.errors import (
    ConfigurationError,
    DecodingError,
    EmptyInputError,
    InputError,
    InputTooLargeError,
    UnsupportedInputError,
)
from veracity.ingest import from_text, load_source
from veracity.ingest.files import document_from_bytes
from veracity.ingest.html import document_from_html

ARTICLE_HTML = """<!doctype html><html><head><title>Bridge to reopen | City Times</title>
<meta name="author" content="Jane Roe"><meta property="og:site_name" content="City Times">
<meta property="article:published_time" content="2024-05-02T10:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/sport">Sport</a></nav>
<article><h1>Bridge to reopen in May</h1>
<p>The mayor of Springfield said on Monday that the old bridge will reopen in May after two years of repairs.</p>
<p>“We are nearly there,” the mayor told reporters, adding that the cost had risen to $12 million.</p>
<p>Critics on the council said the delays were avoidable and called for an inquiry into the contractor.</p>
</article><footer>© City Times. Subscribe now! Cookie settings.</footer><script>var x = "tracking";</script></body></html>"""

S = Settings()


def test_html_extraction_keeps_article_and_metadata_drops_boilerplate() -> None:
    doc = document_from_html(ARTICLE_HTML, url="https://www.citytimes.example/news/bridge")
    assert "The mayor of Springfield said on Monday" in doc.text
    assert "Subscribe now" not in doc.text and "tracking" not in doc.text and "Sport" not in doc.text
    assert doc.meta["author"] == "Jane Roe"
    assert doc.meta["published"].startswith("2024-05-02")
    assert doc.meta["domain"] == "citytimes.example"
    assert "Bridge" in doc.meta["title"]
    assert "\n\n" in doc.text  # paragraphs stay apart so sentences never straddle them


def test_html_without_article_text_is_refused() -> None:
    with pytest.raises(EmptyInputError, match="no article text"):
        document_from_html("<html><body><script>1</script></body></html>")


def test_html_bomb_is_refused_before_parsing() -> None:
    bomb = "<div>" * 250_000
    with pytest.raises(InputTooLargeError, match="HTML elements"):
        document_from_html(bomb)


@pytest.mark.parametrize(
    "data,error,message",
    [
        (b"%PDF-1.7\n...", UnsupportedInputError, "is a PDF"),
        (b"PK\x03\x04rest", UnsupportedInputError, "ZIP"),
        (b"\x89PNG\r\n\x1a\n", UnsupportedInputError, "PNG"),
        (b"text\x00with\x00nuls\x00" * 10, UnsupportedInputError, "binary"),
        (b"caf\xe9 au lait", DecodingError, "not valid UTF-8 .*offset 3"),
        (b"   \n\t ", InputError, "empty"),
    ],
)
def test_bytes_are_sniffed_and_decoded_strictly(data: bytes, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        document_from_bytes(data, name="x", settings=S)


def test_boms_and_declared_charsets_decode() -> None:
    assert document_from_bytes("\ufeffHello BOM".encode(), name="x", settings=S).text == "Hello BOM"
    assert document_from_bytes("Hi UTF-16".encode("utf-16"), name="x", settings=S).text == "Hi UTF-16"
    page = (
        '<html><head><meta charset="windows-1252"></head><body><article><p>'
        + "Caf\u00e9 society met today in the old town hall. " * 5
        + "</p></article></body></html>"
    )
    doc = document_from_bytes(page.encode("cp1252"), name="x", settings=S)
    assert "Café society" in doc.text


def test_crlf_text_is_kept_verbatim() -> None:
    raw = "Line one.\r\nLine two.\r\n"
    assert document_from_bytes(raw.encode(), name="x", settings=S).text == raw


def test_size_caps() -> None:
    with pytest.raises(InputTooLargeError, match="over the cap"):
        document_from_bytes(b"a" * 101, name="x", settings=Settings(max_bytes=100))
    with pytest.raises(InputTooLargeError, match="characters"):
        from_text("word " * 100, max_chars=50)


def test_load_source_dispatch(tmp_path: Path) -> None:
    p = tmp_path / "a.md"
    p.write_text("# Title\n\nSome *markdown* text here.", encoding="utf-8")
    assert "markdown" in load_source(str(p)).text
    with pytest.raises(InputError, match="does not exist"):
        load_source(str(tmp_path / "missing.txt"))
    with pytest.raises(InputError, match="is a folder"):
        load_source(str(tmp_path))
    with pytest.raises(InputError, match="ftp: scheme"):
        load_source("ftp://example.org/a.txt")
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "x"}\n')
    with pytest.raises(UnsupportedInputError, match="veracity batch"):
        load_source(str(corpus))


def test_settings_precedence(tmp_path: Path) -> None:
    cfg = tmp_path / "config.toml"
    cfg.write_text("max_bytes = 1000\nallow_private = true\nmax_chars = 7\n")
    s = load_settings(cfg, environ={"VERACITY_MAX_BYTES": "2000", "VERACITY_MAX_CHARS": "9"}, max_chars=11)
    assert (s.max_bytes, s.allow_private, s.max_chars) == (2000, True, 11)
    assert load_settings(tmp_path / "none.toml" if False else None, environ={}).max_bytes == Settings().max_bytes
    with pytest.raises(ConfigurationError, match="VERACITY_MAX_BYTES"):
        load_settings(environ={"VERACITY_MAX_BYTES": "lots"})
    cfg.write_text("nonsense = 1\n")
    with pytest.raises(ConfigurationError, match="unknown setting"):
        load_settings(cfg, environ={})
