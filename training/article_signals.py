"""Article-level signals from veracity's own reports: reference statistics of mainstream news, and an evaluation of an
article-level "needs scrutiny" signal with cross-validation grouped by outlet (issue 17).

Three steps, each reading the previous one's output (nothing from the datasets is written into the repository):

    python training/article_signals.py features   # run the pipeline over BuzzFeed-Webis 2016 and FA-KES -> .devdata/
    python training/article_signals.py reference  # quantiles over the mainstream articles -> src/veracity/data/
    python training/article_signals.py assess     # grouped-CV ROC AUC of a logistic model on the report's features

``features`` analyses every article with every layer and keeps only numbers (shares, densities, counts) with the
article's outlet and label. ``reference`` ships derived statistics only: per-signal quantiles over the BuzzFeed-Webis
mainstream outlets (ABC News, CNN, Politico), no text. ``assess`` labels BuzzFeed-Webis articles rated "mixture of
true and false" or "mostly false" and FA-KES articles labelled fake as needing scrutiny, groups the folds by outlet so a
model cannot learn outlet identity, and prints out-of-fold ROC AUC; the issue ships the signal only at AUC >= 0.75.
Fixed seed; scikit-learn comes with the ``[train]`` extra.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data"
FEATURES = REPO / ".devdata" / "article-signals.jsonl"
REFERENCE = REPO / "src" / "veracity" / "data" / "reference_stats.json"
SEED = 13
#: the signals a report gives an article, by name (each a number; see ``signals``)
SIGNALS = (
    "checkworthy_share",
    "unsourced_share",
    "anonymous_share",
    "sourced_share",
    "unnamed_evidence_share",
    "low_reliability_outlets",
    "technique_density",
    "writer_technique_density",
    "quoted_share",
    "words",
)
QUANTILES = tuple(range(5, 100, 5))


def _buzzfeed(data: Path) -> Iterator[dict[str, Any]]:
    folder = data / "buzzfeed-webis-fake-news-2016"
    with (folder / "overview.csv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            xml = (folder / "articles" / row["XML"]).read_text(encoding="utf-8")
            found = re.search(r"<mainText>(.*?)</mainText>", xml, re.S)
            title = re.search(r"<title>(.*?)</title>", xml, re.S)
            text = found.group(1).strip() if found else ""
            if len(text.split()) < 50 or row["veracity"] == "no factual content":
                continue
            yield {
                "id": f"buzzfeed/{row['XML']}",
                "dataset": "buzzfeed-webis",
                "outlet": row["portal"],
                "orientation": row["orientation"],
                "label": row["veracity"],
                "scrutiny": row["veracity"] in ("mixture of true and false", "mostly false"),
                "text": _unescape(text),
                "title": _unescape(title.group(1).strip()) if title else None,
            }


def _unescape(text: str) -> str:
    import html

    return html.unescape(text)


def _fakes(data: Path) -> Iterator[dict[str, Any]]:
    path = data / "fa-kes" / "FA-KES-Dataset.csv"
    with path.open(encoding="utf-8", errors="replace", newline="") as fh:
        for row in csv.DictReader(fh):
            text = row["article_content"].strip()
            if len(text.split()) < 50:
                continue
            yield {
                "id": f"fa-kes/{row['unit_id']}",
                "dataset": "fa-kes",
                "outlet": row["source"],
                "orientation": "",
                "label": row["labels"],
                "scrutiny": row["labels"].strip() == "0",  # FA-KES: 1 credible, 0 fake
                "text": text,
                "title": row["article_title"] or None,
            }


def signals(report: Any) -> dict[str, float]:
    """The numbers a report gives an article (shares of its check-worthy claims, densities per 1,000 words)."""
    words = max(1, len(report.document.text.split()))
    claims = [s for s in report.layer("claims").spans if s.label == "checkworthy"]
    n = max(1, len(claims))
    sourcing = [s.label for s in report.layer("claim_sourcing").spans]
    findings = {f["kind"]: f for f in report.summary.get("findings", [])}
    unnamed = findings.get("unnamed_evidence", {}).get("spans", [])
    rows = report.summary.get("sources", {}).get("sources", [])
    low = sum(
        1
        for r in rows
        if r.get("kind") == "outlet"
        and isinstance(r.get("reliability"), dict)
        and (r["reliability"].get("rating") == "low" or (r["reliability"].get("score") or 1) < 0.4)
    )
    techniques = report.layer("techniques").spans
    writer_density = report.layer("techniques").data.get("summary", {}).get("writer_per_1000_words")
    quoted = sum(s.end - s.start for s in report.layer("attributions").spans if s.label == "direct")
    return {
        "checkworthy_share": len(claims) / max(1, len(report.layer("claims").spans)),
        "unsourced_share": sourcing.count("unsourced") / n,
        "anonymous_share": sourcing.count("anonymous") / n,
        "sourced_share": sourcing.count("sourced") / n,
        "unnamed_evidence_share": len(unnamed) / n,
        "low_reliability_outlets": float(low),
        "technique_density": len(techniques) / words * 1000,
        "writer_technique_density": float(
            writer_density if writer_density is not None else len(techniques) / words * 1000
        ),
        "quoted_share": quoted / max(1, len(report.document.text)),
        "words": float(words),
    }


def cmd_features(args: argparse.Namespace) -> None:
    """Analyse every article and write one line of signals per article (resumable)."""
    from veracity import Document, Pipeline

    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    done = {json.loads(line)["id"] for line in out.open(encoding="utf-8")} if out.is_file() else set()
    pipeline = Pipeline.from_settings(on_error="record")  # one analyzer failing on one article skips that article
    items = [*_buzzfeed(Path(args.data)), *_fakes(Path(args.data))]
    random.Random(SEED).shuffle(items)  # any prefix of the run is a random sample (the run resumes where it stopped)
    if args.limit:
        items = items[: args.limit]
    todo = [it for it in items if it["id"] not in done]
    print(f"{len(items)} articles, {len(todo)} to analyse", file=sys.stderr)
    with out.open("a", encoding="utf-8") as fh:
        for start in range(0, len(todo), 8):
            batch = todo[start : start + 8]
            docs = [Document(it["text"], meta={"title": it["title"]}) for it in batch]
            for it, report in zip(batch, pipeline.run_batch(docs), strict=True):
                if report.errors:
                    print(f"skipped {it['id']}: {report.errors[0].type}: {report.errors[0].message}", file=sys.stderr)
                    continue
                row = {k: it[k] for k in ("id", "dataset", "outlet", "orientation", "label", "scrutiny")}
                row["signals"] = signals(report)
                fh.write(json.dumps(row) + "\n")
            fh.flush()
            print(f"{start + len(batch)}/{len(todo)}", file=sys.stderr, end="\r")


def _rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.open(encoding="utf-8")]


def cmd_reference(args: argparse.Namespace) -> None:
    """Quantiles of every signal over the mainstream articles (derived numbers only)."""
    import numpy as np

    rows = [r for r in _rows(Path(args.features)) if r["orientation"] == "mainstream"]
    # quoted_share adds up direct-quotation attributions, which can nest, so it is a feature for ``assess`` only
    shipped = [name for name in SIGNALS if name != "quoted_share"]
    stats = {
        name: {str(q): round(float(np.percentile([r["signals"][name] for r in rows], q)), 4) for q in QUANTILES}
        for name in shipped
    }
    outlets = sorted({r["outlet"] for r in rows})
    data = {
        "description": "Quantiles of veracity's article signals over mainstream news: BuzzFeed-Webis Fake News Corpus "
        f"2016, outlets {', '.join(outlets)} ({len(rows)} articles with >= 50 words). Derived numbers only.",
        "command": "python training/article_signals.py features && python training/article_signals.py reference",
        "articles": len(rows),
        "quantiles": stats,
    }
    Path(args.out).write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}: {len(rows)} mainstream articles")
    for name in shipped:
        q = stats[name]
        print(f"{name:<26} p25 {q['25']:>8.3f}  p50 {q['50']:>8.3f}  p75 {q['75']:>8.3f}  p95 {q['95']:>8.3f}")


def cmd_assess(args: argparse.Namespace) -> None:
    """Grouped (by outlet) cross-validation of a logistic model on the signals; out-of-fold ROC AUC."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import GroupKFold
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rows = _rows(Path(args.features))
    names = [s for s in SIGNALS if s != "words"]
    results = {}
    for subset, keep in (("buzzfeed-webis", "buzzfeed-webis"), ("fa-kes", "fa-kes"), ("both", None)):
        chosen = [r for r in rows if keep is None or r["dataset"] == keep]
        x = np.array([[r["signals"][n] for n in names] for r in chosen])
        y = np.array([bool(r["scrutiny"]) for r in chosen])
        groups = np.array([f"{r['dataset']}/{r['outlet']}" for r in chosen])
        n_groups = len(set(groups))
        folds = GroupKFold(n_splits=min(5, n_groups))
        oof = np.zeros(len(y))
        for train, test in folds.split(x, y, groups):
            model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000, random_state=SEED))
            model.fit(x[train], y[train])
            oof[test] = model.predict_proba(x[test])[:, 1]
        auc = float(roc_auc_score(y, oof))
        full = make_pipeline(StandardScaler(), LogisticRegression(C=1.0, max_iter=1000, random_state=SEED)).fit(x, y)
        weights = dict(zip(names, map(float, full[-1].coef_[0]), strict=True))
        results[subset] = {"articles": len(y), "positives": int(y.sum()), "outlets": n_groups, "auc": round(auc, 4),
                           "weights": {k: round(v, 3) for k, v in sorted(weights.items(), key=lambda kv: -abs(kv[1]))}}  # fmt: skip
        print(
            f"{subset:<15} n={len(y):>5} positives={int(y.sum()):>4} outlets={n_groups:>3} grouped-CV ROC AUC {auc:.3f}"
        )
        top = list(results[subset]["weights"].items())[:4]
        print("   strongest signals: " + ", ".join(f"{k} {v:+.2f}" for k, v in top))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


def main() -> None:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    p = sub.add_parser("features", help="analyse the articles and write their signals")
    p.add_argument("--data", default=str(DATA))
    p.add_argument("--out", default=str(FEATURES))
    p.add_argument("--limit", type=int, default=0)
    p.set_defaults(func=cmd_features)
    p = sub.add_parser("reference", help="write the mainstream reference quantiles")
    p.add_argument("--features", default=str(FEATURES))
    p.add_argument("--out", default=str(REFERENCE))
    p.set_defaults(func=cmd_reference)
    p = sub.add_parser("assess", help="grouped-CV evaluation of the needs-scrutiny signal")
    p.add_argument("--features", default=str(FEATURES))
    p.add_argument("--json", default="")
    p.set_defaults(func=cmd_assess)
    args = parser.parse_args()
    args.func(args)


if __name__ == "__main__":
    main()
