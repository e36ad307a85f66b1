"""Readers that turn what a user gives (text, a file, stdin, HTML, a URL) into a ``Document``.

``load_source`` is the one entry point the CLI and the service use; each reader raises a clear ``InputError`` or
``FetchError`` for input it cannot take.
"""

from veracity.ingest.sources import load_source
from veracity.ingest.text import from_text

__all__ = ["from_text", "load_source"]
