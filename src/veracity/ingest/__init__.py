"""Readers that turn what a user gives (text, a file, stdin, HTML, a URL) into a ``Document``.

``to_document`` is the one "source → Document" function of the CLI, the service and batch (``load_source`` is the
CLI's path/stdin/URL front for it); each reader raises a clear ``InputError`` or
``FetchError`` for input it cannot take.
"""

from veracity.ingest.sources import load_source, to_document
from veracity.ingest.text import from_text

__all__ = ["from_text", "load_source", "to_document"]
