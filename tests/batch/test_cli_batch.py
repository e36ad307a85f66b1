"""``veracity batch`` usage errors: one line on stderr, exit 2, nothing analysed (no models are loaded)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.batch.conftest import corpus_rows, write_jsonl
from veracity.cli import main


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda d: [str(d / "missing.jsonl"), "--out", str(d / "o")], "does not exist"),
        (lambda d: [str(d / "report.pdf"), "--out", str(d / "o")], "not a corpus"),
        (
            lambda d: [str(d / "c.jsonl"), "--out", str(d / "o"), "--ray-address", "auto"],
            "--ray-address needs --engine ray",
        ),
        (lambda d: [str(d / "c.jsonl"), "--out", str(d / "done")], "already holds results; pass --resume"),
        (lambda d: [str(d / "c.jsonl"), "--out", str(d / "o"), "--workers", "0"], "--workers must be at least 1"),
        (lambda d: [str(d / "c.jsonl"), "--out", str(d / "no" / "such" / "o")], "does not exist"),
        (lambda d: [str(d / "c.csv"), "--out", str(d / "o"), "--text-field", "body"], "--text-field 'body'"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make_args, message
) -> None:  # type: ignore[no-untyped-def]
    write_jsonl(tmp_path / "c.jsonl", corpus_rows(2))
    (tmp_path / "c.csv").write_text("id,text\n1,hello\n", encoding="utf-8")
    (tmp_path / "report.pdf").write_bytes(b"%PDF-1.4")
    (tmp_path / "done").mkdir()
    (tmp_path / "done" / "reports.jsonl").write_text('{"id": "x", "error": {"type": "X", "message": "y"}}\n')
    code = main(["batch", *make_args(tmp_path), "--only", "sentences"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "o" / "reports.jsonl").exists()


def test_unknown_layer_is_refused_before_reading(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(
        [
            "batch",
            str(write_jsonl(tmp_path / "c.jsonl", corpus_rows(1))),
            "--out",
            str(tmp_path / "o"),
            "--only",
            "nope",
        ]
    )
    assert code == 2 and "unknown layer 'nope'" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
