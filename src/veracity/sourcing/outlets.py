"""Find news outlets in text: by name or alias ("AP", "Sputnik Arabic") and by web domain or URL ("Sputniknews.com")."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

from veracity.sourcing.ratings import normalize_domain

__all__ = ["OutletMention", "alias_domain", "find_outlets", "outlet_aliases"]

_TLDS = (
    "com|org|net|info|news|gov|edu|io|co|tv|me|biz|online|site|press|world|"
    "uk|ru|de|fr|cn|sy|ir|ca|au|in|il|ua|eu|us|kz|by|am|md|kg|tj|uz|az|ge|lt|lv|it|es|pl|br|jp|nl|se|no|ch|at|be|"
    "tr|gr|cz|ie|nz|za|sa|ae|qa|lb|pk|ng|ke|mx|ar|kr|tw|hk|sg|ph|my|vn|th"
)
_DOMAIN = re.compile(
    r"(?<![\w@.-])(?:https?://)?((?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:" + _TLDS + r"))(?![\w-])"
    r"(?:/[^\s\"'“”‘’<>()\[\]]*[^\s\"'“”‘’<>()\[\].,;:!?])?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class OutletMention:
    """An outlet named in the text: its range, the words used, the domain it maps to, and how it was found."""

    start: int
    end: int
    name: str
    domain: str
    via: str  # "alias" | "domain" | "url"


@cache
def outlet_aliases() -> dict[str, str]:
    """The maintained outlet name → domain table (``veracity/data/outlet_aliases.json``)."""
    raw = resources.files("veracity.data").joinpath("outlet_aliases.json").read_text(encoding="utf-8")
    return dict(json.loads(raw)["aliases"])


@cache
def _alias_pattern() -> re.Pattern[str]:
    names = sorted(outlet_aliases(), key=len, reverse=True)
    return re.compile(r"(?<![\w.-])(?:" + "|".join(re.escape(n) for n in names) + r")(?![\w-]|\.\w)")


@cache
def _lower_aliases() -> dict[str, str]:
    return {k.lower(): v for k, v in outlet_aliases().items()}


def alias_domain(name: str) -> str | None:
    """The domain of an outlet name or of a known misspelt domain (case-insensitive), else None."""
    return _lower_aliases().get(name.strip().lower())


def find_outlets(text: str) -> list[OutletMention]:
    """Outlet mentions in reading order; a domain or URL wins over an alias it overlaps."""
    found: list[OutletMention] = []
    taken: list[tuple[int, int]] = []
    for m in _DOMAIN.finditer(text):
        host = normalize_domain(m.group(1))
        if not host or "." not in host:
            continue
        mapped = alias_domain(m.group(1)) or host
        via = "url" if m.group(0).lower().startswith("http") or m.end() > m.end(1) else "domain"
        found.append(OutletMention(m.start(), m.end(), m.group(0), mapped, via))
        taken.append((m.start(), m.end()))
    for m in _alias_pattern().finditer(text):
        if any(m.start() < e and s < m.end() for s, e in taken):
            continue
        found.append(OutletMention(m.start(), m.end(), m.group(0), outlet_aliases()[m.group(0)], "alias"))
    return sorted(found, key=lambda o: o.start)
