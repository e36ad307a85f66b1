"""Every registered analyzer (the built-ins, and any plug-in installed here) passes the shipped analyzer contract."""

from __future__ import annotations

import pytest

from veracity import registry
from veracity.analyzers.testing import AnalyzerContract

pytestmark = pytest.mark.slow


class TestRegisteredAnalyzers(AnalyzerContract):
    @pytest.fixture(params=sorted(registry.available()))
    def analyzer_name(self, request: pytest.FixtureRequest) -> str:
        return str(request.param)


def test_every_built_in_is_registered() -> None:
    assert {"sentences", "entities", "claims", "factchecks", "attributions", "sources", "claim_sourcing",
            "techniques"} <= set(registry.available())  # fmt: skip
