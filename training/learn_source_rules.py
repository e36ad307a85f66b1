"""Learn which attribution cues and source head words name a real source, from PolNeAR train.

The sources table must list only sources that are cited: the learned cue constructions (``learn_cues.py``) find many
PolNeAR attributions whose "source" is merely the subject of a non-reporting verb ("the US launched strikes", "the
crisis continues to …"). For every cue lemma this script counts how often the source our rules extract for it overlaps
a gold PolNeAR Source span on train, and for every common-noun head word how often gold Source spans are headed by it.
The sources analyzer keeps a mention only when its cue's smoothed precision and its head word pass the bars chosen on
train (``veracity.sourcing.cited``); the counts are written with their origin to
``src/veracity/data/source_rules.json``::

    python training/learn_source_rules.py --data ../shared/data --limit 300

PolNeAR (Newell et al., LREC 2018) is used for research; only counts derived from it are bundled, no text.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "veracity" / "data" / "source_rules.json"


def learn(data: Path, limit: int | None) -> dict[str, object]:
    """Cue and head-word counts from PolNeAR train."""
    from veracity.analyzers._spacy import parse_many
    from veracity.analyzers.attributions import extract_attributions
    from veracity.doc import Document
    from veracity.evaluation.attributions import _overlap, load_split

    rows = load_split(data / "polnear", "train", limit)
    docs = [Document(text) for _, text, _ in rows]
    cues: dict[str, list[int]] = {}
    heads: Counter[str] = Counter()
    for start in range(0, len(docs), 32):
        batch = docs[start : start + 32]
        for (_name, _text, gold), doc, parsed in zip(rows[start : start + 32], batch, parse_many(batch), strict=True):
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
        print(f"{min(start + 32, len(docs))}/{len(docs)} articles", file=sys.stderr)
    return {
        "about": (
            "Counts from PolNeAR train (Newell et al. 2018) by training/learn_source_rules.py: for each cue lemma, how"
            " many extracted attributions had a source and how many of those overlapped a gold Source span; for each"
            " common-noun head word, how many gold Source spans it heads."
        ),
        "origin": f"PolNeAR train, first {len(rows)} articles (sorted by file name)",
        "cues": {k: v for k, v in sorted(cues.items())},
        "heads": {k: n for k, n in sorted(heads.items()) if n >= 2},
    }


def main() -> int:
    """Parse PolNeAR train, count, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--limit", type=int, default=None, help="first N train articles (default all 840)")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    result = learn(args.data, args.limit)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(result['cues'])} cues, {len(result['heads'])} head words")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
