"""Outlet reliability ratings by web domain: the bundled Lin et al. (2023) table plus the user's own CSV overrides.

The bundled table (``veracity/data/domain_ratings_lin2023.csv.gz``, built by ``training/build_ratings.py``) maps
11,520 news domains to the aggregate quality score ``pc1`` of Lin et al. (2023), 0 = lowest and 1 = highest quality.
Users add or override ratings with ``veracity ratings import FILE.csv`` (columns ``domain,score[,rating][,source]``);
their rows win over the bundled ones.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import threading
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from platformdirs import user_data_dir

from veracity.errors import ConfigurationError, InputError

__all__ = [
    "BUNDLED_SOURCE",
    "RatingsTable",
    "import_ratings",
    "normalize_domain",
    "rating_name",
    "ratings_table",
    "user_ratings_path",
]

BUNDLED_FILE = "domain_ratings_lin2023.csv.gz"
BUNDLED_SOURCE = "Lin et al. 2023, PNAS Nexus, doi:10.1093/pnasnexus/pgad286 (aggregate pc1)"
#: score bands → rating names (lower bound inclusive); Lin et al. give scores only, the names are ours
BANDS = ((0.7, "high"), (0.5, "medium"), (0.3, "low"), (0.0, "very low"))
#: second-level labels under which a registrable domain has three labels (bbc.co.uk, abc.net.au)
_SECOND_LEVEL = {"co", "com", "net", "org", "gov", "ac", "edu", "go"}
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$")


def rating_name(score: float) -> str:
    """The rating band of a score in [0, 1]: high, medium, low or very low."""
    for bound, name in BANDS:
        if score >= bound:
            return name
    return BANDS[-1][1]


def normalize_domain(value: str) -> str:
    """``"https://www.Example.com:443/a?b"`` → ``"example.com"``; empty string when ``value`` holds no host."""
    host = value.strip().lower()
    host = re.sub(r"^[a-z][a-z0-9+.-]*://", "", host)
    host = host.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    host = host.rsplit("@", 1)[-1].split(":", 1)[0].strip(".")
    for prefix in ("www.", "www2.", "m.", "amp.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix) :]
    return host if _HOST.match(host) else ""


def _parents(domain: str) -> Iterable[str]:
    """The domain, then its parent domains down to the registrable one (news.bbc.co.uk → bbc.co.uk)."""
    labels = domain.split(".")
    floor = 3 if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2 else 2
    for i in range(0, max(1, len(labels) - floor + 1)):
        yield ".".join(labels[i:])


@cache
def _bundled() -> dict[str, float]:
    raw = resources.files("veracity.data").joinpath(BUNDLED_FILE).read_bytes()
    table: dict[str, float] = {}
    for row in csv.DictReader(io.StringIO(gzip.decompress(raw).decode("utf-8"))):
        table[row["domain"]] = float(row["pc1"])
    return table


def user_ratings_path(setting: str = "") -> Path:
    """Where the user's ratings CSV lives: ``Settings.ratings`` when set, else ``<user data dir>/veracity/ratings.csv``."""
    return Path(setting).expanduser() if setting else Path(user_data_dir("veracity")) / "ratings.csv"


def _read_user_csv(path: Path, *, strict: bool) -> dict[str, dict[str, Any]]:
    """Rows of a ratings CSV keyed by normalised domain; ``strict`` raises on the first bad row."""
    out: dict[str, dict[str, Any]] = {}
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        if strict:
            raise InputError(f"ratings file {path} does not exist") from None
        return out
    except (OSError, UnicodeDecodeError) as exc:
        raise (InputError if strict else ConfigurationError)(
            f"cannot read ratings file {path}: {exc}; give a UTF-8 CSV with columns domain,score[,rating][,source]"
        ) from None
    reader = csv.DictReader(io.StringIO(text))
    fields = [f.strip().lower() for f in (reader.fieldnames or [])]
    if "domain" not in fields or "score" not in fields:
        raise (InputError if strict else ConfigurationError)(
            f"ratings file {path} needs a header with columns domain,score (optional: rating,source); found {fields or 'none'}"
        )
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        domain = normalize_domain(row.get("domain", ""))
        try:
            score = float(row.get("score", ""))
        except ValueError:
            score = float("nan")
        if not domain or not 0.0 <= score <= 1.0:
            if strict:
                raise InputError(
                    f"{path} line {line}: need a domain and a score between 0 and 1, got domain={row.get('domain')!r} score={row.get('score')!r}"
                )
            continue
        out[domain] = {
            "score": score,
            "rating": row.get("rating") or rating_name(score),
            "source": row.get("source") or f"user ratings ({path.name})",
        }
    return out


class RatingsTable:
    """Domain → reliability, user rows first, then the bundled Lin et al. (2023) table; parents tried in turn."""

    def __init__(self, user_csv: Path | None = None) -> None:
        self.user_csv = user_csv
        self._user = _read_user_csv(user_csv, strict=False) if user_csv else {}

    def lookup(self, domain_or_url: str) -> dict[str, Any] | None:
        """``{"domain", "score", "rating", "source"}`` for the domain (or its nearest rated parent), else None."""
        domain = normalize_domain(domain_or_url)
        if not domain:
            return None
        bundled = _bundled()
        for candidate in _parents(domain):
            if candidate in self._user:
                return {"domain": candidate, **self._user[candidate]}
            if candidate in bundled:
                score = bundled[candidate]
                return {"domain": candidate, "score": score, "rating": rating_name(score), "source": BUNDLED_SOURCE}
        return None

    def __contains__(self, domain: str) -> bool:
        return self.lookup(domain) is not None


_tables: dict[str, RatingsTable] = {}
_lock = threading.Lock()


def ratings_table(setting: str = "") -> RatingsTable:
    """The ratings table for a ``Settings.ratings`` value, cached per process (re-read after an import)."""
    path = user_ratings_path(setting)
    key = str(path)
    with _lock:
        if key not in _tables:
            _tables[key] = RatingsTable(path)
        return _tables[key]


def import_ratings(csv_path: Path, setting: str = "") -> tuple[int, Path]:
    """Merge a CSV of ratings into the user's ratings file (its rows win); returns (rows imported, file written)."""
    new = _read_user_csv(Path(csv_path), strict=True)
    if not new:
        raise InputError(f"{csv_path} has no rating rows; give columns domain,score[,rating][,source]")
    dest = user_ratings_path(setting)
    merged = _read_user_csv(dest, strict=False) if dest.exists() else {}
    merged.update(new)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["domain", "score", "rating", "source"])
        for domain in sorted(merged):
            row = merged[domain]
            writer.writerow([domain, f"{row['score']:.4f}", row["rating"], row["source"]])
    tmp.replace(dest)
    with _lock:
        _tables.pop(str(dest), None)
    return len(new), dest
