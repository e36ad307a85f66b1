"""Build the outlet-name index: the names news prose uses for rated outlets, each with its domain and origin.

Sources, in order of trust (a name keeps every origin that gives it):

- ``veracity``: the project's hand-maintained aliases (``src/veracity/data/outlet_aliases.json``: short names, former
  names, common spellings such as "WorldNetDaily", "World Net Daily", "WND");
- ``mbfc-slug``: the page names of Media Bias/Fact Check profiles in Baly et al.'s corpora (EMNLP 2018, ACL 2020:
  ``mediabiasfactcheck.com/washington-times/`` → "Washington Times", "The Washington Times"; a trailing acronym of
  the words before it becomes its own name: ``world-net-daily-wnd`` → "World Net Daily", "WND");
- ``hearvox:<list>``: the ``name`` column of the unreliable-news lists compiled by hearvox (Wikipedia, FactCheck.org,
  Fake News Codex, Is It Fake News).

Only domains the bundled ratings table rates are indexed (a name is useful when its reliability is known), except the
hand aliases, which are kept whatever the table says. Names generated from page names must have two or more words
(besides "The"); "The" + one word ("The Hill", "The Week") and the hand list's everyday words ("Time", "Salon") are
flagged ``ambiguous``: they count as an outlet only in an outlet's context (``veracity.sourcing.outlets``)::

    python training/build_outlet_index.py --data ../shared/data

Writes ``src/veracity/data/outlet_names.json`` (sorted, byte-reproducible). Outlet names are facts about the outlets;
no rating or text from the lists is copied.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import html
import io
import json
import re
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "src" / "veracity" / "data"
OUT = DATA / "outlet_names.json"
_SMALL = {"of", "and", "the", "for", "on", "in", "at", "a", "de", "to"}
_UPPER = {"abc", "bbc", "cbs", "cnn", "nbc", "npr", "pbs", "usa", "us", "uk", "wnd", "voa", "rt", "ap", "nyt", "tv"}
_HEARVOX = {
    "wikipedia": ("wikipedia-2018-11.tsv", "\t"),
    "factcheck-org": ("factcheck-org-2018.csv", ","),
    "fake-news-codex": ("fake-news-codex-2018-06.csv", ","),
    "is-it-fake-news": ("is-it-fake-news-2018-11.csv", ","),
}


def _rated() -> set[str]:
    raw = gzip.decompress((DATA / "domain_ratings_lin2023.csv.gz").read_bytes()).decode("utf-8")
    return {row["domain"] for row in csv.DictReader(io.StringIO(raw))}


def _title(words: list[str]) -> str:
    out = []
    for i, w in enumerate(words):
        if w in _UPPER:
            out.append(w.upper())
        elif w in _SMALL and i > 0:
            out.append(w)
        else:
            out.append(w[:1].upper() + w[1:])
    return " ".join(out)


def _slug_names(slug: str) -> list[str]:
    """ "washington-times" → ["Washington Times", "The Washington Times"]; "world-net-daily-wnd" adds "WND"."""
    words = [w for w in slug.strip("/").split("-") if w]
    if not words or any(not w.isalnum() for w in words):
        return []
    names = []
    last = words[-1]
    if len(words) > 2 and len(last) >= 2 and last == "".join(w[0] for w in words[:-1] if w not in _SMALL)[: len(last)]:
        names.append(last.upper())
        words = words[:-1]
    core = words[1:] if words[0] == "the" else words
    if len(core) >= 2:
        names += [_title(core), "The " + _title(core)]
    return names


def _ambiguous(name: str) -> bool:
    words = name.split()
    return len(words) == 2 and words[0] == "The"


def build(data: Path) -> dict[str, object]:
    """The index as a JSON-able dict."""
    rated = _rated()
    index: dict[str, dict[str, object]] = {}

    def add(name: str, domain: str, origin: str, ambiguous: bool = False) -> None:
        name = " ".join(html.unescape(name).split())
        if not name or not domain:
            return
        entry = index.setdefault(name, {"domain": domain, "origin": [], "ambiguous": ambiguous})
        if entry["domain"] != domain:
            return  # the first (most trusted) origin decides the domain
        if origin not in entry["origin"]:
            entry["origin"].append(origin)  # type: ignore[union-attr]

    hand = json.loads((DATA / "outlet_aliases.json").read_text(encoding="utf-8"))
    for name, domain in hand["aliases"].items():
        add(name, domain, "veracity", ambiguous=name in hand.get("ambiguous", []))
    for corpus in ("emnlp18", "acl2020"):
        path = data / "mbfc-baly-news-media" / corpus / "corpus.tsv"
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter="\t"):
                domain = row["source_url_normalized"].strip().lower()
                if domain not in rated:
                    continue
                slug = row["ref"].rstrip("/").rsplit("/", 1)[-1]
                for name in _slug_names(slug):
                    add(name, domain, f"mbfc-slug:{corpus}", ambiguous=_ambiguous(name))
    for origin, (filename, delimiter) in _HEARVOX.items():
        path = data / "unreliable-news-lists-hearvox" / filename
        with path.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh, delimiter=delimiter):
                domain = (row.get("domain") or "").strip().lower()
                name = (row.get("name") or "").strip()
                if domain in rated and len(name.split()) >= 2 and re.search(r"[A-Za-z]", name):
                    add(name, domain, f"hearvox:{origin}", ambiguous=_ambiguous(name))
    return {
        "about": (
            "Outlet name -> domain, built by training/build_outlet_index.py from the hand aliases (origin 'veracity'),"
            " Media Bias/Fact Check page names in Baly et al.'s corpora ('mbfc-slug') and the hearvox unreliable-news"
            " lists ('hearvox:<list>'); only rated domains. 'ambiguous' names need an outlet context."
        ),
        "names": {k: index[k] for k in sorted(index)},
    }


def main() -> int:
    """Build and write the index; print its size and sha256."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    result = build(args.data)
    raw = (json.dumps(result, indent=0, ensure_ascii=False, sort_keys=False) + "\n").encode("utf-8")
    args.out.write_bytes(raw)
    names = result["names"]
    print(f"wrote {args.out}: {len(names)} names, sha256 {hashlib.sha256(raw).hexdigest()}")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
