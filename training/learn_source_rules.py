"""Learn which attribution cues and source head words name a real source, from PolNeAR train.

The sources table must list only sources that are cited: the learned cue constructions (``learn_cues.py``) find many
PolNeAR attributions whose "source" is merely the subject of a non-reporting verb ("the US launched strikes", "the
crisis continues to …"). For every cue lemma this script counts how often the source our rules extract for it overlaps
a gold PolNeAR Source span on train, and for every common-noun head word how often gold Source spans are headed by it.
The sources analyzer keeps a mention only when its cue's smoothed precision and its head word pass the bars chosen on
train (``veracity.sourcing.cited``); the counts are written with their origin to
``src/veracity/data/source_rules.json``::

    python training/learn_source_rules.py --data ../shared/data --limit 300
    python training/learn_source_rules.py --data ../shared/data --limit 300 --folds 2   # CV only, writes nothing
    ... --parses /tmp/polnear-train300.spacy   # keep the parses between runs

``--folds K`` learns the counts on K-1 parts of the train articles and scores the sources table (precision, mention
recall) and claim sourcing on the held-out part, for the cue bars given by ``--bars``.

PolNeAR (Newell et al., LREC 2018) is used for research; only counts derived from it are bundled, no text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parents[1] / "src" / "veracity" / "data" / "source_rules.json"


def _parse(
    data: Path, limit: int | None, cache: Path | None = None
) -> tuple[list[tuple[str, str, list[dict[str, Any]]]], list[Any]]:
    """PolNeAR train articles and their spaCy parses; with ``cache`` the parses are read from (or written to) a spaCy
    ``DocBin`` file, so repeated runs skip the parse (minutes on a small CPU)."""
    from veracity.analyzers._spacy import parse_many
    from veracity.doc import Document
    from veracity.evaluation.attributions import load_split
    from veracity.models.loading import spacy_pipeline

    rows = load_split(data / "polnear", "train", limit)
    if cache is not None and cache.exists():
        from spacy.tokens import DocBin

        parses = list(DocBin().from_disk(cache).get_docs(spacy_pipeline().vocab))
        if len(parses) == len(rows) and all(p.text == t for p, (_, t, _) in zip(parses, rows, strict=True)):
            return rows, parses
        print(f"{cache} does not hold these {len(rows)} articles: parsing again", file=sys.stderr)
    parses = []
    for start in range(0, len(rows), 32):
        parses += parse_many([Document(text) for _, text, _ in rows[start : start + 32]])
        print(f"parsed {len(parses)}/{len(rows)} articles", file=sys.stderr)
    if cache is not None:
        from spacy.tokens import DocBin

        DocBin(docs=parses).to_disk(cache)
    return rows, parses


def learn(rows: list[tuple[str, str, list[dict[str, Any]]]], parses: list[Any]) -> dict[str, object]:
    """Cue and head-word counts from parsed PolNeAR train articles."""
    from veracity.analyzers.attributions import extract_attributions
    from veracity.doc import Document
    from veracity.evaluation.attributions import _overlap

    cues: dict[str, list[int]] = {}
    heads: Counter[str] = Counter()
    for (_name, text, gold), parsed in zip(rows, parses, strict=True):
        doc = Document(text)
        golds = sorted({g["source"] for g in gold if g["source"] is not None})
        for g in golds:
            span = parsed.char_span(g[0], g[1], alignment_mode="expand")
            if span is not None and len(span) and span.root.pos_ == "NOUN":
                heads[span.root.lemma_.lower()] += 1
        for att in extract_attributions(doc, parsed, judge_cited=False):
            if att.source is None:
                continue
            n_ok = cues.setdefault(att.cue_lemma, [0, 0])
            n_ok[0] += 1
            n_ok[1] += _overlap([att.source], golds) > 0
    return {
        "about": (
            "Counts from PolNeAR train (Newell et al. 2018) by training/learn_source_rules.py: for each cue lemma, how"
            " many extracted attributions had a source and how many of those overlapped a gold Source span; for each"
            " common-noun head word, how many gold Source spans it heads."
        ),
        "origin": f"PolNeAR train, {len(rows)} articles (the first by file name)",
        "cues": {k: v for k, v in sorted(cues.items())},
        "heads": {k: n for k, n in sorted(heads.items()) if n >= 2},
    }


#: kinds whose rows need the surer cue of ``--kind-bars`` (an unnamed group, a government)
_KINDS_BARRED = ("vague", "government")


def cross_validate(
    rows: list[Any], parses: list[Any], folds: int, bars: list[float], kind_bars: list[float | None] | None = None
) -> list[dict[str, float]]:
    """Per cue bar (and bar for unnamed groups and governments, ``veracity.analyzers.sources.KIND_BARS``):
    sources-table precision, mention recall and claim sourcing accuracy on held-out train folds."""
    import itertools

    import veracity.analyzers.sources as sources
    import veracity.sourcing.cited as cited
    from veracity.evaluation.attributions import analyzed, claim_scores, table_scores

    parts = [list(range(k, len(rows), folds)) for k in range(folds)]
    results = []
    default_kinds = dict(sources.KIND_BARS)
    for bar, kind_bar in itertools.product(bars, kind_bars or [None]):
        if kind_bar is not None:
            sources.KIND_BARS = {k: kind_bar for k in _KINDS_BARRED}
        tables, claims = [], []
        original = cited.source_rules
        cited.MIN_CUE_PRECISION = bar
        try:
            for held in parts:
                train = [i for i in range(len(rows)) if i not in set(held)]
                rules = learn([rows[i] for i in train], [parses[i] for i in train])
                cited.source_rules = lambda rules=rules: rules  # type: ignore[assignment]
                docs = [analyzed(rows[i][1], parses[i]) for i in held]
                tables += [
                    (rows[i][0], rows[i][1], rows[i][2], d.layer("sources")) for i, d in zip(held, docs, strict=True)
                ]
                # claim sourcing also asks the cue rules: score each fold while its own counts are in place
                claims.append(claim_scores([(rows[i][0], rows[i][2], d) for i, d in zip(held, docs, strict=True)]))
        finally:
            cited.source_rules = original
            sources.KIND_BARS = default_kinds
        t = table_scores(tables)
        right = sum(c["claim_sourcing_accuracy"] * c["sentences"] for c in claims)
        total = sum(c["sentences"] for c in claims)
        every = sum(c["sentences"] + c["partially_attributed_sentences"] for c in claims)
        right_all = sum(
            c["claim_sourcing_accuracy_all_sentences"] * (c["sentences"] + c["partially_attributed_sentences"])
            for c in claims
        )
        results.append(
            {
                "bar": bar,
                "kind_bar": kind_bar if kind_bar is not None else default_kinds,
                "table_precision": t["table_precision"],
                "mention_recall": t["mention_recall"],
                "listed_sources": t["listed_sources"],
                "claim_sourcing_accuracy": right / total if total else 0.0,
                "claim_sourcing_accuracy_all_sentences": right_all / every if every else 0.0,
            }
        )
        print(json.dumps(results[-1]))
    return results


def main() -> int:
    """Parse PolNeAR train, count, write the JSON (or cross-validate the cue bar with --folds)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--limit", type=int, default=None, help="first N train articles (default all 840)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--folds", type=int, default=0, help="cross-validate on train instead of writing the counts")
    ap.add_argument("--bars", default="0.35,0.5,0.65", help="cue precision bars to cross-validate")
    ap.add_argument("--kind-bars", default="", help="cue bars for vague and government rows to cross-validate")
    ap.add_argument("--parses", type=Path, default=None, help="spaCy DocBin file to reuse (or write) the parses")
    args = ap.parse_args()
    rows, parses = _parse(args.data, args.limit, args.parses)
    if args.folds:
        kind_bars = [float(b) for b in args.kind_bars.split(",")] if args.kind_bars else None
        cross_validate(rows, parses, args.folds, [float(b) for b in args.bars.split(",")], kind_bars)
        return 0
    result = learn(rows, parses)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(result['cues'])} cues, {len(result['heads'])} head words")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
