"""``veracity corpus add|index|stats|list|remove``: the user's own evidence corpora (``veracity.stores.corpus``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from veracity.cli.common import settings_from
from veracity.errors import UsageError

__all__ = ["corpus_name", "register"]


def corpus_name(args: argparse.Namespace, required: bool = True) -> str | None:
    """``--corpus``, else the ``corpus`` setting (when the installed veracity has one), else an error."""
    name = getattr(args, "corpus", None)
    if not name:
        name = getattr(settings_from(args), "corpus", "") or None
    if not name and required:
        raise UsageError("no corpus given; pass --corpus NAME (a name such as climate, or a path to a .sqlite3 file)")
    return name


def _add_corpus_flag(p: argparse.ArgumentParser) -> None:
    p.add_argument("--corpus", "-c", metavar="NAME", help="corpus name (stored in the user data dir) or a file path")


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``corpus`` command and its sub-commands."""
    p = sub.add_parser("corpus", help="build and inspect your own evidence corpora (passages with provenance)")
    verbs = p.add_subparsers(dest="verb", metavar="VERB", parser_class=type(p))

    a = verbs.add_parser(
        "add",
        help="add documents (folder of .txt/.html, .jsonl, .csv, .parquet) to a corpus",
        description=(
            "Split documents into passages (sentences with their neighbours) and index them for BM25 and dense search. "
            "Documents are matched by id: unchanged ones are skipped, changed ones replaced. A killed run resumes by "
            "running the same command again, without duplicates."
        ),
    )
    a.add_argument("source", metavar="SOURCE", help="a folder of .txt/.html files, or a .jsonl, .csv/.tsv or .parquet")
    _add_corpus_flag(a)
    a.add_argument("--text-field", metavar="NAME", help="field/column holding the text (default: text, else html)")
    a.add_argument("--id-field", metavar="NAME", help="field/column holding the document id (default: id)")
    a.add_argument("--batch-size", type=int, default=256, metavar="N", help="documents per write (default 256)")
    a.add_argument("--engine", choices=["local", "ray"], default="local", help="embed passages here or on Ray actors")
    a.add_argument("--workers", "-w", type=int, metavar="N", help="Ray actors (default: the cluster's CPUs)")
    a.add_argument("--ray-address", metavar="ADDR", help="join an existing Ray cluster (e.g. auto)")
    a.set_defaults(func=_add)

    i = verbs.add_parser("index", help="bring a corpus's search indexes up to date (resumes an interrupted add)")
    _add_corpus_flag(i)
    i.set_defaults(func=_index)

    s = verbs.add_parser("stats", help="documents, passages and index state of a corpus")
    _add_corpus_flag(s)
    s.set_defaults(func=_stats)

    ls = verbs.add_parser("list", help="the documents of a corpus")
    _add_corpus_flag(ls)
    ls.add_argument("--limit", type=int, default=50, metavar="N", help="documents shown (default 50)")
    ls.add_argument("--offset", type=int, default=0, metavar="N", help="skip the first N documents")
    ls.add_argument("--json", action="store_true", help="one JSON object per line")
    ls.set_defaults(func=_list)

    r = verbs.add_parser("remove", help="delete documents (and their passages) by id")
    r.add_argument("doc_ids", nargs="+", metavar="DOC_ID")
    _add_corpus_flag(r)
    r.set_defaults(func=_remove)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _open(args: argparse.Namespace, create: bool = False, embedder: Any = None) -> Any:
    from veracity.stores.corpus import open_corpus

    name = corpus_name(args)
    assert name is not None
    return open_corpus(name, embedder=embedder, create=create)


def _add(args: argparse.Namespace) -> int:
    from veracity.batch.records import open_records
    from veracity.stores.corpus import documents_from_records

    if args.batch_size < 1:
        raise UsageError("--batch-size must be at least 1")
    if args.engine != "ray" and (args.ray_address or args.workers):
        raise UsageError("--workers and --ray-address need --engine ray")
    settings = settings_from(args)
    source = open_records(args.source, text_field=args.text_field, id_field=args.id_field, max_bytes=settings.max_bytes)
    ray_embedder = None
    if args.engine == "ray":
        from veracity.stores.corpus_ray import RayEmbedder

        ray_embedder = RayEmbedder(args.workers, args.ray_address)
    store = _open(args, create=True, embedder=ray_embedder)
    try:
        report = store.add(documents_from_records(source, settings), batch_size=args.batch_size)
    finally:
        store.close()
        if ray_embedder is not None:
            ray_embedder.close()
    sys.stderr.write(f"corpus {store.name}: {report.line()}\n")
    return 0


def _index(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        report = store.index()
    finally:
        store.close()
    sys.stderr.write(f"corpus {store.name}: {report.embedded} passages embedded in {report.seconds:.1f}s\n")
    return 0


def _stats(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        stats = store.stats()
    finally:
        store.close()
    width = max(len(k) for k in stats)
    for key, value in stats.items():
        sys.stdout.write(f"{key:<{width}}  {value}\n")
    return 0


def _list(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        rows = store.documents(limit=args.limit, offset=args.offset)
    finally:
        store.close()
    for row in rows:
        if args.json:
            sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
        else:
            sys.stdout.write(
                f"{row['doc_id']}\t{row['passages']} passages\t{row['title'] or '-'}\t{row['url'] or '-'}\n"
            )
    return 0


def _remove(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        n = store.remove(args.doc_ids)
    finally:
        store.close()
    sys.stderr.write(f"corpus {store.name}: {n} of {len(args.doc_ids)} documents removed\n")
    return 0 if n else 2
