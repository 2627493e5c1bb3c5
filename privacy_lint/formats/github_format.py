"""GitHub Actions workflow commands: one annotation per finding on the pull request's files."""

from __future__ import annotations

from privacy_lint.findings import ScanResult

_LEVEL = {"error": "error", "warning": "warning", "note": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(result: ScanResult, root: str) -> str:
    lines = []
    for f in result.findings:
        span = f.span
        lines.append(
            f"::{_LEVEL[f.severity]} file={_property(f.path)},line={span.line},col={span.col + 1},"
            f"endLine={max(span.end_line, span.line)},title={_property(f.rule + ' ' + f.destination)}"
            f"::{_data(f.rule + ' ' + f.message)}"
        )
    for d in result.diagnostics:
        where = f"file={_property(d.path)}" + (f",line={d.line}" if d.line else "")
        lines.append(f"::warning {where},title=privacy-lint::{_data(d.message)}")
    return "".join(line + "\n" for line in lines)
