"""Labelled fixtures: `# expect: PRV001, PRV101` on the line a finding is reported on.

Used by the test suite (exact expected findings per file) and by the benchmark (precision and recall per rule
family). A line without a marker must produce no finding.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from privacy_lint.findings import Finding

_MARKER = re.compile(r"#\s*expect:\s*([A-Z]{3}\d{3}(?:\s*,\s*[A-Z]{3}\d{3})*)")


def expected_findings(source: str) -> set[tuple[int, str]]:
    """(line, rule) pairs from the markers in `source`."""
    expected: set[tuple[int, str]] = set()
    for number, line in enumerate(source.splitlines(), start=1):
        match = _MARKER.search(line)
        if match:
            expected.update((number, code.strip()) for code in match.group(1).split(","))
    return expected


@dataclass
class Tally:
    true_positives: int = 0
    false_positives: list[str] = field(default_factory=list)
    false_negatives: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        reported = self.true_positives + len(self.false_positives)
        return self.true_positives / reported if reported else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + len(self.false_negatives)
        return self.true_positives / wanted if wanted else 1.0


def compare(
    path: Path, findings: Iterable[Finding], display: str | None = None
) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(missing, extra) (line, rule) pairs for one labelled file."""
    expected = expected_findings(path.read_text(encoding="utf-8"))
    actual = {(f.span.line, f.rule) for f in findings}
    return expected - actual, actual - expected


FAMILY_OF = {"PRV001": "logs", "PRV002": "logs", "PRV101": "third-party", "PRV102": "third-party", "PRV201": "consent"}


def score(files: Iterable[tuple[Path, Iterable[Finding]]]) -> dict[str, Tally]:
    """Precision/recall per rule family over labelled files; a (line, rule) pair is the unit."""
    tallies: dict[str, Tally] = {family: Tally() for family in dict.fromkeys(FAMILY_OF.values())}
    for path, findings in files:
        expected = expected_findings(path.read_text(encoding="utf-8"))
        actual = {(f.span.line, f.rule) for f in findings}
        for _, rule in expected & actual:
            tallies[FAMILY_OF[rule]].true_positives += 1
        for line, rule in sorted(actual - expected):
            tallies[FAMILY_OF[rule]].false_positives.append(f"{path}:{line} {rule}")
        for line, rule in sorted(expected - actual):
            tallies[FAMILY_OF[rule]].false_negatives.append(f"{path}:{line} {rule}")
    return tallies
