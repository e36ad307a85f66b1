"""Settings of the HTTP service (on top of the library's ``Settings``), read from VERACITY_* environment variables.

``veracity serve`` turns its flags into these variables so that every worker process resolves the same values.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from veracity.errors import ConfigurationError

__all__ = ["ServiceSettings"]


def _int(environ: dict[str, str], key: str, default: int) -> int:
    raw = environ.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigurationError(f"{key} must be a whole number, got {raw!r}") from None
    if value < 1:
        raise ConfigurationError(f"{key} must be at least 1, got {value}")
    return value


def _float(environ: dict[str, str], key: str, default: float) -> float:
    raw = environ.get(key)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigurationError(f"{key} must be a number of seconds, got {raw!r}") from None
    if value <= 0:
        raise ConfigurationError(f"{key} must be more than 0 seconds, got {value}")
    return value


@dataclass(frozen=True)
class ServiceSettings:
    """Limits and switches of one service process; defaults suit a shared deployment."""

    #: largest request body accepted, in bytes (VERACITY_SERVICE_MAX_BODY); larger requests get 413
    max_body_bytes: int = 2_000_000
    #: seconds one request may take, queueing and fetching included (VERACITY_SERVICE_TIME_BUDGET); then 503
    time_budget: float = 60.0
    #: analysis threads in this process (VERACITY_SERVICE_THREADS); more requests wait for a free one
    threads: int = 2
    #: requests that may wait for a thread before new ones get 503 (VERACITY_SERVICE_QUEUE)
    queue: int = 32
    #: API keys accepted on /v1 (VERACITY_API_KEYS, comma-separated); empty means /v1 is open
    api_keys: tuple[str, ...] = field(default=(), repr=False)
    #: folder where each report is saved as JSON (VERACITY_RESULTS_DIR); empty means nothing is written to disk
    results_dir: str = ""
    #: serve the web page at / (VERACITY_SERVICE_PAGE=0 turns it off for API-only deployments)
    page: bool = True
    #: layers the service produces (VERACITY_SERVICE_ONLY, comma-separated; what they require is added); None: all
    only: tuple[str, ...] | None = None

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> ServiceSettings:
        """Read the VERACITY_SERVICE_* / VERACITY_API_KEYS / VERACITY_RESULTS_DIR variables."""
        env = dict(os.environ if environ is None else environ)
        keys = tuple(k.strip() for k in env.get("VERACITY_API_KEYS", "").split(",") if k.strip())
        page_raw = env.get("VERACITY_SERVICE_PAGE", "1").strip().lower()
        if page_raw not in {"0", "1", "true", "false", "yes", "no", "on", "off"}:
            raise ConfigurationError(f"VERACITY_SERVICE_PAGE must be 1 or 0, got {page_raw!r}")
        results = env.get("VERACITY_RESULTS_DIR", "").strip()
        if results and not Path(results).expanduser().is_dir():
            raise ConfigurationError(f"VERACITY_RESULTS_DIR={results} is not a folder; create it or unset it")
        return cls(
            max_body_bytes=_int(env, "VERACITY_SERVICE_MAX_BODY", cls.max_body_bytes),
            time_budget=_float(env, "VERACITY_SERVICE_TIME_BUDGET", cls.time_budget),
            threads=_int(env, "VERACITY_SERVICE_THREADS", cls.threads),
            queue=_int(env, "VERACITY_SERVICE_QUEUE", cls.queue),
            api_keys=keys,
            results_dir=results,
            page=page_raw in {"1", "true", "yes", "on"},
            only=tuple(x.strip() for x in env["VERACITY_SERVICE_ONLY"].split(",") if x.strip()) or None
            if env.get("VERACITY_SERVICE_ONLY", "").strip()
            else None,
        )
