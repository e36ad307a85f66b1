"""The analyzer contract, shipped so that plug-in authors run the same checks as veracity's built-ins.

Subclass ``AnalyzerContract`` in a pytest module and provide an ``analyzer_name`` fixture (the layer your analyzer
is registered under); pytest then runs every ``test_*`` method below on it::

    import pytest
    from veracity.analyzers.testing import AnalyzerContract

    class TestMyAnalyzer(AnalyzerContract):
        @pytest.fixture
        def analyzer_name(self) -> str:
            return "my_layer"

The checks: the constructor is cheap (it loads no model), the registered name is the layer produced, offsets are
valid on awkward text (CRLF, emoji, combining marks, right-to-left script, zero-width characters, one long word,
punctuation only, a single character), ``analyze_batch`` equals ``analyze`` one by one, ``load`` is idempotent, and
the output is deterministic. Layers an analyzer requires come from the registered analyzers, with no fact-check
database, so nothing outside the process is read.
"""

from __future__ import annotations

from typing import Any

import pytest

from veracity import registry
from veracity.config import Services, Settings
from veracity.doc import Document, Layer
from veracity.models import loading
from veracity.pipeline import Pipeline

__all__ = ["AWKWARD_TEXTS", "AnalyzerContract", "comparable"]

#: texts that break naive offset arithmetic (each is also analysed in a batch with the others)
AWKWARD_TEXTS = (
    "Officials said on Monday that the bridge, closed since 2019, will reopen in May.",
    "Line one.\r\nLine two says \u201cthis\u201d\r\n\r\nA new paragraph after CRLF.",
    "Emoji 👩\u200d👩\u200d👧 and flags 🇺🇦 sit between words; the mayor said so. Caf\u00e9 vs cafe\u0301.",
    "\u0627\u0644\u0628\u064a\u062a \u0643\u0628\u064a\u0631. English follows the Arabic, said the reporter.",
    "Zero\u200bwidth\u200cjoiners\u2060and soft\u00adhyphens. Tabs\tand\u00a0spaces.",
    "Pneumonoultramicroscopicsilicovolcanoconiosis" * 8 + ".",
    "?!... --- ;;; !!!",
    "x",
)


def comparable(layer: Layer) -> dict[str, Any]:
    """A layer without its timing, for equality checks."""
    return {
        "name": layer.name,
        "spans": [(s.start, s.end, s.label, s.score, s.id, s.attrs) for s in layer.spans],
        "relations": list(layer.relations),
        "data": layer.data,
    }


class AnalyzerContract:
    """The checks every analyzer passes; needs an ``analyzer_name`` fixture."""

    @pytest.fixture
    def services(self, tmp_path: Any) -> Services:
        """Settings with a fact-check database path that does not exist: no store is read or created."""
        settings = Settings(db=str(tmp_path / "no-database.sqlite3"))
        return Services.open(settings)

    @pytest.fixture
    def pipeline(self, analyzer_name: str, services: Services) -> Pipeline:
        """The analyzer and the layers it requires."""
        return Pipeline(only=[analyzer_name], services=services)

    def test_constructor_is_cheap(self, analyzer_name: str, services: Services, monkeypatch: Any) -> None:
        """Building the analyzer loads no model: that happens in ``load()``."""

        def refuse(key: str, build: Any) -> Any:
            raise AssertionError(f"the constructor of {analyzer_name!r} loaded model {key!r}; load it in load()")

        monkeypatch.setattr(loading, "shared", refuse)
        analyzer = registry.create(analyzer_name, services)
        assert analyzer.produces == analyzer_name
        assert isinstance(analyzer.requires, tuple) and isinstance(analyzer.version, str) and analyzer.name

    def test_layer_is_named_after_the_registration(self, analyzer_name: str, pipeline: Pipeline) -> None:
        """The layer produced carries the registered name, and the pipeline keeps every required layer."""
        report = pipeline.run(AWKWARD_TEXTS[0])
        assert analyzer_name in report.layers
        assert pipeline.layer_names[-1] == analyzer_name  # requirements first, then the analyzer
        assert not report.errors, report.errors

    @pytest.mark.parametrize("text", AWKWARD_TEXTS, ids=[f"awkward{i}" for i in range(len(AWKWARD_TEXTS))])
    def test_offsets_are_valid_on_awkward_text(self, analyzer_name: str, pipeline: Pipeline, text: str) -> None:
        """Every span lies inside the text and its text matches (the report checks each one on load)."""
        report = pipeline.run(text)
        assert not report.errors, report.errors
        report.check_offsets()
        for span in report.layers[analyzer_name].spans:
            assert 0 <= span.start < span.end <= len(text)
            assert text[span.start : span.end] == span.text

    def test_batch_equals_one_by_one(self, analyzer_name: str, pipeline: Pipeline) -> None:
        """A document's layer does not depend on the documents analysed with it."""
        together = pipeline.run_batch([Document(t) for t in AWKWARD_TEXTS])
        alone = [pipeline.run(t) for t in AWKWARD_TEXTS]
        for a, b in zip(together, alone, strict=True):
            la, lb = a.to_document().layer(analyzer_name), b.to_document().layer(analyzer_name)
            assert comparable(la) == comparable(lb)

    def test_load_is_idempotent(self, analyzer_name: str, services: Services) -> None:
        """``load()`` twice is the same as once; the analyzer works after both."""
        analyzer = registry.create(analyzer_name, services)
        analyzer.load()
        analyzer.load()
        report = Pipeline(only=[analyzer_name], services=services).run(AWKWARD_TEXTS[0])
        assert analyzer_name in report.layers

    def test_output_is_deterministic(self, analyzer_name: str, pipeline: Pipeline) -> None:
        """The same text gives the same layer, run after run."""
        first = pipeline.run(AWKWARD_TEXTS[1]).to_document().layer(analyzer_name)
        second = pipeline.run(AWKWARD_TEXTS[1]).to_document().layer(analyzer_name)
        assert comparable(first) == comparable(second)
