"""Draw the sentences of the claim-type labelled set (ids pointing into ../shared/data) and print them for labelling.

The set is ``src/veracity/data/claim_types_labels.tsv``: one row per sentence with a locator into the shared data
(never the text itself) and the hand-assigned types. This script made the candidate list the labels were written on:
a fixed-seed draw from the seed article, BuzzFeed-Webis articles, CT24 dev-test, ClaimBuster groundtruth, CT22 tweet
dev and CT21 debate dev, two thirds from the check-worthy side where the data has labels (types matter for claims).

    python training/claim_types_sample.py --out /tmp/candidates.tsv   # locator<TAB>text, for the labeller to read
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))

from veracity.evaluation import claims as ev  # noqa: E402


def main() -> int:
    """Write ``locator<TAB>text`` rows for the draw."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--out", required=True)
    parser.add_argument("--seed", type=int, default=21)
    args = parser.parse_args()
    data = Path(args.data)
    rng = random.Random(args.seed)
    rows: list[tuple[str, str]] = []

    def article(loc_file: str, text: str, k: int | None) -> None:
        from veracity.models.loading import spacy_pipeline

        nlp = spacy_pipeline()
        sents = [s for s in nlp(text).sents if len(s.text.split()) >= 5]
        picked = sents if k is None else rng.sample(sents, min(k, len(sents)))
        for s in sorted(picked, key=lambda s: s.start_char):
            start, end = s.start_char, s.end_char
            while end > start and text[end - 1].isspace():
                end -= 1
            rows.append((f"{loc_file}#{start}-{end}", text[start:end]))

    seed = REPO.parent / "shared" / "examples" / "seed-article.txt"
    article("examples:seed-article.txt", seed.read_text(encoding="utf-8"), None)
    bf = data / "buzzfeed-webis-fake-news-2016" / "articles"
    files = sorted(bf.glob("*.xml"))
    for path in rng.sample(files, 14):
        text = ev.buzzfeed_text(path)
        if text:
            article(f"buzzfeed-webis-fake-news-2016/articles/{path.name}", text, 7)
    for rel, n_pos, n_neg in ev.CLAIM_TYPE_TSV_DRAW:
        items = ev.tsv_items(data, rel)
        pos = [i for i in items if i[2] == 1]
        neg = [i for i in items if i[2] == 0]
        for line, text, _ in sorted(rng.sample(pos, n_pos) + rng.sample(neg, n_neg)):
            rows.append((f"{rel}#{'id' if rel.endswith('.csv') else 'L'}{line}", text))
    Path(args.out).write_text("".join(f"{loc}\t{' '.join(t.split())}\n" for loc, t in rows), encoding="utf-8")
    print(f"{len(rows)} candidates -> {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
