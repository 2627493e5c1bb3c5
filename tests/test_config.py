"""`[tool.privacy-lint]` in pyproject.toml: discovery, every key, command-line precedence, clear errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import flake8_form, run_cli

VIEWS = """import logging
import requests
from acme import analytics

log = logging.getLogger(__name__)

def view(request, member, nhs_number):
    log.info("ip %s", request.remote_addr)
    log.info("member %s", member.name)
    log.info("nhs %s", nhs_number)
    requests.post("https://crm.acme.example/x", json={"email": member.email})
    analytics.send("signup", {"email": member.email})
    raise ValueError(f"bad {member.email}")
"""

CONFIG = """[project]
name = "demo"

[tool.privacy-lint]
ignore = ["PRV002"]
per-file-ignores = { "tests/*" = ["PRV0"] }
severity = { PRV001 = "error" }
person-objects = ["member"]
personal-data = { "user.government_id" = ["nhs number"] }
internal-hosts = ["*.acme.example"]
sinks = [{ calls = "acme.analytics.send", destination = "Acme Analytics", service = "analytics" }]
extend-exclude = ["generated/"]
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text(CONFIG)
    for folder in ("src/app", "tests", "generated"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "src/app/views.py").write_text(VIEWS)
    (tmp_path / "tests/test_views.py").write_text(VIEWS)
    (tmp_path / "generated/views.py").write_text(VIEWS)
    return tmp_path


def run(cli: str, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return run_cli(args, cwd)


def _rules(output: str) -> list[tuple[str, str, str]]:
    return [
        (line.split(":")[0], line.split(":")[1], line.split()[1]) for line in output.splitlines() if ": PRV" in line
    ]


def test_every_key_applies(cli: str, project: Path) -> None:
    assert "tests/" not in run(cli, "check", cwd=project).stdout  # test code is skipped by default
    done = run(cli, "check", "--include-tests", cwd=project)
    assert done.returncode == 1, done.stderr
    assert _rules(done.stdout) == [
        ("src/app/views.py", "8", "PRV001"),  # request.remote_addr
        ("src/app/views.py", "9", "PRV001"),  # member.name: person-objects
        ("src/app/views.py", "10", "PRV001"),  # nhs_number: personal-data names
        ("src/app/views.py", "12", "PRV101"),  # acme.analytics.send: sinks; PRV102 to *.acme.example: internal
        ("src/app/views.py", "12", "PRV201"),
        ("tests/test_views.py", "12", "PRV101"),  # per-file-ignores drops PRV0 in tests; generated/ excluded
        ("tests/test_views.py", "12", "PRV201"),
    ]
    document = json.loads(run(cli, "check", "--format", "json", "src", cwd=project).stdout)
    assert {f["rule"]: f["severity"] for f in document["findings"]}["PRV001"] == "error"


def test_config_is_found_from_a_subdirectory_and_the_command_line_wins(cli: str, project: Path) -> None:
    inside = run(cli, "check", "app", cwd=project / "src")
    assert [r[2] for r in _rules(inside.stdout)] == ["PRV001", "PRV001", "PRV001", "PRV101", "PRV201"]
    selected = run(cli, "check", "--select", "PRV2", "app", cwd=project / "src")
    assert [r[2] for r in _rules(selected.stdout)] == ["PRV201"]
    ignored = run(cli, "check", "--ignore", "PRV0", "app", cwd=project / "src")  # replaces the file's ignore
    assert [r[2] for r in _rules(ignored.stdout)] == ["PRV101", "PRV201"]
    nothing_ignored = run(cli, "check", "--ignore", "PRV101", "app", cwd=project / "src")
    assert "PRV002" in [r[2] for r in _rules(nothing_ignored.stdout)]


def test_config_command_names_each_origin(cli: str, project: Path) -> None:
    done = run(cli, "config", "--config", str(project / "pyproject.toml"), cwd=project)
    assert done.returncode == 0
    assert 'ignore = ["PRV002"]  # pyproject.toml' in done.stdout
    assert 'min-severity = "note"  # default' in done.stdout
    assert "[[tool.privacy-lint.sinks]]  # pyproject.toml" in done.stdout


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ('ignor = ["PRV002"]', "ignor: unknown key (did you mean 'ignore'?)"),
        ('ignore = "PRV002"', "ignore: expected a list of strings"),
        ('select = ["PRV9"]', "select: 'PRV9' matches no rule"),
        ('severity = { PRV001 = "fatal" }', "severity.PRV001: 'fatal' is not one of note, warning, error"),
        ('personal-data = { "user.nope" = ["x"] }', "personal-data.user.nope: unknown data category"),
        ('sinks = [{ calls = "a.b", destination = "A", service = "analitics" }]', "did you mean 'analytics'"),
        ('sinks = [{ call = "a.b", destination = "A", service = "analytics" }]', "sinks[0].call: unknown key"),
        ('rule-packs = ["missing.toml"]', "rule-packs: no such rule pack"),
        ("[broken", "invalid TOML"),
    ],
)
def test_bad_configuration_is_exit_two_with_file_and_key(cli: str, project: Path, setting: str, message: str) -> None:
    (project / "pyproject.toml").write_text(f"[tool.privacy-lint]\n{setting}\n")
    done = run(cli, "check", "src", cwd=project)
    assert done.returncode == 2
    assert str(project / "pyproject.toml") in done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def test_flake8_reads_the_same_configuration(cli: str, project: Path) -> None:
    import sys

    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV", "src", "tests"],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
    )
    ours = run(cli, "check", "src", "tests", cwd=project)
    assert sorted(flake8.stdout.splitlines()) == flake8_form(ours.stdout)
    assert "member.name" in flake8.stdout and "PRV002" not in flake8.stdout


def test_flake8_reports_bad_configuration_without_a_traceback(project: Path) -> None:
    import sys

    (project / "pyproject.toml").write_text('[tool.privacy-lint]\nignor = ["PRV002"]\n')
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV", "src"], capture_output=True, text=True, cwd=project
    )
    assert "PRV000 privacy-lint configuration error" in done.stdout and "did you mean 'ignore'" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
