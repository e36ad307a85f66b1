"""``veracity corpus`` / ``evidence`` / ``stance``: build a corpus from JSONL and a folder, list, search, remove, and one
clear line for each bad input. Uses the shipped MiniLM embedder (a few seconds)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.cli import main

pytestmark = pytest.mark.slow


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_corpus_round_trip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "docs.jsonl"
    rows = [
        {
            "id": "ipcc",
            "title": "IPCC summary",
            "url": "https://example.org/ipcc",
            "published": "2021-08-09",
            "text": "Global surface temperature was 1.1 degrees higher in 2011-2020 than 1850-1900. Human influence has "
            "warmed the climate at a rate unprecedented in at least the last 2000 years.",
        },
        {"id": "fruit", "title": "Fruit facts", "text": "Bananas are rich in potassium. Apples contain fibre."},
    ]
    src.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    db = str(tmp_path / "mine.sqlite3")
    code, _, err = run_cli(capsys, "corpus", "add", str(src), "--corpus", db)
    assert code == 0 and "2 documents added" in err and "4 passages" in err  # the titles are provenance, not passages
    code, _, err = run_cli(capsys, "corpus", "add", str(src), "--corpus", db)
    assert code == 0 and "2 unchanged" in err
    code, out, _ = run_cli(capsys, "corpus", "stats", "--corpus", db)
    assert code == 0 and "passages" in out and " 4\n" in out
    code, out, _ = run_cli(capsys, "corpus", "list", "--corpus", db, "--json")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [d["doc_id"] for d in listed] == ["ipcc", "fruit"] and listed[0]["date"] == "2021-08-09"
    code, out, _ = run_cli(capsys, "evidence", "Humans have warmed the climate", "--corpus", db, "--json", "-k", "2")
    found = json.loads(out)["passages"]
    assert code == 0 and found[0]["doc_id"] == "ipcc" and found[0]["url"] == "https://example.org/ipcc"
    assert set(found[0]["stance"]["scores"]) == {"supports", "refutes", "not_enough_info"}
    code, _, err = run_cli(capsys, "corpus", "remove", "fruit", "--corpus", db)
    assert code == 0 and "1 of 1" in err
    code, out, _ = run_cli(capsys, "corpus", "list", "--corpus", db)
    assert "fruit" not in out and "ipcc" in out


def test_bad_inputs_are_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "corpus", "stats", "--corpus", str(tmp_path / "none.sqlite3"))
    assert code == 2 and "no corpus at" in err and len(err.strip().splitlines()) == 1
    code, _, err = run_cli(capsys, "corpus", "add", str(tmp_path / "missing.jsonl"), "--corpus", "x.sqlite3")
    assert code == 2 and "does not exist" in err
    code, _, err = run_cli(capsys, "evidence", "   ", "--corpus", "whatever")
    assert code == 2 and "claim is empty" in err
    code, _, err = run_cli(capsys, "stance", "a claim", " ")
    assert code == 2 and "empty" in err
