"""The installed version, in a module of its own so that lower floors (report, ingest, service) can name it without
importing the package face ``veracity/__init__.py`` (which imports the pipeline and, through it, every floor)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

__all__ = ["__version__"]

try:
    __version__ = version("veracity")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
