"""Settings, resolved in one order everywhere: defaults < config file < environment (VERACITY_*) < command-line flags.

The config file is TOML (``$VERACITY_CONFIG``, else ``<user config dir>/veracity/config.toml``) with the same keys as
``Settings`` and a ``[service]`` table for the HTTP service; the environment uses ``VERACITY_<KEY>`` in upper case
(``VERACITY_MAX_BYTES=5000000``) and ``VERACITY_SERVICE_<KEY>`` for the service (``VERACITY_SERVICE_THREADS=4``).
``veracity config show`` prints every resolved value and where it came from.

``Services`` is what the faces (CLI, service, batch workers) open once per process and hand to the pipeline: the
settings and the fact-check store. Analyzers receive it in ``from_services`` and never open stores themselves.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_config_dir, user_data_dir

from veracity.errors import ConfigurationError

if TYPE_CHECKING:
    from veracity.stores.live import LiveFactCheckStore

__all__ = ["ServiceSettings", "Services", "SettingOrigin", "Settings", "explain_settings", "load_settings"]


def _split(value: Any) -> tuple[str, ...]:
    items = [str(v) for v in value] if isinstance(value, (list, tuple)) else str(value).split(",")
    return tuple(v.strip() for v in items if str(v).strip())


@dataclass(frozen=True)
class ServiceSettings:
    """Limits and switches of one service process (``[service]`` in the config file, ``VERACITY_SERVICE_*``)."""

    #: largest request body accepted, in bytes; larger requests get 413
    max_body_bytes: int = field(default=2_000_000, metadata={"env": "VERACITY_SERVICE_MAX_BODY", "min": 1})
    #: seconds one request may take, queueing and fetching included; then 503
    time_budget: float = field(default=60.0, metadata={"min": 0.001})
    #: analysis threads in this process; more requests wait for a free one
    threads: int = field(default=2, metadata={"min": 1})
    #: requests that may wait for a thread before new ones get 503
    queue: int = field(default=32, metadata={"min": 1})
    #: API keys accepted on /v1 (comma-separated in the environment); empty means /v1 is open
    api_keys: tuple[str, ...] = field(default=(), repr=False, metadata={"env": "VERACITY_API_KEYS", "secret": True})
    #: folder where each report is saved as JSON; empty means nothing is written to disk
    results_dir: str = field(default="", metadata={"env": "VERACITY_RESULTS_DIR"})
    #: serve the web page at / (off for API-only deployments)
    page: bool = True
    #: layers the service produces (what they require is added); None: all
    only: tuple[str, ...] | None = None
    #: extra origins the page's forms may be posted from (``https://news.example.org``), behind a proxy that rewrites Host
    allowed_origins: tuple[str, ...] = ()
    #: seconds a client has to send a whole request body; a slower (or half-open) one gets 408
    body_timeout: float = field(default=30.0, metadata={"min": 0.001})
    #: open connections one process accepts; more get 503 at once (slow clients cannot exhaust the process)
    max_connections: int = field(default=256, metadata={"min": 1})
    #: seconds shutdown waits for running analyses to reach a checkpoint and stop before the process exits anyway
    shutdown_grace: float = field(default=10.0, metadata={"min": 0.001})

    def __post_init__(self) -> None:
        _check_minimums(self, "service")
        if self.results_dir and not Path(self.results_dir).expanduser().is_dir():
            raise ConfigurationError(f"VERACITY_RESULTS_DIR={self.results_dir} is not a folder; create it or unset it")


@dataclass(frozen=True)
class Settings:
    """Every tunable limit and location in one place."""

    #: largest file or request body veracity reads, in bytes
    max_bytes: int = field(default=20_000_000, metadata={"min": 1})
    #: largest text analysed as one document, in characters: ~50,000 words, far past any news article, and about
    #: half the service's 60 s budget in CPU once every layer is linear (benchmarks/bench_long_text.py)
    max_chars: int = field(default=300_000, metadata={"min": 1})
    #: URL fetching: seconds to connect, seconds between bytes, largest body, redirects followed
    fetch_connect_timeout: float = field(default=5.0, metadata={"min": 0.001})
    fetch_read_timeout: float = field(default=15.0, metadata={"min": 0.001})
    fetch_max_bytes: int = field(default=10_000_000, metadata={"min": 1})
    fetch_max_redirects: int = field(default=5, metadata={"min": 0})
    #: URL fetching: seconds one fetch may take in all (connect, headers, body, every redirect): a slow server is cut off
    fetch_deadline: float = field(default=30.0, metadata={"min": 0.001})
    #: fetch URLs whose host resolves to a loopback/private/link-local/reserved address (off: SSRF guard)
    allow_private: bool = False
    #: the fact-check database (SQLite); empty means <user data dir>/veracity/factchecks.sqlite3
    db: str = ""
    #: user ratings CSV that overrides the bundled outlet reliability table
    ratings: str = ""
    #: the evidence corpus (a name under <user data dir>/veracity/corpora, or a path); empty means none
    corpus: str = ""
    #: onnxruntime threads per model call; 0 means min(2, CPUs) (batch workers use 1)
    threads: int = field(default=0, metadata={"min": 0})
    #: the research datasets read by ``veracity eval`` and training; empty means ../shared/data beside the checkout
    data_dir: str = field(default="", metadata={"env": "VERACITY_DATA"})
    #: the HTTP service's limits and switches
    service: ServiceSettings = field(default_factory=ServiceSettings)

    def __post_init__(self) -> None:
        _check_minimums(self, "")

    @property
    def db_path(self) -> Path:
        """Where the fact-check database lives."""
        return Path(self.db).expanduser() if self.db else Path(user_data_dir("veracity")) / "factchecks.sqlite3"

    def with_overrides(self, **overrides: Any) -> Settings:
        """A copy with the given (non-None) values replaced; used for command-line flags."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    def to_toml(self) -> str:
        """These settings as a config file (how ``veracity serve`` hands resolved settings to its workers)."""
        lines = [f"{f.name} = {_toml_value(getattr(self, f.name))}" for f in fields(self) if f.name != "service"]
        lines.append("\n[service]")
        for f in fields(self.service):
            value = getattr(self.service, f.name)
            if value is not None:
                lines.append(f"{f.name} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class SettingOrigin:
    """One resolved setting and where its value came from (default, a config file, a variable, the command line)."""

    key: str
    value: Any
    origin: str


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def _check_minimums(settings: Any, section: str) -> None:
    """One line naming the setting when a value is under its field's ``min`` (a negative cap, zero threads)."""
    for f in fields(settings):
        low = f.metadata.get("min")
        value = getattr(settings, f.name)
        if low is not None and value < low:
            what = "more than 0 seconds" if isinstance(value, float) else f"at least {low}"
            raise ConfigurationError(f"{_env_name(f, section)} ({f.name}) must be {what}, got {value}")


def _env_name(f: Any, section: str) -> str:
    if "env" in f.metadata:
        return str(f.metadata["env"])
    prefix = "VERACITY_SERVICE_" if section == "service" else "VERACITY_"
    return prefix + f.name.upper()


def _kind(cls: type, name: str) -> Any:
    hints = typing.get_type_hints(cls)
    hint = hints[name]
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    if isinstance(hint, types.UnionType) and args:
        return args[0] if typing.get_origin(args[0]) is None else tuple
    return tuple if typing.get_origin(hint) is tuple else hint


def _coerce(name: str, kind: Any, raw: Any, origin: str) -> Any:
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
        if kind is tuple:
            return _split(raw)
        if kind is int and isinstance(raw, str):
            raw = raw.strip()
        return kind(raw)
    except (TypeError, ValueError):
        kind_name = {int: "a whole number", float: "a number", bool: "1 or 0 (true or false)", tuple: "a list"}.get(
            kind, f"a {getattr(kind, '__name__', kind)}"
        )
        raise ConfigurationError(f"{origin}: {name} must be {kind_name}, got {raw!r}") from None


def _resolve(
    config_file: str | Path | None, environ: dict[str, str] | None, overrides: dict[str, Any]
) -> tuple[Settings, list[SettingOrigin]]:
    env = dict(os.environ if environ is None else environ)
    sections: dict[str, type] = {"": Settings, "service": ServiceSettings}
    values: dict[str, dict[str, Any]] = {"": {}, "service": {}}
    origins: dict[tuple[str, str], str] = {}
    known = {
        s: {f.name: f for f in fields(cls) if not (s == "" and f.name == "service")} for s, cls in sections.items()
    }

    path = Path(config_file or env.get("VERACITY_CONFIG") or Path(user_config_dir("veracity")) / "config.toml")
    if path.is_file():
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ConfigurationError(f"config file {path} is not valid TOML: {exc}") from None
        for key, raw in data.items():
            if key == "service" and isinstance(raw, dict):
                for skey, sraw in raw.items():
                    if skey not in known["service"]:
                        raise ConfigurationError(
                            f"config file {path}: unknown setting service.{skey}; known: {', '.join(known['service'])}"
                        )
                    values["service"][skey] = _coerce(skey, _kind(ServiceSettings, skey), sraw, str(path))
                    origins[("service", skey)] = f"config file {path}"
                continue
            if key not in known[""]:
                raise ConfigurationError(f"config file {path}: unknown setting {key!r}; known: {', '.join(known[''])}")
            values[""][key] = _coerce(key, _kind(Settings, key), raw, str(path))
            origins[("", key)] = f"config file {path}"
    elif config_file:
        raise ConfigurationError(f"config file {path} does not exist")

    for section, cls in sections.items():
        for name, f in known[section].items():
            env_key = _env_name(f, section)
            if env_key in env and (env[env_key].strip() or _kind(cls, name) in (str, tuple, bool)):
                values[section][name] = _coerce(name, _kind(cls, name), env[env_key], env_key)
                origins[(section, name)] = f"environment {env_key}"

    for key, raw in overrides.items():
        if raw is None:
            continue
        section, _, name = key.rpartition(".")
        if section not in sections or name not in known[section]:
            raise ConfigurationError(f"unknown setting {key!r}")
        values[section][name] = _coerce(name, _kind(sections[section], name), raw, "command line")
        origins[(section, name)] = "command line"

    service = ServiceSettings(**values["service"])
    settings = Settings(**values[""], service=service)
    table = [SettingOrigin(name, getattr(settings, name), origins.get(("", name), "default")) for name in known[""]] + [
        SettingOrigin(f"service.{name}", getattr(service, name), origins.get(("service", name), "default"))
        for name in known["service"]
    ]
    return settings, table


def load_settings(
    config_file: str | Path | None = None, environ: dict[str, str] | None = None, **overrides: Any
) -> Settings:
    """Resolve settings from defaults, the config file, the environment and explicit overrides, in that order.

    Service settings are overridden as ``**{"service.threads": 4}``.
    """
    return _resolve(config_file, environ, overrides)[0]


def explain_settings(
    config_file: str | Path | None = None, environ: dict[str, str] | None = None, **overrides: Any
) -> list[SettingOrigin]:
    """Every resolved setting with where its value came from (``veracity config show``)."""
    return _resolve(config_file, environ, overrides)[1]


@dataclass
class Services:
    """What a face opens once per process and hands to every analyzer: settings and the fact-check store.

    ``factchecks`` follows the database file: it opens when the file appears and reopens after an import, so a
    long-running service sees records imported while it runs without a restart.
    """

    settings: Settings = field(default_factory=Settings)
    factchecks: LiveFactCheckStore | Any | None = None
    #: the evidence corpus named by ``settings.corpus`` (None: no corpus configured)
    corpus: Any | None = None

    @classmethod
    def open(cls, settings: Settings | None = None, *, factchecks: Any = None, corpus: Any = None) -> Services:
        """Services for ``settings``: the given fact-check store, else the one at ``settings.db_path`` (opened lazily),
        and the corpus ``settings.corpus`` names (a corpus that does not exist is a ConfigurationError)."""
        settings = settings or load_settings()
        if factchecks is None:
            from veracity.stores.live import LiveFactCheckStore

            factchecks = LiveFactCheckStore(settings.db_path)
        if corpus is None and settings.corpus:
            from veracity.stores.corpus import open_corpus

            corpus = open_corpus(settings.corpus)
        return cls(settings, factchecks, corpus)

    def close(self) -> None:
        """Close what this object opened."""
        for store in (self.factchecks, self.corpus):
            if store is not None and hasattr(store, "close"):
                store.close()
