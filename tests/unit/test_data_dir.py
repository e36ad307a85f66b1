"""Finding the research data: an explicit --data must exist; otherwise the environment, then ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from veracity.errors import ConfigurationError
from veracity.evaluation._data import data_dir


def test_explicit_data_folder_must_exist(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="does not exist"):
        data_dir(str(tmp_path / "nope"))
    with pytest.raises(ConfigurationError, match="polnear"):
        data_dir(str(tmp_path), required="polnear")
    (tmp_path / "polnear").mkdir()
    assert data_dir(str(tmp_path), required="polnear") == tmp_path


def test_environment_is_used(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "liar").mkdir()
    monkeypatch.setenv("VERACITY_DATA", str(tmp_path))
    assert data_dir(None, required="liar") == tmp_path
