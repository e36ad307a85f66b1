"""Outlet reliability ratings by web domain: the bundled Lin et al. (2023) table plus the user's own CSV overrides.

The bundled table (``veracity/data/domain_ratings_lin2023.csv.gz``, built by ``training/build_ratings.py``) maps
11,520 news domains to the aggregate quality score ``pc1`` of Lin et al. (2023), 0 = lowest and 1 = highest quality.
Users add or override ratings with ``veracity ratings import FILE.csv`` (columns ``domain,score[,rating][,source]
[,labels]``); their rows win over the bundled ones. ``labels`` are the user's own tags per domain ("state-affiliated",
"satire"; several joined by ``;``): a row may carry labels alone (``domain,labels``, or ``--label`` for a plain list of
domains), which then ride along with the bundled score.
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


def _labels(raw: str) -> list[str]:
    return sorted({part.strip() for part in re.split(r"[;|]", raw) if part.strip()})


def _read_user_csv(path: Path, *, strict: bool, label: str = "") -> dict[str, dict[str, Any]]:
    """Rows of a ratings CSV keyed by normalised domain; ``strict`` raises on the first bad row; ``label`` is added to
    every row (a list of domains needs no score then)."""
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
    if "domain" not in fields or not ({"score", "labels"} & set(fields) or label):
        raise (InputError if strict else ConfigurationError)(
            f"ratings file {path} needs a header with columns domain and score or labels (optional: rating,source);"
            f" found {fields or 'none'}"
        )
    for line, row in enumerate(reader, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in row.items()}
        domain = normalize_domain(row.get("domain", ""))
        labels = _labels(row.get("labels", "") + (";" + label if label else ""))
        raw_score = row.get("score", "")
        try:
            score: float | None = float(raw_score) if raw_score or not labels else None
        except ValueError:
            score = float("nan")
        if not domain or (score is not None and not 0.0 <= score <= 1.0):
            if strict:
                raise InputError(
                    f"{path} line {line}: need a domain and a score between 0 and 1 (or labels), got"
                    f" domain={row.get('domain')!r} score={row.get('score')!r}"
                )
            continue
        out[domain] = {
            "score": score,
            "rating": (row.get("rating") or rating_name(score)) if score is not None else None,
            "source": row.get("source") or f"user ratings ({path.name})",
            "labels": labels,
        }
    return out


class RatingsTable:
    """Domain → reliability, user rows first, then the bundled Lin et al. (2023) table; parents tried in turn."""

    def __init__(self, user_csv: Path | None = None) -> None:
        self.user_csv = user_csv
        self._user = _read_user_csv(user_csv, strict=False) if user_csv else {}

    def lookup(self, domain_or_url: str) -> dict[str, Any] | None:
        """``{"domain", "score", "rating", "source", "labels"}`` for the domain (or its nearest rated parent), else
        None. The user's labels for the domain or a parent ride along with whichever score is found."""
        domain = normalize_domain(domain_or_url)
        if not domain:
            return None
        bundled = _bundled()
        labels = sorted({lab for c in _parents(domain) for lab in self._user.get(c, {}).get("labels", [])})
        for candidate in _parents(domain):
            user = self._user.get(candidate)
            if user is not None and user["score"] is not None:
                return {"domain": candidate, **user, "labels": labels}
            if candidate in bundled:
                score = bundled[candidate]
                found = {"domain": candidate, "score": score, "rating": rating_name(score), "source": BUNDLED_SOURCE}
                return {**found, "labels": labels}
        if labels:
            return {"domain": domain, "score": None, "rating": None, "source": None, "labels": labels}
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


def import_ratings(csv_path: Path, setting: str = "", label: str = "") -> tuple[int, Path]:
    """Merge a CSV of ratings and labels into the user's ratings file (its rows win; labels add up); returns (rows
    imported, file written). ``label`` tags every domain of the file ("state-affiliated" for a list of domains)."""
    new = _read_user_csv(Path(csv_path), strict=True, label=label)
    if not new:
        raise InputError(f"{csv_path} has no rating rows; give columns domain,score[,rating][,source][,labels]")
    dest = user_ratings_path(setting)
    merged = _read_user_csv(dest, strict=False) if dest.exists() else {}
    for domain, row in new.items():
        old = merged.get(domain)
        if old is not None:
            row = {**row, "labels": sorted(set(old["labels"]) | set(row["labels"]))}
            if row["score"] is None:  # labels alone keep the score already there
                row.update(score=old["score"], rating=old["rating"], source=old["source"])
        merged[domain] = row
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_suffix(dest.suffix + ".tmp")
    with tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["domain", "score", "rating", "source", "labels"])
        for domain in sorted(merged):
            row = merged[domain]
            score = f"{row['score']:.4f}" if row["score"] is not None else ""
            writer.writerow([domain, score, row["rating"] or "", row["source"], ";".join(row["labels"])])
    tmp.replace(dest)
    with _lock:
        _tables.pop(str(dest), None)
    return len(new), dest
