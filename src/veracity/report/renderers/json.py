"""The JSON report (the versioned contract), exactly as ``Report.to_json`` writes it."""

from __future__ import annotations

from typing import TextIO

from veracity.report.view import ReportView

__all__ = ["JSONRenderer"]


class JSONRenderer:
    """``--format json``: the report itself."""

    name = "json"
    media_type = "application/json"
    suffixes = ("json",)

    def render(self, view: ReportView, stream: TextIO | None = None) -> str:
        """The report's JSON text."""
        return view.report.to_json()
