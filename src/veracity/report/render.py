"""Render a report in a registered format: ``render(report, "html")``.

Renderers are registered like analyzers, under the ``veracity.renderers`` entry-point group (built-ins in veracity's
own ``pyproject.toml``), so ``--format`` choices come from the registry and a plug-in adds a format without a change
here. Every renderer formats the one view model (``veracity.report.view``), built once per report.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Protocol, TextIO, runtime_checkable

from veracity.errors import PipelineError, UsageError
from veracity.report.model import Report
from veracity.report.view import ReportView, build_view

__all__ = ["RENDERER_GROUP", "Renderer", "formats", "get_renderer", "render", "suffix_format"]

RENDERER_GROUP = "veracity.renderers"


@runtime_checkable
class Renderer(Protocol):
    """What a report format provides: a name, a media type, file suffixes, and ``render(view)``."""

    name: str
    media_type: str
    suffixes: tuple[str, ...]

    def render(self, view: ReportView, stream: TextIO | None = None) -> str:
        """The report as text; a renderer that styles a terminal may write to ``stream`` instead and return ""."""


@cache
def _entry_points() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in sorted(entry_points(group=RENDERER_GROUP), key=lambda e: e.name)}


def formats() -> tuple[str, ...]:
    """Names of the registered report formats (``text``, ``json``, ``html``, ``md``, and any plug-in's)."""
    return tuple(_entry_points())


@cache
def get_renderer(name: str) -> Renderer:
    """The renderer registered under ``name``; an unknown name is a UsageError listing the known ones."""
    eps = _entry_points()
    if name not in eps:
        raise UsageError(
            f"unknown report format {name!r}; choose one of {', '.join(eps) or 'none (reinstall veracity)'}"
        )
    try:
        factory: Any = eps[name].load()
    except Exception as exc:  # a broken plug-in must not look like a veracity bug
        raise PipelineError(f"renderer {name!r} ({eps[name].value}) failed to import: {exc}") from exc
    renderer = factory()
    if not isinstance(renderer, Renderer):
        raise PipelineError(f"{name!r} does not implement the renderer protocol (name, media_type, suffixes, render)")
    return renderer


def suffix_format(filename: str) -> str | None:
    """The format whose renderer claims ``filename``'s suffix (``report.html`` → ``html``), or None."""
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    for name in formats():
        if suffix and suffix in get_renderer(name).suffixes:
            return name
    return None


def render(report: Report, fmt: str, stream: TextIO | None = None, view: ReportView | None = None) -> str:
    """Render a report in ``fmt``; with ``stream`` (text format) write to it directly with terminal styling."""
    renderer = get_renderer(fmt)
    return renderer.render(view or build_view(report), stream)
