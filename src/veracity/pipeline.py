"""The Pipeline: puts analyzers in dependency order, loads them lazily, and attaches each layer through one door.

Wiring is checked when the pipeline is built (an analyzer whose required layer nobody produces fails at once, not in
the middle of a corpus). ``only`` names the layers a caller wants; what they require is added automatically.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any, Literal

from veracity import budget, registry
from veracity.analyzers.base import Analyzer
from veracity.config import Services, Settings
from veracity.doc import Document, Layer
from veracity.errors import BudgetExceededError, PipelineError
from veracity.report import Report

__all__ = ["Pipeline"]

ErrorPolicy = Literal["raise", "record"]


class Pipeline:
    """An ordered set of analyzers that turns documents into reports; build once, run on many documents."""

    def __init__(
        self,
        analyzers: Sequence[str | Analyzer] | None = None,
        *,
        only: Iterable[str] | None = None,
        services: Services | None = None,
        on_error: ErrorPolicy = "raise",
    ) -> None:
        if on_error not in ("raise", "record"):
            raise PipelineError(f"on_error must be 'raise' or 'record', not {on_error!r}")
        self.on_error: ErrorPolicy = on_error
        self.services: Services = services if services is not None else Services()
        wanted: list[str | Analyzer] = list(analyzers) if analyzers is not None else list(registry.available())
        if only is not None:
            only = [name.strip() for name in only if name.strip()]
            if not only:
                raise PipelineError("--only names no layer; give a comma-separated list such as sentences,entities")
            wanted = self._with_requirements(only, wanted)
        instances = [registry.create(a, self.services) if isinstance(a, str) else a for a in wanted]
        self.analyzers: list[Analyzer] = _ordered(instances)

    @classmethod
    def from_settings(
        cls,
        settings: Settings | None = None,
        *,
        only: Iterable[str] | None = None,
        on_error: ErrorPolicy = "raise",
        services: Services | None = None,
    ) -> Pipeline:
        """The one constructor every face uses: resolved settings, the process's services, the requested layers.

        ``services`` defaults to ``Services.open(settings)`` (the fact-check store at ``settings.db_path``, opened only
        if an analyzer searches it).
        """
        services = services if services is not None else Services.open(settings)
        return cls(only=only, services=services, on_error=on_error)

    def _with_requirements(self, only: list[str], candidates: list[str | Analyzer]) -> list[str | Analyzer]:
        """The requested layers plus, transitively, every layer they require."""
        by_name: dict[str, str | Analyzer] = {}
        for a in candidates:
            by_name[a if isinstance(a, str) else a.produces] = a
        chosen: dict[str, str | Analyzer] = {}
        todo = list(only)
        while todo:
            name = todo.pop()
            if name in chosen:
                continue
            if name in by_name:
                item = by_name[name]
            elif name in registry.available():
                item = name
            else:
                known = ", ".join(sorted(set(by_name) | set(registry.available())))
                raise PipelineError(f"unknown layer {name!r} in --only; available: {known}")
            chosen[name] = item
            requires = registry.load_class(item).requires if isinstance(item, str) else item.requires
            todo.extend(requires)
        return list(chosen.values())

    @property
    def layer_names(self) -> list[str]:
        """Layers this pipeline produces, in run order."""
        return [a.produces for a in self.analyzers]

    def load(self) -> Pipeline:
        """Load every analyzer now (the service does this at start-up); otherwise loading happens on first use."""
        for analyzer in self.analyzers:
            analyzer.load()
        return self

    def run(self, doc: Document | str, **meta: Any) -> Report:
        """Analyse one document (or plain text) and return its report."""
        return self.run_batch([_as_document(doc, meta)])[0]

    def run_batch(self, docs: Sequence[Document]) -> list[Report]:
        """Analyse several documents, letting analyzers batch their model calls."""
        docs = [d if isinstance(d, Document) else _as_document(d, {}) for d in docs]
        errors: list[list[dict[str, Any]]] = [[] for _ in docs]
        failed: list[set[str]] = [set() for _ in docs]
        for analyzer in self.analyzers:
            budget.check()  # a caller's time budget stops the work between layers, not after the last one
            todo = [i for i, _ in enumerate(docs) if not (set(analyzer.requires) & failed[i])]
            for i in set(range(len(docs))) - set(todo):
                failed[i].add(analyzer.produces)
                errors[i].append(
                    _error(
                        analyzer,
                        "SkippedError",
                        f"skipped: a layer it requires failed ({', '.join(sorted(set(analyzer.requires) & failed[i]))})",
                    )
                )
            if not todo:
                continue
            self._apply(analyzer, [docs[i] for i in todo], [errors[i] for i in todo], [failed[i] for i in todo])
        return [
            Report.from_document(doc, errors=errs, language=_language(doc))
            for doc, errs in zip(docs, errors, strict=True)
        ]

    def _apply(
        self, analyzer: Analyzer, docs: list[Document], errors: list[list[dict[str, Any]]], failed: list[set[str]]
    ) -> list[Layer | None]:
        """Run one analyzer on a batch; under the 'record' policy a failure is retried per document and recorded."""
        try:
            analyzer.load()
            batch = getattr(analyzer, "analyze_batch", None)
            layers = list(batch(docs)) if batch and len(docs) > 1 else [analyzer.analyze(d) for d in docs]
            if len(layers) != len(docs):
                raise PipelineError(
                    f"analyzer {analyzer.name!r} returned {len(layers)} layers for {len(docs)} documents"
                )
            stored: list[Layer | None] = []
            for doc, layer in zip(docs, layers, strict=True):
                _check_layer(analyzer, layer, doc)
            for doc, layer in zip(docs, layers, strict=True):
                stored.append(doc.add_layer(layer))  # the one door: offsets, ids, relations checked here
            return stored
        except BudgetExceededError:
            raise  # the caller's budget, not this layer's fault: never recorded as a layer error
        except Exception as exc:
            if self.on_error == "raise" or len(docs) == 0:
                raise
            if len(docs) > 1:  # find which document failed; the others keep their layers
                out: list[Layer | None] = []
                for doc, errs, fails in zip(docs, errors, failed, strict=True):
                    if doc.has_layer(analyzer.produces):  # attached before a later document failed
                        out.append(doc.layer(analyzer.produces))
                    else:
                        out.extend(self._apply(analyzer, [doc], [errs], [fails]))
                return out
            errors[0].append(_error(analyzer, type(exc).__name__, str(exc)))
            failed[0].add(analyzer.produces)
            return [None]

    def iter_reports(self, docs: Iterable[Document], batch_size: int = 8) -> Iterator[Report]:
        """Stream reports for a stream of documents, in order, ``batch_size`` at a time."""
        batch: list[Document] = []
        for doc in docs:
            batch.append(doc)
            if len(batch) >= batch_size:
                yield from self.run_batch(batch)
                batch = []
        if batch:
            yield from self.run_batch(batch)

    def __repr__(self) -> str:
        return f"Pipeline({self.layer_names})"


def _as_document(doc: Document | str, meta: Mapping[str, Any]) -> Document:
    if isinstance(doc, Document):
        return doc.with_meta(**meta) if meta else doc
    if isinstance(doc, str):
        return Document(doc, meta={k: v for k, v in meta.items() if v is not None})
    raise PipelineError(f"expected a Document or str, got {type(doc).__name__}")


def _language(doc: Document) -> str | None:
    """``meta.language`` for the report: the caller's, else what the findings analyzer found, else detected."""
    given = doc.meta.get("language")
    if given:
        return str(given)
    if doc.has_layer("findings") and doc.layer("findings").data.get("language"):
        return str(doc.layer("findings").data["language"])
    from veracity.ingest.language import detect_language

    return detect_language(doc.text)[0]


def _check_layer(analyzer: Analyzer, layer: Any, doc: Document) -> None:
    if not isinstance(layer, Layer):
        raise PipelineError(f"analyzer {analyzer.name!r} returned {type(layer).__name__}, not a Layer")
    if layer.name != analyzer.produces:
        raise PipelineError(
            f"analyzer {analyzer.name!r} declares {analyzer.produces!r} but returned layer {layer.name!r}"
        )


def _error(analyzer: Analyzer, kind: str, message: str) -> dict[str, Any]:
    return {"analyzer": analyzer.name, "layer": analyzer.produces, "type": kind, "message": message}


def _ordered(analyzers: list[Analyzer]) -> list[Analyzer]:
    """Topological order by requires/produces; clear errors for duplicates, missing inputs and cycles."""
    producers: dict[str, Analyzer] = {}
    for a in analyzers:
        if a.produces in producers:
            raise PipelineError(
                f"two analyzers produce layer {a.produces!r}: {producers[a.produces].name} and {a.name}"
            )
        producers[a.produces] = a
    for a in analyzers:
        missing = [r for r in a.requires if r not in producers]
        if missing:
            raise PipelineError(
                f"analyzer {a.name!r} requires layer(s) {', '.join(missing)} that no analyzer in this pipeline produces; "
                "add them or drop --only"
            )
    ordered: list[Analyzer] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(a: Analyzer, path: list[str]) -> None:
        if state.get(a.produces) == 2:
            return
        if state.get(a.produces) == 1:
            raise PipelineError(f"analyzers depend on each other in a cycle: {' -> '.join([*path, a.produces])}")
        state[a.produces] = 1
        # ``after``: layers an analyzer reads when the pipeline has them (optional inputs), run first like requires
        for r in (*a.requires, *(x for x in getattr(a, "after", ()) if x in producers)):
            visit(producers[r], [*path, a.produces])
        state[a.produces] = 2
        ordered.append(a)

    for a in analyzers:
        visit(a, [])
    return ordered
