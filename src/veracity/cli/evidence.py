"""``veracity evidence "claim" --corpus NAME`` and ``veracity stance CLAIM PASSAGE``: evidence and stance from the CLI."""

from __future__ import annotations

import argparse
import json
import sys

from veracity.cli.corpus import corpus_name
from veracity.errors import UsageError

__all__ = ["register"]


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``evidence`` and ``stance`` commands."""
    e = sub.add_parser(
        "evidence",
        help="passages of your corpus that support or refute a claim, with provenance",
        description="Search a corpus (built with veracity corpus add) for a claim and label each passage's stance.",
    )
    e.add_argument("claim", metavar="CLAIM", help="the claim, in quotes")
    e.add_argument("--corpus", "-c", metavar="NAME", help="corpus name or path (default: the corpus setting)")
    e.add_argument("--top", "-k", type=int, default=5, metavar="N", help="passages shown (default 5)")
    e.add_argument("--json", action="store_true", help="JSON instead of text")
    e.set_defaults(func=_evidence)

    s = sub.add_parser("stance", help="does a passage support or refute a claim? (the stance model on one pair)")
    s.add_argument("claim", metavar="CLAIM")
    s.add_argument("passage", metavar="PASSAGE")
    s.add_argument("--json", action="store_true", help="JSON instead of text")
    s.set_defaults(func=_stance)


def _evidence(args: argparse.Namespace) -> int:
    from veracity.analyzers.evidence import evidence_for_claim
    from veracity.stores.corpus import open_corpus

    if not args.claim.strip():
        raise UsageError("the claim is empty; give the claim text in quotes")
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    name = corpus_name(args)
    assert name is not None
    store = open_corpus(name)
    try:
        found = evidence_for_claim(store, args.claim, args.top)
    finally:
        store.close()
    if args.json:
        sys.stdout.write(json.dumps(found, ensure_ascii=False, indent=2) + "\n")
        return 0
    hits = found["passages"]
    if not hits:
        sys.stdout.write(f"no passages in corpus {store.name} for this claim\n")
        return 0
    sys.stdout.write(f"passages to read in corpus {store.name}, best first ({found['stance_caveat']})\n")
    for i, hit in enumerate(hits, 1):
        sc = hit["stance"]["scores"]
        where = " · ".join(x for x in (hit["title"], hit["url"], hit["date"]) if x)
        scores = f"supports {sc['supports']:.2f}  refutes {sc['refutes']:.2f}  nei {sc['not_enough_info']:.2f}"
        shown = hit["stance"].get("shown")  # decided once, by StanceQuality.shown_label
        stance = f"{shown.upper():<15} {scores}" if shown else f"stance hint {hit['stance']['label']} ({scores})"
        sys.stdout.write(
            f"{i}. similarity {hit['cosine']:.2f}  {stance}\n"
            f"   {hit['text']}\n   — {hit['doc_id']} [{hit['start']}:{hit['end']}] {where}\n"
        )
    return 0


def _stance(args: argparse.Namespace) -> int:
    from veracity.models.stance import stance

    result = stance([(args.claim, args.passage)])[0]
    if args.json:
        sys.stdout.write(json.dumps(result) + "\n")
    else:
        sc = result["scores"]
        sys.stdout.write(
            f"{result['label']}\tsupports {sc['supports']:.3f}\trefutes {sc['refutes']:.3f}\t"
            f"not_enough_info {sc['not_enough_info']:.3f}\n"
        )
    return 0
