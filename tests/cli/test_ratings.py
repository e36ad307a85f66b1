"""``veracity ratings import`` and ``lookup``: user CSVs override the bundled table; bad input is one line, exit 2."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.cli import main


def test_lookup_bundled_domain_and_outlet_name(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mine = str(tmp_path / "none.csv")
    assert main(["ratings", "lookup", "https://www.apnews.com/x", "--ratings", mine]) == 0
    assert "apnews.com" in capsys.readouterr().out
    assert main(["ratings", "lookup", "Sputnik", "--ratings", mine, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["domain"] == "sputniknews.com" and data["rating"]["score"] < 0.4


def test_lookup_unknown_domain_exits_1(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ratings", "lookup", "unrated-site.example", "--ratings", str(tmp_path / "none.csv")]) == 1
    assert "no rating" in capsys.readouterr().out


def test_import_then_lookup_overrides(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "in.csv"
    src.write_text(
        "domain,score,source\nhttps://www.apnews.com,0.25,test desk\nlocal-news.example,0.8,\n", encoding="utf-8"
    )
    store = tmp_path / "store" / "ratings.csv"
    assert main(["ratings", "import", str(src), "--ratings", str(store)]) == 0
    assert "imported 2" in capsys.readouterr().out
    assert main(["ratings", "lookup", "apnews.com", "--ratings", str(store), "--json"]) == 0
    row = json.loads(capsys.readouterr().out)["rating"]
    assert row["score"] == 0.25 and row["source"] == "test desk"
    assert main(["ratings", "lookup", "local-news.example", "--ratings", str(store)]) == 0
    # a second import merges rather than replaces
    src.write_text("domain,score\nother.example,0.5\n", encoding="utf-8")
    assert main(["ratings", "import", str(src), "--ratings", str(store)]) == 0
    assert main(["ratings", "lookup", "local-news.example", "--ratings", str(store)]) == 0


@pytest.mark.parametrize(
    "content",
    [
        "domain,score\nexample.org,1.5\n",
        "site,value\nexample.org,0.5\n",
        "domain,score\n",
        "domain,score\nexample.org,high\n",
    ],
)
def test_import_bad_csv_is_one_line_exit_2(content: str, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(content, encoding="utf-8")
    store = tmp_path / "ratings.csv"
    assert main(["ratings", "import", str(src), "--ratings", str(store)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not store.exists()


def test_import_missing_file_exit_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert main(["ratings", "import", str(tmp_path / "absent.csv"), "--ratings", str(tmp_path / "r.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err


def test_import_a_list_with_a_label_shows_in_lookup(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    src = tmp_path / "state.csv"
    src.write_text("domain\nrt.com\nunrated-state.example\n", encoding="utf-8")
    store = tmp_path / "ratings.csv"
    assert main(["ratings", "import", str(src), "--label", "state-affiliated", "--ratings", str(store)]) == 0
    capsys.readouterr()
    assert main(["ratings", "lookup", "rt.com", "--ratings", str(store)]) == 0
    out = capsys.readouterr().out
    assert "Lin et al." in out and "[state-affiliated]" in out
    assert main(["ratings", "lookup", "unrated-state.example", "--ratings", str(store)]) == 0
    assert capsys.readouterr().out.strip() == "unrated-state.example: no rating [state-affiliated]"
