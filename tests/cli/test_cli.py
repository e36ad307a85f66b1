"""The veracity command: exit codes, one-line errors for every bad input, outputs in each format."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import reply
from veracity.cli import main

ARTICLE = "The mayor of Springfield, Ann Lee, said on Monday that the bridge will reopen in May.\n\nCritics disagreed."


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, err: str, *needles: str) -> None:
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got: {err!r}"
    assert "Traceback" not in err
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture()
def files(tmp_path: Path) -> dict[str, Path]:
    made = {
        "ok": ("article.txt", ARTICLE.encode()),
        "empty": ("empty.txt", b""),
        "blank": ("blank.txt", b"  \n\n\t"),
        "binary": ("blob.txt", bytes(range(256)) * 4),
        "latin1": ("latin1.txt", "Caf\u00e9 cr\u00e8me in M\u00fcnchen.".encode("latin-1")),
        "pdf": ("report.pdf", b"%PDF-1.7 fake"),
        "big": ("big.txt", b"word " * 3000),
    }
    out = {}
    for key, (name, data) in made.items():
        (tmp_path / name).write_bytes(data)
        out[key] = tmp_path / name
    return out


def test_bad_inputs_exit_2_with_one_line(capsys, files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    cases = [
        ([str(tmp_path / "nope.txt")], ("does not exist",)),
        ([str(files["empty"])], ("empty",)),
        ([str(files["blank"])], ("empty",)),
        ([str(files["binary"])], ("binary",)),
        ([str(files["latin1"])], ("not valid UTF-8", "iconv")),
        ([str(files["pdf"])], ("is a PDF", "veracity reads")),
        ([str(files["big"]), "--max-bytes", "1000"], ("over the cap", "--max-bytes")),
        ([str(files["ok"]), "--only", "nonsense"], ("unknown layer 'nonsense'",)),
        ([str(files["ok"]), "--format", "pdf"], ("invalid choice",)),
        (["http://127.0.0.1:9/article"], ("private", "--allow-private")),
        (["http://10.20.30.40/article"], ("private", "--allow-private")),
        (["ftp://example.org/x"], ("only http",)),
    ]
    for args, needles in cases:
        code, out, err = run_cli(capsys, "analyze", *args)
        assert_one_line_error(code, err, *needles)
        assert out == ""


def test_size_cap_from_environment(capsys, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VERACITY_MAX_BYTES", "1000")
    code, _, err = run_cli(capsys, "analyze", str(files["big"]))
    assert_one_line_error(code, err, "over the cap")


def test_url_that_times_out(capsys, http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    routes["/slow"] = reply(b"<html></html>", delay=1.5)
    code, _, err = run_cli(capsys, "analyze", f"{base}/slow", "--allow-private", "--timeout", "0.3")
    assert_one_line_error(code, err, "did not answer in time")


def test_url_on_loopback_with_allow_private(capsys, http_server) -> None:  # type: ignore[no-untyped-def]
    base, routes = http_server
    body = (
        "<html><head><title>Bridge</title></head><body><article><p>" + ARTICLE * 3 + "</p></article></body></html>"
    ).encode()
    routes["/a"] = reply(body)
    code, out, err = run_cli(
        capsys, "analyze", f"{base}/a", "--allow-private", "--only", "entities", "--format", "json"
    )
    assert code == 0, err
    report = json.loads(out)
    assert report["document"]["meta"]["url"] == f"{base}/a"
    assert ("Springfield", "GPE") in {(s["text"], s["label"]) for s in report["layers"]["entities"]["spans"]}


@pytest.mark.parametrize(
    "fmt,marker", [("json", '"schema_version"'), ("html", "<!doctype html>"), ("md", "# "), ("text", "article")]
)
def test_formats(capsys, files, fmt, marker) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run_cli(capsys, "analyze", str(files["ok"]), "--only", "sentences,entities", "--format", fmt)
    assert code == 0, err
    assert marker in out
    assert "Ann Lee" in out


def test_html_report_is_self_contained(capsys, files, tmp_path) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "report.html"
    code, _, err = run_cli(capsys, "analyze", str(files["ok"]), "--only", "entities", "-o", str(target))
    assert code == 0, err
    page = target.read_text(encoding="utf-8")
    assert "<script" not in page and "http://" not in page.replace("http://www.w3.org", "") and "https://" not in page
    assert "<h2>entities" in page and "<td>PERSON</td>" in page


def test_stdin_and_version_and_listing(capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(ARTICLE.encode())))
    code, out, _ = run_cli(capsys, "analyze", "-", "--only", "sentences", "--format", "json")
    assert code == 0 and len(json.loads(out)["layers"]["sentences"]["spans"]) == 2
    code, out, _ = run_cli(capsys, "--version")
    assert code == 0 and out.startswith("veracity ")
    code, out, _ = run_cli(capsys, "analyzers", "--json")
    assert code == 0 and {"sentences", "entities"} <= {row["name"] for row in json.loads(out)}


def test_no_command_is_usage_error(capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_cli(capsys)
    assert code == 2 and "usage" in err


def test_internal_fault_exits_1_without_traceback_unless_debug(capsys, files, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import veracity.pipeline

    def broken(self, doc):  # type: ignore[no-untyped-def]
        raise ZeroDivisionError("simulated bug")

    monkeypatch.setattr(veracity.pipeline.Pipeline, "run", broken)
    code, _, err = run_cli(capsys, "analyze", str(files["ok"]), "--only", "sentences")
    assert code == 1 and "internal error" in err and "--debug" in err and "Traceback" not in err
    with pytest.raises(ZeroDivisionError):
        main(["--debug", "analyze", str(files["ok"]), "--only", "sentences"])


@pytest.mark.slow
def test_console_script_exit_codes(files) -> None:  # type: ignore[no-untyped-def]
    """The installed command, in a real process: exit 2 and one stderr line for bad input."""
    proc = subprocess.run(
        [sys.executable, "-m", "veracity.cli", "analyze", str(files["binary"])],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2 and proc.stdout == ""
    assert len(proc.stderr.strip().splitlines()) == 1 and "binary" in proc.stderr
