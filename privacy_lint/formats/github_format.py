"""GitHub Actions workflow commands: one annotation per finding on the pull request's files.

GitHub shows at most 10 annotations of each kind (error, warning, notice) per step (actions/toolkit
docs/problem-matchers.md): the riskiest findings become annotations, the rest are listed in the log, and a
notice says how many were left out. With $GITHUB_STEP_SUMMARY set, every finding also goes into the job
summary as a Markdown table.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

from privacy_lint.findings import Finding, ScanResult, plural
from privacy_lint.rules import RULES

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}
PER_KIND = 10  # annotations GitHub shows per kind and step
SUMMARY_BYTES = 1024 * 1024  # GitHub's cap on a step's summary


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _annotation(f: Finding) -> str:
    span = f.span
    return (
        f"::{_LEVEL[f.severity]} file={_property(f.path)},line={span.line},col={span.col + 1},"
        f"endLine={max(span.end_line, span.line)},title={_property(f.rule + ' ' + f.destination)}"
        f"::{_data(f.rule + ' ' + f.message)}"
    )


def render(result: ScanResult, root: str) -> str:
    findings = list(result.findings)
    used: Counter[str] = Counter()
    lines = []
    for d in result.diagnostics:  # a file not analysed comes first: the scan is incomplete
        used["warning"] += 1
        where = f"file={_property(d.path)}" + (f",line={d.line}" if d.line else "")
        lines.append(f"::warning {where},title=privacy-lint::{_data(d.message)}")
    left_out = []
    for f in sorted(findings, key=lambda f: (("error", "warning", "note").index(f.severity), RULES[f.rule].risk)):
        kind = _LEVEL[f.severity]
        if used[kind] < PER_KIND:
            used[kind] += 1
            lines.append(_annotation(f))
        else:
            left_out.append(f)
    for f in left_out:  # in the log, where GitHub shows every line
        lines.append(f"{f.path}:{f.span.line}:{f.span.col + 1}: {f.rule} [{f.severity}] {f.message}")
    if left_out:
        lines.append(
            f"::notice title=privacy-lint::{plural(len(left_out), 'more finding')} not shown "
            f"as annotations (GitHub shows {PER_KIND} of each kind per step): see the log above or the job summary"
        )
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as out:
            out.write(step_summary(findings))
    return "".join(line + "\n" for line in lines)


def step_summary(findings: list[Finding]) -> str:
    """Every finding as a Markdown table, within GitHub's size cap for a step summary."""
    heading = f"## privacy-lint: {plural(len(findings), 'finding')}\n\n"
    if not findings:
        return heading + "No personal data reaches a log, a third party or tracking without consent.\n"
    rows = ["| rule | severity | where | what |", "| --- | --- | --- | --- |"]
    size = len(heading) + sum(len(r) + 1 for r in rows)
    for shown, f in enumerate(findings):
        message = f.message.replace("|", "\\|")
        row = f"| {f.rule} | {f.severity} | `{f.path}:{f.span.line}` | {message} |"
        if size + len(row) + 200 > SUMMARY_BYTES:
            rows.append(f"\n{len(findings) - shown} more not shown (the summary's size limit); see the log.")
            break
        rows.append(row)
        size += len(row) + 1
    return heading + "\n".join(rows) + "\n"
