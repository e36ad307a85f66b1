"""Renderers: one report, four faces — ``text`` (rich, for terminals), ``json``, ``html`` (self-contained) and ``md``.

Renderers know the conventions analyzers follow (a layer's ``data["legend"]`` explains its labels; claims carry
``attrs.rank``, ``attrs.factchecks`` and ``attrs.sourcing``; sources carry ``attrs.kind`` and ``attrs.reliability``) but
draw any layer, so a plug-in's layer shows up without a change here.
"""

from __future__ import annotations

import html as html_lib
import io
import itertools
from collections import Counter
from collections.abc import Iterable
from typing import Any, TextIO

from veracity.errors import UsageError
from veracity.report.model import Report, ReportLayer, ReportSpan

__all__ = ["FORMATS", "render"]

FORMATS = ("text", "json", "html", "md")

#: layers drawn inline in the article, in this order of precedence (others are listed in tables)
HIGHLIGHT_LAYERS = ("techniques", "attributions", "claims", "sources", "entities")
#: layers not worth a table of their own (every sentence, every token…)
QUIET_LAYERS = {"sentences"}

_PALETTE = [
    "#f4a3a3", "#f7c59f", "#f9e79f", "#c5e1a5", "#a3d9c9", "#a9cce3", "#c3b1e1", "#f5b7d5",
    "#e6b0aa", "#d7bde2", "#aed6f1", "#a2d9ce", "#f9d79b", "#d5dbdb", "#fad7a0", "#b9e3c6",
]  # fmt: skip
_RICH_PALETTE = [
    "on #5c1f1f", "on #5c3a1f", "on #5c531f", "on #3a5c1f", "on #1f5c4a", "on #1f3f5c", "on #3a1f5c", "on #5c1f4a",
    "on #4a2a2a", "on #40305a", "on #24465c", "on #245c52", "on #5c4a24", "on #3d4545", "on #5c4524", "on #2a5c3a",
]  # fmt: skip


def render(report: Report, fmt: str, stream: TextIO | None = None) -> str:
    """Render a report in ``fmt``; with ``stream`` (text format) write to it directly with terminal styling."""
    if fmt == "json":
        return report.to_json()
    if fmt == "html":
        return render_html(report)
    if fmt == "md":
        return render_markdown(report)
    if fmt == "text":
        return render_text(report, stream)
    raise UsageError(f"unknown report format {fmt!r}; choose one of {', '.join(FORMATS)}")


# -- shared helpers ----------------------------------------------------------------------------------------------------


def label_colours(labels: Iterable[str], palette: list[str]) -> dict[str, str]:
    """A stable colour per label (sorted order), cycling through the palette."""
    return {label: palette[i % len(palette)] for i, label in enumerate(sorted(set(labels)))}


def ranked_claims(report: Report) -> list[ReportSpan]:
    """Claims by rank (or score), check-worthy first."""
    if "claims" not in report.layers:
        return []
    spans = report.layers["claims"].spans
    return sorted(spans, key=lambda s: (s.attrs.get("rank", 10**9), -(s.score or 0.0)))


def segments(text: str, spans: list[tuple[ReportSpan, str]]) -> list[tuple[int, int, list[tuple[ReportSpan, str]]]]:
    """Cut the text at every span boundary: (start, end, spans covering it); overlapping spans become nested runs.

    A sweep over sorted boundaries keeps this linear in text size plus spans, so long documents render quickly.
    """
    points = sorted({0, len(text), *(s.start for s, _ in spans), *(s.end for s, _ in spans)})
    by_start = sorted(range(len(spans)), key=lambda i: spans[i][0].start)
    active: dict[int, tuple[ReportSpan, str]] = {}
    out: list[tuple[int, int, list[tuple[ReportSpan, str]]]] = []
    k = 0
    for start, end in itertools.pairwise(points):
        while k < len(by_start) and spans[by_start[k]][0].start <= start:
            active[by_start[k]] = spans[by_start[k]]
            k += 1
        for i in [i for i, (s, _) in active.items() if s.end <= start]:
            del active[i]
        out.append((start, end, [active[i] for i in sorted(active)]))
    return out


def _highlights(report: Report) -> list[tuple[ReportSpan, str]]:
    spans: list[tuple[ReportSpan, str]] = []
    for name in HIGHLIGHT_LAYERS:
        layer = report.layers.get(name)
        if layer is None:
            continue
        for span in layer.spans:
            if name == "claims" and span.label != "checkworthy":
                continue
            if name == "entities" and "techniques" in report.layers:
                continue  # too busy together; entities still get their table
            spans.append((span, name))
    return spans


def _describe(span: ReportSpan, layer: str, legend: dict[str, str]) -> str:
    bits = [f"{layer}: {span.label}"]
    if span.score is not None:
        bits.append(f"score {span.score:.2f}")
    if span.label in legend:
        bits.append(legend[span.label])
    for key in ("kind", "sourcing", "rank"):
        if key in span.attrs and span.attrs[key] is not None:
            bits.append(f"{key}: {span.attrs[key]}")
    source = span.attrs.get("source")
    if isinstance(source, dict) and source.get("text"):
        bits.append(f"source: {source['text']}")
    return " · ".join(bits)


def display_title(report: Report) -> str:
    """The title to show: the document's own, else its first line when that is short (a headline), else a stub."""
    if report.document.meta.title:
        return report.document.meta.title
    first = report.document.text.strip().split("\n", 1)[0].strip()
    return first if 0 < len(first) <= 120 else "Untitled article"


def _short(text: str, n: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"


def _sources_rows(report: Report) -> list[dict[str, Any]]:
    """Sources with counts, kind and reliability: from the summary when the sources analyzer wrote one."""
    summary = report.summary.get("sources")
    if isinstance(summary, dict) and isinstance(summary.get("sources"), list):
        return summary["sources"]
    layer = report.layers.get("sources")
    if layer is None:
        return []
    groups: dict[str, dict[str, Any]] = {}
    for span in layer.spans:
        key = str(span.attrs.get("source_id") or span.text)
        row = groups.setdefault(key, {"name": span.text, "kind": span.attrs.get("kind"), "mentions": 0,
                                      "reliability": span.attrs.get("reliability")})  # fmt: skip
        row["mentions"] += 1
    return sorted(groups.values(), key=lambda r: -r["mentions"])


def _mentions(row: dict[str, Any]) -> str:
    """How often a source is named, and how many statements it carries: "3" or "3 (2 attributed)"."""
    mentions = row.get("mentions", row.get("count", ""))
    attributed = row.get("attributions")
    return f"{mentions} ({attributed} attributed)" if attributed else str(mentions)


def _reliability_text(value: Any) -> str:
    if isinstance(value, dict):
        score = value.get("score")
        name = value.get("rating") or value.get("name") or ""
        return f"{score:.2f} {name}".strip() if isinstance(score, (int, float)) else str(name or "-")
    if isinstance(value, (int, float)):
        return f"{value:.2f}"
    return "-"


def _rating_source(row: dict[str, Any]) -> str:
    rel = row.get("reliability")
    return str(rel.get("source", "")) if isinstance(rel, dict) else ""


def _factchecks(span: ReportSpan) -> list[dict[str, Any]]:
    value = span.attrs.get("factchecks")
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _notes(report: Report) -> list[str]:
    notes = []
    for layer in report.layers.values():
        for note in layer.data.get("notes", []) if isinstance(layer.data.get("notes"), list) else []:
            notes.append(str(note))
    return notes


# -- text (rich) -------------------------------------------------------------------------------------------------------


def render_text(report: Report, stream: TextIO | None = None) -> str:
    """Terminal report: the article with highlighted spans and a legend, then a table per layer."""
    from rich.console import Console
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    buffer = io.StringIO()
    console = (
        Console(file=stream, highlight=False, soft_wrap=False)
        if stream is not None
        else Console(file=buffer, force_terminal=False, width=110, highlight=False, color_system=None)
    )
    doc = report.document
    title = display_title(report)
    console.rule(f"[bold]{title}")
    meta = [f"{k}: {v}" for k, v in doc.meta.model_dump(exclude_none=True).items() if k != "title"]
    if meta:
        console.print(Text(" · ".join(meta), style="dim"))

    highlights = _highlights(report)
    tech_legend = report.layers["techniques"].data.get("legend", {}) if "techniques" in report.layers else {}
    tech_colours = label_colours(tech_legend or [s.label for s, n in highlights if n == "techniques"], _RICH_PALETTE)
    article = Text(doc.text)
    for span, layer in highlights:
        if layer == "techniques":
            article.stylize(tech_colours.get(span.label, "reverse"), span.start, span.end)
        elif layer == "claims":
            article.stylize("underline", span.start, span.end)
        elif layer == "sources":
            article.stylize("bold cyan", span.start, span.end)
        elif layer == "attributions":
            article.stylize("italic", span.start, span.end)
        elif layer == "entities":
            article.stylize("bold", span.start, span.end)
    console.print(Panel(article, title="article", title_align="left"))
    key = Text("key:")
    for layer, style, meaning in (("claims", "underline", "check-worthy claim"), ("sources", "bold cyan", "source"),
                                  ("attributions", "italic", "attributed content"), ("entities", "bold", "entity")):  # fmt: skip
        if layer in report.layers and not (layer == "entities" and "techniques" in report.layers):
            key.append(" ")
            key.append(meaning, style=style)
    found = {s.label for s, n in highlights if n == "techniques"}
    for label, colour in tech_colours.items():
        if label not in found:
            continue
        key.append("  ")
        key.append(f" {label} ", style=colour)
    console.print(key)

    claims = ranked_claims(report)
    if claims:
        table = Table(title="claims, most check-worthy first", show_lines=False, expand=True)
        for col in ("#", "score", "claim", "sourcing", "fact-checks"):
            table.add_column(col, overflow="fold")
        for span in claims[:15]:
            fcs = "; ".join(
                f"{fc.get('rating', '?')} — {fc.get('publisher', '?')}: {_short(str(fc.get('claim', '')), 60)}"
                for fc in _factchecks(span)[:3]
            )
            table.add_row(str(span.attrs.get("rank", "")), f"{span.score:.2f}" if span.score is not None else "",
                          _short(span.text, 140), str(span.attrs.get("sourcing", "")), fcs)  # fmt: skip
        console.print(table)

    if "techniques" in report.layers:
        layer = report.layers["techniques"]
        table = Table(title="persuasion techniques", expand=True)
        for col in ("technique", "score", "text", "meaning"):
            table.add_column(col, overflow="fold")
        for span in sorted(layer.spans, key=lambda s: s.start):
            table.add_row(Text(span.label, style=tech_colours.get(span.label, "")),
                          f"{span.score:.2f}" if span.score is not None else "",
                          _short(span.text, 100), tech_legend.get(span.label, ""))  # fmt: skip
        console.print(table)

    rows = _sources_rows(report)
    if rows:
        table = Table(title="sources", expand=True)
        for col in ("source", "kind", "mentions", "reliability"):
            table.add_column(col, overflow="fold")
        for row in rows:
            table.add_row(str(row.get("name", "")), str(row.get("kind", "")), _mentions(row),
                          _reliability_text(row.get("reliability")))  # fmt: skip
        console.print(table)

    for name, layer in report.layers.items():
        if name in QUIET_LAYERS or name in ("claims", "techniques", "sources"):
            continue
        console.print(_generic_table(name, layer, Table))
    counts = ", ".join(f"{n} {name}" for name, n in report.summary.get("counts", {}).items())
    console.print(Text(f"found: {counts}", style="dim"))
    for note in _notes(report):
        console.print(Text(f"note: {note}", style="yellow"))
    for err in report.errors:
        console.print(Text(f"error in {err.analyzer or err.layer}: {err.type}: {err.message}", style="red"))
    return buffer.getvalue() if stream is None else ""


def _generic_table(name: str, layer: ReportLayer, table_cls: Any) -> Any:
    table = table_cls(title=name, expand=True)
    for col in ("label", "text", "score", "details"):
        table.add_column(col, overflow="fold")
    if name == "entities":  # group repeated mentions
        counts = Counter((s.label, s.text) for s in layer.spans)
        for (label, text), n in counts.most_common(30):
            table.add_row(label, text, "", f"{n}×" if n > 1 else "")
        return table
    for span in layer.spans[:50]:
        details = ", ".join(
            f"{k}={v.get('text') if isinstance(v, dict) and 'text' in v else v}"
            for k, v in span.attrs.items()
            if not isinstance(v, (list, dict)) or (isinstance(v, dict) and "text" in v)
        )
        table.add_row(
            span.label, _short(span.text, 100), f"{span.score:.2f}" if span.score is not None else "", details
        )
    return table


# -- HTML --------------------------------------------------------------------------------------------------------------

_CSS = """
body{font:16px/1.55 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:62rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#666;font-size:.9rem}.article{white-space:pre-wrap;background:#fafafa;border:1px solid #e3e3e3;padding:1rem 1.25rem;border-radius:6px}
mark{background:none;color:inherit;padding:0}
.t{border-radius:3px;padding:0 1px}.claim{text-decoration:underline 2px #c0392b;text-underline-offset:3px}
.src{outline:1px solid #2471a3;border-radius:2px}.attr{font-style:italic}.ent{border-bottom:1px dotted #888}
[data-tip]{position:relative;cursor:help}
[data-tip]:hover::after,[data-tip]:focus::after{content:attr(data-tip);position:absolute;left:0;top:1.6em;z-index:9;width:max-content;max-width:28rem;
white-space:normal;background:#222;color:#fff;font:13px/1.4 system-ui,sans-serif;font-style:normal;padding:.4rem .55rem;border-radius:4px}
table{border-collapse:collapse;width:100%;font-size:.92rem}th,td{border-bottom:1px solid #e5e5e5;padding:.35rem .5rem;text-align:left;vertical-align:top}
.legend span{display:inline-block;margin:.15rem .3rem .15rem 0;padding:.05rem .4rem;border-radius:3px;font-size:.85rem}
.fc{font-size:.88rem;color:#333;margin:.2rem 0 0 1rem}.rating{font-weight:600}.note{color:#8a6d00}.err{color:#b03a2e}
"""


_KEY = [("claims", "claim", "check-worthy claim"), ("sources", "src", "source"), ("attributions", "attr", "attributed")]


def render_html(report: Report) -> str:
    """A self-contained HTML page (no scripts, no external assets): highlighted article, legend, tables."""
    e = html_lib.escape
    doc = report.document
    legend: dict[str, str] = report.layers["techniques"].data.get("legend", {}) if "techniques" in report.layers else {}
    highlights = _highlights(report)
    found = {s.label for s, n in highlights if n == "techniques"}
    colours = label_colours(legend or found, _PALETTE)
    parts: list[str] = []
    for start, end, covering in segments(doc.text, highlights):
        piece = e(doc.text[start:end])
        if not covering:
            parts.append(piece)
            continue
        classes, styles, tips = [], [], []
        for span, layer in covering:
            tips.append(_describe(span, layer, legend if layer == "techniques" else {}))
            if layer == "techniques":
                classes.append("t")
                styles.append(f"background:{colours.get(span.label, '#eee')}")
            else:
                classes.append({"claims": "claim", "sources": "src", "attributions": "attr", "entities": "ent"}[layer])
        style = f' style="{styles[0]}"' if styles else ""
        parts.append(
            f'<mark class="{" ".join(dict.fromkeys(classes))}"{style} tabindex="0" data-tip="{e(" | ".join(tips))}">{piece}</mark>'
        )
    title = display_title(report)
    meta = " · ".join(f"{e(k)}: {e(str(v))}" for k, v in doc.meta.model_dump(exclude_none=True).items() if k != "title")
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
        f"<title>veracity report: {e(title)}</title><style>{_CSS}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{meta}</p>' if meta else "",
        '<p class="legend">' + "".join(
            f'<span style="background:{colours[label]}" title="{e(legend.get(label, ""))}">{e(label)}</span>'
            for label in colours if label in found
        ) + "".join(
            f'<span class="{css}">{e(text)}</span>' for layer, css, text in _KEY if layer in report.layers
        ) + "</p>",
        f'<div class="article">{"".join(parts)}</div>',
    ]  # fmt: skip
    claims = ranked_claims(report)
    if claims:
        out.append("<h2>Claims, most check-worthy first</h2><ol>")
        for span in claims[:25]:
            score = f" <small>({span.score:.2f})</small>" if span.score is not None else ""
            sourcing = f" <small>[{e(str(span.attrs['sourcing']))}]</small>" if span.attrs.get("sourcing") else ""
            out.append(f"<li>{e(span.text)}{score}{sourcing}")
            for fc in _factchecks(span):
                link = e(str(fc.get("url", "")))
                out.append(
                    f'<div class="fc"><span class="rating">{e(str(fc.get("rating", "?")))}</span> — '
                    f'{e(str(fc.get("publisher", "")))}: <a href="{link}">{e(str(fc.get("claim", "")))}</a></div>'
                )
            out.append("</li>")
        out.append("</ol>")
    if "techniques" in report.layers and legend:
        out.append("<h2>Persuasion techniques</h2><table><tr><th>technique</th><th>found</th><th>meaning</th></tr>")
        counts = Counter(s.label for s in report.layers["techniques"].spans)
        for label in colours:
            out.append(f'<tr><td><span class="t" style="background:{colours[label]}">{e(label)}</span></td>'
                       f"<td>{counts.get(label, 0)}</td><td>{e(legend.get(label, ''))}</td></tr>")  # fmt: skip
        out.append("</table>")
    rows = _sources_rows(report)
    if rows:
        out.append("<h2>Sources</h2><table><tr><th>source</th><th>kind</th><th>mentions</th><th>reliability</th></tr>")
        for row in rows:
            out.append(f"<tr><td>{e(str(row.get('name', '')))}</td><td>{e(str(row.get('kind', '')))}</td>"
                       f"<td>{e(_mentions(row))}</td><td title=\"{e(_rating_source(row))}\">"
                       f"{e(_reliability_text(row.get('reliability')))}</td></tr>")  # fmt: skip
        out.append("</table>")
    for name, layer in report.layers.items():
        if name in QUIET_LAYERS or name in ("claims", "techniques", "sources"):
            continue
        out.append(f"<h2>{e(name)}</h2><table><tr><th>label</th><th>text</th><th>score</th></tr>")
        for span in layer.spans[:200]:
            score = f"{span.score:.2f}" if span.score is not None else ""
            out.append(f"<tr><td>{e(span.label)}</td><td>{e(_short(span.text, 200))}</td><td>{score}</td></tr>")
        out.append("</table>")
    for note in _notes(report):
        out.append(f'<p class="note">{e(note)}</p>')
    for err in report.errors:
        out.append(f'<p class="err">error in {e(str(err.analyzer or err.layer))}: {e(err.type)}: {e(err.message)}</p>')
    counts = ", ".join(f"{n} {e(name)}" for name, n in report.summary.get("counts", {}).items())
    out.append(
        f'<p class="meta">veracity {e(report.generator.version)} · report schema {e(report.schema_version)} · {counts}</p>'
    )
    out.append("</body></html>")
    return "\n".join(p for p in out if p)


# -- Markdown ----------------------------------------------------------------------------------------------------------


def render_markdown(report: Report) -> str:
    """A Markdown summary for notes and tickets: claims, techniques, sources, other layers."""
    doc = report.document
    lines = [f"# {display_title(report)}", ""]
    meta = [f"{k}: {v}" for k, v in doc.meta.model_dump(exclude_none=True).items() if k != "title"]
    if meta:
        lines += ["_" + " · ".join(meta) + "_", ""]
    claims = ranked_claims(report)
    if claims:
        lines += ["## Claims, most check-worthy first", ""]
        for span in claims[:15]:
            score = f" ({span.score:.2f})" if span.score is not None else ""
            sourcing = f" — {span.attrs['sourcing']}" if span.attrs.get("sourcing") else ""
            lines.append(f"{span.attrs.get('rank', '-')}. {_md(span.text)}{score}{sourcing}")
            for fc in _factchecks(span):
                lines.append(
                    f"   - **{fc.get('rating', '?')}** — {fc.get('publisher', '')}: [{_md(str(fc.get('claim', '')))}]({fc.get('url', '')})"
                )
        lines.append("")
    if "techniques" in report.layers:
        layer = report.layers["techniques"]
        legend = layer.data.get("legend", {})
        lines += ["## Persuasion techniques", ""]
        for span in sorted(layer.spans, key=lambda s: s.start):
            score = f" ({span.score:.2f})" if span.score is not None else ""
            lines.append(f"- **{span.label}**{score}: “{_md(_short(span.text, 160))}”")
        if legend:
            lines += ["", *[f"- _{label}_: {text}" for label, text in legend.items()]]
        lines.append("")
    rows = _sources_rows(report)
    if rows:
        lines += ["## Sources", "", "| source | kind | mentions | reliability |", "|---|---|---|---|"]
        for row in rows:
            lines.append(
                f"| {_md(str(row.get('name', '')))} | {row.get('kind', '')} | {_mentions(row)} | {_reliability_text(row.get('reliability'))} |"
            )
        lines.append("")
    for name, layer in report.layers.items():
        if name in QUIET_LAYERS or name in ("claims", "techniques", "sources"):
            continue
        lines += [f"## {name}", ""]
        if name == "entities":
            for (label, text), n in Counter((s.label, s.text) for s in layer.spans).most_common(30):
                lines.append(f"- {_md(text)} ({label}{f', {n}×' if n > 1 else ''})")
        else:
            for span in layer.spans[:50]:
                lines.append(f"- {span.label}: “{_md(_short(span.text, 160))}”")
        lines.append("")
    for note in _notes(report):
        lines.append(f"> note: {note}")
    for err in report.errors:
        lines.append(f"> error in {err.analyzer or err.layer}: {err.type}: {err.message}")
    counts = ", ".join(f"{n} {name}" for name, n in report.summary.get("counts", {}).items())
    lines += ["", f"_veracity {report.generator.version} · {counts}_", ""]
    return "\n".join(lines)


def _md(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|").replace("[", "\\[").replace("]", "\\]")
