"""flake8-style lines, `path:line:col: PRV001 [warning] message`, then a one-line summary.

With `show_source`, each finding is followed by a code frame: the source line and the sink line, marked, the
flow between them, a one-line fix hint and where the rule is explained. `colour` adds ANSI colours (the CLI
decides: a terminal, NO_COLOR and FORCE_COLOR).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from privacy_lint.findings import NOTE_KINDS, Finding, ScanResult, Span, plural
from privacy_lint.formats.source import SourceLines
from privacy_lint.rules import RULES

_COLOURS = {"error": "31", "warning": "33", "note": "36", "code": "1", "path": "1", "dim": "2", "mark": "35"}


def _paint(text: str, kind: str, colour: bool) -> str:
    return f"\033[{_COLOURS[kind]}m{text}\033[0m" if colour else text


def render(
    result: ScanResult, root: str, show_source: bool = False, colour: bool = False, notes: Sequence[str] = ()
) -> str:
    """`notes`: what the summary adds (`3 findings hidden by the baseline`)."""
    lines = []
    findings = list(result.findings)
    sources = SourceLines()
    for finding in findings:
        where = _paint(f"{finding.path}:{finding.span.line}:{finding.span.col + 1}:", "path", colour)
        level = _paint(f"[{finding.severity}]", finding.severity, colour)
        lines.append(f"{where} {_paint(finding.rule, 'code', colour)} {level} {finding.message}")
        if show_source:
            lines += _frame(finding, sources, colour)
    unused = [note for r in result.files for note in r.unused_suppressions]
    for note in unused:
        codes = f" ({', '.join(note.codes)})" if note.codes else ""
        lines.append(f"{note.path}:{note.line}:1: unused suppression{codes}: it silences no finding")
    lines.append(summary_line(result, findings, len(unused), notes))
    return "\n".join(lines) + "\n"


def summary_line(result: ScanResult, findings: list[Finding], unused: int, notes: Sequence[str] = ()) -> str:
    files = len(result.files)
    if findings:
        by_rule = ", ".join(f"{rule}: {n}" for rule, n in sorted(Counter(f.rule for f in findings).items()))
        summary = f"{plural(len(findings), 'finding')} in {plural(files, 'file')} scanned ({by_rule})"
    else:
        summary = f"no findings in {plural(files, 'file')} scanned"
    suppressed = sum(len(r.suppressed) for r in result.files)
    if suppressed:
        summary += f"; {suppressed} suppressed"
    if unused:
        summary += f"; {plural(unused, 'unused suppression')}"
    failed = sum(1 for d in result.diagnostics if d.kind not in NOTE_KINDS)
    if failed:
        summary += f"; {failed} not analysed (see above)"
    reasonless = sum(1 for d in result.diagnostics if d.kind == "suppression-without-reason")
    if reasonless:
        summary += f"; {plural(reasonless, 'suppression')} without a reason (see above)"
    project_notes = len(result.diagnostics) - failed - reasonless
    if project_notes:
        summary += f"; {plural(project_notes, 'note')} on the project (see above)"
    for note in notes:
        summary += f"; {note}"
    return summary


def _frame(finding: Finding, sources: SourceLines, colour: bool) -> list[str]:
    """The source line and the sink line, marked; the flow; the fix hint; the rule's explanation."""
    source = finding.sources[0]
    marked: list[tuple[str, Span, str]] = []
    if not source.path:
        marked.append((finding.path, source.span, f"{source.label}: {source.text}"))
    marked.append((finding.path, finding.span, finding.destination))
    out = []
    width = len(str(max(span.line for _, span, _ in marked)))
    gutter = " " * (width + 1) + _paint("|", "dim", colour)
    out.append(gutter)
    shown: set[int] = set()
    for path, span, label in sorted(marked, key=lambda m: m[1].line):
        text = sources.line(path, span.line)
        if text is None:
            continue
        if span.line not in shown:
            out.append(f"{_paint(str(span.line).rjust(width), 'dim', colour)} {_paint('|', 'dim', colour)} {text}")
            shown.add(span.line)
        end = span.end_col if span.end_line == span.line and span.end_col > span.col else len(text)
        carets = " " * span.col + "^" * max(1, end - span.col)
        out.append(f"{gutter} {_paint(carets, 'mark', colour)} {label}")
    if source.path:
        out.append(f"{gutter} source in {source.path}:{source.span.line}: {source.label} ({source.text})")
    steps = [s.text if s.note == "source" else s.note for s in finding.steps[:-1]]
    if len(steps) > 1:
        out.append(f"{' ' * (width + 1)}= flow: {' -> '.join(steps)}")
    rule = RULES[finding.rule]
    out.append(f"{' ' * (width + 1)}= help: {rule.hint}")
    out.append(f"{' ' * (width + 1)}= see: privacy-lint explain {rule.id} ({rule.name})")
    return out


def statistics(findings: Sequence[Finding]) -> str:
    """Counts per rule and per data category (`--statistics`)."""
    lines = []
    for rule, count in sorted(Counter(f.rule for f in findings).items()):
        lines.append(f"{count:6}  {rule}  {RULES[rule].name}")
    categories = Counter(s.label for f in findings for s in {s.label: s for s in f.sources}.values())
    for label, count in sorted(categories.items(), key=lambda item: (-item[1], item[0])):
        lines.append(f"{count:6}  {label}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_diagnostics(result: ScanResult) -> str:
    out = []
    for diag in result.diagnostics:
        where = f"{diag.path}:{diag.line}:{diag.col}" if diag.line else diag.path
        out.append(f"privacy-lint: {where}: {diag.message}")
    return "\n".join(out) + ("\n" if out else "")
