"""Service settings from the environment: what ``veracity serve`` hands its workers, and clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from veracity.errors import ConfigurationError
from veracity.service.config import ServiceSettings


def test_defaults_are_safe_for_a_shared_deployment() -> None:
    s = ServiceSettings.from_env({})
    assert s.api_keys == () and s.results_dir == "" and s.page is True and s.only is None
    assert s.max_body_bytes == 2_000_000 and s.time_budget == 60.0


def test_environment_is_read(tmp_path: Path) -> None:
    s = ServiceSettings.from_env(
        {
            "VERACITY_API_KEYS": " a1, ,b2 ",
            "VERACITY_SERVICE_MAX_BODY": "1234",
            "VERACITY_SERVICE_TIME_BUDGET": "2.5",
            "VERACITY_SERVICE_THREADS": "3",
            "VERACITY_SERVICE_QUEUE": "7",
            "VERACITY_RESULTS_DIR": str(tmp_path),
            "VERACITY_SERVICE_PAGE": "0",
            "VERACITY_SERVICE_ONLY": "claims, techniques",
        }
    )
    assert s.api_keys == ("a1", "b2") and s.max_body_bytes == 1234 and s.time_budget == 2.5
    assert (s.threads, s.queue, s.results_dir, s.page, s.only) == (3, 7, str(tmp_path), False, ("claims", "techniques"))
    assert "a1" not in repr(s)  # keys stay out of logs


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("VERACITY_SERVICE_MAX_BODY", "big", "whole number"),
        ("VERACITY_SERVICE_THREADS", "0", "at least 1"),
        ("VERACITY_SERVICE_TIME_BUDGET", "-1", "more than 0"),
        ("VERACITY_SERVICE_PAGE", "maybe", "1 or 0"),
        ("VERACITY_RESULTS_DIR", "/nonexistent/folder", "not a folder"),
    ],
)
def test_bad_values_are_one_clear_error(key: str, value: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        ServiceSettings.from_env({key: value})
