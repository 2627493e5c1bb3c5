from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.analyser import Analyser

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
SCHEMAS = Path(__file__).resolve().parent / "schemas"  # copies kept here, so any clone can validate
SARIF_SCHEMA = SCHEMAS / "sarif-schema-2.1.0.json"
GITLAB_SCHEMA = SCHEMAS / "gitlab-sast-report-format-15.2.4.json"


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


def run_cli(
    args: Sequence[str], cwd: Path | str | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`privacy-lint ARGS` in this process, through click's test runner: what a subprocess would give (exit
    status, stdout, stderr) without starting an interpreter. Tests of the installed script itself (its entry
    point, `python -m`, environment variables) run it in a subprocess instead."""
    from click.testing import CliRunner

    from privacy_lint.cli import main

    here = os.getcwd()
    try:
        if cwd is not None:
            os.chdir(cwd)
        result = CliRunner().invoke(main, list(args), input=stdin, env=env, catch_exceptions=False)
    finally:
        os.chdir(here)
    return subprocess.CompletedProcess(["privacy-lint", *args], result.exit_code, result.stdout, result.stderr)


def flake8_form(output: str) -> list[str]:
    """The CLI's finding lines as flake8 prints them, sorted: without their severity (flake8 has none)."""
    lines = (line for line in output.splitlines() if ": PRV" in line)
    return sorted(re.sub(r" \[(?:error|warning|note)\] ", " ", line) for line in lines)
