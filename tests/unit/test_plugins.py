"""A third-party analyzer is one file plus an entry point: the CLI, pipeline and report take it without changes."""

from __future__ import annotations

import json
import sys
import textwrap
from pathlib import Path

import pytest

from veracity import registry
from veracity.cli import main

PLUGIN = '''
"""A plug-in that marks words in capitals (shouting)."""
import re

from veracity.analyzers.base import BaseAnalyzer
from veracity.doc import Layer, Span


class ShoutAnalyzer(BaseAnalyzer):
    name = produces = "shouting"
    requires = ("sentences",)
    version = "9.9"
    description = "Words written in capitals."

    def _analyze(self, doc):
        spans = [Span(m.start(), m.end(), "SHOUT", 1.0) for m in re.finditer(r"\\b[A-Z]{3,}\\b", doc.text)]
        return Layer("shouting", spans, data={"legend": {"SHOUT": "a word in capitals"}})
'''


@pytest.fixture()
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "veracity_shout.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    dist = tmp_path / "veracity_shout-0.1.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: veracity-shout\nVersion: 0.1\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text(
        '[veracity.analyzers]\nshouting = "veracity_shout:ShoutAnalyzer"\n'.replace('"', "")
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.available.cache_clear()
    yield
    registry.available.cache_clear()
    sys.modules.pop("veracity_shout", None)


def test_plugin_is_listed_and_runs_through_the_cli(plugin, capsys, tmp_path) -> None:  # type: ignore[no-untyped-def]
    assert "shouting" in registry.available()
    article = tmp_path / "a.txt"
    article.write_text("This is VERY important. Read it NOW.", encoding="utf-8")
    assert main(["analyze", str(article), "--only", "shouting", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert list(report["layers"]) == ["sentences", "shouting"]  # its requirement was pulled in
    assert [s["text"] for s in report["layers"]["shouting"]["spans"]] == ["VERY", "NOW"]
    assert report["layers"]["shouting"]["provenance"]["version"] == "9.9"
    assert main(["analyze", str(article), "--only", "shouting", "--format", "html"]) == 0
    assert "SHOUT" in capsys.readouterr().out
    assert main(["analyzers", "--json"]) == 0
    assert any(r["name"] == "shouting" and r["requires"] == ["sentences"] for r in json.loads(capsys.readouterr().out))
