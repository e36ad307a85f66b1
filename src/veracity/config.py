"""Settings, resolved in one order everywhere: defaults < config file < environment (VERACITY_*) < command-line flags.

The config file is TOML (``$VERACITY_CONFIG``, else ``<user config dir>/veracity/config.toml``) with the same keys as
``Settings``; the environment uses ``VERACITY_<KEY>`` in upper case (``VERACITY_MAX_BYTES=5000000``).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from platformdirs import user_config_dir, user_data_dir

from veracity.errors import ConfigurationError

__all__ = ["Settings", "load_settings"]


@dataclass(frozen=True)
class Settings:
    """Every tunable limit and location in one place."""

    #: largest file or request body veracity reads, in bytes
    max_bytes: int = 20_000_000
    #: largest text analysed as one document, in characters
    max_chars: int = 2_000_000
    #: URL fetching: seconds to connect, seconds between bytes, largest body, redirects followed
    fetch_connect_timeout: float = 5.0
    fetch_read_timeout: float = 15.0
    fetch_max_bytes: int = 10_000_000
    fetch_max_redirects: int = 5
    #: fetch URLs whose host resolves to a loopback/private/link-local/reserved address (off: SSRF guard)
    allow_private: bool = False
    #: the fact-check database (SQLite); empty means <user data dir>/veracity/factchecks.sqlite3
    db: str = ""
    #: user ratings CSV that overrides the bundled outlet reliability table
    ratings: str = ""

    @property
    def db_path(self) -> Path:
        """Where the fact-check database lives."""
        return Path(self.db).expanduser() if self.db else Path(user_data_dir("veracity")) / "factchecks.sqlite3"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) values replaced; used for command-line flags."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


def _coerce(name: str, kind: type, raw: Any, origin: str) -> Any:
    try:
        if kind is bool:
            if isinstance(raw, bool):
                return raw
            value = str(raw).strip().lower()
            if value in {"1", "true", "yes", "on"}:
                return True
            if value in {"0", "false", "no", "off", ""}:
                return False
            raise ValueError(raw)
        return kind(raw)
    except (TypeError, ValueError):
        raise ConfigurationError(f"{origin}: {name} must be a {kind.__name__}, got {raw!r}") from None


def load_settings(
    config_file: str | Path | None = None, environ: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Resolve settings from defaults, the config file, the environment and explicit overrides, in that order."""
    environ = dict(os.environ if environ is None else environ)
    types = {f.name: type(getattr(Settings(), f.name)) for f in fields(Settings)}
    values: dict[str, Any] = {}
    path = Path(config_file or environ.get("VERACITY_CONFIG") or Path(user_config_dir("veracity")) / "config.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"config file {path} is not valid TOML: {exc}") from None
        for key, raw in data.items():
            if key not in types:
                raise ConfigurationError(f"config file {path}: unknown setting {key!r}; known: {', '.join(types)}")
            values[key] = _coerce(key, types[key], raw, str(path))
    elif config_file:
        raise ConfigurationError(f"config file {path} does not exist")
    for key, kind in types.items():
        env_key = "VERACITY_" + key.upper()
        if env_key in environ:
            values[key] = _coerce(key, kind, environ[env_key], env_key)
    for key, raw in overrides.items():
        if raw is None:
            continue
        if key not in types:
            raise ConfigurationError(f"unknown setting {key!r}")
        values[key] = _coerce(key, types[key], raw, "command line")
    return Settings(**values)
