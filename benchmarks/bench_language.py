"""Language detection: how often each path decides (English markers vs the py3langid model), accuracy and speed.

English: the BuzzFeed-Webis 2016 and FA-KES articles in ``../shared/data`` (all English). Other languages: the short
news-style paragraphs below, written for this benchmark (French, German, Spanish, Italian, Portuguese, Dutch, Polish,
Turkish), so no third-party text is copied::

    python benchmarks/bench_language.py [--data ../shared/data] [--limit 400]
"""

from __future__ import annotations

import argparse
import csv
import re
import time
from pathlib import Path

from veracity.ingest import language

REPO = Path(__file__).resolve().parents[1]
OTHER = {
    "fr": "Le gouvernement a annoncé mardi une réforme des retraites qui sera présentée au Parlement le mois prochain. "
    "Selon le ministre, les syndicats ont été consultés pendant plusieurs semaines.",
    "de": "Die Regierung hat am Dienstag eine Reform der Renten angekündigt, die im nächsten Monat dem Parlament "
    "vorgelegt werden soll. Nach Angaben des Ministers wurden die Gewerkschaften wochenlang angehört.",
    "es": "El gobierno anunció el martes una reforma de las pensiones que se presentará al Parlamento el próximo mes. "
    "Según el ministro, los sindicatos fueron consultados durante varias semanas.",
    "it": "Il governo ha annunciato martedì una riforma delle pensioni che sarà presentata al Parlamento il mese "
    "prossimo. Secondo il ministro, i sindacati sono stati consultati per diverse settimane.",
    "pt": "O governo anunciou na terça-feira uma reforma das pensões que será apresentada ao Parlamento no próximo mês. "
    "Segundo o ministro, os sindicatos foram consultados durante várias semanas.",
    "nl": "De regering heeft dinsdag een hervorming van de pensioenen aangekondigd die volgende maand aan het parlement "
    "wordt voorgelegd. Volgens de minister zijn de vakbonden wekenlang geraadpleegd.",
    "pl": "Rząd ogłosił we wtorek reformę emerytalną, która zostanie przedstawiona parlamentowi w przyszłym miesiącu. "
    "Według ministra związki zawodowe były konsultowane przez kilka tygodni.",
    "tr": "Hükümet salı günü gelecek ay meclise sunulacak bir emeklilik reformunu açıkladı. Bakana göre sendikalarla "
    "haftalarca görüşüldü.",
}


def _english(data: Path, limit: int) -> list[str]:
    texts = []
    for path in sorted((data / "buzzfeed-webis-fake-news-2016" / "articles").glob("*.xml"))[:limit]:
        found = re.search(r"<mainText>(.*?)</mainText>", path.read_text(encoding="utf-8"), re.S)
        if found and len(found.group(1).split()) >= 30:
            texts.append(found.group(1))
    fakes = data / "fa-kes" / "FA-KES-Dataset.csv"
    if fakes.is_file():
        with fakes.open(encoding="utf-8", errors="replace", newline="") as fh:
            texts += [row["article_content"] for row in csv.DictReader(fh)][:limit]
    return texts


def main() -> None:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(REPO.parent / "shared" / "data"))
    parser.add_argument("--limit", type=int, default=400)
    args = parser.parse_args()
    started = time.perf_counter()
    language.detect_language(OTHER["fr"])
    load_s = time.perf_counter() - started
    english = _english(Path(args.data), args.limit)
    rows = []
    for name, texts, expected in [("English news", english, None), ("other languages", list(OTHER.values()), "other")]:
        right = by_marker = 0
        started = time.perf_counter()
        for i, text in enumerate(texts):
            words = language._WORD.findall(text[: language.SAMPLE_CHARS].lower())
            marker = sum(w in language.ENGLISH_MARKERS for w in words) / max(1, len(words))
            by_marker += len(words) >= language.MIN_WORDS and marker >= language.MARKER_SHARE
            code, _ = language.detect_language(text)
            want = "en" if expected is None else list(OTHER)[i]
            right += code == want
        ms = (time.perf_counter() - started) / max(1, len(texts)) * 1e3
        rows.append((name, len(texts), right / max(1, len(texts)), by_marker / max(1, len(texts)), ms))
    print(f"py3langid model load: {load_s:.2f} s (once per process, only when the markers do not decide)")
    print(f"{'texts':<18} {'n':>5} {'accuracy':>9} {'by markers':>11} {'ms/text':>8}")
    for name, n, acc, marker, ms in rows:
        print(f"{name:<18} {n:>5} {acc:>9.3f} {marker:>11.3f} {ms:>8.2f}")


if __name__ == "__main__":
    main()
