"""flake8-style lines: `path:line:col: PRV001 message`, then a one-line summary."""

from __future__ import annotations

from collections import Counter

from privacy_lint.findings import NOTE_KINDS, ScanResult


def render(result: ScanResult, root: str) -> str:
    lines = []
    findings = list(result.findings)
    for finding in findings:
        lines.append(f"{finding.path}:{finding.span.line}:{finding.span.col + 1}: {finding.rule} {finding.message}")
    unused = [note for r in result.files for note in r.unused_suppressions]
    for note in unused:
        codes = f" ({', '.join(note.codes)})" if note.codes else ""
        lines.append(f"{note.path}:{note.line}:1: unused suppression{codes}: it silences no finding")
    counts = Counter(f.rule for f in findings)
    files = len(result.files)
    if findings:
        by_rule = ", ".join(f"{rule}: {n}" for rule, n in sorted(counts.items()))
        summary = (
            f"{len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} file"
            f"{'s' if files != 1 else ''} scanned ({by_rule})"
        )
    else:
        summary = f"no findings in {files} file{'s' if files != 1 else ''} scanned"
    suppressed = sum(len(r.suppressed) for r in result.files)
    if suppressed:
        summary += f"; {suppressed} suppressed"
    if unused:
        summary += f"; {len(unused)} unused suppression{'s' if len(unused) != 1 else ''}"
    failed = sum(1 for d in result.diagnostics if d.kind not in NOTE_KINDS)
    if failed:
        summary += f"; {failed} not analysed (see above)"
    reasonless = sum(1 for d in result.diagnostics if d.kind == "suppression-without-reason")
    if reasonless:
        summary += f"; {reasonless} suppression{'s' if reasonless != 1 else ''} without a reason (see above)"
    notes = len(result.diagnostics) - failed - reasonless
    if notes:
        summary += f"; {notes} note{'s' if notes != 1 else ''} on the project (see above)"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def render_diagnostics(result: ScanResult) -> str:
    out = []
    for diag in result.diagnostics:
        where = f"{diag.path}:{diag.line}:{diag.col}" if diag.line else diag.path
        out.append(f"privacy-lint: {where}: {diag.message}")
    return "\n".join(out) + ("\n" if out else "")
