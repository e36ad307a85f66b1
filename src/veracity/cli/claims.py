"""``veracity claims score``: bulk check-worthiness scoring of transcripts and posts, one text per line.

Behaviour at the edges (documented in ``--help`` and tested):

* output order is input order, one result per input line (lines split on ``\\n`` only; a trailing ``\\r`` is dropped);
* an empty or blank line gives ``{"text": "", "score": 0.0, "checkworthy": false, "empty": true}``, never a crash;
* a line longer than the model reads (its token cap) is scored on its head and flagged ``"truncated": true``;
* input must be UTF-8 (a leading BOM is ignored): by default a line that is not is an error naming the line number
  (exit 2, nothing written); ``--encoding-errors replace`` scores it with U+FFFD instead and flags ``"replaced": true``;
* the model is English: other languages are scored, but their scores mean little;
* the whole input is read before anything is written (at most ``--max-bytes``, default 20 MB), so an error never
  leaves half an output behind.
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from typing import IO, Any

from veracity.cli.common import settings_from
from veracity.errors import DecodingError, InputTooLargeError, UsageError

CHUNK = 1024  # lines scored (and written) at a time


def register(sub: argparse._SubParsersAction) -> None:
    """Add ``claims`` with its ``score`` sub-command."""
    p = sub.add_parser("claims", help="check-worthy claims: bulk scoring of one text per line")
    tasks = p.add_subparsers(dest="claims_command", metavar="SUBCOMMAND", parser_class=type(p))
    s = tasks.add_parser(
        "score",
        help="score each line of FILE (or stdin) for check-worthiness",
        description=(
            "Read one text per line (UTF-8) and write one result per line, in order. jsonl: "
            '{"text", "score", "checkworthy"} plus "empty": true for blank lines (score 0), "truncated": true for '
            'lines over the model\'s token cap (scored on their head), "replaced": true for lines decoded with '
            "--encoding-errors replace. tsv: score<TAB>checkworthy(1/0)<TAB>text, with \\ tab and CR in the text "
            "escaped as \\\\ \\t \\r. The model is English; other languages are scored but the scores mean little."
        ),
    )
    s.add_argument("file", nargs="?", default="-", metavar="FILE", help="input file, or - for stdin (default)")
    s.add_argument("--format", choices=["jsonl", "tsv"], default="jsonl", help="output format (default jsonl)")
    s.add_argument("--output", "-o", metavar="FILE", help="write here instead of stdout")
    s.add_argument("--threshold", type=float, help="decision threshold in [0, 1] (default: the model's, see its card)")
    s.add_argument(
        "--encoding-errors",
        choices=["strict", "replace"],
        default="strict",
        help="strict (default): a non-UTF-8 line is an error naming the line; replace: decode with U+FFFD and flag it",
    )
    s.add_argument("--max-bytes", type=int, help="largest input read, in bytes (default 20,000,000)")
    s.add_argument(
        "--types",
        action="store_true",
        help='add each check-worthy line\'s claim types (jsonl "type", tsv 4th column); parses those lines with spaCy, '
        "so it is several times slower",
    )
    s.set_defaults(func=run_score)
    p.set_defaults(func=lambda args: (p.print_help(sys.stderr), 2)[1])


def read_lines(stream: IO[bytes], max_bytes: int, errors: str) -> list[tuple[str, bool]]:
    """All lines of a byte stream as (text, replaced); strict decoding raises DecodingError naming the line."""
    data = stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise InputTooLargeError(
            f"the input is over {max_bytes:,} bytes; split it, or raise the cap with --max-bytes (or VERACITY_MAX_BYTES)"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data:
        return []
    raw_lines = data.split(b"\n")
    if raw_lines[-1] == b"":  # a final newline ends the last line rather than starting an empty one
        raw_lines.pop()
    lines: list[tuple[str, bool]] = []
    for number, raw in enumerate(raw_lines, start=1):
        raw = raw.removesuffix(b"\r")
        try:
            lines.append((raw.decode("utf-8"), False))
        except UnicodeDecodeError as exc:
            if errors == "strict":
                raise DecodingError(
                    f"line {number} is not valid UTF-8 (byte 0x{raw[exc.start]:02x} at byte {exc.start + 1} of the line); "
                    "re-encode the input as UTF-8 (e.g. iconv -f latin1 -t utf-8), or pass --encoding-errors replace to "
                    'score such lines with U+FFFD in place of the bad bytes (flagged "replaced": true)'
                ) from None
            lines.append((raw.decode("utf-8", errors="replace"), True))
    return lines


def _tsv_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\r", "\\r")


def format_result(
    text: str, score: float, checkworthy: bool, flags: dict[str, bool], fmt: str, types: list[str] | None = None
) -> str:
    """One output line (without the newline); ``types`` only when asked for (``--types``)."""
    if fmt == "tsv":
        line = f"{score:.4f}\t{int(checkworthy)}\t{_tsv_escape(text)}"
        return line + ("\t" + ",".join(types) if types is not None else "")
    record: dict[str, Any] = {"text": text, "score": round(score, 4), "checkworthy": checkworthy}
    if types is not None:
        record["type"] = types
    record.update({k: True for k, v in flags.items() if v})
    return json.dumps(record, ensure_ascii=False)


def run_score(args: argparse.Namespace) -> int:
    """Read every line, score in chunks with the shared scorer, write results in input order."""
    from veracity.models.claims import ClaimScorer

    if args.threshold is not None and not 0.0 <= args.threshold <= 1.0:
        raise UsageError(f"--threshold must lie in [0, 1], not {args.threshold}")
    max_bytes = args.max_bytes if args.max_bytes is not None else settings_from(args).max_bytes
    if args.file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        if stream is None:  # a text-only stdin (an embedding application, a test): its text is already decoded
            stream = io.BytesIO(sys.stdin.read().encode("utf-8", errors="surrogateescape"))
        lines = read_lines(stream, max_bytes, args.encoding_errors)
    else:
        try:
            with open(args.file, "rb") as fh:
                lines = read_lines(fh, max_bytes, args.encoding_errors)
        except FileNotFoundError:
            raise UsageError(f"cannot read {args.file}: no such file") from None
        except IsADirectoryError:
            raise UsageError(
                f"cannot read {args.file}: it is a folder; give a text file with one text per line"
            ) from None
    scorer = ClaimScorer.shared()
    threshold = scorer.threshold if args.threshold is None else args.threshold
    out: IO[str]
    out = open(args.output, "w", encoding="utf-8") if args.output and args.output != "-" else sys.stdout  # noqa: SIM115
    n_truncated = n_replaced = 0
    try:
        for start in range(0, len(lines), CHUNK):
            chunk = lines[start : start + CHUNK]
            scored = scorer.score([text for text, _ in chunk])
            kinds = _types(chunk, scored.scores.tolist(), threshold) if args.types else None
            rows = []
            for (text, replaced), score, cut in zip(
                chunk, scored.scores.tolist(), scored.truncated.tolist(), strict=True
            ):
                empty = not text.strip()
                flags = {"empty": empty, "truncated": bool(cut), "replaced": replaced}
                n_truncated += bool(cut)
                n_replaced += replaced
                kind = (kinds.pop(0) if kinds else None) if args.types else None
                rows.append(
                    format_result(text, float(score), not empty and score >= threshold, flags, args.format, kind)
                )
            out.write("\n".join(rows) + "\n")
        out.flush()
    finally:
        if out is not sys.stdout:
            out.close()
    if n_truncated:
        sys.stderr.write(
            f"veracity: note: {n_truncated} line(s) were longer than the model reads ({scorer.max_tokens} word pieces) "
            "and were scored on their head\n"
        )
    if n_replaced:
        sys.stderr.write(f"veracity: note: {n_replaced} line(s) were not valid UTF-8 and were scored with U+FFFD\n")
    return 0


def _types(chunk: list[tuple[str, bool]], scores: list[float], threshold: float) -> list[list[str]]:
    """Claim types per line: parsed and typed for check-worthy lines, ``[]`` for the rest."""
    from veracity.claim_types import claim_types
    from veracity.models.loading import spacy_pipeline

    wanted = [
        i for i, ((text, _), score) in enumerate(zip(chunk, scores, strict=True)) if text.strip() and score >= threshold
    ]
    out: list[list[str]] = [[] for _ in chunk]
    nlp = spacy_pipeline()
    for i, parsed in zip(wanted, nlp.pipe(chunk[i][0][:4096] for i in wanted), strict=True):
        out[i] = claim_types(parsed[:])
    return out
