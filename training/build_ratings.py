"""Derive the bundled outlet reliability table from Lin et al. (2023): one row per domain with its aggregate score.

Lin, Lasser, Lewandowsky, Cole, Gully, Rand, Pennycook (2023). High level of correspondence across different news
domain quality rating sets. PNAS Nexus 2(9), pgad286. doi:10.1093/pnasnexus/pgad286. Data from
github.com/hauselin/domain-quality-ratings @ 5671d57e (the authors: "Feel free to reuse the data"; cite the paper).

We keep only ``domain`` and ``pc1`` (the first principal component of the combined rating sets, rescaled to 0 = lowest
and 1 = highest quality), rounded to 4 decimals, lower-cased and sorted, gzip'd without a timestamp so the output is
byte-reproducible::

    python training/build_ratings.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import csv
import gzip
import hashlib
import io
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "src" / "veracity" / "data" / "domain_ratings_lin2023.csv.gz"


def build(data: Path, out: Path = OUT) -> str:
    """Write the table and return its sha256."""
    src = data / "domain-quality-ratings-lin2023" / "domain_pc1.csv"
    rows: dict[str, float] = {}
    with src.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            domain = row["domain"].strip().lower()
            if domain and row["pc1"] not in ("", "NA"):
                rows[domain] = round(float(row["pc1"]), 4)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(["domain", "pc1"])
    for domain in sorted(rows):
        writer.writerow([domain, f"{rows[domain]:.4f}"])
    raw = gzip.compress(buf.getvalue().encode("utf-8"), compresslevel=9, mtime=0)
    out.write_bytes(raw)
    return hashlib.sha256(raw).hexdigest()


def main() -> None:
    """Command-line entry: build from the shared data folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="../shared/data", help="the shared data folder")
    args = parser.parse_args()
    digest = build(Path(args.data))
    print(f"wrote {OUT} sha256={digest}")


if __name__ == "__main__":
    main()
