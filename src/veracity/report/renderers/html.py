"""The self-contained HTML report: no script, no external asset; the highlighted article, then every section."""

from __future__ import annotations

import html as html_lib
from typing import TextIO

from veracity.report.view import ReportView, short

__all__ = ["PALETTE", "HTMLRenderer"]

PALETTE = [
    "#f4a3a3", "#f7c59f", "#f9e79f", "#c5e1a5", "#a3d9c9", "#a9cce3", "#c3b1e1", "#f5b7d5",
    "#e6b0aa", "#d7bde2", "#aed6f1", "#a2d9ce", "#f9d79b", "#d5dbdb", "#fad7a0", "#b9e3c6",
]  # fmt: skip
#: CSS class of each highlighted layer, and what the key says it means
CLASSES = {
    "claims": ("claim", "check-worthy claim"),
    "sources": ("src", "source"),
    "attributions": ("attr", "attributed"),
}

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
.findings{padding-left:1.2rem}.finding{margin:.3rem 0}.sev{font-weight:700;text-transform:uppercase;font-size:.8rem;margin-right:.3rem}
.finding.high .sev{color:#b03a2e}.finding.medium .sev{color:#9a6700}.finding.low .sev{color:#666}
.fc{font-size:.88rem;color:#333;margin:.2rem 0 0 1rem}.rating{font-weight:600}.note{color:#8a6d00}.err{color:#b03a2e}
"""


def _findings(view: ReportView) -> str:
    if not view.findings:
        return ""
    e = html_lib.escape
    items = "".join(
        f'<li class="finding {e(f.severity)}"><span class="sev">{e(f.severity)}</span> {e(f.message)}</li>'
        for f in view.findings
    )
    return f'<h2>What to check first</h2><ul class="findings">{items}</ul>'


class HTMLRenderer:
    """``--format html``: one self-contained page (hover or focus a highlight for why it is marked)."""

    name = "html"
    media_type = "text/html"
    suffixes = ("html", "htm")

    def render(self, view: ReportView, stream: TextIO | None = None) -> str:
        """The HTML page."""
        e = html_lib.escape
        parts: list[str] = []
        for piece in view.pieces:
            text = e(piece.text)
            if not piece.layers:
                parts.append(text)
                continue
            classes = [CLASSES[n][0] if n in CLASSES else "t" for n in piece.layers]
            style = f' style="background:{PALETTE[piece.colour]}"' if piece.colour is not None else ""
            parts.append(
                f'<mark class="{" ".join(dict.fromkeys(classes))}"{style} tabindex="0" data-tip="{e(piece.tip)}">{text}</mark>'
            )
        meta = " · ".join(f"{e(k)}: {e(v)}" for k, v in view.meta.items())
        used = [row for row in view.techniques if row.count]
        out = [
            "<!doctype html>",
            '<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">',
            f"<title>veracity report: {e(view.title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>{e(view.title)}</h1>",
            f'<p class="meta">{meta}</p>' if meta else "",
            _findings(view),
            '<p class="legend">'
            + "".join(
                f'<span style="background:{PALETTE[r.colour]}" title="{e(r.definition)}">{e(r.label)}</span>'
                for r in used
            )
            + "".join(
                f'<span class="{css}">{e(text)}</span>'
                for layer, (css, text) in CLASSES.items()
                if layer in view.layers
            )
            + "</p>",
            '<p class="meta">Highlighted: what the findings point at (the JSON report has every layer).</p>'
            if view.pieces is not view.pieces_all
            else "",
            f'<div class="article">{"".join(parts)}</div>',
        ]
        if view.claims:
            head = (
                f"Claims, most check-worthy first ({view.claims_checkworthy} of {view.claims_scored} sentences)"
                if view.claims_checkworthy
                else f"Claims: none reaches the threshold; the closest {len(view.claims)}"
            )
            out.append(f"<h2>{e(head)}</h2><ol>")
            for claim in view.claims:
                score = f" <small>({claim.score:.2f})</small>" if claim.score is not None else ""
                src = f": {e(claim.source)}" if claim.source else ""
                sourcing = f" <small>[{e(claim.sourcing)}{src}]</small>" if claim.sourcing else ""
                kinds = f" <small>({e(', '.join(claim.types))})</small>" if claim.types else ""
                out.append(f"<li>{e(claim.text)}{score}{sourcing}{kinds}")
                for ev in claim.evidence:
                    out.append(
                        f'<div class="fc">your corpus, <em>{e(ev.stance)}</em>: “{e(short(ev.passage, 300))}” — {e(ev.title)}</div>'
                    )
                for fc in claim.factchecks:
                    target = (
                        f'<a href="{e(fc.url)}" rel="noopener noreferrer nofollow">{e(fc.claim)}</a>'
                        if fc.url
                        else e(fc.claim)
                    )
                    out.append(
                        f'<div class="fc"><span class="rating">{e(fc.display)}</span> — {e(fc.publisher)}: {target}'
                        f"{' — ' + e(fc.relation) if fc.relation else ''}</div>"
                    )
                out.append("</li>")
            out.append("</ol>")
        if view.has_techniques:
            out.append(f"<h2>Persuasion techniques ({len(view.technique_spans)} passages)</h2>")
            if view.technique_spans:
                out.append("<table><tr><th>technique</th><th>score</th><th>passage</th></tr>")
                for span in view.technique_spans:
                    score = f"{span.score:.2f}" if span.score is not None else ""
                    out.append(f'<tr><td><span class="t" style="background:{PALETTE[span.colour]}" title="{e(span.definition)}">'
                               f"{e(span.label)}</span></td><td>{score}</td><td>{e(short(span.text, 300))}</td></tr>")  # fmt: skip
                out.append("</table>")
            if used:
                out.append("<table><tr><th>technique</th><th>found</th><th>meaning</th></tr>")
                for row in used:
                    out.append(f'<tr><td><span class="t" style="background:{PALETTE[row.colour]}">{e(row.label)}</span></td>'
                               f"<td>{row.count}</td><td>{e(row.definition)}</td></tr>")  # fmt: skip
                out.append("</table>")
        if view.sources:
            out.append(
                "<h2>Sources</h2><table><tr><th>source</th><th>kind</th><th>mentions</th><th>claims</th><th>reliability</th></tr>"
            )
            for source in view.sources:
                mentions = (
                    f"{source.mentions} ({source.attributions} attributed)"
                    if source.attributions
                    else str(source.mentions)
                )
                out.append(f"<tr><td>{e(source.name)}</td><td>{e(source.kind)}</td><td>{e(mentions)}</td>"
                           f"<td>{source.claims or ''}</td>"
                           f'<td title="{e(source.rating_source)}">{e(source.reliability)}</td></tr>')  # fmt: skip
            out.append("</table>")
        if view.sourcing_summary:
            out.append("<ul>" + "".join(f"<li>{e(k)}: {e(v)}</li>" for k, v in view.sourcing_summary) + "</ul>")
        for tab in view.tables:
            more = "" if tab.shown == tab.count else f" ({tab.shown} of {tab.count} shown; the JSON report has all)"
            out.append(
                f"<h2>{e(tab.name)}{e(more)}</h2><table><tr><th>label</th><th>text</th><th>score</th><th>details</th></tr>"
            )
            for label, text, value, detail in tab.rows:
                number = f"{value:.2f}" if value is not None else ""
                out.append(
                    f"<tr><td>{e(label)}</td><td>{e(short(text, 200))}</td><td>{number}</td><td>{e(detail)}</td></tr>"
                )
            out.append("</table>")
        for note in view.notes:
            out.append(f'<p class="note">{e(note)}</p>')
        for err in view.errors:
            out.append(
                f'<p class="err">error in {e(str(err.get("analyzer") or err.get("layer")))}: {e(err["type"])}: {e(err["message"])}</p>'
            )
        counts = ", ".join(f"{n} {e(name)}" for name, n in view.counts.items())
        out.append(
            f'<p class="meta">veracity {e(view.version)} · report schema {e(view.schema_version)} · {counts}</p>'
        )
        out.append("</body></html>")
        return "\n".join(p for p in out if p)
