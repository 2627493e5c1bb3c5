"""`privacy-lint report` output: one self-contained HTML file, Markdown for a pull-request comment, JSON (the
full inventory, docs/report.md) and CSV (one row per data category and destination)."""

from __future__ import annotations

import csv
import io
import os
from collections import Counter
from collections.abc import Callable
from importlib import resources
from urllib.parse import quote

from privacy_lint.findings import plural
from privacy_lint.packs.catalog import Catalog
from privacy_lint.report.inventory import Recipient, Report
from privacy_lint.rules import INTERNAL_SERVICES

MARKDOWN_ROWS = 25  # a PR comment stays readable (and under GitHub's 65,536 characters)
HTML_LIST_LIMIT = 30


def render_html(report: Report, catalog: Catalog) -> str:
    import jinja2  # only this format needs it

    from privacy_lint.report.charts import COLOURS, bar_chart, data_map, matrix

    template_text = (resources.files("privacy_lint.report") / "templates" / "report.html.j2").read_text(
        encoding="utf-8"
    )
    environment = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)  # escape all scanned text
    charts = {
        "severity": bar_chart("Findings by severity", report.summary["by_severity"], COLOURS),
        "family": bar_chart("Findings by rule family", report.summary["by_family"]),
        "data_map": data_map(report.inventory, report.recipients),
    }
    return environment.from_string(template_text).render(
        meta=report.meta,
        summary=report.summary,
        inventory=report.inventory,
        recipients=report.recipients,
        findings=report.findings,
        accepted=report.accepted,
        processing=report.processing,
        stale_declarations=report.stale_declarations,
        charts=charts,
        matrix=matrix(report.inventory, report.recipients),
        limit=HTML_LIST_LIMIT,
    )


def render_markdown(report: Report, catalog: Catalog) -> str:
    """A pull-request comment: short, what is new marked when a baseline is given, locations linked to the
    repository when the CI says where it is (GitHub's and GitLab's variables), no empty tables."""
    summary = report.summary
    coverage = summary["consent_coverage"]
    baseline = summary["baseline"]
    new = f" ({summary['new_findings']} new)" if baseline else ""
    link = source_link()
    lines = [
        "## Privacy risk report",
        "",
        f"{plural(summary['files_scanned'], 'file')} scanned: **{plural(summary['findings'], 'finding')}**{new}, "
        f"{plural(summary['third_parties'], 'third party', 'third parties')} "
        f"{'receives' if summary['third_parties'] == 1 else 'receive'} personal data, consent coverage "
        f"{'n/a' if coverage is None else f'{coverage:.0%}'} ({summary['consent_guarded_flows']} of "
        f"{plural(summary['consent_flows'], 'tracking or marketing flow')} guarded).",
        "",
        "Personal data: " + (", ".join(markdown_cell(c) for c in summary["categories"]) or "none found") + ".",
        "",
        "### Findings",
        "",
    ]
    if report.findings:
        ordered = sorted(report.findings, key=lambda f: not f.new) if baseline else report.findings
        lines += ["| | severity | rule | location | finding |", "| --- | --- | --- | --- | --- |"]
        for f in ordered[:MARKDOWN_ROWS]:
            where = f"`{markdown_cell(f.path)}:{f.line}`"
            where = f"[{where}]({link(f.path, f.line)})" if link else where
            mark = "**new**" if baseline and f.new else ""
            lines.append(f"| {mark} | {f.severity} | {f.rule} | {where} | {markdown_cell(f.message)} |")
        if len(report.findings) > MARKDOWN_ROWS:
            lines.append(f"\n… and {len(report.findings) - MARKDOWN_ROWS} more (see the HTML or JSON report).")
    else:
        lines.append("No findings.")
    lines += ["", "### Third parties", ""]
    external = [r for r in report.recipients if r.service not in INTERNAL_SERVICES]
    if external:
        lines += [
            "| recipient | kind | data | call sites | consent in the code | declared |",
            "| --- | --- | --- | ---: | --- | --- |",
        ]
        for recipient in external[:MARKDOWN_ROWS]:
            accepted = " (accepted)" if recipient.accepted else ""
            lines.append(
                f"| {markdown_cell(recipient.destination)}{accepted} | {recipient.service} | "
                f"{markdown_cell(', '.join(recipient.categories))} | {len(recipient.call_sites)} | "
                f"{recipient.consent} | "
                f"{markdown_cell(_declared(recipient))} |"
            )
        if len(external) > MARKDOWN_ROWS:
            lines.append(f"\n… and {len(external) - MARKDOWN_ROWS} more.")
    else:
        lines.append("No personal data leaves the code for a third party.")
    if report.accepted:
        lines += [
            "",
            f"{plural(len(report.accepted), 'accepted risk')} (suppressed with a reason) in the full report.",
        ]
    return "\n".join(lines) + "\n"


def _declared(recipient: Recipient) -> str:
    declaration = recipient.declaration
    if declaration is None:
        return "no"
    said = ", ".join(part for part in (declaration.purpose, declaration.legal_basis) if part) or "yes"
    return said + (f"; not for {', '.join(recipient.undeclared)}" if recipient.undeclared else "")


def source_link() -> Callable[[str, int], str] | None:
    """Links to the reviewed commit's files: GitHub Actions (GITHUB_SERVER_URL, GITHUB_REPOSITORY, GITHUB_SHA)
    or GitLab CI (CI_PROJECT_URL, CI_COMMIT_SHA); None elsewhere."""
    env = os.environ
    if env.get("GITHUB_REPOSITORY") and env.get("GITHUB_SHA"):
        base = (
            f"{env.get('GITHUB_SERVER_URL', 'https://github.com')}/{env['GITHUB_REPOSITORY']}/blob/{env['GITHUB_SHA']}"
        )
    elif env.get("CI_PROJECT_URL") and env.get("CI_COMMIT_SHA"):
        base = f"{env['CI_PROJECT_URL']}/-/blob/{env['CI_COMMIT_SHA']}"
    else:
        return None
    return lambda path, line: f"{base}/{quote(path.removeprefix('./'))}#L{line}"


def render_csv(report: Report, catalog: Catalog) -> str:
    """One row per (data category, destination) pair, for spreadsheets."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(
        ["category_id", "category", "sensitivity", "destination", "kind", "flows", "consent_guarded", "call_sites"]
    )
    for category in report.inventory:
        pairs = Counter((f.destination, f.service) for f in category.flows)
        for (destination, service), count in sorted(pairs.items()):
            flows = [f for f in category.flows if f.destination == destination and f.service == service]
            guarded = sum(1 for f in flows if f.guarded)
            sites = sorted({f"{f.path}:{f.line}" for f in flows})
            writer.writerow(
                [
                    category.id,
                    category.label,
                    category.sensitivity,
                    _spreadsheet_safe(destination),
                    service,
                    count,
                    guarded,
                    _spreadsheet_safe(" ".join(sites)),
                ]
            )
    return out.getvalue()


def render_json(report: Report, catalog: Catalog) -> str:
    return report.to_json()


RENDERERS = {"html": render_html, "markdown": render_markdown, "json": render_json, "csv": render_csv}


def markdown_cell(text: str) -> str:
    """Text from scanned code in a Markdown table cell: no pipes, no line breaks, no HTML."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _spreadsheet_safe(text: str) -> str:
    """Cells a spreadsheet would run as formulas (CSV injection) start with a quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
