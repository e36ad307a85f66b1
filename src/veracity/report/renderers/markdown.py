"""The Markdown report for notes and tickets: claims, techniques, sources, other layers; article text escaped."""

from __future__ import annotations

import re
from typing import TextIO

from veracity.report.view import ReportView, short

__all__ = ["MarkdownRenderer", "md_escape"]

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")


def md_escape(text: str) -> str:
    """One line of text that Markdown shows literally: no raw HTML, links, emphasis or tables from the article."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


class MarkdownRenderer:
    """``--format md``."""

    name = "md"
    media_type = "text/markdown"
    suffixes = ("md", "markdown")

    def render(self, view: ReportView, stream: TextIO | None = None) -> str:
        """The Markdown text."""
        e = md_escape
        lines = [f"# {e(view.title)}", ""]
        if view.meta:
            lines += ["_" + " · ".join(f"{e(k)}: {e(v)}" for k, v in view.meta.items()) + "_", ""]
        if view.findings:
            lines += ["## What to check first", ""]
            lines += [f"- **{f.severity}** — {e(f.message)}" for f in view.findings]
            lines.append("")
        if view.claims:
            head = (
                f"## Claims, most check-worthy first ({view.claims_checkworthy} of {view.claims_scored} sentences)"
                if view.claims_checkworthy
                else f"## Claims: none reaches the threshold; the closest {len(view.claims)}"
            )
            lines += [head, ""]
            for claim in view.claims:
                score = f" ({claim.score:.2f})" if claim.score is not None else ""
                sourcing = (
                    f" — {claim.sourcing}" + (f": {e(claim.source)}" if claim.source else "") if claim.sourcing else ""
                )
                kinds = f" _({', '.join(claim.types)})_" if claim.types else ""
                lines.append(f"{claim.rank or '-'}. {e(claim.text)}{score}{sourcing}{kinds}")
                for ev in claim.evidence:
                    lines.append(f"   - your corpus, *{ev.stance}*: “{e(short(ev.passage, 200))}” — {e(ev.title)}")
                for fc in claim.factchecks:
                    target = f"[{e(fc.claim)}]({fc.url})" if fc.url else e(fc.claim)
                    relation = f" — {fc.relation}" if fc.relation else ""
                    lines.append(f"   - **{e(fc.display)}** — {e(fc.publisher)}: {target}{relation}")
            lines.append("")
        if view.has_techniques:
            lines += [f"## Persuasion techniques ({len(view.technique_spans)} passages)", ""]
            for span in view.technique_spans:
                score = f" ({span.score:.2f})" if span.score is not None else ""
                lines.append(
                    f"- **{span.label}**{score}: “{e(short(span.text, 160))}”"
                )  # labels are ours, not the article's
            used = [row for row in view.techniques if row.count]
            if used:
                lines += ["", *[f"- *{row.label}*: {e(row.definition)}" for row in used]]
            lines.append("")
        if view.sources:
            lines += ["## Sources", "", "| source | kind | mentions | claims | reliability |", "|---|---|---|---|---|"]
            for src in view.sources:
                lines.append(
                    f"| {e(src.name)} | {e(src.kind)} | {src.mentions} | {src.claims or ''} | {e(src.reliability)} |"
                )
            lines.append("")
        for label, value in view.sourcing_summary:
            lines.append(f"- {e(label)}: {e(value)}")
        if view.sourcing_summary:
            lines.append("")
        for tab in view.tables:
            more = "" if tab.shown == tab.count else f" ({tab.shown} of {tab.count} shown)"
            lines += [f"## {e(tab.name)}{more}", ""]
            for label, text, _score, detail in tab.rows:
                lines.append(f"- {e(label)}: “{e(short(text, 160))}”" + (f" ({e(detail)})" if detail else ""))
            lines.append("")
        for note in view.notes:
            lines.append(f"> note: {e(note)}")
        for err in view.errors:
            lines.append(
                f"> error in {e(str(err.get('analyzer') or err.get('layer')))}: {e(err['type'])}: {e(err['message'])}"
            )
        counts = ", ".join(f"{n} {name}" for name, n in view.counts.items())
        lines += ["", f"_veracity {e(view.version)} · {e(counts)}_", ""]
        return "\n".join(lines)
