"""The analyzer protocol, and a small base class that gives analyzers thread-safe lazy loading and timing.

An analyzer reads the layers it ``requires`` and returns exactly one ``Layer`` named after what it ``produces``.
Constructors are cheap; heavy work (model loading) happens in ``load()``, which the pipeline calls once, lazily.
Analyzers never print, never read files the user did not name and never reach the network.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from veracity.doc import Document, Layer, Provenance

if TYPE_CHECKING:
    from veracity.config import Services

__all__ = ["Analyzer", "BaseAnalyzer"]


@runtime_checkable
class Analyzer(Protocol):
    """What the pipeline needs from an analyzer (built-in or plug-in)."""

    name: str
    version: str
    requires: tuple[str, ...]
    produces: str

    def load(self) -> None:
        """Load models and data; idempotent and safe to call from several threads."""

    def analyze(self, doc: Document) -> Layer:
        """Return the one layer this analyzer produces for ``doc``."""


class BaseAnalyzer:
    """Convenience base: idempotent locked ``load()``, per-call timing into provenance, a default batch method.

    Subclasses set the class attributes and implement ``_load()`` (optional) and ``_analyze(doc) -> Layer`` or, to
    batch model calls, ``_analyze_batch(docs)`` (then ``_analyze`` is a batch of one).
    """

    name: ClassVar[str]
    version: ClassVar[str] = "0.1.0"
    requires: ClassVar[tuple[str, ...]] = ()
    produces: ClassVar[str]
    #: one-line description shown by ``veracity analyzers`` and ``GET /v1/analyzers``
    description: ClassVar[str] = ""
    #: name of the model the analyzer uses (written into provenance)
    model_name: ClassVar[str | None] = None

    def __init__(self) -> None:
        self._loaded = False
        self._lock = threading.Lock()

    @classmethod
    def from_services(cls, services: Services) -> BaseAnalyzer:
        """Build the analyzer from the process's services (settings, the fact-check store); the default needs none."""
        return cls()

    def load(self) -> None:
        """Load once; later calls return at once."""
        if self._loaded:
            return
        with self._lock:
            if not self._loaded:
                self._load()
                self._loaded = True

    def _load(self) -> None:
        """Heavy start-up work; override when there is any."""

    def analyze(self, doc: Document) -> Layer:
        """Run on one document and stamp provenance with the time taken."""
        self.load()
        started = time.perf_counter()
        layer = self._analyze(doc)
        return self._stamp(layer, time.perf_counter() - started)

    def analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Run on several documents: one ``_analyze_batch`` call when the subclass batches (its time shared out
        evenly in provenance), else ``analyze`` one by one."""
        if type(self)._analyze_batch is BaseAnalyzer._analyze_batch:
            return [self.analyze(doc) for doc in docs]
        self.load()
        started = time.perf_counter()
        layers = self._analyze_batch(docs)
        share = (time.perf_counter() - started) / max(1, len(docs))
        return [self._stamp(layer, share) for layer in layers]

    def _analyze_batch(self, docs: Sequence[Document]) -> list[Layer]:
        """Override to batch model calls or searches over several documents (one unstamped layer each)."""
        raise NotImplementedError

    def _analyze(self, doc: Document) -> Layer:
        """Override with the analysis of one document; an analyzer that batches gets this for free (a batch of one)."""
        if type(self)._analyze_batch is BaseAnalyzer._analyze_batch:
            raise NotImplementedError(f"{type(self).__name__} implements neither _analyze nor _analyze_batch")
        return self._analyze_batch([doc])[0]

    def _stamp(self, layer: Layer, seconds: float) -> Layer:
        return Layer(
            name=layer.name,
            spans=layer.spans,
            relations=layer.relations,
            data=layer.data,
            provenance=Provenance(self.name, self.version, self.model_name, round(seconds, 6)),
        )
