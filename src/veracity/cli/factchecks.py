"""``veracity factchecks import|search|stats|export``: build and query the local fact-check database."""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from veracity.cli.common import add_settings_flags, settings_from
from veracity.errors import UsageError

#: bad records listed on stderr (the rest are counted)
MAX_PROBLEMS_SHOWN = 20


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``factchecks`` and its sub-commands."""
    p = sub.add_parser("factchecks", help="import, search and export the local fact-check database")
    cmds = p.add_subparsers(dest="factchecks_command", metavar="COMMAND", parser_class=type(p))

    ip = cmds.add_parser(
        "import", help="import fact-checks (ClaimReview JSON-LD/HTML, Google/Data Commons, CSV, CheckThat!)"
    )
    ip.add_argument("file", metavar="FILE", help="the file to import")
    ip.add_argument(
        "--format",
        choices=["claimreview", "csv", "checkthat"],
        help="input format (default: guessed from the extension and first bytes)",
    )
    ip.add_argument("--map", metavar="FIELD=COLUMN,…", help="CSV column mapping, e.g. claim=Statement,review_url=Link")
    ip.add_argument(
        "--ratings-map", metavar="FILE", help="CSV of textual_rating,normalised rows extending the rating map"
    )
    ip.add_argument(
        "--no-index", action="store_true", help="store the records only; index them later with --rebuild-index"
    )
    ip.add_argument(
        "--rebuild-index", action="store_true", help="rebuild the search indexes from scratch after importing"
    )
    ip.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    add_settings_flags(ip)
    ip.set_defaults(func=_import)

    sp = cmds.add_parser("search", help="find fact-checks matching a text, or each line of a queries file")
    sp.add_argument("text", nargs="?", metavar="TEXT", help="the text to match")
    sp.add_argument("--queries", metavar="FILE.tsv", help="bulk search: one id<TAB>text per line")
    sp.add_argument("--top", type=int, default=5, metavar="K", help="results per query (default 5)")
    sp.add_argument(
        "--format",
        choices=["jsonl", "trec", "table"],
        default=None,
        help="output (default: table for one text on a terminal, else jsonl)",
    )
    sp.add_argument("--out", "-o", metavar="FILE", help="write results here instead of stdout")
    add_settings_flags(sp)
    sp.set_defaults(func=_search)

    st = cmds.add_parser("stats", help="counts by rating, publisher and language; index state")
    st.add_argument("--json", action="store_true", help="print JSON")
    add_settings_flags(st)
    st.set_defaults(func=_stats)

    ep = cmds.add_parser("export", help="write every fact-check as a schema.org ClaimReview JSON array")
    ep.add_argument("--out", "-o", metavar="FILE", help="write here instead of stdout")
    add_settings_flags(ep)
    ep.set_defaults(func=_export)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def _read_ratings_map(path: str) -> dict[str, str]:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--ratings-map {path}: no such file")
    mapping: dict[str, str] = {}
    with open(file, encoding="utf-8-sig", newline="") as fh:
        for n, row in enumerate(csv.reader(fh), 1):
            if not row or not row[0].strip() or (n == 1 and row[0].strip().lower() == "textual_rating"):
                continue
            if len(row) < 2:
                raise UsageError(f"--ratings-map {path} row {n}: expected textual_rating,normalised")
            mapping[row[0]] = row[1]
    return mapping


class _Progress:
    """A rich progress bar on stderr when it is a terminal (done/total, rate, elapsed, ETA); silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                Progress,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                _rate_column(),
                TimeElapsedColumn(),
                TextColumn("ETA"),
                TimeRemainingColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.__enter__()
        return self

    def start(self, description: str, total: float | None, unit: str = "") -> None:
        """A new phase (the previous one's bar is removed)."""
        if self._progress is not None:
            if self._task is not None:
                self._progress.remove_task(self._task)
            self._task = self._progress.add_task(description, total=total, unit=unit)

    def update(self, completed: float, total: float | None = None) -> None:
        """Set how much of the phase is done."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=completed, total=total)

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


def _rate_text(speed: float | None, unit: str) -> str:
    """``"12.3 MB/s"`` for bytes, ``"1,234 records/s"`` otherwise; empty until a rate is known."""
    if not speed:
        return ""
    if unit == "bytes":
        return f"{speed / 1e6:.1f} MB/s"
    return f"{speed:,.0f} {unit}/s"


def _rate_column_class() -> Any:
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        """Throughput of the task, in its unit."""

        def render(self, task: Any) -> Text:
            return Text(_rate_text(task.speed, task.fields.get("unit", "")))

    return RateColumn


def _rate_column() -> Any:
    """The rate column (rich is imported only when a bar is shown)."""
    return _rate_column_class()()


def _import(args: argparse.Namespace) -> int:
    from veracity.stores import open_store, register_ratings
    from veracity.stores.importers import ImportStopped, Problem, parse_mapping, read_records

    settings = settings_from(args)
    path = Path(args.file)
    if not path.is_file():
        raise UsageError(f"{args.file} does not exist or is not a file")
    if args.ratings_map:
        try:
            register_ratings(_read_ratings_map(args.ratings_map))
        except ValueError as exc:
            raise UsageError(f"--ratings-map {args.ratings_map}: {exc}") from None
    mapping = parse_mapping(args.map)
    size = path.stat().st_size
    problems: list[str] = []
    skipped = 0
    stopped: ImportStopped | None = None
    started = time.perf_counter()
    with _Progress(not args.quiet) as progress:
        progress.start(f"reading {path.name}", size, "bytes")
        items = read_records(path, args.format, mapping, on_bytes=lambda n: progress.update(n))
        first = next(items, None)  # format errors surface here, before the database is touched

        def records() -> Iterator[Any]:
            nonlocal skipped, stopped
            try:
                for chunk in ([first] if first is not None else [], items):
                    for _pos, item in chunk:
                        if isinstance(item, Problem):
                            skipped += 1
                            if len(problems) < MAX_PROBLEMS_SHOWN:
                                problems.append(str(item))
                            continue
                        yield item
            except ImportStopped as exc:
                stopped = exc

        store = open_store(settings.db_path)
        try:
            result = store.upsert(records())
            import_seconds = time.perf_counter() - started
            index_line = "index: not updated (--no-index); run with --rebuild-index later"
            if not args.no_index:
                progress.start("embedding", None, "records")
                report = store.update_index(
                    rebuild=args.rebuild_index, progress=lambda done, total: progress.update(done, total)
                )
                index_line = _index_summary(report)
        finally:
            store.close()
    total = result.added + result.updated + result.unchanged
    rate = total / import_seconds if import_seconds > 0 else 0.0
    for line in problems:
        sys.stderr.write(f"veracity: skipped {line}\n")
    if skipped > len(problems):
        sys.stderr.write(f"veracity: … and {skipped - len(problems)} more skipped records\n")
    sys.stdout.write(
        f"{path.name} → {settings.db_path}: {result.added} added, {result.updated} updated, "
        f"{result.unchanged} unchanged, {skipped} skipped ({total} records read and stored in {import_seconds:.1f} s, "
        f"{rate:,.0f}/s); {index_line}\n"
    )
    if stopped is not None:
        raise stopped
    return 0


def _index_summary(report: Any) -> str:
    """What the index update did, each time named for what it measured."""
    parts = [f"index: {report.embedded} records embedded"]
    if report.embedded:
        rate = report.embedded / report.embed_seconds if report.embed_seconds > 0 else 0.0
        parts[0] += f" in {report.embed_seconds:.1f} s ({rate:,.0f}/s, 2 texts each)"
    parts.append(f"{report.removed} removed")
    if getattr(report, "parsed", 0):
        parts.append(f"{report.parsed} claims parsed in {report.parse_seconds:.1f} s")
    parts.append(f"dense index saved in {report.save_seconds:.1f} s")
    if report.bm25_rebuilt:
        parts.append(f"BM25 rebuilt in {report.bm25_seconds:.1f} s")
    parts.append(f"{report.seconds:.1f} s in all")
    return ", ".join(parts)


def _read_queries(path: str) -> list[tuple[str, str]]:
    file = Path(path)
    if not file.is_file():
        raise UsageError(f"--queries {path}: no such file")
    queries: list[tuple[str, str]] = []
    with open(file, encoding="utf-8-sig", errors="replace") as fh:
        for n, line in enumerate(fh, 1):
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            qid, sep, text = line.partition("\t")
            if not sep or not text.strip():
                raise UsageError(f"--queries {path} line {n}: expected id<TAB>text")
            queries.append((qid.strip(), text.strip()))
    if not queries:
        raise UsageError(f"--queries {path} has no queries")
    return queries


def _search(args: argparse.Namespace) -> int:
    from veracity.cli.common import write_output
    from veracity.stores import open_store

    if (args.text is None) == (args.queries is None):
        raise UsageError("give either TEXT or --queries FILE.tsv")
    if args.top < 1:
        raise UsageError("--top must be at least 1")
    queries = _read_queries(args.queries) if args.queries else [("q1", args.text)]
    if args.text is not None and not args.text.strip():
        raise UsageError("TEXT is empty")
    fmt = args.format or ("table" if args.text is not None and sys.stdout.isatty() and not args.out else "jsonl")
    settings = settings_from(args)
    store = open_store(settings.db_path, create=False)
    try:
        results: list[list[Any]] = []
        for i in range(0, len(queries), 256):
            results += store.search_many([t for _, t in queries[i : i + 256]], top_k=args.top)
    finally:
        store.close()
    if fmt == "table":
        from rich.console import Console
        from rich.table import Table

        table = Table("score", "verdict", "the text", "claim", "url", title=f"fact-checks for: {queries[0][1][:80]}")
        for m in results[0]:
            table.add_row(f"{m.score:.3f}", m.verdict, m.agreement, m.claim, m.url)
        Console(file=open(args.out, "w", encoding="utf-8") if args.out else None).print(table)  # noqa: SIM115
        return 0
    lines = []
    for (qid, _), matches in zip(queries, results, strict=True):
        if fmt == "trec":
            lines += [f"{qid}\tQ0\t{m.id}\t{rank}\t{m.score:.6f}\tveracity" for rank, m in enumerate(matches, 1)]
        else:
            lines.append(json.dumps({"query_id": qid, "results": [m.as_result() for m in matches]}, ensure_ascii=False))
    write_output("\n".join(lines) + "\n", args.out)
    return 0


def _stats(args: argparse.Namespace) -> int:
    from veracity.cli.common import write_output
    from veracity.stores import open_store

    store = open_store(settings_from(args).db_path, create=False)
    try:
        stats = store.stats()
    finally:
        store.close()
    if args.json:
        write_output(json.dumps(stats, indent=2, ensure_ascii=False), None)
        return 0
    index = stats["index"]
    out = [
        f"database: {stats['path']} (schema v{stats['schema_version']})",
        f"records: {stats['records']:,}",
        "by rating: " + ", ".join(f"{k} {v:,}" for k, v in stats["by_rating"].items()),
        "by publisher: " + ", ".join(f"{k or '(none)'} {v:,}" for k, v in stats["by_publisher"].items()),
        "by language: " + ", ".join(f"{k or '(none)'} {v:,}" for k, v in stats["by_language"].items()),
        f"index: {index['dense_vectors']:,} vectors ({index['dense_model'] or 'none'}), "
        f"{index['stale_records']:,} records to (re)index, BM25 {'current' if index['bm25_current'] else 'stale'}",
    ]
    write_output("\n".join(out) + "\n", None)
    return 0


def _export(args: argparse.Namespace) -> int:
    from veracity.stores import open_store

    store = open_store(settings_from(args).db_path, create=False)
    if args.out and args.out != "-" and not Path(args.out).parent.exists():
        raise UsageError(f"cannot write {args.out}: folder {Path(args.out).parent} does not exist")
    out = open(args.out, "w", encoding="utf-8") if args.out and args.out != "-" else sys.stdout  # noqa: SIM115
    try:
        out.write("[")
        for n, record in enumerate(store.iter_records()):
            out.write(("," if n else "") + "\n" + json.dumps(record.to_claimreview(), ensure_ascii=False))
        out.write("\n]\n")
    finally:
        store.close()
        if out is not sys.stdout:
            out.close()
    return 0
