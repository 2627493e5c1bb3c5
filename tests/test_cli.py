"""The installed CLI, end to end, as a user runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, SARIF_SCHEMA, run_cli

LEAKY = (
    "import logging\nlogger = logging.getLogger(__name__)\n\ndef login(request):\n"
    '    logger.info("login from %s", request.remote_addr)\n'
)
CLEAN = (
    "import logging\nlogger = logging.getLogger(__name__)\n\ndef login(user):\n"
    '    logger.info("login for user %s", user.id)\n'
)


def run(cli: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli(args, cwd)


def test_sample_service_reports_findings(cli: str) -> None:
    done = run(cli, "check", str(FIXTURES / "sample_service"))
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert any(": PRV001 " in line for line in lines)
    assert any(": PRV201 " in line for line in lines)
    first = lines[0].split(":")
    assert first[0].endswith(".py") and first[1].isdigit() and first[2].isdigit()
    assert "finding" in lines[-1] and "files scanned" in lines[-1]


def test_clean_code_exits_zero(cli: str, tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(CLEAN)
    done = run(cli, "check", str(tmp_path))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no findings in 1 file scanned" in done.stdout


def test_broken_file_does_not_stop_the_scan(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a_broken.py").write_text("def oops(:\n    pass\n")
    (tmp_path / "b_binary.py").write_bytes(b"\x00\x01\x02binary")
    (tmp_path / "c_latin1.py").write_bytes(b"# -*- coding: latin-1 -*-\nname = '\xe9'\n")
    (tmp_path / "d_leaky.py").write_text(LEAKY)
    done = run(cli, "check", str(tmp_path))
    assert done.returncode == 3  # findings, and files that could not be analysed
    assert "d_leaky.py:5:5: PRV001" in done.stdout
    assert "a_broken.py:1" in done.stderr and "syntax error" in done.stderr
    assert "b_binary.py" in done.stderr and "binary" in done.stderr
    assert "c_latin1.py" not in done.stderr
    assert "Traceback" not in done.stderr


def test_select_and_ignore(cli: str) -> None:
    sample = str(FIXTURES / "sample_service")
    selected = run(cli, "check", "--select", "PRV2", sample)
    assert selected.stdout.count(": PRV201 ") >= 1 and ": PRV001 " not in selected.stdout
    ignored = run(cli, "check", "--ignore", "PRV0,PRV1", sample)
    assert ": PRV001 " not in ignored.stdout and ": PRV201 " in ignored.stdout


@pytest.mark.parametrize(
    "args",
    [["check", "--select", "XYZ9", "."], ["check", "no/such/path"], ["explain", "PRV999"], ["check", "--format", "x"]],
)
def test_usage_errors_exit_two(cli: str, tmp_path: Path, args: list[str]) -> None:
    done = run(cli, *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr


def test_broken_rule_pack_is_a_clear_error(cli: str, tmp_path: Path) -> None:
    pack = tmp_path / "pack.toml"
    pack.write_text('[[sinks]]\nid = "x"\ndestination = "X"\nservice = "analytics"\ncals = ["x"]\n')
    (tmp_path / "ok.py").write_text(CLEAN)
    done = run(cli, "check", "--rule-pack", str(pack), str(tmp_path))
    assert done.returncode == 2
    assert "pack.toml" in done.stderr and "sinks[0].cals" in done.stderr and "did you mean 'calls'" in done.stderr
    assert "Traceback" not in done.stderr


def test_json_output(cli: str, tmp_path: Path) -> None:
    (tmp_path / "leaky.py").write_text(LEAKY)
    done = run(cli, "check", "--format", "json", str(tmp_path))
    document = json.loads(done.stdout)
    assert document["schema_version"] == 1
    [finding] = document["findings"]
    assert finding["rule"] == "PRV001"
    assert finding["categories"] == ["user.device.ip_address"]
    assert finding["sources"][0]["text"] == "request.remote_addr"
    assert finding["sources"][0]["confidence"] == "high"
    assert finding["destination"] == "application log"
    assert finding["steps"][0]["note"] == "source"


def _sarif(cli: str, target: Path) -> dict:  # type: ignore[type-arg]
    done = run(cli, "check", "--format", "sarif", str(target))
    assert done.returncode in (0, 1, 3), done.stderr
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def test_sarif_validates_against_the_official_schema(cli: str, tmp_path: Path) -> None:
    import jsonschema

    schema = json.loads(SARIF_SCHEMA.read_text())  # the OASIS schema, kept in tests/schemas
    (tmp_path / "broken.py").write_text("def oops(:\n")
    (tmp_path / "leaky.py").write_text(LEAKY)
    for target in (FIXTURES / "rules", FIXTURES / "sample_service", tmp_path):
        document = _sarif(cli, target)
        jsonschema.Draft4Validator(schema).validate(document)
    run_ = document["runs"][0]
    assert {r["id"] for r in run_["tool"]["driver"]["rules"]} == {
        "PRV001",
        "PRV002",
        "PRV101",
        "PRV102",
        "PRV201",
        "PRV202",
    }
    assert run_["invocations"][0]["toolExecutionNotifications"], "parse error must be reported in SARIF"
    result = run_["results"][0]
    assert result["codeFlows"][0]["threadFlows"][0]["locations"]
    region = result["locations"][0]["physicalLocation"]["region"]
    assert "logging" in region["snippet"]["text"] or "log" in region["snippet"]["text"]
    assert result["locations"][0]["physicalLocation"]["contextRegion"]["snippet"]["text"]
    driver = run_["tool"]["driver"]
    assert driver["fullName"].startswith("privacy-lint ") and driver["semanticVersion"]
    assert run_["automationDetails"]["id"] == "privacy-lint/"
    tags = {tag for rule in driver["rules"] for tag in rule["properties"]["tags"]}
    assert {"external/cwe/cwe-532", "external/cwe/cwe-359", "security", "privacy"} <= tags
    assert all("**Suppress.**" in rule["help"]["markdown"] for rule in driver["rules"])
    assert result["partialFingerprints"]["privacyLint/v1"]


def test_sarif_fingerprints_survive_unrelated_edits(cli: str, tmp_path: Path) -> None:
    source = tmp_path / "leaky.py"
    source.write_text(LEAKY)
    before = [r["partialFingerprints"] for r in _sarif(cli, tmp_path)["runs"][0]["results"]]
    source.write_text("# a comment\nimport os\n\n\n" + LEAKY + "\ndef other():\n    return 1\n")
    after_results = _sarif(cli, tmp_path)["runs"][0]["results"]
    assert [r["partialFingerprints"] for r in after_results] == before
    assert after_results[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 9


def test_rules_and_explain(cli: str) -> None:
    listing = run(cli, "rules")
    assert listing.returncode == 0
    assert all(code in listing.stdout for code in ("PRV001", "PRV002", "PRV101", "PRV102", "PRV201"))
    explained = run(cli, "explain", "prv201")
    assert explained.returncode == 0
    assert "consent" in explained.stdout and "Example that fires" in explained.stdout


def test_python_dash_m_and_packs_from_another_directory(tmp_path: Path) -> None:
    """The rule packs ship inside the package: they load whatever the working directory."""
    (tmp_path / "leaky.py").write_text(LEAKY)
    done = subprocess.run(
        [sys.executable, "-m", "privacy_lint", "check", "leaky.py"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "leaky.py:5:5: PRV001" in done.stdout
    probe = subprocess.run(
        [
            sys.executable,
            "-c",
            "from privacy_lint.packs.loader import builtin_pack_paths as b;print(len(b()), b()[0].parent)",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    count, folder = probe.stdout.split(maxsplit=1)
    assert int(count) >= 6 and Path(folder.strip()).is_dir()


def test_parallel_and_serial_runs_agree(cli: str) -> None:
    corpus = str(FIXTURES / "projects_b")  # import cycles and flows across modules, enough files for the pool
    serial = run(cli, "check", "--no-cache", "--jobs", "1", corpus)
    parallel = run(cli, "check", "--no-cache", "--jobs", "2", corpus)  # the first pass runs in the pool too
    assert serial.stdout == parallel.stdout
    assert serial.stdout.count(": PRV") > 100


def test_output_does_not_depend_on_hash_seed(cli: str) -> None:
    """Sets of flows are ordered explicitly: string hashing differs between processes."""
    outputs = {
        subprocess.run(
            [cli, "check", "--format", "json", "-j", "1", str(FIXTURES / "holdout_b")],
            capture_output=True,
            text=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(outputs) == 1


def test_rules_documentation_is_current(cli: str) -> None:
    generated = run(cli, "rules", "--format", "markdown").stdout
    assert (FIXTURES.parent / "docs" / "rules.md").read_text(encoding="utf-8") == generated, (
        "docs/rules.md is stale: privacy-lint rules --format markdown > docs/rules.md"
    )
