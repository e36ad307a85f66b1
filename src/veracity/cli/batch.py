"""``veracity batch INPUT --out OUTPUT``: a whole corpus to JSONL reports and Parquet tables, locally or on Ray."""

from __future__ import annotations

import argparse
import sys

from veracity.cli.common import add_settings_flags, settings_from, split_list

EXIT_INTERRUPTED = {"SIGINT": 130, "SIGTERM": 143}


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``batch`` command."""
    p = sub.add_parser(
        "batch",
        help="analyse a corpus (folder, JSONL, CSV, Parquet) into JSONL reports and Parquet tables",
        description=(
            "Analyse every document of a corpus. Writes OUTPUT/reports.jsonl (one line per document, in input order: "
            "a report, or an error record), then OUTPUT/documents.parquet and OUTPUT/spans.parquet. A killed or "
            "interrupted run continues with --resume; each document appears exactly once."
        ),
    )
    p.add_argument(
        "input", metavar="INPUT", help="a folder of .txt/.html files, or a .jsonl, .csv/.tsv or .parquet file"
    )
    p.add_argument("--out", "-o", required=True, metavar="OUTPUT", help="output folder (created if missing)")
    p.add_argument("--only", metavar="LAYERS", help="comma-separated layers to produce (and what they need)")
    p.add_argument("--workers", "-w", type=int, metavar="N", help="worker processes or Ray actors (default: CPUs)")
    p.add_argument("--engine", choices=["local", "ray"], default="local", help="local processes (default) or Ray Data")
    p.add_argument("--ray-address", metavar="ADDR", help="join an existing Ray cluster (e.g. auto or ray://host:10001)")
    p.add_argument(
        "--text-field", metavar="NAME", help="field/column holding the text (default: text, else html, else url)"
    )
    p.add_argument("--id-field", metavar="NAME", help="field/column holding the document id (default: id)")
    p.add_argument("--resume", action="store_true", help="continue a run in OUTPUT, skipping documents already there")
    p.add_argument(
        "--chunk-size", type=int, default=16, metavar="N", help="documents per task/model batch (default 16)"
    )
    p.add_argument("--no-progress", action="store_true", help="no progress bar even on a terminal")
    add_settings_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Run the batch job and print its one-line summary on stderr."""
    from veracity.batch import run_batch
    from veracity.errors import UsageError

    if args.ray_address and args.engine != "ray":
        raise UsageError("--ray-address needs --engine ray")
    summary = run_batch(
        args.input,
        args.out,
        only=split_list(args.only),
        engine=args.engine,
        workers=args.workers,
        resume=args.resume,
        text_field=args.text_field,
        id_field=args.id_field,
        chunk_size=args.chunk_size,
        settings=settings_from(args),
        ray_address=args.ray_address,
        progress=False if args.no_progress else None,
    )
    sys.stderr.write(summary.line() + "\n")
    if summary.interrupted:
        return EXIT_INTERRUPTED.get(summary.interrupted, 130)
    return 0
