from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.analyser import Analyser

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SARIF_SCHEMA = ROOT.parent / "shared" / "schemas" / "sarif-schema-2.1.0.json"


@pytest.fixture(scope="session")
def engine() -> Analyser:
    return Analyser(default_catalog())


@pytest.fixture(scope="session")
def cli() -> str:
    """The installed console script: tests drive the real CLI end to end."""
    beside = Path(sys.executable).parent / "privacy-lint"
    path = str(beside) if beside.is_file() else shutil.which("privacy-lint")
    assert path, "privacy-lint is not installed in this environment (pip install '.[test]')"
    return path


def analyse(engine: Analyser, source: str, path: str = "example.py") -> list[tuple[int, str]]:
    result = engine.analyse_source(source, path)
    assert not result.diagnostics, result.diagnostics
    return [(f.span.line, f.rule) for f in result.findings]
