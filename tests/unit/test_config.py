"""Settings through one door: defaults < config file < VERACITY_* < flags, the service section, and where each came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from veracity.cli import main
from veracity.config import Settings, explain_settings, load_settings
from veracity.errors import ConfigurationError

NO_FILE = {"VERACITY_CONFIG": "/nonexistent/veracity.toml"}


def test_service_defaults_are_safe_for_a_shared_deployment() -> None:
    s = load_settings(environ=NO_FILE).service
    assert s.api_keys == () and s.results_dir == "" and s.page is True and s.only is None
    assert s.max_body_bytes == 2_000_000 and s.time_budget == 60.0


def test_service_environment_is_read(tmp_path: Path) -> None:
    s = load_settings(
        environ={
            **NO_FILE,
            "VERACITY_API_KEYS": " a1, ,b2 ",
            "VERACITY_SERVICE_MAX_BODY": "1234",
            "VERACITY_SERVICE_TIME_BUDGET": "2.5",
            "VERACITY_SERVICE_THREADS": "3",
            "VERACITY_SERVICE_QUEUE": "7",
            "VERACITY_RESULTS_DIR": str(tmp_path),
            "VERACITY_SERVICE_PAGE": "0",
            "VERACITY_SERVICE_ONLY": "claims, techniques",
        }
    ).service
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
        ("VERACITY_THREADS", "two", "whole number"),
    ],
)
def test_bad_values_are_one_clear_error(key: str, value: str, words: str) -> None:
    with pytest.raises(ConfigurationError, match=words):
        load_settings(environ={**NO_FILE, key: value})


def test_file_then_environment_then_flags_and_origins(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("max_chars = 1000\nthreads = 3\n\n[service]\nthreads = 5\nqueue = 9\n", encoding="utf-8")
    env = {"VERACITY_THREADS": "4", "VERACITY_SERVICE_QUEUE": "11"}
    s = load_settings(config, environ=env, max_chars=500)
    assert (s.max_chars, s.threads, s.service.threads, s.service.queue) == (500, 4, 5, 11)
    origins = {r.key: r.origin for r in explain_settings(config, environ=env, max_chars=500)}
    assert origins["max_chars"] == "command line"
    assert origins["threads"] == "environment VERACITY_THREADS"
    assert origins["service.threads"] == f"config file {config}"
    assert origins["service.queue"] == "environment VERACITY_SERVICE_QUEUE"
    assert origins["db"] == "default"


def test_unknown_keys_in_the_file_are_named(tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[service]\nthread = 5\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match=r"service\.thread"):
        load_settings(config, environ={})


def test_resolved_settings_round_trip_through_a_config_file(tmp_path: Path) -> None:
    """How ``veracity serve`` hands its settings to worker processes: one file, read through the same door."""
    original = load_settings(environ={**NO_FILE, "VERACITY_API_KEYS": "k1,k2"}, max_chars=1234, db="/tmp/x.sqlite3")
    config = tmp_path / "settings.toml"
    config.write_text(original.to_toml(), encoding="utf-8")
    assert load_settings(config, environ={}) == original


def test_config_show_prints_values_and_origins_but_no_keys(capsys: pytest.CaptureFixture[str], monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("VERACITY_CONFIG", "/nonexistent/veracity.toml")
    monkeypatch.setenv("VERACITY_API_KEYS", "secret-key-1")
    monkeypatch.setenv("VERACITY_SERVICE_THREADS", "6")
    assert main(["config", "show", "--json", "--max-chars", "99"]) == 0
    out = capsys.readouterr().out
    assert "secret-key-1" not in out
    import json

    rows = {r["key"]: r for r in json.loads(out)}
    assert rows["service.threads"] == {
        "key": "service.threads",
        "value": "6",
        "origin": "environment VERACITY_SERVICE_THREADS",
    }
    assert rows["max_chars"]["value"] == "99" and rows["max_chars"]["origin"] == "command line"
    assert rows["service.api_keys"]["value"] == "1 key(s)"
    assert Settings().service.threads == 2
