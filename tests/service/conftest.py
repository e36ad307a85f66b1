"""Service fixtures: apps built by the factory with the real pipeline or with test stand-ins, loaded once."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("fastapi", reason="the service needs the serve extra: pip install -e '.[serve,test]'")

from fastapi.testclient import TestClient

from tests.service.fakes import FakeClaims, FakeSources, FakeTechniques
from veracity.config import ServiceSettings, Settings
from veracity.pipeline import Pipeline
from veracity.service.app import create_app


def make_client(pipeline: Pipeline | None = None, settings: Settings | None = None, **service: Any) -> TestClient:
    """A TestClient (not yet started) for an app with these settings; ``with`` it to run the lifespan."""
    app = create_app(settings or Settings(), pipeline, ServiceSettings(**service))
    return TestClient(app, raise_server_exceptions=False)


@pytest.fixture(scope="session")
def fake_pipeline() -> Pipeline:
    """sentences (real spaCy) plus stand-ins for techniques, claims and sources."""
    return Pipeline(["sentences", FakeTechniques(), FakeClaims(), FakeSources()])


@pytest.fixture(scope="session")
def client(fake_pipeline: Pipeline) -> Iterator[TestClient]:
    """The app with the stand-in pipeline, started once for the session."""
    with make_client(fake_pipeline) as c:
        yield c


@pytest.fixture(scope="session")
def full_pipeline() -> Pipeline:
    """Every registered analyzer with the real models, loaded once for the session and shared by the apps."""
    return Pipeline.from_settings(Settings()).load()


@pytest.fixture(scope="session")
def real_client(full_pipeline: Pipeline) -> Iterator[TestClient]:
    """The app with every registered analyzer (the real models), started once for the session."""
    with make_client(full_pipeline) as c:
        yield c


@pytest.fixture(scope="session")
def small_pipeline() -> Pipeline:
    """Only sentences: for tests about limits and errors, where the analysis itself does not matter."""
    return Pipeline(["sentences"])
