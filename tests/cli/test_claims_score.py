"""``veracity claims score``: one result per input line, in order, with clear behaviour for awkward input."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from veracity.analyzers.claims import ClaimScorer
from veracity.cli import main

CLAIM = "Unemployment fell to 3.5 percent in 2019, the lowest rate in fifty years."
OPINION = "I just love the way she sings."


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def jsonl(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.fixture()
def write(tmp_path: Path):
    def _write(data: bytes, name: str = "in.txt") -> str:
        path = tmp_path / name
        path.write_bytes(data)
        return str(path)

    return _write


def test_one_result_per_line_in_input_order(capsys: pytest.CaptureFixture[str], write) -> None:
    lines = [OPINION, CLAIM, "Hello.", CLAIM + " Really."]
    code, out, err = run_cli(capsys, "claims", "score", write(("\n".join(lines) + "\n").encode()))
    assert code == 0, err
    rows = jsonl(out)
    assert [r["text"] for r in rows] == lines
    assert all(set(r) == {"text", "score", "checkworthy"} for r in rows)
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)
    threshold = ClaimScorer.shared().threshold
    assert all(r["checkworthy"] == (r["score"] >= threshold) for r in rows)
    assert rows[1]["score"] > rows[0]["score"]  # a statistic is more check-worthy than a taste


def test_scores_do_not_depend_on_neighbours(capsys: pytest.CaptureFixture[str], write) -> None:
    _, out_a, _ = run_cli(capsys, "claims", "score", write(f"{CLAIM}\n{OPINION}\n".encode(), "a.txt"))
    _, out_b, _ = run_cli(capsys, "claims", "score", write(f"{OPINION}\n{CLAIM}\n".encode(), "b.txt"))
    a, b = jsonl(out_a), jsonl(out_b)
    assert a[0]["text"] == b[1]["text"] == CLAIM
    assert a[0]["score"] == b[1]["score"]


def test_empty_and_blank_lines_give_empty_results(capsys: pytest.CaptureFixture[str], write) -> None:
    code, out, _ = run_cli(capsys, "claims", "score", write(f"{CLAIM}\n\n   \n{CLAIM}".encode()))
    assert code == 0
    rows = jsonl(out)
    assert len(rows) == 4  # the last line has no newline and still counts
    for row, text in zip(rows[1:3], ["", "   "], strict=True):
        assert row == {"text": text, "score": 0.0, "checkworthy": False, "empty": True}
    assert "empty" not in rows[0] and "empty" not in rows[3]


def test_empty_input_gives_no_output(capsys: pytest.CaptureFixture[str], write) -> None:
    code, out, _ = run_cli(capsys, "claims", "score", write(b""))
    assert code == 0
    assert out.strip() == ""


def test_long_line_is_scored_on_its_head_and_flagged(capsys: pytest.CaptureFixture[str], write) -> None:
    long_line = " ".join([CLAIM] * 400)  # ~30,000 characters, far over the token cap
    code, out, err = run_cli(capsys, "claims", "score", write(f"{CLAIM}\n{long_line}\n".encode()))
    assert code == 0
    short, long_ = jsonl(out)
    assert long_["truncated"] is True and "truncated" not in short
    assert long_["text"] == long_line  # the output keeps the whole line
    assert 0.0 <= long_["score"] <= 1.0
    assert "1 line(s) were longer" in err


def test_non_english_text_is_scored(capsys: pytest.CaptureFixture[str], write) -> None:
    lines = ["Die Arbeitslosigkeit sank 2019 auf 3,5 Prozent.", "政府は新しい経済対策を発表した。", "😡🔥"]
    code, out, _ = run_cli(capsys, "claims", "score", write(("\n".join(lines) + "\n").encode()))
    assert code == 0
    rows = jsonl(out)
    assert [r["text"] for r in rows] == lines
    assert all(0.0 <= r["score"] <= 1.0 for r in rows)


def test_non_utf8_line_is_an_error_naming_it(capsys: pytest.CaptureFixture[str], write) -> None:
    data = f"{CLAIM}\n".encode() + "Caf\u00e9 cr\u00e8me.\n".encode("latin-1")
    code, out, err = run_cli(capsys, "claims", "score", write(data))
    assert code == 2
    assert out == ""  # nothing half-written
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "line 2" in lines[0] and "--encoding-errors replace" in lines[0]
    assert "Traceback" not in err


def test_non_utf8_line_with_replace_is_scored_and_flagged(capsys: pytest.CaptureFixture[str], write) -> None:
    data = f"{CLAIM}\n".encode() + "Caf\u00e9 cr\u00e8me.\n".encode("latin-1")
    code, out, err = run_cli(capsys, "claims", "score", "--encoding-errors", "replace", write(data))
    assert code == 0
    first, second = jsonl(out)
    assert "replaced" not in first
    assert second["replaced"] is True and second["text"] == "Caf\ufffd cr\ufffdme."
    assert "1 line(s) were not valid UTF-8" in err


def test_crlf_and_bom_are_not_part_of_the_text(capsys: pytest.CaptureFixture[str], write) -> None:
    code, out, _ = run_cli(capsys, "claims", "score", write(b"\xef\xbb\xbf" + f"{CLAIM}\r\n{OPINION}\r\n".encode()))
    assert code == 0
    assert [r["text"] for r in jsonl(out)] == [CLAIM, OPINION]


def test_tsv_format_escapes_tabs(capsys: pytest.CaptureFixture[str], write) -> None:
    code, out, _ = run_cli(capsys, "claims", "score", "--format", "tsv", write(f"{CLAIM}\na\tb\\c\n\n".encode()))
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert [len(r) for r in rows] == [3, 3, 3]
    assert rows[0][2] == CLAIM and rows[1][2] == "a\\tb\\\\c" and rows[2] == ["0.0000", "0", ""]
    assert float(rows[0][0]) > 0 and rows[0][1] in {"0", "1"}


def test_stdin_and_output_file(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(f"{OPINION}\n{CLAIM}\n".encode())))
    target = tmp_path / "out.jsonl"
    code, out, _ = run_cli(capsys, "claims", "score", "-", "--output", str(target))
    assert code == 0 and out == ""
    assert [r["text"] for r in jsonl(target.read_text(encoding="utf-8"))] == [OPINION, CLAIM]


def test_threshold_flag_changes_the_decision(capsys: pytest.CaptureFixture[str], write) -> None:
    path = write(f"{CLAIM}\n".encode())
    _, out_low, _ = run_cli(capsys, "claims", "score", "--threshold", "0", path)
    _, out_high, _ = run_cli(capsys, "claims", "score", "--threshold", "1", path)
    assert jsonl(out_low)[0]["checkworthy"] is True
    assert jsonl(out_high)[0]["checkworthy"] is (jsonl(out_high)[0]["score"] >= 1.0)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--threshold", "1.5"], "--threshold must lie in [0, 1]"),
        (["/no/such/file.txt"], "no such file"),
        (["--max-bytes", "10"], "over 10 bytes"),
    ],
)
def test_bad_usage_is_one_line_exit_2(capsys: pytest.CaptureFixture[str], write, args: list[str], needle: str) -> None:
    path = write(f"{CLAIM}\n".encode())
    argv = ["claims", "score", *args] if args[0].startswith("/") else ["claims", "score", *args, path]
    code, out, err = run_cli(capsys, *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and needle in err


def test_types_are_added_on_request_for_check_worthy_lines(capsys: pytest.CaptureFixture[str], write) -> None:
    lines = [CLAIM, OPINION, "Prices will rise by 5 percent next year, the central bank expects."]
    code, out, err = run_cli(capsys, "claims", "score", "--types", write(("\n".join(lines) + "\n").encode()))
    assert code == 0, err
    rows = jsonl(out)
    assert "quantity" in rows[0]["type"] and rows[1]["type"] == []
    assert "prediction" in rows[2]["type"]
    code, out, _ = run_cli(capsys, "claims", "score", "--types", "--format", "tsv", write((CLAIM + "\n").encode()))
    assert out.split("\t")[3].strip().split(",")[0] == "quantity"
