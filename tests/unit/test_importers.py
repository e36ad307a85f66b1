"""Importers: every supported shape reads into records; bad records are reported with position and reason and skipped;
a truncated or malformed file stops with a clear error after yielding every valid record before the fault."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from veracity.errors import UsageError
from veracity.stores.importers import ImportStopped, Problem, parse_mapping, read_records
from veracity.stores.records import FactCheckRecord


def claimreview(i: int, rating: str = "False", **extra: object) -> dict:
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"https://factcheck.example.org/review/{i}",
        "claimReviewed": f"Claim number {i} about the harbour",
        "datePublished": "2021-03-04",
        "author": {"@type": "Organization", "name": "Example Checks", "url": "https://factcheck.example.org"},
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Speaker"},
            "datePublished": "2021-03-01",
        },
        "reviewRating": {"@type": "Rating", "alternateName": rating},
        "name": f"Review {i}",
        "inLanguage": "en",
        **extra,
    }


def read(
    path: Path, fmt: str | None = None, mapping: dict | None = None
) -> tuple[list[FactCheckRecord], list[Problem]]:
    records, problems = [], []
    for _pos, item in read_records(path, fmt, mapping):
        (problems if isinstance(item, Problem) else records).append(item)
    return records, problems


def write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_single_claimreview_object_maps_every_field(tmp_path: Path) -> None:
    records, problems = read(write(tmp_path, "one.json", json.dumps(claimreview(1, "Pants on Fire!"))))
    assert problems == []
    (r,) = records
    assert r.id == "https://factcheck.example.org/review/1" == r.review_url
    assert r.claim == "Claim number 1 about the harbour"
    assert (r.claimant, r.claim_date, r.review_date) == ("A. Speaker", "2021-03-01", "2021-03-04")
    assert (r.publisher_name, r.publisher_site) == ("Example Checks", "factcheck.example.org")
    assert (r.textual_rating, r.rating) == ("Pants on Fire!", "false")
    assert (r.title, r.language) == ("Review 1", "en")


def test_identifier_wins_over_url(tmp_path: Path) -> None:
    records, _ = read(write(tmp_path, "id.json", json.dumps(claimreview(1, identifier="src-42"))))
    assert records[0].id == "src-42"


@pytest.mark.parametrize(
    "wrap",
    [
        lambda items: items,
        lambda items: {"@context": "https://schema.org", "@graph": items},
        lambda items: {
            "@type": "DataFeed",
            "dataFeedElement": [{"@type": "DataFeedItem", "item": [it]} for it in items],
        },
    ],
    ids=["array", "graph", "datacommons-feed"],
)
def test_containers(tmp_path: Path, wrap) -> None:
    items = [claimreview(i) for i in range(3)]
    records, problems = read(write(tmp_path, "many.json", json.dumps(wrap(items))))
    assert problems == []
    assert [r.id for r in records] == [f"https://factcheck.example.org/review/{i}" for i in range(3)]


def test_google_factcheck_tools_response(tmp_path: Path) -> None:
    response = {
        "claims": [
            {
                "text": "The harbour will be closed for ten years",
                "claimant": "Mayor",
                "claimDate": "2022-01-02T00:00:00Z",
                "claimReview": [
                    {
                        "publisher": {"name": "Example Checks", "site": "factcheck.example.org"},
                        "url": "https://factcheck.example.org/harbour",
                        "title": "No, the harbour is not closing",
                        "reviewDate": "2022-01-05T00:00:00Z",
                        "textualRating": "Mostly False",
                        "languageCode": "en",
                    },
                    {"publisher": {"name": "Other"}, "url": "", "textualRating": "False"},
                ],
            }
        ],
        "nextPageToken": "abc",
    }
    records, problems = read(write(tmp_path, "google.json", json.dumps(response)))
    assert len(records) == 1 and len(problems) == 1
    r = records[0]
    assert (r.claim, r.claimant, r.claim_date, r.review_date) == (
        "The harbour will be closed for ten years",
        "Mayor",
        "2022-01-02",
        "2022-01-05",
    )
    assert (r.rating, r.publisher_site, r.language) == ("mostly_false", "factcheck.example.org", "en")
    assert "no id and no review URL" in problems[0].reason
    assert "claimReview[2]" in problems[0].position


def test_html_page_with_ld_json(tmp_path: Path) -> None:
    page = (
        '<html><head><script type="application/ld+json">'
        + json.dumps({"@type": "NewsArticle", "headline": "x"})
        + "</script><script type='application/ld+json'>"
        + json.dumps(claimreview(7, "Mixture"))
        + "</script></head><body>hi</body></html>"
    )
    records, problems = read(write(tmp_path, "page.html", page))
    assert problems == []  # the NewsArticle block is not a fact-check, not an error
    assert [(r.id, r.rating) for r in records] == [("https://factcheck.example.org/review/7", "mixed")]


def test_html_without_ld_json_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="ld\\+json"):
        read(write(tmp_path, "page.html", "<html><body>nothing</body></html>"))


def test_bad_records_are_skipped_with_position_and_reason(tmp_path: Path) -> None:
    items = [claimreview(0), {"@type": "ClaimReview", "url": "https://x.example/1"}, "text", claimreview(3)]
    records, problems = read(write(tmp_path, "mixed.json", json.dumps(items)))
    assert [r.id for r in records] == [
        "https://factcheck.example.org/review/0",
        "https://factcheck.example.org/review/3",
    ]
    assert [p.position for p in problems] == ["record 2", "record 3"]
    assert "no claim text" in problems[0].reason


def test_truncated_json_keeps_records_before_the_cut(tmp_path: Path) -> None:
    text = json.dumps([claimreview(i) for i in range(5)])
    path = write(tmp_path, "cut.json", text[: text.index("review/4")])
    seen = []
    with pytest.raises(ImportStopped, match=r"truncated|ends early"):
        for _pos, item in read_records(path):
            seen.append(item)
    assert [r.id.rsplit("/", 1)[1] for r in seen if isinstance(r, FactCheckRecord)] == ["0", "1", "2", "3"]


def test_malformed_json_is_reported(tmp_path: Path) -> None:
    text = json.dumps([claimreview(0), claimreview(1)]).replace(
        '"claimReviewed": "Claim number 1', '"claimReviewed" "Claim number 1', 1
    )
    path = write(tmp_path, "bad.json", text)
    seen = []
    with pytest.raises(ImportStopped, match="not valid JSON"):
        for _pos, item in read_records(path):
            seen.append(item)
    assert len(seen) == 1


def test_checkthat_jsonl(tmp_path: Path) -> None:
    lines = [
        {
            "vclaim_id": "vclaim-sno-moon-hoax",
            "vclaim": "The moon landing was faked.",
            "title": "Moon Hoax",
            "subtitle": "s",
            "date": "19 April 2018",
        },
        {"vclaim_id": "vclaim-sno-x", "vclaim": ""},
        {"vclaim_id": "other-1", "vclaim": "Another claim", "page_url": "https://www.snopes.com/fact-check/other/"},
    ]
    content = "\n".join(json.dumps(x) for x in lines) + "\n{not json}\n" + json.dumps(lines[0])[:30]
    records, problems = read(write(tmp_path, "v.jsonl", content), "checkthat")
    assert [r.id for r in records] == ["vclaim-sno-moon-hoax", "other-1"]
    moon = records[0]
    assert moon.review_url == "https://www.snopes.com/fact-check/moon-hoax/"
    assert (moon.publisher_name, moon.review_date, moon.title, moon.summary) == (
        "Snopes",
        "2018-04-19",
        "Moon Hoax",
        "s",
    )
    assert [p.position for p in problems] == ["line 2", "line 4", "line 5"]
    assert "truncated" in problems[-1].reason


def test_checkthat_format_on_a_csv_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not JSON"):
        read(write(tmp_path, "x.txt", "claim,url\nfoo,https://x\n"), "checkthat")


def test_csv_format_on_json_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no column for claim"):
        read(write(tmp_path, "x.json", json.dumps([claimreview(1)])), "csv")


def test_csv_with_aliases_and_mapping(tmp_path: Path) -> None:
    content = "Statement,Link,Verdict,Site\nThe harbour closes,https://f.example/1,Half True,f.example\n,https://f.example/2,False,\n"
    path = write(tmp_path, "f.csv", content)
    records, problems = read(path, "csv", parse_mapping("claim=Statement,review_url=Link,rating=Verdict"))
    assert [(r.id, r.claim, r.rating, r.publisher_site) for r in records] == [
        ("https://f.example/1", "The harbour closes", "mixed", "f.example")
    ]
    assert problems[0].position == "row 3" and "no claim text" in problems[0].reason


def test_csv_without_mapped_columns_names_them(tmp_path: Path) -> None:
    path = write(tmp_path, "f.csv", "a,b\n1,2\n")
    with pytest.raises(UsageError, match="no column for claim and id or review_url"):
        read(path, "csv")
    with pytest.raises(UsageError, match="no column 'Statement'"):
        read(path, "csv", parse_mapping("claim=Statement"))


def test_bad_mapping_spec() -> None:
    with pytest.raises(UsageError, match="FIELD=COLUMN"):
        parse_mapping("claim")
    with pytest.raises(UsageError, match="unknown field"):
        parse_mapping("verdict_text=Verdict")


def test_unknown_content_needs_a_format(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="--format"):
        read(write(tmp_path, "x.dat", "hello"))


def test_large_array_streams(tmp_path: Path) -> None:
    """Records come out before the whole file is parsed (the reader does not load it all)."""
    path = tmp_path / "big.json"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write("[")
        for i in range(20000):
            fh.write(("," if i else "") + json.dumps(claimreview(i)))
        fh.write("]")
    consumed = []
    iterator = read_records(path, None, None, on_bytes=consumed.append)
    next(iterator)
    assert consumed and consumed[-1] < path.stat().st_size / 4
    assert sum(1 for _ in iterator) == 19999


def test_claimreview_jsonl(tmp_path: Path) -> None:
    content = json.dumps(claimreview(1)) + "\n{broken\n" + json.dumps(claimreview(2)) + "\n"
    records, problems = read(write(tmp_path, "reviews.jsonl", content))
    assert [r.id.rsplit("/", 1)[1] for r in records] == ["1", "2"]
    assert [p.position for p in problems] == ["line 2"]


CLAIM = "Claim number {} about the harbour"


# -- hostile input (issue 23 items 7, 9, 10) ------------------------------------------------------------------------
@pytest.mark.parametrize("depth", [100, 5_000, 100_000])
def test_deeply_nested_json_array_stops_with_a_clear_error(tmp_path: Path, depth: int) -> None:
    """issue 23 item 7: a 200 KB file nested 100,000 deep grew the importer to 22.9 GB; now it stops at MAX_DEPTH."""
    import resource

    from veracity.stores.importers import MAX_DEPTH

    good = json.dumps(claimreview(1))
    path = write(tmp_path, "deep.json", f"[{good}, " + "[" * depth + "]" * depth + "]")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    with pytest.raises(ImportStopped, match=f"more than {MAX_DEPTH} levels deep"):
        list(read_records(path, "claimreview"))
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 200_000  # kilobytes: no quadratic prefix strings
    records = [r for _p, r in _items_until_stop(path) if isinstance(r, FactCheckRecord)]
    assert [r.claim for r in records] == [CLAIM.format(1)]  # the record before the deep part is kept


def _items_until_stop(path: Path) -> list:
    out = []
    try:
        for item in read_records(path, "claimreview"):
            out.append(item)
    except ImportStopped:
        pass
    return out


@pytest.mark.parametrize("fmt", ["claimreview", "checkthat"])
def test_deeply_nested_jsonl_line_is_skipped_not_a_crash(tmp_path: Path, fmt: str) -> None:
    """A JSONL line nested beyond the cap (or beyond Python's recursion limit) is one skipped record."""
    first = (
        json.dumps(claimreview(1))
        if fmt == "claimreview"
        else json.dumps({"vclaim_id": "v1", "vclaim": "A claim.", "title": "t"})
    )
    deep = '{"vclaim_id": "v2", "vclaim": "x", "x": ' + "[" * 50_000 + "]" * 50_000 + "}"
    middle = '{"vclaim_id": "v3", "vclaim": "y", "x": ' + "[" * 100 + "]" * 100 + "}"
    path = write(tmp_path, "deep.jsonl", "\n".join([first, deep, middle]) + "\n")
    records, problems = read(path, fmt)
    assert len(records) == 1
    assert [p.position for p in problems] == ["line 2", "line 3"]
    assert all("levels deep" in p.reason for p in problems)


def test_oversized_record_is_skipped(tmp_path: Path) -> None:
    from veracity.stores.importers import MAX_RECORD_CHARS

    big = claimreview(2, description="x" * (MAX_RECORD_CHARS + 10))
    path = write(tmp_path, "big.json", json.dumps([claimreview(1), big, claimreview(3)]))
    records, problems = read(path, "claimreview")
    assert [r.claim for r in records] == [CLAIM.format(1), CLAIM.format(3)]
    assert problems[0].position == "record 2" and "longer than" in problems[0].reason
    path = write(tmp_path, "big.jsonl", "\n".join(json.dumps(c) for c in [claimreview(1), big, claimreview(3)]) + "\n")
    records, problems = read(path, "claimreview")
    assert [r.claim for r in records] == [CLAIM.format(1), CLAIM.format(3)] and problems[0].position == "line 2"


def test_csv_unterminated_quote_does_not_merge_rows(tmp_path: Path) -> None:
    """issue 23 item 9: csv silently merged every row after an unterminated quote into one field."""
    content = (
        "id,claim,url\n"
        '1,"The harbour closes,https://a.example/1\n'
        "2,The bridge opens,https://a.example/2\n"
        "3,The tunnel floods,https://a.example/3\n"
    )
    records, problems = read(write(tmp_path, "q.csv", content), "csv")
    assert [(r.id, r.claim) for r in records] == [("2", "The bridge opens"), ("3", "The tunnel floods")]
    assert problems[0].position == "row 2" and "unterminated quote" in problems[0].reason


def test_csv_multiline_quoted_field_is_kept(tmp_path: Path) -> None:
    content = (
        'id,claim,url\n1,"The harbour\ncloses today",https://a.example/1\n2,The bridge opens,https://a.example/2\n'
    )
    records, problems = read(write(tmp_path, "m.csv", content), "csv")
    assert [r.claim for r in records] == ["The harbour\ncloses today", "The bridge opens"] and not problems


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "data:text/html,<script>x</script>", "JaVaScRiPt:alert(1)", "ftp://a.example/x", "//"],
)
def test_review_urls_must_be_http(tmp_path: Path, url: str) -> None:
    """issue 23 item 10: an imported javascript:/data: link reached saved reports."""
    items = [claimreview(1), claimreview(2, url=url, identifier="cr-2"), claimreview(3)]
    records, problems = read(write(tmp_path, "u.json", json.dumps(items)), "claimreview")
    assert [r.claim for r in records] == [CLAIM.format(1), CLAIM.format(3)]
    assert problems and "URL" in problems[0].reason


def test_csv_review_url_checked_too(tmp_path: Path) -> None:
    content = "id,claim,url\n1,The harbour closes,javascript:alert(1)\n2,The bridge opens,https://a.example/2\n"
    records, problems = read(write(tmp_path, "u.csv", content), "csv")
    assert [r.id for r in records] == ["2"] and "http(s)" in problems[0].reason


def test_verdicts_are_kept_and_missing_ones_said_plainly(tmp_path: Path) -> None:
    from veracity.stores.records import NO_VERDICT, Match

    records, _ = read(write(tmp_path, "v.json", json.dumps([claimreview(1, rating="Pants on Fire!")])), "claimreview")
    r = records[0]
    assert r.textual_rating == "Pants on Fire!" and r.rating == "false" and r.publisher_name and r.review_date
    m = Match(r.id, 0.9, r.claim, r.rating, r.textual_rating, r.publisher_name, r.review_url, review_date=r.review_date)
    assert m.verdict == f"Pants on Fire! ({r.publisher_name}, {r.review_date})" and m.has_verdict
    bare = Match("v", 0.9, "c", "unrated", "", "Snopes", "https://s.example/", review_date="2020-01-01")
    assert bare.verdict == NO_VERDICT and not bare.has_verdict
    assert bare.as_attrs()["verdict"] == NO_VERDICT
