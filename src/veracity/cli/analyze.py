"""``veracity analyze SOURCE``: one article to a report in the terminal, JSON, HTML or Markdown."""

from __future__ import annotations

import argparse
import sys

from veracity.cli.common import add_settings_flags, settings_from, split_list, write_output


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``analyze`` command."""
    p = sub.add_parser("analyze", help="analyse one article (a file, a URL, or - for stdin)")
    p.add_argument("source", metavar="SOURCE", help="path to a .txt/.md/.html file, an http(s) URL, or - for stdin")
    from veracity.report.render import formats

    p.add_argument(
        "--format",
        "-f",
        choices=formats(),
        default=None,
        help="output format, from the registered renderers (default: from --out's suffix, else text on a terminal "
        "and json when piped)",
    )
    p.add_argument("--out", "-o", metavar="FILE", help="write the report here instead of stdout")
    p.add_argument("--only", metavar="LAYERS", help="comma-separated layers to produce (and what they need)")
    p.add_argument("--title", help="article title (overrides what the HTML says)")
    add_settings_flags(p)
    p.set_defaults(func=run)


def _format(args: argparse.Namespace) -> str:
    from veracity.report.render import suffix_format

    if args.format:
        return str(args.format)
    if args.out:
        return suffix_format(args.out) or "text"
    return "text" if sys.stdout.isatty() else "json"


def run(args: argparse.Namespace) -> int:
    """Load the source, run the pipeline, render the report."""
    from veracity.ingest import load_source
    from veracity.pipeline import Pipeline
    from veracity.report.render import render

    settings = settings_from(args)
    only = split_list(args.only)
    pipeline = Pipeline.from_settings(settings, only=only)  # wiring errors surface before any reading
    doc = load_source(args.source, settings=settings, title=args.title)
    report = pipeline.run(doc)
    fmt = _format(args)
    if fmt == "text" and not args.out:
        render(report, "text", stream=sys.stdout)
        return 0
    write_output(render(report, fmt), args.out)
    return 0
