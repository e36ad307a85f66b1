"""Reports: the versioned JSON model and its JSON Schema (renderers live in ``veracity.report.render``)."""

from veracity.report.model import SCHEMA_VERSION, Report, ReportLayer, ReportSpan

__all__ = ["SCHEMA_VERSION", "Report", "ReportLayer", "ReportSpan"]
