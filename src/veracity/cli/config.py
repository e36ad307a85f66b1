"""``veracity config show``: every resolved setting and where its value came from."""

from __future__ import annotations

import argparse
import json

from veracity.cli.common import add_settings_flags, flag_overrides, write_output


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``config`` command."""
    p = sub.add_parser("config", help="show the resolved settings and where each came from")
    verbs = p.add_subparsers(dest="config_command", metavar="VERB")
    show = verbs.add_parser(
        "show", help="print every setting, its value and its origin (default, file, variable, flag)"
    )
    show.add_argument("--json", action="store_true", help="print JSON instead of a table")
    add_settings_flags(show)
    show.set_defaults(func=_show)
    p.set_defaults(func=_show, json=False)


def _display(key: str, value: object) -> str:
    if key == "service.api_keys":
        return f"{len(value)} key(s)" if isinstance(value, tuple) and value else "none"  # never print secrets
    if isinstance(value, tuple):
        return ",".join(value) or "-"
    return "-" if value in ("", None) else str(value)


def _show(args: argparse.Namespace) -> int:
    from veracity.config import explain_settings

    rows = explain_settings(getattr(args, "config", None), **flag_overrides(args))
    if args.json:
        data = [{"key": r.key, "value": _display(r.key, r.value), "origin": r.origin} for r in rows]
        write_output(json.dumps(data, indent=2), None)
        return 0
    from rich.console import Console
    from rich.table import Table

    table = Table("setting", "value", "from", title="veracity settings (defaults < config file < VERACITY_* < flags)")
    for r in rows:
        table.add_row(r.key, _display(r.key, r.value), r.origin)
    Console().print(table)
    return 0
