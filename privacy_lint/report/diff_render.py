"""`privacy-lint diff` as text for a terminal and as Markdown for a pull-request comment (JSON: MapDiff.to_json).
What is new comes first: that is what the reviewer has to decide on."""

from __future__ import annotations

from collections.abc import Callable

from privacy_lint.findings import plural
from privacy_lint.report.datamap import MapDiff, Pair
from privacy_lint.report.render import markdown_cell, source_link

MARKER = "<!-- privacy-lint diff -->"  # lets a CI job find its own comment to update
MAX_SITES = 3


def _declared(pair: Pair) -> str:
    return {None: "no declaration", True: "declared", False: "not in its declaration"}[pair.declared]


def _headline(diff: MapDiff) -> str:
    parts = [f"{plural(len(diff.added), 'new flow')}", f"{plural(len(diff.removed), 'flow')} removed"]
    if diff.new_recipients:
        parts.append(f"{plural(len(diff.new_recipients), 'new recipient')}")
    if diff.unguarded:
        parts.append(f"{plural(len(diff.unguarded), 'flow')} now without consent at more calls")
    return ", ".join(parts)


def render_text(diff: MapDiff) -> str:
    lines = [f"privacy-lint diff: {diff.base} -> {diff.head}: {_headline(diff)}"]
    for pair in diff.added:
        sites = ", ".join(f"{s.path}:{s.line}" for s in pair.sites)
        special = " [special category]" if pair.special else ""
        lines.append(
            f"+ {pair.label}{special} -> {pair.recipient} ({pair.service}), consent {pair.consent}, "
            f"{_declared(pair)}: {sites}"
        )
    for pair in diff.removed:
        lines.append(f"- {pair.label} -> {pair.recipient} ({pair.service}): {', '.join(_sites(pair))}")
    for pair in diff.unguarded:
        unguarded = [f"{s.path}:{s.line}" for s in pair.sites if s.consent == "not checked"]
        lines.append(f"! {pair.label} -> {pair.recipient}: no consent check at {', '.join(unguarded)}")
    if diff.new_recipients or diff.gone_recipients:
        lines.append(
            "recipients: "
            + " ".join([*(f"+{r}" for r in diff.new_recipients), *(f"-{r}" for r in diff.gone_recipients)])
        )
    lines += _incomplete(diff)
    return "\n".join(lines) + "\n"


def _code(text: str) -> str:
    """Scanned code inside a Markdown code span: a backtick would end it."""
    return markdown_cell(text).replace("`", "'")


def _sites(pair: Pair) -> list[str]:
    return [f"{s.path}:{s.line}" for s in pair.sites]


def _incomplete(diff: MapDiff) -> list[str]:
    if not diff.incomplete:
        return []
    return [f"incomplete: {plural(len(diff.incomplete), 'file')} could not be analysed: {', '.join(diff.incomplete)}"]


def render_markdown(diff: MapDiff) -> str:
    link = source_link()

    def where(path: str, line: int, linked: bool = True) -> str:
        text = f"`{path}:{line}`"
        return f"[{text}]({link(path, line)})" if link is not None and linked else text

    lines = [MARKER, "### privacy-lint: what this change does with personal data", ""]
    lines += [f"Compared with `{diff.base}`: {_headline(diff)}.", ""]
    if not (diff.added or diff.removed or diff.unguarded or diff.gone_recipients or diff.new_recipients):
        lines.append("No change to where personal data goes.")
    if diff.added:
        lines += [
            "#### Starts sending",
            "",
            "| data | to | consent | declared | where |",
            "| --- | --- | --- | --- | --- |",
        ]
        for pair in diff.added:
            data = f"**{markdown_cell(pair.label)}** (special category)" if pair.special else markdown_cell(pair.label)
            new = " (new recipient)" if pair.recipient in diff.new_recipients else ""
            consent = f"**{pair.consent}**" if pair.consent == "not checked" else pair.consent
            sites = [where(s.path, s.line) for s in pair.sites[:MAX_SITES]]
            more = f" and {len(pair.sites) - MAX_SITES} more" if len(pair.sites) > MAX_SITES else ""
            lines.append(
                f"| {data} | {markdown_cell(pair.recipient)}{new} ({pair.service}) | {consent} | {_declared(pair)} | "
                f"{', '.join(sites)}{more} |"
            )
        lines += ["", "<details><summary>How the data gets there</summary>", ""]
        for pair in diff.added:
            for site in pair.sites[:MAX_SITES]:
                label, recipient = markdown_cell(pair.label), markdown_cell(pair.recipient)
                lines.append(f"- {label} to {recipient} at {where(site.path, site.line)}:")
                lines += [f"  - `{_code(hop)}`" for hop in site.flow]
        lines += ["", "</details>"]
    if diff.removed:
        lines += ["", "#### Stops sending", "", "| data | to | where it was |", "| --- | --- | --- |"]
        for pair in diff.removed:
            was = ", ".join(where(s.path, s.line, linked=False) for s in pair.sites[:MAX_SITES])
            lines.append(f"| {markdown_cell(pair.label)} | {markdown_cell(pair.recipient)} ({pair.service}) | {was} |")
    if diff.unguarded:
        lines += ["", "#### Now sent without consent at more calls", ""]
        for pair in diff.unguarded:
            sites = [where(s.path, s.line) for s in pair.sites if s.consent == "not checked"][:MAX_SITES]
            lines.append(f"- {markdown_cell(pair.label)} to {markdown_cell(pair.recipient)}: {', '.join(sites)}")
    if diff.new_recipients or diff.gone_recipients:
        lines.append("")
        if diff.new_recipients:
            lines.append(f"New recipients: {', '.join(diff.new_recipients)}.")
        if diff.gone_recipients:
            lines.append(f"Recipients no longer sent anything: {', '.join(diff.gone_recipients)}.")
    if diff.incomplete:
        lines += ["", f"> {_incomplete(diff)[0]}: their flows may be missing from this comparison."]
    return "\n".join(lines) + "\n"


RENDERERS: dict[str, Callable[[MapDiff], str]] = {
    "text": render_text,
    "markdown": render_markdown,
    "json": lambda diff: diff.to_json(),
}
