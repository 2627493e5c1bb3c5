"""Input that breaks parsers: one clear diagnostic each, never a crash, and the rest of the scan goes on."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from privacy_lint.project.analyser import Analyser


@pytest.mark.parametrize(
    ("source", "diagnostic"),
    [
        ("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n", "too many nested parentheses"),  # crashed LibCST's parser
        ("def oops(:\n    pass\n", "syntax error"),
        ("print 'python 2'\n", "syntax error"),
        ("".join(" " * i + "if x:\n" for i in range(120)) + " " * 120 + "pass\n", "indentation"),
        ("x = " + "1 + " * 20000 + "1\n", "chaining 20000 operators"),  # LibCST: minutes, then a crash
    ],
)
def test_unparseable_input_is_a_diagnostic(engine: Analyser, source: str, diagnostic: str) -> None:
    result = engine.analyse_source(source, "bad.py")
    assert not result.findings
    [found] = result.diagnostics
    assert diagnostic in found.message


@pytest.mark.parametrize(
    ("source", "rules"),
    [
        ('x = "' + "(" * 5000 + '"\n', []),  # brackets inside a string are not nesting
        ("import logging\nlogging.info(" + "[" * 150 + "email" + "]" * 150 + ")\n", ["PRV001"]),
        ("import logging\nlogging.info(" + "email + " * 1000 + "1)\n", ["PRV001"]),
    ],
)
def test_deeply_nested_but_valid_code_is_analysed(engine: Analyser, source: str, rules: list[str]) -> None:
    result = engine.analyse_source(source, "deep.py")
    assert not result.diagnostics
    assert [f.rule for f in result.findings] == rules


def test_crashing_input_does_not_stop_the_cli(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a_deep.py").write_text("x = " + "(" * 5000 + "1" + ")" * 5000 + "\n")
    (tmp_path / "b_leak.py").write_text("import logging\n\ndef f(email):\n    logging.info(email)\n")
    done = subprocess.run([cli, "check", str(tmp_path)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3  # a finding, and a file that could not be analysed: the scan is incomplete
    assert "b_leak.py:4:5: PRV001" in done.stdout
    assert "a_deep.py:1" in done.stderr and "too many nested parentheses" in done.stderr
