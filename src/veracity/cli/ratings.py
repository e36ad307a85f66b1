"""``veracity ratings``: look up an outlet's reliability, or import your own ratings CSV over the bundled table."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from veracity.config import load_settings
from veracity.errors import UsageError
from veracity.sourcing.outlets import alias_domain
from veracity.sourcing.ratings import import_ratings, normalize_domain, ratings_table


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``ratings import`` and ``ratings lookup``."""
    p = sub.add_parser("ratings", help="outlet reliability ratings: look up a domain, import your own CSV")
    actions = p.add_subparsers(dest="ratings_action", metavar="ACTION", parser_class=type(p))
    imp = actions.add_parser(
        "import",
        help="add or override ratings from a CSV with columns domain,score[,rating][,source][,labels]",
    )
    imp.add_argument("csv", metavar="CSV", help="ratings file; score in [0, 1]; labels joined by ';'")
    imp.add_argument(
        "--label",
        metavar="LABEL",
        default="",
        help="tag every domain of the file (e.g. state-affiliated); the file then needs only a domain column",
    )
    imp.add_argument(
        "--ratings",
        metavar="PATH",
        help="user ratings file to write (default: setting 'ratings', else the user data dir)",
    )
    imp.set_defaults(func=_import)
    look = actions.add_parser("lookup", help="the reliability rating of a domain, URL or outlet name")
    look.add_argument("domain", metavar="DOMAIN", help='a domain (apnews.com), a URL, or an outlet name ("Reuters")')
    look.add_argument("--ratings", metavar="PATH", help="user ratings file to consult first")
    look.add_argument("--json", action="store_true", help="print JSON")
    look.set_defaults(func=_lookup)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _setting(args: argparse.Namespace) -> str:
    return load_settings(getattr(args, "config", None), ratings=args.ratings).ratings


def _import(args: argparse.Namespace) -> int:
    count, dest = import_ratings(Path(args.csv), _setting(args), label=args.label)
    print(f"imported {count} rating(s) into {dest}")
    return 0


def _lookup(args: argparse.Namespace) -> int:
    query = args.domain.strip()
    domain = alias_domain(query) or normalize_domain(query)
    if not domain:
        raise UsageError(f"{query!r} is not a domain, URL or known outlet name; try e.g. apnews.com")
    found = ratings_table(_setting(args)).lookup(domain)
    if args.json:
        print(json.dumps({"query": query, "domain": domain, "rating": found}, indent=2))
        return 0 if found else 1
    if found is None:
        print(f"{domain}: no rating (not in the bundled Lin et al. 2023 table or your ratings file)")
        return 1
    labels = f" [{', '.join(found['labels'])}]" if found.get("labels") else ""
    if found["score"] is None:
        print(f"{found['domain']}: no rating{labels}")
        return 0
    print(f"{found['domain']}: {found['score']:.3f} ({found['rating']}) — {found['source']}{labels}")
    return 0
