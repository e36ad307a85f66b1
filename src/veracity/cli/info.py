"""``veracity schema`` and ``veracity analyzers``: what the report looks like and what can produce it."""

from __future__ import annotations

import argparse
import json

from veracity.cli.common import write_output


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``schema`` and ``analyzers`` commands."""
    p = sub.add_parser("schema", help="print the report's JSON Schema")
    p.add_argument("--out", "-o", metavar="FILE", help="write it here instead of stdout")
    p.set_defaults(func=_schema)
    p = sub.add_parser("analyzers", help="list registered analyzers (built-in and plug-ins)")
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.set_defaults(func=_analyzers)


def _schema(args: argparse.Namespace) -> int:
    from veracity.report import Report

    write_output(json.dumps(Report.json_schema(), indent=2, ensure_ascii=False) + "\n", args.out)
    return 0


def _analyzers(args: argparse.Namespace) -> int:
    from veracity import registry

    rows = registry.describe()
    if args.json:
        write_output(json.dumps(rows, indent=2), None)
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("layer", "version", "requires", "what it does", title="veracity analyzers")
    for row in rows:
        table.add_row(row["name"], row["version"], ", ".join(row["requires"]) or "-", row["description"])
    Console().print(table)
    return 0
