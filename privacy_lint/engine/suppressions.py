"""Inline suppressions: `# noqa`, `# noqa: PRV001`, and `# privacy-lint: ignore[PRV101] reason`.

`noqa` follows flake8: a bare `# noqa` silences every rule on the line, codes are matched as prefixes
(`# noqa: PRV1`). `# privacy-lint: ignore[...]` names the rules and may give a reason, which reports keep as the
accepted risk. A suppression applies to the lines of the reported call.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from privacy_lint.findings import Finding

_NOQA = re.compile(r"#\s*noqa(?::\s*(?P<codes>[A-Z]+[0-9]*(?:[,\s]+[A-Z]+[0-9]*)*))?", re.IGNORECASE)
_IGNORE = re.compile(r"#\s*privacy-lint:\s*ignore\[(?P<codes>[^\]]*)\]\s*(?P<reason>[^#]*)")


@dataclass
class Suppression:
    line: int
    codes: tuple[str, ...]  # empty: every rule (bare noqa)
    reason: str
    kind: str  # "noqa" | "ignore"
    used: bool = False

    def matches(self, rule: str) -> bool:
        return not self.codes or rule.startswith(self.codes)


@dataclass
class Suppressed:
    finding: Finding
    suppression: Suppression


@dataclass
class SuppressionResult:
    kept: list[Finding] = field(default_factory=list)
    suppressed: list[Suppressed] = field(default_factory=list)
    without_reason: list[Suppression] = field(default_factory=list)


def parse_suppressions(lines: list[str], noqa: bool = True) -> dict[int, list[Suppression]]:
    """Suppression comments by line number; only lines that can hold one are searched."""
    found: dict[int, list[Suppression]] = {}
    for number, text in enumerate(lines, start=1):
        if "#" not in text:
            continue
        for match in _IGNORE.finditer(text):
            codes = tuple(c.strip().upper() for c in match.group("codes").split(",") if c.strip())
            found.setdefault(number, []).append(Suppression(number, codes, match.group("reason").strip(), "ignore"))
        for match in _NOQA.finditer(text) if noqa else ():
            raw = match.group("codes")
            codes = tuple(c.upper() for c in re.split(r"[,\s]+", raw) if c) if raw else ()
            found.setdefault(number, []).append(Suppression(number, codes, "", "noqa"))
    return found


def apply_suppressions(
    findings: list[Finding], suppressions: dict[int, list[Suppression]], require_reason: bool = False
) -> SuppressionResult:
    result = SuppressionResult()
    rejected: set[int] = set()
    for finding in findings:
        match = None
        for line in range(finding.span.line, max(finding.span.end_line, finding.span.line) + 1):
            for suppression in suppressions.get(line, ()):
                if suppression.matches(finding.rule):
                    match = suppression
                    break
            if match:
                break
        if match is not None and require_reason and not match.reason:
            if id(match) not in rejected:
                rejected.add(id(match))
                result.without_reason.append(match)
            match = None
        if match is None:
            result.kept.append(finding)
        else:
            match.used = True
            result.suppressed.append(Suppressed(finding, match))
    return result


def unused_suppressions(suppressions: dict[int, list[Suppression]]) -> list[Suppression]:
    """Suppressions that name privacy-lint rules and silenced nothing (a bare `# noqa` may serve other tools)."""
    unused = []
    for items in suppressions.values():
        for suppression in items:
            if suppression.used:
                continue
            if suppression.kind == "ignore" or any(code.startswith("PRV") for code in suppression.codes):
                unused.append(suppression)
    return sorted(unused, key=lambda s: s.line)
