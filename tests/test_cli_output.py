"""What a person sees: severities, code frames, colour, statistics, exit codes, stdin, baselines, `explain`
and `config`."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

SAMPLE = FIXTURES / "sample_service"


def test_lines_say_the_severity_and_show_source_frames_the_code() -> None:
    plain = run_cli(["check", "--no-cache", str(SAMPLE)])
    assert plain.returncode == 1
    first = plain.stdout.splitlines()[0]
    assert ": PRV001 [warning] IP address (request.remote_addr)" in first
    framed = run_cli(["check", "--no-cache", "--show-source", str(SAMPLE)]).stdout
    assert 'logger.warning("admin area requested from %s", request.remote_addr)' in framed
    assert "^^^^^^^^^^^^^^^^^^^ IP address: request.remote_addr" in framed
    assert "= help: log a pseudonymous id instead" in framed
    assert "= see: privacy-lint explain PRV001 (personal-data-in-log)" in framed


@pytest.mark.parametrize(
    ("env", "coloured"),
    [({}, False), ({"FORCE_COLOR": "1"}, True), ({"FORCE_COLOR": "1", "NO_COLOR": "1"}, False)],
)
def test_colour_follows_no_color_and_force_color(env: dict[str, str], coloured: bool) -> None:
    done = run_cli(["check", "--no-cache", str(SAMPLE)], env={"NO_COLOR": "", "FORCE_COLOR": "", **env})
    assert ("\033[" in done.stdout) is coloured


def test_statistics_and_exit_zero() -> None:
    done = run_cli(["check", "--no-cache", "--statistics", "--exit-zero", str(SAMPLE)])
    assert done.returncode == 0
    assert "  PRV201  tracking-without-consent" in done.stdout
    assert "  email address" in done.stdout
    machine = run_cli(["check", "--no-cache", "--statistics", "--format", "json", str(SAMPLE)])
    json.loads(machine.stdout)  # statistics go to stderr, the JSON stays whole
    assert "PRV201" in machine.stderr


def test_a_buffer_on_stdin_is_checked_as_the_file_it_names() -> None:
    code = (SAMPLE / "app.py").read_text(encoding="utf-8")
    done = run_cli(["check", "-", "--stdin-filename", str(SAMPLE / "app.py")], stdin=code)
    assert done.returncode == 1
    assert f"{SAMPLE / 'app.py'}:30:13: PRV001" in done.stdout
    clean = run_cli(["check", "-", "--stdin-filename", str(SAMPLE / "app.py")], stdin="x = 1\n")
    assert clean.returncode == 0


def test_baseline_hidden_counted_subsets_not_stale_and_stale_pruned(tmp_path: Path) -> None:
    service = tmp_path / "service"
    shutil.copytree(SAMPLE, service)
    baseline = tmp_path / "baseline.json"
    run_cli(["check", "--no-cache", "--write-baseline", str(baseline), "."], service)
    total = len(json.loads(baseline.read_text())["findings"])
    again = run_cli(["check", "--no-cache", "--baseline", str(baseline), "."], service)
    assert again.returncode == 0 and f"{total} findings hidden by the baseline" in again.stdout
    one = run_cli(["check", "--no-cache", "--baseline", str(baseline), "app.py"], service)
    assert "stale" not in one.stderr  # the other files' entries are not judged by a check of one file
    (service / "app.py").write_text("x = 1\n")
    pruned = run_cli(["check", "--no-cache", "--baseline", str(baseline), "--prune-baseline", "."], service)
    assert "stale baseline entry" in pruned.stderr and "removed" in pruned.stderr
    assert len(json.loads(baseline.read_text())["findings"]) < total
    assert "stale" not in run_cli(["check", "--no-cache", "--baseline", str(baseline), "."], service).stderr


def test_explain_takes_ids_and_names_and_says_how_to_suppress() -> None:
    by_name = run_cli(["explain", "tracking-without-consent"])
    assert by_name.returncode == 0 and by_name.stdout.startswith("PRV201 tracking-without-consent")
    assert "How to suppress" in by_name.stdout and "privacy-lint: ignore[PRV201]" in by_name.stdout
    wrong = run_cli(["explain", "personal-data-in-logs"])
    assert wrong.returncode == 2 and "did you mean 'personal-data-in-log'" in wrong.stderr


def test_config_prints_toml_that_reads_back(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.privacy-lint]\nignore = ["PRV2"]\nper-file-ignores = { "tests/*" = ["PRV001"] }\n'
        '[[tool.privacy-lint.sinks]]\ncalls = "shop.audit.emit"\ndestination = "Audit"\nservice = "log"\n'
    )
    printed = run_cli(["config"], tmp_path).stdout
    assert 'ignore = ["PRV2"]  # pyproject.toml' in printed and 'min-severity = "note"  # default' in printed
    table = tomllib.loads(printed)["tool"]["privacy-lint"]
    assert table["ignore"] == ["PRV2"] and table["per-file-ignores"] == {"tests/*": ["PRV001"]}
    assert table["sinks"] == [{"calls": "shop.audit.emit", "destination": "Audit", "service": "log"}]
    (tmp_path / "pyproject.toml").write_text(printed)
    assert run_cli(["config"], tmp_path).stdout.replace("# default", "# pyproject.toml").count("\n") == printed.count(
        "\n"
    )


def test_a_misspelt_table_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.privacy_lint]\nignore = ["PRV2"]\n')
    (tmp_path / "a.py").write_text("x = 1\n")
    done = run_cli(["check", "."], tmp_path)
    assert done.returncode == 2 and "did you mean [tool.privacy-lint]?" in done.stderr
