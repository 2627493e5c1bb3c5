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
from privacy_lint.packs.catalog import Catalog
from privacy_lint.rules import FAMILY_OF

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


def compare(path: Path, findings: Iterable[Finding]) -> tuple[set[tuple[int, str]], set[tuple[int, str]]]:
    """(missing, extra) (line, rule) pairs for one labelled file."""
    expected = expected_findings(path.read_text(encoding="utf-8"))
    actual = {(f.span.line, f.rule) for f in findings}
    return expected - actual, actual - expected


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


def corpus_results(catalog: Catalog, folders: Iterable[Path]) -> list[tuple[Path, list[Finding]]]:
    """(file, findings) for every file of labelled corpora, scanned as the CLI scans them (project index
    included); each sub-folder of a corpus is one project, loose files at its top are another."""
    from privacy_lint.project.scan import scan

    results: list[tuple[Path, list[Finding]]] = []
    for folder in folders:
        projects = [*sorted(p for p in folder.iterdir() if p.is_dir()), folder]
        for project in projects:
            files = [str(p) for p in (sorted(project.glob("*.py")) if project == folder else [project])]
            if files:
                results.extend((Path(r.path), r.findings) for r in scan(files, catalog, jobs=1).files)
    return results
