"""The service fixtures, shared with the hostile-input suite (its page and budget cases run against the same apps)."""

from tests.service.conftest import client, fake_pipeline, small_pipeline  # noqa: F401 (pytest fixtures)
