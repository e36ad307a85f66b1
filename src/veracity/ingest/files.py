"""Files and raw bytes to Documents: size cap, binary sniffing, strict decoding, HTML detection."""

from __future__ import annotations

import codecs
import re
from pathlib import Path

from veracity.config import Settings
from veracity.doc import Document
from veracity.errors import DecodingError, InputError, InputTooLargeError, UnsupportedInputError
from veracity.ingest.text import from_text

__all__ = ["decode_bytes", "document_from_bytes", "read_file"]

# Signatures of formats people hand to veracity by mistake, with what to say about them.
_MAGIC: list[tuple[bytes, str]] = [
    (b"%PDF", "a PDF"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt document)"),
    (b"\x1f\x8b", "gzip-compressed"),
    (b"\x28\xb5\x2f\xfd", "zstd-compressed"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\x7fELF", "an executable"),
    (b"PAR1", "a Parquet file (use veracity batch for corpora)"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office document"),
]
_CORPUS_SUFFIXES = {".jsonl", ".ndjson", ".csv", ".tsv", ".parquet"}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_SUPPORTED = "veracity reads text (.txt, .md), HTML, JSONL, CSV and Parquet"
#: codecs Python counts as text encodings that no page is written in (host names, escapes, UTF-7's XSS history)
_NOT_CHARSETS = {"punycode", "idna", "utf-7", "unicode-escape", "raw-unicode-escape", "undefined"}
_HTML_SNIFF = re.compile(rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html|head|body)\b", re.IGNORECASE | re.DOTALL)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]+)", re.IGNORECASE)


def read_file(path: Path, *, settings: Settings | None = None, title: str | None = None) -> Document:
    """Read a .txt, .md or .html file (or any UTF-8 text) into a Document, refusing what it cannot read."""
    settings = settings or Settings()
    name = f'"{path}"'
    if not path.exists():
        raise InputError(f"{name} does not exist; give a path to a .txt, .md or .html file, a URL, or - for stdin")
    if path.is_dir():
        raise InputError(f"{name} is a folder; give one file here, or use veracity batch for a folder of articles")
    if path.suffix.lower() in _CORPUS_SUFFIXES:
        raise UnsupportedInputError(
            f"{name} looks like a corpus ({path.suffix}); analyse it with: veracity batch {path} --out DIR"
        )
    try:
        size = path.stat().st_size
        if size > settings.max_bytes:
            raise InputTooLargeError(
                f"{name} is {size:,} bytes, over the cap of {settings.max_bytes:,}; split it or raise the cap "
                "(--max-bytes or VERACITY_MAX_BYTES)"
            )
        # Read at most one byte past the cap: a device (/dev/zero), a FIFO or a growing file reports no true size.
        with path.open("rb") as fh:
            data = fh.read(settings.max_bytes + 1)
    except OSError as exc:
        raise InputError(f"{name} cannot be read: {exc.strerror or exc}") from None
    if len(data) > settings.max_bytes:
        raise InputTooLargeError(
            f"{name} holds more than the cap of {settings.max_bytes:,} bytes (it is not a regular file, or it grew); "
            "save the article to a file or raise the cap (--max-bytes or VERACITY_MAX_BYTES)"
        )
    is_html = path.suffix.lower() in _HTML_SUFFIXES or None
    return document_from_bytes(data, name=name, settings=settings, title=title, is_html=is_html)


def document_from_bytes(
    data: bytes,
    *,
    name: str,
    settings: Settings,
    title: str | None = None,
    url: str | None = None,
    charset: str | None = None,
    is_html: bool | None = None,
) -> Document:
    """A Document from raw bytes: sniff binaries, decode strictly, extract the article when it is HTML."""
    if len(data) > settings.max_bytes:
        raise InputTooLargeError(
            f"{name} is over the cap of {settings.max_bytes:,} bytes; split it or raise the cap (--max-bytes or VERACITY_MAX_BYTES)"
        )
    if not data.strip():
        raise InputError(f"{name} is empty (no text to analyse); give an article with some text")
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise UnsupportedInputError(f"{name} is {what}; {_SUPPORTED}")
    html = _HTML_SNIFF.match(data[:4096]) is not None if is_html is None else is_html
    if html:
        declared = charset or _declared_charset(data)
        text = decode_bytes(data, name=name, charset=declared)
        from veracity.ingest.html import document_from_html

        return document_from_html(text, url=url, title=title, settings=settings, what=name)
    text = decode_bytes(data, name=name, charset=charset)
    if "\x00" in text or _looks_binary(text):
        raise UnsupportedInputError(f"{name} looks binary (control bytes); {_SUPPORTED}")
    return from_text(text, title=title, url=url, max_chars=settings.max_chars, what=name)


def decode_bytes(data: bytes, *, name: str, charset: str | None = None) -> str:
    """Decode with a BOM's or the declared charset, else strict UTF-8; a clear error instead of mojibake."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8"),
        (codecs.BOM_UTF16_LE, "utf-16-le"),
        (codecs.BOM_UTF16_BE, "utf-16-be"),
    ):
        if data.startswith(bom):
            data, charset = data[len(bom) :], encoding
            break
    encoding = (charset or "utf-8").strip().lower()
    try:
        info = codecs.lookup(encoding)
    except LookupError:
        encoding = "utf-8"
    else:
        # Python also knows codecs that are not character sets (rot13, base64, hex, zlib, punycode …): a page that
        # declares one is refused, never decoded with it.
        if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_CHARSETS:
            raise DecodingError(
                f"{name} declares its charset as {charset!r}, which is not a text encoding a page can be written in; "
                "save it as UTF-8 (or give its text) and try again"
            )
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        if b"\x00" in data[:4096]:
            raise UnsupportedInputError(f"{name} looks binary (NUL bytes); {_SUPPORTED}") from None
        raise DecodingError(
            f"{name} is not valid {encoding.upper()} (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "convert it to UTF-8 first, e.g. iconv -f WINDOWS-1252 -t UTF-8"
        ) from None
    except (UnicodeError, ValueError, TypeError, LookupError) as exc:  # a codec failing in its own way
        raise DecodingError(
            f"{name} cannot be decoded as {encoding.upper()} ({type(exc).__name__}); convert it to UTF-8 first"
        ) from None


def _declared_charset(data: bytes) -> str | None:
    match = _META_CHARSET.search(data[:8192])
    return match.group(1).decode("ascii") if match else None


def _looks_binary(text: str) -> bool:
    """Many C0 control characters (other than tab, CR, LF, FF) mean the bytes were not text."""
    head = text[:8192]
    controls = sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\r\n\f\v")
    return controls > max(8, len(head) // 100)
