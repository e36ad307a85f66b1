"""``veracity factchecks``: import summaries, search output formats, stats/export, and one clear line for every bad
input (malformed JSON, wrong --format, CSV without the mapped columns, truncated files) without losing valid records."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.cli import main
from veracity.stores import open_store
from veracity.stores.testing import sample_records


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture()
def claimreview_file(tmp_path: Path) -> Path:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps([r.to_claimreview() for r in sample_records()]), encoding="utf-8")
    return path


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "fc.sqlite3"


def count(db: Path) -> int:
    with open_store(db) as store:
        return store.count()


@pytest.mark.slow
def test_import_search_stats_export_round_trip(
    capsys: pytest.CaptureFixture[str], claimreview_file: Path, db: Path, tmp_path: Path
) -> None:
    code, out, err = run_cli(capsys, "factchecks", "import", str(claimreview_file), "--db", str(db), "-q")
    assert code == 0, err
    assert "5 added, 0 updated, 0 unchanged, 0 skipped" in out
    code, out, _ = run_cli(capsys, "factchecks", "import", str(claimreview_file), "--db", str(db), "-q")
    assert "0 added, 0 updated, 5 unchanged" in out and "0 records embedded" in out

    code, out, err = run_cli(
        capsys,
        "factchecks",
        "search",
        "Drinking bleach cures viral infections",
        "--db",
        str(db),
        "--format",
        "jsonl",
        "--top",
        "2",
    )
    assert code == 0, err
    line = json.loads(out)
    assert line["query_id"] == "q1" and len(line["results"]) == 2
    assert line["results"][0]["id"] == "fc-2"
    assert set(line["results"][0]) == {"id", "score", "claim", "rating", "publisher", "url", "verdict", "agreement"}

    queries = tmp_path / "q.tsv"
    queries.write_text(
        "a\tthe moon landing was staged in a film studio\nb\tcarrots give you night vision\n", encoding="utf-8"
    )
    code, out, err = run_cli(
        capsys, "factchecks", "search", "--queries", str(queries), "--db", str(db), "--format", "trec", "--top", "3"
    )
    assert code == 0, err
    rows = [r.split("\t") for r in out.strip().splitlines()]
    assert len(rows) == 6
    assert rows[0][:4] == ["a", "Q0", "fc-1", "1"] and rows[3][:4] == ["b", "Q0", "fc-5", "1"]

    code, out, _ = run_cli(capsys, "factchecks", "stats", "--db", str(db), "--json")
    stats = json.loads(out)
    assert stats["records"] == 5 and stats["index"]["dense_vectors"] == 5 and stats["index"]["stale_records"] == 0

    exported = tmp_path / "export.json"
    code, _, err = run_cli(capsys, "factchecks", "export", "--db", str(db), "--out", str(exported))
    assert code == 0, err
    items = json.loads(exported.read_text(encoding="utf-8"))
    assert [i["identifier"] for i in items] == [r.id for r in sample_records()]
    code, out, _ = run_cli(capsys, "factchecks", "import", str(exported), "--db", str(db), "-q")
    assert "0 added, 0 updated, 5 unchanged" in out


def assert_one_error_line(err: str, *needles: str) -> None:
    errors = [line for line in err.strip().splitlines() if not line.startswith("veracity: skipped")]
    assert len(errors) == 1, err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in errors[0], errors[0]


def test_malformed_json_keeps_valid_records(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    items = [r.to_claimreview() for r in sample_records()]
    text = json.dumps(items)
    cut = text.index('"claimReviewed"', text.index("fc-4"))
    broken = tmp_path / "broken.json"
    broken.write_text(text[:cut] + "oops " + text[cut:], encoding="utf-8")
    code, out, err = run_cli(capsys, "factchecks", "import", str(broken), "--db", str(db), "--no-index", "-q")
    assert code == 2
    assert_one_error_line(err, "not valid JSON", "records before that point were read")
    assert "3 added" in out
    assert count(db) == 3


def test_truncated_file_keeps_valid_records(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    text = json.dumps([r.to_claimreview() for r in sample_records()])
    cut = tmp_path / "cut.json"
    cut.write_text(text[: text.index("fc-5") + 2], encoding="utf-8")
    code, out, err = run_cli(capsys, "factchecks", "import", str(cut), "--db", str(db), "--no-index", "-q")
    assert code == 2
    assert_one_error_line(err, "ends early")
    assert "4 added" in out
    assert count(db) == 4


def test_truncated_jsonl_keeps_valid_records(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    lines = [json.dumps({"vclaim_id": f"v{i}", "vclaim": f"claim {i}", "title": "t"}) for i in range(4)]
    path = tmp_path / "v.jsonl"
    path.write_text("\n".join(lines)[:-10], encoding="utf-8")
    code, out, err = run_cli(
        capsys, "factchecks", "import", str(path), "--format", "checkthat", "--db", str(db), "--no-index", "-q"
    )
    assert code == 0
    assert "3 added" in out and "1 skipped" in out
    assert "line 4: incomplete last line (file truncated?)" in err
    assert count(db) == 3


def test_wrong_format_flag(capsys: pytest.CaptureFixture[str], claimreview_file: Path, db: Path) -> None:
    code, _, err = run_cli(
        capsys, "factchecks", "import", str(claimreview_file), "--format", "checkthat", "--db", str(db), "-q"
    )
    assert code == 2
    assert_one_error_line(err, "ClaimReview", "--format claimreview")
    assert not db.exists() or count(db) == 0


def test_unknown_format_value(capsys: pytest.CaptureFixture[str], claimreview_file: Path, db: Path) -> None:
    code, _, err = run_cli(capsys, "factchecks", "import", str(claimreview_file), "--format", "xml", "--db", str(db))
    assert code == 2 and "invalid choice" in err and len(err.strip().splitlines()) == 1


def test_csv_without_mapped_columns(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    path = tmp_path / "f.csv"
    path.write_text("Quote,Address\nThe harbour closes,https://f.example/1\n", encoding="utf-8")
    code, _, err = run_cli(capsys, "factchecks", "import", str(path), "--db", str(db), "-q")
    assert code == 2
    assert_one_error_line(err, "no column for claim", "--map")
    code, out, err = run_cli(
        capsys,
        "factchecks",
        "import",
        str(path),
        "--db",
        str(db),
        "--map",
        "claim=Quote,review_url=Address",
        "--no-index",
        "-q",
    )
    assert code == 0, err
    assert "1 added" in out


def test_bad_records_are_listed_and_skipped(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    items = [r.to_claimreview() for r in sample_records()]
    items.insert(2, {"@type": "ClaimReview", "url": "https://x.example/no-claim"})
    path = tmp_path / "mixed.json"
    path.write_text(json.dumps(items), encoding="utf-8")
    code, out, err = run_cli(capsys, "factchecks", "import", str(path), "--db", str(db), "--no-index", "-q")
    assert code == 0
    assert "5 added" in out and "1 skipped" in out
    assert "skipped record 3: record has no claim text" in err


def test_search_without_database(capsys: pytest.CaptureFixture[str], db: Path) -> None:
    code, _, err = run_cli(capsys, "factchecks", "search", "anything", "--db", str(db))
    assert code == 2
    assert_one_error_line(err, "no fact-check database", "veracity factchecks import")
    assert not db.exists()


def test_search_needs_text_or_queries(capsys: pytest.CaptureFixture[str], db: Path, tmp_path: Path) -> None:
    code, _, err = run_cli(capsys, "factchecks", "search", "--db", str(db))
    assert code == 2 and "TEXT or --queries" in err
    bad = tmp_path / "q.tsv"
    bad.write_text("no tab here\n", encoding="utf-8")
    with open_store(db):
        pass
    code, _, err = run_cli(capsys, "factchecks", "search", "--queries", str(bad), "--db", str(db))
    assert code == 2 and "id<TAB>text" in err
