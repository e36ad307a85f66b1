"""Pipeline wiring: order from requires/produces, build-time errors, dependency pulling, error policy."""

from __future__ import annotations

import pytest

from veracity import Document, Layer, Pipeline, Span
from veracity.analyzers.base import BaseAnalyzer
from veracity.errors import PipelineError


def make(name: str, requires: tuple[str, ...] = (), fail: bool = False) -> BaseAnalyzer:
    class A(BaseAnalyzer):
        produces = name
        version = "1"
        loads = 0

        def _load(self) -> None:
            type(self).loads += 1

        def _analyze(self, doc: Document) -> Layer:
            if fail or "boom" in doc.text:
                raise RuntimeError(f"{name} failed")
            for r in requires:
                assert doc.has_layer(r), f"{name} ran before {r}"
            return Layer(name, [Span(0, 1, name)])

    A.name = name
    A.requires = requires
    return A()


def test_orders_by_requirements_whatever_the_given_order() -> None:
    p = Pipeline([make("c", ("b",)), make("b", ("a",)), make("a")])
    assert p.layer_names == ["a", "b", "c"]
    report = p.run("xyz")
    assert list(report.layers) == ["a", "b", "c"]
    assert report.layers["a"].provenance is not None and report.layers["a"].provenance.seconds is not None


def test_missing_requirement_fails_when_built() -> None:
    with pytest.raises(PipelineError, match="requires layer"):
        Pipeline([make("b", ("a",))])


def test_cycle_and_duplicate_producers_fail_when_built() -> None:
    with pytest.raises(PipelineError, match="cycle"):
        Pipeline([make("a", ("b",)), make("b", ("a",))])
    with pytest.raises(PipelineError, match="two analyzers produce"):
        Pipeline([make("a"), make("a")])


def test_only_pulls_in_required_layers_and_rejects_unknown() -> None:
    p = Pipeline([make("a"), make("b", ("a",)), make("z")], only=["b"])
    assert p.layer_names == ["a", "b"]
    with pytest.raises(PipelineError, match="unknown layer 'nope'"):
        Pipeline([make("a")], only=["nope"])


def test_real_registry_only_entities_needs_no_other_layers() -> None:
    assert Pipeline(only=["entities"]).layer_names == ["entities"]


def test_models_load_once_across_runs() -> None:
    a = make("a")
    p = Pipeline([a])
    for _ in range(3):
        p.run("text")
    assert type(a).loads == 1


def test_record_policy_keeps_going_and_skips_dependants() -> None:
    p = Pipeline([make("a"), make("b", ("a",)), make("c")], on_error="record")
    ok, bad = p.run_batch([Document("fine"), Document("boom here")])
    assert set(ok.layers) == {"a", "b", "c"} and not ok.errors
    assert "a" not in bad.layers and "b" not in bad.layers and "c" not in bad.layers
    kinds = {e.layer: e.type for e in bad.errors}
    assert kinds["a"] == "RuntimeError" and kinds["b"] == "SkippedError"
    with pytest.raises(RuntimeError):
        Pipeline([make("a")]).run("boom")


def test_analyzer_returning_wrong_layer_is_caught() -> None:
    class Liar(BaseAnalyzer):
        name = produces = "x"

        def _analyze(self, doc: Document) -> Layer:
            return Layer("y", [])

    with pytest.raises(PipelineError, match="returned layer 'y'"):
        Pipeline([Liar()]).run("text")
