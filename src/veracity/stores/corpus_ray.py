"""Corpus indexing on Ray: the passage embeddings (the costly part of ``corpus add``) computed by Ray actors.

``RayEmbedder`` has the embedder interface the corpus store uses (``embed``, ``name``, ``dim``), so the store's
bookkeeping — one transaction per document batch, vectors recorded only after the index is saved, resume without
duplicates — is the same on Ray as locally. Each actor loads the shipped MiniLM once and takes one CPU; a batch of
passages is cut into one slice per actor. Runs on a local Ray instance (``num_cpus=workers``) or joins a cluster.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from veracity.batch.ray_engine import start_ray

__all__ = ["RayEmbedder"]


class _EmbedActor:
    """Holds one embedder (one onnxruntime thread) and embeds the slices it is sent."""

    def __init__(self) -> None:
        from veracity.batch.process import one_thread_per_worker
        from veracity.models.embedder import get_embedder

        one_thread_per_worker()
        self.embedder = get_embedder()

    def embed(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        return np.asarray(self.embedder.embed(texts, batch_size=batch_size), dtype=np.float32)


class RayEmbedder:
    """The shipped embedder, fanned out over ``workers`` Ray actors (vectors identical in kind to the local ones)."""

    #: the same name as the local embedder, so an index built on Ray is searched locally and vice versa
    name = "veracity.models.embedder.Embedder"
    dim = 384

    def __init__(self, workers: int | None = None, address: str | None = None) -> None:
        """Start (or join) Ray and create the actor pool."""
        ray, self._started, n = start_ray(workers, address)
        self.ray = ray
        actor = ray.remote(num_cpus=1)(_EmbedActor)
        self.actors = [actor.remote() for _ in range(n)]

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Unit vectors for ``texts`` in order, computed in one slice per actor (``batch_size`` per onnx call)."""
        texts = [str(t) for t in texts]
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        step = -(-len(texts) // len(self.actors))
        futures = [
            a.embed.remote(texts[i : i + step], batch_size)
            for a, i in zip(self.actors, range(0, len(texts), step), strict=False)
        ]
        return np.vstack(self.ray.get(futures))

    def close(self) -> None:
        """Release the actors (and the local Ray instance if this object started it)."""
        for a in self.actors:
            self.ray.kill(a)
        self.actors = []
        if self._started:
            self.ray.shutdown()
