"""The ``veracity`` command: a thin face over the library.

Each sub-command lives in its own module under ``veracity.cli`` exposing ``register(subparsers)``; adding a command is
one module plus one line in ``COMMAND_MODULES``. Errors become one line on stderr: exit 2 for bad input or usage, 1 for
an internal fault, and a traceback only with ``--debug``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from typing import NoReturn

from veracity._version import __version__
from veracity.errors import VeracityError

__all__ = ["main"]

COMMAND_MODULES = [
    "veracity.cli.analyze",
    "veracity.cli.info",
    "veracity.cli.config",
    "veracity.cli.eval",
    "veracity.cli.ratings",
    "veracity.cli.claims",
    "veracity.cli.serve",
    "veracity.cli.batch",
    "veracity.cli.factchecks",
    "veracity.cli.corpus",
    "veracity.cli.evidence",
]

EXIT_OK, EXIT_FAULT, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit 2, like every other veracity error."""

    def error(self, message: str) -> NoReturn:
        sys.stderr.write(f"veracity: error: {message} (see: {self.prog} --help)\n")
        raise SystemExit(EXIT_USAGE)


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every registered sub-command."""
    parser = _Parser(prog="veracity", description="Explainable, offline analysis of news articles for disinformation.")
    parser.add_argument("--version", action="version", version=f"veracity {__version__}")
    parser.add_argument("--debug", action="store_true", help="show tracebacks for errors")
    parser.add_argument("--config", metavar="FILE", help="settings file (TOML); default: the user config dir")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMAND_MODULES:
        importlib.import_module(name).register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code (and is the console-script entry point)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args_list
    from veracity.models.loading import cap_malloc_arenas

    cap_malloc_arenas()  # before any model or worker thread allocates
    try:
        parser = build_parser()
        args = parser.parse_args(args_list)
        if not getattr(args, "func", None):
            parser.print_help(sys.stderr)
            return EXIT_USAGE
        return int(args.func(args) or 0)
    except SystemExit as exc:
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write("veracity: interrupted\n")
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except VeracityError as exc:
        if debug:
            raise
        sys.stderr.write(f"veracity: {type(exc).__name__}: {_one_line(str(exc))}\n")
        return EXIT_USAGE if exc.user_error else EXIT_FAULT
    except MemoryError:  # an address-space or memory cap: the input is too big for this machine's limits
        if debug:
            raise
        sys.stderr.write(
            "veracity: OutOfMemory: ran out of memory analysing this input; split it into shorter documents, lower "
            "--max-chars, or run with more memory\n"
        )
        return EXIT_USAGE
    except OSError as exc:  # the file system refused one of the user's paths: theirs to fix, not an internal fault
        if debug:
            raise
        where = f" {exc.filename}" if exc.filename else ""
        reason = exc.strerror or _one_line(str(exc))
        sys.stderr.write(f"veracity: FileError: cannot use{where}: {reason}; check the path and its permissions\n")
        return EXIT_USAGE
    except Exception as exc:  # an internal fault: say so, point at --debug
        if debug:
            raise
        sys.stderr.write(
            f"veracity: internal error: {type(exc).__name__}: {_one_line(str(exc))} (re-run with --debug for details)\n"
        )
        return EXIT_FAULT


def _one_line(message: str) -> str:
    return " ".join(message.split())


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
