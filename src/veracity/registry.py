"""The analyzer registry: built-ins and third-party plug-ins are found the same way, through entry points.

A package adds an analyzer by declaring it in its ``pyproject.toml``::

    [project.entry-points."veracity.analyzers"]
    my_layer = "my_package.module:MyAnalyzer"

veracity's own analyzers are declared exactly like that in veracity's ``pyproject.toml``; nothing else lists them.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import TYPE_CHECKING, Any

from veracity.analyzers.base import Analyzer
from veracity.errors import PipelineError

if TYPE_CHECKING:
    from veracity.config import Services

__all__ = ["ENTRY_POINT_GROUP", "available", "create", "describe"]

ENTRY_POINT_GROUP = "veracity.analyzers"


@cache
def available() -> Mapping[str, EntryPoint]:
    """Registered analyzers by name (installed entry points of the ``veracity.analyzers`` group)."""
    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    return dict(sorted(found.items()))


def load_class(name: str) -> Any:
    """The analyzer class (or factory) registered under ``name``."""
    eps = available()
    if name not in eps:
        known = ", ".join(eps) or "none (is veracity installed with pip install -e .?)"
        raise PipelineError(f"no analyzer named {name!r}; available: {known}")
    try:
        return eps[name].load()
    except Exception as exc:  # a broken plug-in must not look like a veracity bug
        raise PipelineError(f"analyzer {name!r} ({eps[name].value}) failed to import: {exc}") from exc


def create(name: str, services: Services | None = None) -> Analyzer:
    """Instantiate a registered analyzer, passing it the process's services (settings, fact-check store)."""
    from veracity.config import Services

    factory = load_class(name)
    services = services or Services()
    analyzer = factory.from_services(services) if hasattr(factory, "from_services") else factory()
    if not isinstance(analyzer, Analyzer):
        raise PipelineError(
            f"{name!r} does not implement the analyzer protocol (name, version, requires, produces, load, analyze)"
        )
    if analyzer.produces != name:
        raise PipelineError(
            f"analyzer registered as {name!r} produces {analyzer.produces!r}; register it under that name"
        )
    return analyzer


def describe() -> list[dict[str, Any]]:
    """Name, version, requires and description of every registered analyzer (for the CLI and the service)."""
    rows = []
    for name in available():
        cls = load_class(name)
        rows.append(
            {
                "name": name,
                "version": getattr(cls, "version", "?"),
                "requires": list(getattr(cls, "requires", ())),
                "description": getattr(cls, "description", ""),
            }
        )
    return rows
