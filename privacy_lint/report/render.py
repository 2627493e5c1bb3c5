"""`privacy-lint report` output: one self-contained HTML file, Markdown for a pull-request comment, JSON (the
full inventory, docs/report.md) and CSV (one row per data category and destination)."""

from __future__ import annotations

import csv
import io
from collections import Counter
from importlib import resources

from privacy_lint.packs.catalog import Catalog
from privacy_lint.report.inventory import Report
from privacy_lint.rules import INTERNAL_SERVICES

MARKDOWN_ROWS = 25  # a PR comment stays readable (and under GitHub's 65,536 characters)
HTML_LIST_LIMIT = 30


def render_html(report: Report, catalog: Catalog) -> str:
    import jinja2  # only this format needs it

    from privacy_lint.report.charts import COLOURS, bar_chart, data_map

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
        charts=charts,
        limit=HTML_LIST_LIMIT,
        consent_services=catalog.consent_services,
    )


def render_markdown(report: Report, catalog: Catalog) -> str:
    summary = report.summary
    coverage = summary["consent_coverage"]
    lines = [
        "## Privacy risk report",
        "",
        f"{summary['files_scanned']} files scanned: **{summary['findings']} findings** "
        f"({summary['new_findings']} new), {summary['third_parties']} third parties receive personal data, "
        f"consent coverage {'n/a' if coverage is None else f'{coverage:.0%}'} "
        f"({summary['consent_guarded_flows']} of {summary['consent_flows']} tracking/marketing flows guarded).",
        "",
        "Personal data: " + (", ".join(_cell(c) for c in summary["categories"]) or "none found") + ".",
        "",
        "### Findings",
        "",
        "| severity | rule | location | finding |",
        "| --- | --- | --- | --- |",
    ]
    lines += [
        f"| {f.severity} | {f.rule} | `{_cell(f.path)}:{f.line}` | {_cell(f.message)} |"
        for f in report.findings[:MARKDOWN_ROWS]
    ]
    if len(report.findings) > MARKDOWN_ROWS:
        lines.append(f"| | | | … and {len(report.findings) - MARKDOWN_ROWS} more (see the HTML or JSON report) |")
    lines += [
        "",
        "### Third parties",
        "",
        "| recipient | kind | data | call sites | consent |",
        "| --- | --- | --- | ---: | --- |",
    ]
    external = [r for r in report.recipients if r.service not in INTERNAL_SERVICES]
    for recipient in external[:MARKDOWN_ROWS]:
        consent = recipient.consent if recipient.service in catalog.consent_services else "not required"
        lines.append(
            f"| {_cell(recipient.destination)} | {recipient.service} | {_cell(', '.join(recipient.categories))} | "
            f"{len(recipient.call_sites)} | {consent} |"
        )
    if len(external) > MARKDOWN_ROWS:
        lines.append(f"| … and {len(external) - MARKDOWN_ROWS} more | | | | |")
    if report.accepted:
        lines += [
            "",
            f"{len(report.accepted)} accepted risks (suppressed with a reason) are listed in the full report.",
        ]
    return "\n".join(lines) + "\n"


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


def _cell(text: str) -> str:
    """Text from scanned code in a Markdown table cell: no pipes, no line breaks, no HTML."""
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")


def _spreadsheet_safe(text: str) -> str:
    """Cells a spreadsheet would run as formulas (CSV injection) start with a quote."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text
