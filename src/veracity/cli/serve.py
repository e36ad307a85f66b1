"""``veracity serve``: the HTTP API and web page (FastAPI under uvicorn), models loaded once per worker process."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
from pathlib import Path

from veracity.cli.common import add_settings_flags, settings_from, split_list
from veracity.errors import ConfigurationError, UsageError


def register(sub: argparse._SubParsersAction) -> None:
    """Add the ``serve`` command."""
    p = sub.add_parser(
        "serve",
        help="serve the HTTP API (/v1) and the web page (/)",
        description="Serve the HTTP API under /v1 and the web page at /. Each worker process loads the models once; "
        "each runs analyses in --threads threads. Set VERACITY_API_KEYS=key1,key2 to require a key on /v1.",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    p.add_argument("--workers", type=int, default=1, help="worker processes, each with its own models (default 1)")
    p.add_argument("--threads", type=int, help="analysis threads per worker (default 2; env VERACITY_SERVICE_THREADS)")
    p.add_argument(
        "--max-body",
        type=int,
        metavar="BYTES",
        help="largest request body (default 2,000,000; env VERACITY_SERVICE_MAX_BODY)",
    )
    p.add_argument(
        "--time-budget", type=float, metavar="SECONDS",
        help="seconds one request may take, queueing included (default 60; env VERACITY_SERVICE_TIME_BUDGET)",
    )  # fmt: skip
    p.add_argument(
        "--results-dir", metavar="DIR",
        help="save every report as JSON here (default: nothing is written; env VERACITY_RESULTS_DIR)",
    )  # fmt: skip
    p.add_argument("--only", metavar="LAYERS", help="serve only these layers (and what they need); default: all")
    p.add_argument("--no-page", action="store_true", help="serve only the API, not the web page")
    p.add_argument(
        "--access-log", action="store_true", help="log every request line (off: query strings can hold text)"
    )
    p.add_argument("--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"])
    add_settings_flags(p)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Resolve settings once, hand them to the worker processes as one config file, and run uvicorn."""
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - a runtime dependency, absent only in broken installs
        raise ConfigurationError("the service needs the serve extra: pip install 'veracity[serve]'") from None
    if not 1 <= args.port <= 65535:
        raise UsageError(f"--port must be 1-65535, not {args.port}")
    if args.workers < 1:
        raise UsageError(f"--workers must be at least 1, not {args.workers}")
    # validates the config file, the environment and the flags now, with one line, before binding the port
    settings = settings_from(
        args,
        **{
            "service.threads": args.threads,
            "service.max_body_bytes": args.max_body,
            "service.time_budget": args.time_budget,
            "service.results_dir": args.results_dir,
            "service.page": False if args.no_page else None,
            "service.only": ",".join(split_list(args.only) or []) if args.only else None,
        },
    )
    if settings.corpus:  # a missing corpus is one line here, not a traceback from every worker at start-up
        from veracity.stores.corpus import open_corpus

        open_corpus(settings.corpus).close()
    # Every worker process resolves the same settings through the one door (load_settings): a private config file
    # holding the resolved values, named by VERACITY_CONFIG.
    folder = Path(tempfile.mkdtemp(prefix="veracity-serve-"))
    config = folder / "settings.toml"
    config.write_text(settings.to_toml(), encoding="utf-8")
    config.chmod(0o600)  # it may hold API keys
    os.environ["VERACITY_CONFIG"] = str(config)
    try:
        uvicorn.run(
            "veracity.service.app:app_from_env",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            access_log=args.access_log,
            log_level=args.log_level,
            server_header=False,
            proxy_headers=False,
            # open connections get this long to finish after SIGTERM; then the lifespan stops the analyses
            timeout_graceful_shutdown=max(1, round(settings.service.shutdown_grace)),
            # slow or idle clients: a bound on open connections (503 beyond) and on idle keep-alive connections; a
            # slow request body is cut off by the app's guard (body_timeout, 408)
            limit_concurrency=settings.service.max_connections,
            timeout_keep_alive=5,
        )
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return 0
