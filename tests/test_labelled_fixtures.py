"""Every labelled fixture gives exactly the findings its `# expect:` markers name: a missing or extra finding fails.

The realistic holdout corpus (fixtures/realistic) is measured by the benchmark instead: its thresholds are
checked in test_benchmark.py, so tuning to it shows up as numbers, not as green tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from privacy_lint.fixture_labels import compare, expected_findings
from privacy_lint.project.analyser import Analyser

from .conftest import FIXTURES

LABELLED = sorted([*(FIXTURES / "rules").rglob("*.py"), *(FIXTURES / "sample_service").rglob("*.py")])


@pytest.mark.parametrize("path", LABELLED, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_findings_match_labels(engine: Analyser, path: Path) -> None:
    result = engine.analyse_path(path, str(path))
    assert not result.diagnostics
    missing, extra = compare(path, result.findings)
    lines = path.read_text(encoding="utf-8").splitlines()
    report = [f"missing {rule} at line {n}: {lines[n - 1].strip()}" for n, rule in sorted(missing)]
    report += [f"unexpected {rule} at line {n}: {lines[n - 1].strip()}" for n, rule in sorted(extra)]
    assert not report, "\n".join(report)


def test_every_rule_has_positive_fixtures() -> None:
    seen = set()
    for path in LABELLED:
        seen.update(rule for _, rule in expected_findings(path.read_text(encoding="utf-8")))
    assert seen >= {"PRV001", "PRV002", "PRV101", "PRV102", "PRV201"}


def test_fixtures_have_negatives() -> None:
    """Each topic file has look-alikes that must stay quiet (documented with `# ok:`)."""
    for path in (FIXTURES / "rules").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "# ok" in text, f"{path} has no documented negative"
