"""``veracity eval TASK``: reproduce the quality numbers in the model cards and the README.

Each task is a module in ``veracity.evaluation`` exposing ``DESCRIPTION``, ``add_arguments(parser)`` and
``run(args) -> int``; they are found automatically, so adding an evaluation is one new module.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
from typing import Any

import veracity.evaluation as evaluation_pkg


def _tasks() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for info in pkgutil.iter_modules(evaluation_pkg.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"veracity.evaluation.{info.name}")
        if hasattr(module, "run") and hasattr(module, "add_arguments"):
            found[info.name] = module
    return found


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``eval`` with one sub-command per evaluation module."""
    p = sub.add_parser("eval", help="evaluate a model on the research datasets in ../shared/data")
    tasks = p.add_subparsers(dest="task", metavar="TASK", parser_class=type(p))
    for name, module in _tasks().items():
        tp = tasks.add_parser(name, help=getattr(module, "DESCRIPTION", ""))
        tp.add_argument("--data", metavar="DIR", default=None, help="the shared data folder (default: ../shared/data)")
        module.add_arguments(tp)
        tp.set_defaults(func=module.run)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
