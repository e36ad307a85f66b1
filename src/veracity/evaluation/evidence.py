"""``veracity eval evidence``: retrieval recall@5 on Climate-FEVER and stance accuracy on FEVER-Symmetric dev.

Retrieval: a corpus is built from every Climate-FEVER evidence sentence (one document per ``evidence_id``, titled with
its Wikipedia article), each claim is searched, and we count how many of its *gold* evidence sentences (those
annotated SUPPORTS or REFUTES for it) are in the top 5, averaged over claims that have any (recall@5); ``hit@5`` is the
share of those claims with at least one gold sentence in the top 5. Stance: FEVER-Symmetric dev (never trained on),
accuracy of supports-vs-refutes and of the 3-way argmax, and per label the precision and coverage at the label's
precision-first threshold from the model's ``metrics.json``. The Climate-FEVER pair macro-F1 (grouped by claim: one
held-out fold for the cross-encoder, 5-fold CV for the first head) is computed by the training script (it needs
refitting) and printed here from ``metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from veracity.evaluation._data import data_dir

DESCRIPTION = "evidence retrieval recall@5 (Climate-FEVER) and stance accuracy (FEVER-Symmetric dev)"


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Flags of this evaluation."""
    p.add_argument("--k", type=int, default=5, help="passages retrieved per claim (default 5)")
    p.add_argument("--skip-stance", action="store_true", help="retrieval only")
    p.add_argument("--skip-retrieval", action="store_true", help="stance only")
    p.add_argument("--json", action="store_true", help="print the numbers as JSON")


def climate_fever_corpus(path: Path) -> tuple[dict[str, dict[str, str]], list[str], list[set[str]]]:
    """Corpus documents (one per evidence sentence), the claims, and per claim its gold evidence ids."""
    docs: dict[str, dict[str, str]] = {}
    claims: list[str] = []
    gold: list[set[str]] = []
    for line in path.open(encoding="utf-8"):
        obj = json.loads(line)
        wanted = set()
        for ev in obj["evidences"]:
            docs.setdefault(ev["evidence_id"], {"title": ev["article"], "text": ev["evidence"]})
            if ev["evidence_label"] in ("SUPPORTS", "REFUTES"):
                wanted.add(ev["evidence_id"])
        claims.append(obj["claim"])
        gold.append(wanted)
    return docs, claims, gold


def retrieval(data: Path, k: int) -> dict[str, Any]:
    """Build the Climate-FEVER evidence corpus in a temporary folder and measure recall@k / hit@k."""
    from veracity.stores.corpus import CorpusDocument, CorpusStore

    docs, claims, gold = climate_fever_corpus(data / "climate-fever" / "climate-fever.jsonl")
    with tempfile.TemporaryDirectory() as tmp:
        store = CorpusStore(Path(tmp) / "climate-fever.sqlite3")
        started = time.perf_counter()
        report = store.add(
            CorpusDocument(
                doc_id=eid, text=d["text"], title=d["title"], url=f"https://en.wikipedia.org/wiki/{d['title']}"
            )
            for eid, d in docs.items()
        )
        build = time.perf_counter() - started
        keep = [i for i, g in enumerate(gold) if g]
        started = time.perf_counter()
        hits = store.search_many([claims[i] for i in keep], top_k=k)
        search = time.perf_counter() - started
        store.close()
    recalls, any_hit = [], []
    for i, found in zip(keep, hits, strict=True):
        ids = {h.doc_id for h in found}
        recalls.append(len(ids & gold[i]) / len(gold[i]))
        any_hit.append(bool(ids & gold[i]))
    return {
        "claims_with_gold": len(keep),
        "documents": len(docs),
        "passages": report.passages_added,
        f"recall@{k}": round(float(np.mean(recalls)), 4),
        f"hit@{k}": round(float(np.mean(any_hit)), 4),
        "build_seconds": round(build, 1),
        "search_ms_per_claim": round(1000 * search / max(1, len(keep)), 1),
    }


def stance_eval(data: Path) -> dict[str, Any]:
    """FEVER-Symmetric dev accuracy of the shipped stance model."""
    from veracity.models.loading import artifact_path
    from veracity.models.stance import ARTIFACT, get_stance_model, stance_quality

    pairs, gold = [], []
    for line in (data / "fever-symmetric" / "fever_symmetric_dev.jsonl").open(encoding="utf-8"):
        obj = json.loads(line)
        pairs.append((obj["claim"], obj["evidence"]))
        gold.append(0 if obj["label"] == "SUPPORTS" else 1)
    results = get_stance_model().predict(pairs)
    probs = np.array([[r.scores["supports"], r.scores["refutes"], r.scores["not_enough_info"]] for r in results])
    y = np.array(gold)
    out: dict[str, Any] = {
        "model": ARTIFACT,
        "fever_symmetric_dev_pairs": len(pairs),
        "fever_symmetric_accuracy_2way": round(float(np.mean(np.argmax(probs[:, :2], axis=1) == y)), 4),
        "fever_symmetric_accuracy_3way": round(float(np.mean(np.argmax(probs, axis=1) == y)), 4),
    }
    quality = stance_quality()
    for k, label in enumerate(("supports", "refutes")):  # at the label's precision-first threshold (metrics.json)
        gate = quality.gates.get(label)
        if gate is None:
            continue
        shown = (np.argmax(probs, axis=1) == k) & (probs[:, k] >= gate.threshold)
        n = int(shown.sum())
        out[f"fever_symmetric_{label}_at_threshold_{gate.threshold:.4f}"] = (
            f"precision {float(np.mean(y[shown] == k)) if n else float('nan'):.4f}, shown {n} "
            f"(coverage {n / len(y):.4f}); reports show it: {label in quality.shown_labels}"
        )
    try:
        metrics = json.loads(artifact_path(ARTIFACT, "metrics.json").read_text(encoding="utf-8"))
        out[f"climate_fever_macro_f1 (from training: {metrics['chosen']})"] = metrics["cv_macro_f1_climate_fever"][
            metrics["chosen"]
        ]
    except Exception:  # the card's number is informative only
        pass
    return out


def run(args: argparse.Namespace) -> int:
    """Print the evidence numbers."""
    if args.k < 1:
        from veracity.errors import UsageError

        raise UsageError("--k must be at least 1")
    numbers: dict[str, Any] = {}
    if not args.skip_retrieval:
        numbers["retrieval"] = retrieval(data_dir(args.data, "climate-fever"), args.k)
    if not args.skip_stance:
        numbers["stance"] = stance_eval(data_dir(args.data, "fever-symmetric"))
    if args.json:
        print(json.dumps(numbers, indent=2))
    else:
        for section, values in numbers.items():
            print(section)
            for key, value in values.items():
                print(f"  {key:<52} {value}")
    return 0
