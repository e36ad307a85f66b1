"""The terminal report (rich): the article with highlighted findings, then claims, techniques, sources and the rest."""

from __future__ import annotations

import io
from typing import Any, TextIO

from veracity.report.view import ReportView, short

__all__ = ["TextRenderer"]

RICH_PALETTE = [
    "on #5c1f1f", "on #5c3a1f", "on #5c531f", "on #3a5c1f", "on #1f5c4a", "on #1f3f5c", "on #3a1f5c", "on #5c1f4a",
    "on #4a2a2a", "on #40305a", "on #24465c", "on #245c52", "on #5c4a24", "on #3d4545", "on #5c4524", "on #2a5c3a",
]  # fmt: skip
#: how each highlighted layer is styled in the article, and what the key says it means
STYLES = {
    "claims": ("underline", "check-worthy claim"),
    "sources": ("bold cyan", "source"),
    "attributions": ("italic", "attributed content"),
}
SEVERITY_STYLES = {"high": "bold red", "medium": "yellow", "low": "dim"}
#: width of the plain-text rendering (a terminal uses its own width)
PLAIN_WIDTH = 110


def _strip_controls(text: str) -> str:
    """Article text without terminal control characters (an article must not move the cursor or recolour the screen)."""
    return "".join(c if c in "\n\t" or (c >= " " and not 0x7F <= ord(c) <= 0x9F) else " " for c in text)


class TextRenderer:
    """``--format text``: rich tables for a terminal (plain text when not writing to one)."""

    name = "text"
    media_type = "text/plain"
    suffixes = ("txt",)

    def render(self, view: ReportView, stream: TextIO | None = None) -> str:
        """Write to ``stream`` with terminal styling, or return plain text."""
        from rich.console import Console

        buffer = io.StringIO()
        console = (
            Console(file=stream, highlight=False, soft_wrap=False)
            if stream is not None
            else Console(file=buffer, force_terminal=False, width=PLAIN_WIDTH, highlight=False, color_system=None)
        )
        _draw(console, view)
        return buffer.getvalue() if stream is None else ""


def _draw(console: Any, view: ReportView) -> None:
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    console.rule(f"[bold]{_strip_controls(view.title)}")
    if view.meta:
        console.print(Text(" · ".join(f"{k}: {_strip_controls(v)}" for k, v in view.meta.items()), style="dim"))

    if view.findings:
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True)
        grid.add_column(ratio=1)
        for finding in view.findings:
            grid.add_row(
                Text(finding.severity.upper(), style=SEVERITY_STYLES.get(finding.severity, "")),
                Text(_strip_controls(finding.message)),
            )
        console.print(Panel(grid, title="what to check first", title_align="left", border_style="bold"))

    article = Text(_strip_controls(view.report.document.text))
    for piece in view.pieces:
        for layer in piece.layers:
            if layer == "techniques" and piece.colour is not None:
                article.stylize(RICH_PALETTE[piece.colour], piece.start, piece.end)
            elif layer in STYLES:
                article.stylize(STYLES[layer][0], piece.start, piece.end)
    focused = view.pieces is not view.pieces_all
    article_title = "article: highlights show what the findings point at" if focused else "article"
    console.print(Panel(article, title=article_title, title_align="left"))
    key = Text("key:")
    for layer, (style, meaning) in STYLES.items():
        if layer in view.layers:
            key.append(" ")
            key.append(meaning, style=style)
    for row in view.techniques:
        if row.count:
            key.append("  ")
            key.append(f" {row.label} ", style=RICH_PALETTE[row.colour])
    console.print(key)

    if view.claims:
        title = (
            f"claims, most check-worthy first ({view.claims_checkworthy} of {view.claims_scored} sentences)"
            if view.claims_checkworthy
            else f"no sentence reaches the check-worthiness threshold; the closest {len(view.claims)} are shown"
        )
        table = Table(title=title, show_lines=False, expand=True)
        # a column only for what this report has: no empty "fact-checks" or "your corpus" column
        columns = {
            "type": any(c.types for c in view.claims),
            "sourcing": "claim_sourcing" in view.layers or any(c.sourcing for c in view.claims),
            "fact-checks": any(c.factchecks for c in view.claims),
            "your corpus": any(c.evidence for c in view.claims),
        }
        for col in ("#", "score", "claim", *(name for name, shown in columns.items() if shown)):
            table.add_column(col, overflow="fold")
        for claim in view.claims:
            cells = {
                "type": ", ".join(claim.types),
                "sourcing": (claim.sourcing or "") + (f": {claim.source}" if claim.source else ""),
                "fact-checks": "; ".join(
                    f"{fc.display} — {fc.publisher}: {short(fc.claim, 60)}"
                    + (f" ({fc.relation})" if fc.relation else "")
                    for fc in claim.factchecks
                ),
                "your corpus": "; ".join(f"{ev.stance}: {short(ev.passage, 60)}" for ev in claim.evidence),
            }
            table.add_row(
                str(claim.rank or ""),
                f"{claim.score:.2f}" if claim.score is not None else "",
                short(_strip_controls(claim.text), 140),
                *(cells[name] for name, shown in columns.items() if shown),
            )
        console.print(table)

    if view.has_techniques:
        table = Table(title=f"persuasion techniques ({len(view.technique_spans)} passages)", expand=True)
        for col in ("technique", "score", "passage", "meaning"):
            table.add_column(col, overflow="fold")
        for span in view.technique_spans:
            table.add_row(Text(span.label, style=RICH_PALETTE[span.colour]),
                          f"{span.score:.2f}" if span.score is not None else "",
                          short(_strip_controls(span.text), 100), span.definition)  # fmt: skip
        console.print(table)

    if view.sources:
        table = Table(title="sources", expand=True)
        for col in ("source", "kind", "mentions", "claims", "reliability"):
            table.add_column(col, overflow="fold")
        for src in view.sources:
            mentions = f"{src.mentions} ({src.attributions} attributed)" if src.attributions else str(src.mentions)
            table.add_row(_strip_controls(src.name), src.kind, mentions, str(src.claims or ""), src.reliability)
        console.print(table)
    for label, value in view.sourcing_summary:
        console.print(Text(f"{label}: {value}", style="dim"))

    for tab in view.tables:
        title = (
            tab.name
            if tab.shown == tab.count
            else f"{tab.name} ({tab.shown} of {tab.count} shown; --format json has all)"
        )
        table = Table(title=title, expand=True)
        for col in ("label", "text", "score", "details"):
            table.add_column(col, overflow="fold")
        for label, text, score, detail in tab.rows:
            table.add_row(label, _strip_controls(short(text, 100)), f"{score:.2f}" if score is not None else "", detail)
        console.print(table)
    counts = ", ".join(f"{n} {name}" for name, n in view.counts.items())
    console.print(Text(f"found: {counts}", style="dim"))
    for note in view.notes:
        console.print(Text(f"note: {note}", style="yellow"))
    for err in view.errors:
        console.print(
            Text(f"error in {err.get('analyzer') or err.get('layer')}: {err['type']}: {err['message']}", style="red")
        )
