"""Small constructed corpora in every input format veracity batch reads, and a helper to read its output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

#: constructed article texts (not taken from any dataset), one or two sentences each
ARTICLES = [
    "Officials in Lisbon said the harbour bridge will reopen in May. Traffic has doubled since March.",
    "The mayor of Oslo announced a new tram line on Tuesday.\n\nCritics called the plan expensive.",
    "Scientists at the University of Geneva published a study on glaciers. It found that ice loss sped up.",
    "Maria Gonzalez, a spokesperson for the ministry, denied the report. She said the figures were wrong.",
    "Shares of Acme Corp fell 4 percent after the company missed its earnings forecast in Chicago.",
    "The United Nations warned that the drought in Kenya could affect two million people this year.",
    "Police in Toronto arrested three men on Friday. The investigation continues, officials said.",
    "A new museum opened in Cairo on Saturday, displaying artefacts from the reign of Ramses II.",
]

ONLY = ["sentences", "entities"]


def write_jsonl(path: Path, rows: list[dict[str, Any] | str]) -> Path:
    """One JSON object per line; a str row is written as is (to make broken lines)."""
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


def corpus_rows(n: int = len(ARTICLES)) -> list[dict[str, Any]]:
    """Rows with id, text, title and published."""
    return [
        {
            "id": f"a{i:02d}",
            "text": ARTICLES[i % len(ARTICLES)] + f" Item {i}.",
            "title": f"Article {i}",
            "published": "2024-05-0" + str(1 + i % 9),
        }
        for i in range(n)
    ]


def read_output(out: Path) -> list[dict[str, Any]]:
    """The lines of OUTPUT/reports.jsonl, parsed."""
    return [json.loads(line) for line in (out / "reports.jsonl").read_text(encoding="utf-8").splitlines() if line]


def line_id(obj: dict[str, Any]) -> str:
    """The document id of an output line (report or error record)."""
    return obj["id"] if "error" in obj else obj["document"]["id"]


def comparable(obj: dict[str, Any]) -> dict[str, Any]:
    """An output line without the timings, which differ between runs."""
    obj = json.loads(json.dumps(obj))
    for layer in (obj.get("layers") or {}).values():
        if layer.get("provenance"):
            layer["provenance"].pop("seconds", None)
    return obj


@pytest.fixture
def jsonl_corpus(tmp_path: Path) -> Path:
    """Eight articles as JSONL."""
    return write_jsonl(tmp_path / "corpus.jsonl", corpus_rows())
