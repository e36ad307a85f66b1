"""``veracity eval attributions``: attribution extraction on PolNeAR dev (Newell et al., LREC 2018).

Content spans are scored with the SemEval-2020 T11 span-overlap formula (partial credit for shared characters), over
all attributions and separately for direct quotes and indirect speech. Source accuracy is the share of gold
attributions whose best-overlapping predicted attribution (most shared characters; on a tie the shortest) has a source
span overlapping the gold source, or correctly no source when the gold has none (a gold attribution no prediction overlaps counts as wrong); it is also given over
matched gold attributions only. One annotator per article: the lexicographically first ID, as PolNeAR's own splits.
A gold content is "direct" when at least 80% of its characters lie inside double quotation marks.

The sources table (the ``sources`` layer a reader sees) is scored on the same articles: *table precision* is the share of
listed sources (one per ``source_id``) with at least one mention overlapping a gold Source span; *mention recall* the
share of distinct gold Source spans overlapped by some listed mention. *Claim sourcing accuracy* calls
``veracity.sourcing.claims.claim_sourcing`` on every sentence: a sentence that a gold attribution's content covers by
half or more is right when it is not ``unsourced`` and its source overlaps the gold source of a covering
attribution (``anonymous`` with no source where the gold has none); a sentence no gold content touches is right
when ``unsourced``. Sentences a gold content covers only in part (less than half: "Advocates said [the government
should go further]") are neither, as in the issue that defined the measure; ``claim_sourcing_accuracy_all_sentences``
scores them too, as right when ``unsourced`` (the measure reported before). *Outlet recognition* runs ``find_outlets`` over the bundled sentence set
(``veracity/data/outlet_recognition.jsonl``): a positive is right when every expected outlet is found with its domain,
a negative when no outlet is found.
"""

from __future__ import annotations

import argparse
import csv
import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from veracity.evaluation._data import data_dir
from veracity.evaluation.spans import si_scores

DESCRIPTION = (
    "attribution content F1, source accuracy, sources-table precision, mention recall and claim sourcing accuracy on"
    " PolNeAR dev; outlet recognition on the bundled sentence set"
)

Range = tuple[int, int]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options: split, article limit, JSON output."""
    parser.add_argument("--split", default="dev", choices=["dev", "train"], help="PolNeAR compartment (default dev)")
    parser.add_argument("--limit", type=int, default=None, help="evaluate the first N articles only")
    parser.add_argument("--json", metavar="FILE", default=None, help="also write the scores as JSON")
    parser.add_argument("--errors", metavar="FILE", default=None, help="write listed sources with no gold overlap")


def read_ann(path: Path, text: str) -> list[dict[str, Any]]:
    """Gold attributions of one brat file: content parts, source range or None, cue parts, direct or not."""
    spans: dict[str, list[Range]] = {}
    events: list[dict[str, str]] = []
    with path.open(encoding="utf-8", newline="") as fh:
        for line in fh:
            fields = line.rstrip("\n").split("\t")
            if len(fields) < 2:
                continue
            if fields[0].startswith("T"):
                try:
                    _label, offsets = fields[1].split(" ", 1)
                    spans[fields[0]] = [tuple(int(x) for x in seg.split()) for seg in offsets.split(";")]  # type: ignore[misc]
                except ValueError:
                    continue
            elif fields[0].startswith("E"):
                try:
                    events.append(dict(part.split(":", 1) for part in fields[1].split()))
                except ValueError:
                    continue
    gold = []
    for ev in events:
        content = [r for r in spans.get(ev.get("Content", ""), []) if r[1] > r[0] and r[1] <= len(text)]
        if not content:
            continue
        src = spans.get(ev.get("Source", ""))
        gold.append(
            {
                "content": content,
                "source": (min(s for s, _ in src), max(e for _, e in src)) if src else None,
                "direct": _quoted_share(text, content) >= 0.8,
                "cue": spans.get(ev.get("Cue", ""), []),
            }
        )
    return gold


def _quoted_share(text: str, parts: Iterable[Range]) -> float:
    from veracity.sourcing.quotes import find_quotes

    parts = list(parts)
    lo, hi = min(s for s, _ in parts), max(e for _, e in parts)
    window_start = max(0, text.rfind("\n\n", 0, lo))
    window_end = text.find("\n\n", hi)
    window_end = len(text) if window_end < 0 else window_end
    quotes = [(q.start + window_start, q.end + window_start) for q in find_quotes(text[window_start:window_end])]
    size = sum(e - s for s, e in parts)
    inside = sum(max(0, min(e, qe) - max(s, qs)) for s, e in parts for qs, qe in quotes)
    return inside / size if size else 0.0


def load_split(root: Path, split: str, limit: int | None = None) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(article id, text, gold attributions) for a PolNeAR compartment, one annotator per article."""
    rows = []
    with (root / "metadata.tsv").open(encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            if row["compartment"] == split:
                rows.append(row)
    rows.sort(key=lambda r: r["filename"])
    out = []
    for row in rows[:limit] if limit else rows:
        name = row["filename"]
        annotator = sorted(a for a in row["annotators"].split("|") if a)[0]
        text = (root / split / "text" / f"{name}.txt").open(encoding="utf-8", newline="").read()
        ann = root / split / "attributions" / f"{name}_{annotator}.ann"
        if ann.exists():
            out.append((name, text, read_ann(ann, text)))
    return out


def _overlap(a: Iterable[Range], b: Iterable[Range]) -> int:
    return sum(max(0, min(e1, e2) - max(s1, s2)) for s1, e1 in a for s2, e2 in b)


def score(articles: list[tuple[str, list[dict[str, Any]], list[dict[str, Any]]]]) -> dict[str, Any]:
    """Scores from (article id, gold, predicted) triples; predictions have the same keys as gold."""
    result: dict[str, Any] = {}
    for kind, keep in (
        ("all", lambda a: True),
        ("direct", lambda a: a["direct"]),
        ("indirect", lambda a: not a["direct"]),
    ):
        gold = {doc: [r for a in g if keep(a) for r in a["content"]] for doc, g, _ in articles}
        pred = {doc: [r for a in p if keep(a) for r in a["content"]] for doc, _, p in articles}
        s = si_scores(gold, pred)
        result[kind] = {
            "precision": s.precision,
            "recall": s.recall,
            "f1": s.f1,
            "n_gold": s.n_gold,
            "n_pred": s.n_pred,
        }
    correct = matched = total = 0
    for _doc, gold_atts, pred_atts in articles:
        for g in gold_atts:
            total += 1
            # the predicted attribution sharing most characters with the gold content; on a tie the tightest one
            # (a nested attribution inside a longer one), not whichever happens to come first
            best = max(
                pred_atts,
                key=lambda p: (_overlap(p["content"], g["content"]), -sum(e - s for s, e in p["content"])),
                default=None,
            )
            if best is None or _overlap(best["content"], g["content"]) == 0:
                continue
            matched += 1
            if g["source"] is None:
                correct += best["source"] is None
            elif best["source"] is not None:
                correct += _overlap([best["source"]], [g["source"]]) > 0
    result["source_accuracy"] = correct / total if total else 0.0
    result["source_accuracy_matched"] = correct / matched if matched else 0.0
    result["gold_attributions"] = total
    result["matched"] = matched
    return result


def _gold_sources(gold: list[dict[str, Any]]) -> list[Range]:
    return sorted({g["source"] for g in gold if g["source"] is not None})


def table_scores(articles: list[tuple[str, str, list[dict[str, Any]], Any]]) -> dict[str, Any]:
    """Table precision and mention recall from (article id, text, gold, sources layer) quadruples."""
    listed = correct = n_gold = found = 0
    wrong: list[dict[str, Any]] = []
    for name, text, gold, layer in articles:
        golds = _gold_sources(gold)
        by_id: dict[str, list[Range]] = {}
        for span in layer.spans:
            by_id.setdefault(span.attrs["source_id"], []).append((span.start, span.end))
        for sid, mentions in by_id.items():
            listed += 1
            if any(_overlap([m], golds) for m in mentions):
                correct += 1
            else:
                row = next(r for r in layer.data["summary"]["sources"] if r["source_id"] == sid)
                wrong.append(
                    {
                        "article": name,
                        "source_id": sid,
                        "kind": row["kind"],
                        "mentions": [text[s:e] for s, e in mentions],
                    }
                )
        n_gold += len(golds)
        mentions_all = [(span.start, span.end) for span in layer.spans]
        found += sum(1 for g in golds if _overlap([g], mentions_all))
    return {
        "table_precision": correct / listed if listed else 0.0,
        "mention_recall": found / n_gold if n_gold else 0.0,
        "listed_sources": listed,
        "gold_sources": n_gold,
        "wrong_rows": wrong,
    }


def claim_scores(articles: list[tuple[str, list[dict[str, Any]], Any]]) -> dict[str, Any]:
    """Claim sourcing accuracy from (article id, gold, document with sentences/attributions/sources) triples."""
    from veracity.sourcing.claims import SourcingIndex, claim_sourcing

    right = total = covered_n = covered_right = partial_n = partial_unsourced = 0
    confusion: dict[str, int] = {}
    for _name, gold, doc in articles:
        index = SourcingIndex(doc)
        for sent in doc.layer("sentences").spans:
            size = sent.end - sent.start
            if size <= 0:
                continue
            shares = [_overlap(g["content"], [(sent.start, sent.end)]) for g in gold]
            covering = [g for g, n in zip(gold, shares, strict=True) if n >= 0.5 * size]
            if not covering and any(shares):
                # a gold attribution covers part of the sentence, less than half: the definition scores
                # neither "sourced" nor "unsourced" here; the all-sentences variant counts it as unsourced
                partial_n += 1
                partial_unsourced += claim_sourcing(doc, sent.start, sent.end, index)["sourcing"] == "unsourced"
                continue
            result = claim_sourcing(doc, sent.start, sent.end, index)
            predicted = [(result["source"]["start"], result["source"]["end"])] if result["source"] else []
            if covering:
                covered_n += 1
                golds = [g["source"] for g in covering if g["source"] is not None]
                if result["sourcing"] == "unsourced":
                    ok = False
                elif golds:
                    ok = any(_overlap([p], golds) for p in predicted)
                else:
                    ok = not predicted
                covered_right += ok
                key = "gold attributed → " + result["sourcing"] + (" ✓" if ok else " ✗")
            else:
                ok = result["sourcing"] == "unsourced"
                key = "gold none → " + result["sourcing"]
            confusion[key] = confusion.get(key, 0) + 1
            right += ok
            total += 1
    every = total + partial_n
    return {
        "claim_sourcing_accuracy": right / total if total else 0.0,
        "claim_sourcing_accuracy_all_sentences": (right + partial_unsourced) / every if every else 0.0,
        "partially_attributed_sentences": partial_n,
        "claim_sourcing_accuracy_attributed": covered_right / covered_n if covered_n else 0.0,
        "sentences": total,
        "attributed_sentences": covered_n,
        "claim_confusion": dict(sorted(confusion.items())),
    }


def outlet_scores(path: Path | None = None) -> dict[str, Any]:
    """Outlet recognition on the bundled sentence set: share of sentences handled right, and false outlets found."""
    from importlib import resources

    from veracity.sourcing.outlets import find_outlets

    raw = (
        path.read_text(encoding="utf-8")
        if path is not None
        else resources.files("veracity.data").joinpath("outlet_recognition.jsonl").read_text(encoding="utf-8")
    )
    rows = [json.loads(line) for line in raw.splitlines() if line.strip()]
    right = positives = negatives = false_found = 0
    misses: list[dict[str, Any]] = []
    for row in rows:
        found = find_outlets(row["text"])
        got = {(row["text"][o.start : o.end], o.domain) for o in found}
        want = {(o["name"], o["domain"]) for o in row.get("outlets", [])}
        if want:
            positives += 1
            ok = want <= got and all(o.domain in {d for _, d in want} for o in found)
        else:
            negatives += 1
            ok = not found
            false_found += len(found)
        right += ok
        if not ok:
            misses.append({"text": row["text"], "want": sorted(want), "got": sorted(got)})
    return {
        "outlet_accuracy": right / len(rows) if rows else 0.0,
        "outlet_sentences": len(rows),
        "outlet_positives": positives,
        "outlet_negatives": negatives,
        "outlets_found_in_negatives": false_found,
        "outlet_misses": misses,
    }


def analyzed(text: str, parsed: Any) -> Any:
    """A document with the sentences, entities, attributions and sources layers, from a given parse."""
    from veracity.analyzers._spacy import _store
    from veracity.analyzers.attributions import AttributionAnalyzer
    from veracity.analyzers.entities import EntityAnalyzer
    from veracity.analyzers.sentences import SentenceAnalyzer
    from veracity.analyzers.sources import SourceAnalyzer
    from veracity.doc import Document

    doc = Document(text)
    _store(doc, parsed)
    for analyzer in (SentenceAnalyzer(), EntityAnalyzer(), AttributionAnalyzer(), SourceAnalyzer()):
        doc.add_layer(analyzer.analyze(doc))
    return doc


def run(args: argparse.Namespace) -> int:
    """Run the evaluation and print a table (and JSON when asked)."""
    from veracity.analyzers._spacy import parse_many
    from veracity.analyzers.attributions import extract_attributions
    from veracity.doc import Document
    from veracity.models.loading import spacy_pipeline

    root = data_dir(args.data, required="polnear") / "polnear"
    split = load_split(root, args.split, args.limit)
    spacy_pipeline()
    docs = [Document(text) for _, text, _ in split]
    started = time.perf_counter()
    parsed = parse_many(docs)
    parse_s = time.perf_counter() - started
    started = time.perf_counter()
    triples = []
    for (name, _text, gold), doc, p in zip(split, docs, parsed, strict=True):
        preds = [
            {
                "content": [(a.start, a.end)] if len(a.parts) == 1 else list(a.parts),
                "source": a.source,
                "direct": a.label == "direct",
            }
            for a in extract_attributions(doc, p)
        ]
        triples.append((name, gold, preds))
    rules_s = time.perf_counter() - started
    scores = score(triples)
    started = time.perf_counter()
    docs = [analyzed(text, p) for (_name, text, _gold), p in zip(split, parsed, strict=True)]
    sourcing_s = time.perf_counter() - started
    table = table_scores([(n, t, g, d.layer("sources")) for (n, t, g), d in zip(split, docs, strict=True)])
    wrong = table.pop("wrong_rows")
    scores.update(table)
    scores.update(claim_scores([(n, g, d) for (n, _t, g), d in zip(split, docs, strict=True)]))
    outlets = outlet_scores()
    misses = outlets.pop("outlet_misses")
    scores.update(outlets)
    scores["sourcing_seconds"] = sourcing_s
    scores.update({"split": args.split, "articles": len(split), "parse_seconds": parse_s, "rules_seconds": rules_s})
    print(f"PolNeAR {args.split}: {len(split)} articles, {scores['gold_attributions']} gold attributions")
    print(f"{'content spans':<16} {'P':>6} {'R':>6} {'F1':>6} {'gold':>6} {'pred':>6}")
    for kind in ("all", "direct", "indirect"):
        r = scores[kind]
        print(f"{kind:<16} {r['precision']:6.3f} {r['recall']:6.3f} {r['f1']:6.3f} {r['n_gold']:6d} {r['n_pred']:6d}")
    print(
        f"source accuracy  {scores['source_accuracy']:.3f} (all gold)  {scores['source_accuracy_matched']:.3f} (matched gold, {scores['matched']})"
    )
    print(
        f"sources table    precision {scores['table_precision']:.3f} ({scores['listed_sources']} listed)"
        f"  mention recall {scores['mention_recall']:.3f} ({scores['gold_sources']} gold sources)"
    )
    print(
        f"claim sourcing   accuracy {scores['claim_sourcing_accuracy']:.3f} ({scores['sentences']} sentences;"
        f" {scores['claim_sourcing_accuracy_attributed']:.3f} on the {scores['attributed_sentences']} attributed;"
        f" {scores['claim_sourcing_accuracy_all_sentences']:.3f} counting the"
        f" {scores['partially_attributed_sentences']} partly attributed as unsourced)"
    )
    print(
        f"outlet names     accuracy {scores['outlet_accuracy']:.3f} ({scores['outlet_positives']} positives,"
        f" {scores['outlet_negatives']} negatives; {scores['outlets_found_in_negatives']} outlets found in negatives)"
    )
    for miss in misses:
        print(f"  outlet miss: {miss['text'][:70]!r} want {miss['want']} got {miss['got']}")
    if args.json:
        Path(args.json).write_text(json.dumps(scores, indent=2) + "\n", encoding="utf-8")
    if getattr(args, "errors", None):
        Path(args.errors).write_text(json.dumps(wrong, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0
