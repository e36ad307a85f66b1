"""Helpers shared by CLI commands: settings from flags, writing output, splitting comma lists."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from veracity.config import Settings, load_settings
from veracity.errors import UsageError

__all__ = ["add_settings_flags", "flag_overrides", "settings_from", "split_list", "write_output"]


def add_settings_flags(parser: argparse.ArgumentParser) -> None:
    """Flags that override settings (the last word in defaults < file < environment < flags)."""
    parser.add_argument("--max-bytes", type=int, help="largest input read, in bytes (default 20,000,000)")
    parser.add_argument("--max-chars", type=int, help="largest text analysed, in characters (default 300,000)")
    parser.add_argument(
        "--allow-private", action="store_true", default=None, help="allow URLs on private/loopback addresses"
    )
    parser.add_argument("--timeout", type=float, help="URL fetch read timeout in seconds (default 15)")
    parser.add_argument("--db", metavar="PATH", help="fact-check database (default: user data dir; env VERACITY_DB)")
    parser.add_argument(
        "--corpus", metavar="NAME", help="evidence corpus (name or path) for the evidence layer (env VERACITY_CORPUS)"
    )


def flag_overrides(args: argparse.Namespace) -> dict[str, Any]:
    """The settings a command's flags override (None: not given)."""
    return {
        "max_bytes": getattr(args, "max_bytes", None),
        "max_chars": getattr(args, "max_chars", None),
        "allow_private": getattr(args, "allow_private", None),
        "fetch_read_timeout": getattr(args, "timeout", None),
        "db": getattr(args, "db", None),
        "corpus": getattr(args, "corpus", None),
    }


def settings_from(args: argparse.Namespace, **more: Any) -> Settings:
    """Resolve settings for a command from its flags (``more``: further overrides, e.g. ``service.threads``)."""
    return load_settings(getattr(args, "config", None), **flag_overrides(args), **more)


def split_list(value: str | None) -> list[str] | None:
    """``"a, b"`` → ``["a", "b"]``; None stays None."""
    if value is None:
        return None
    items = [v.strip() for v in value.split(",") if v.strip()]
    if not items:
        raise UsageError("empty list; give comma-separated names such as sentences,entities")
    return items


def write_output(content: str, out: str | None) -> None:
    """Write to a file (UTF-8) or to stdout."""
    if out and out != "-":
        path = Path(out)
        if path.parent and not path.parent.exists():
            raise UsageError(f"cannot write {out}: folder {path.parent} does not exist")
        if path.is_dir():
            raise UsageError(f"cannot write {out}: it is a folder; give a file name such as {path / 'report.json'}")
        try:
            path.write_text(content, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write {out}: {exc.strerror or exc}; choose another --out") from None
    else:
        sys.stdout.write(content)
        if not content.endswith("\n"):
            sys.stdout.write("\n")
