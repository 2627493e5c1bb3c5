"""CI outputs: GitHub Actions annotations and the GitLab SAST report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import FIXTURES, GITLAB_SCHEMA, run_cli


def run(cli: str, fmt: str) -> str:
    done = run_cli(["check", "--format", fmt, str(FIXTURES / "sample_service")])
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_github_annotations(cli: str) -> None:
    output = run(cli, "github").splitlines()
    lines = [line for line in output if line.startswith("::") and "title=PRV" in line]
    assert len(lines) == 10  # GitHub's cap per kind and step; the other 4 are in the log
    assert "4 more findings not shown as annotations" in output[-1]
    pattern = re.compile(
        r"^::(error|warning|notice) file=[^,]+,line=\d+,col=\d+,endLine=\d+,title=PRV\d{3} [^:]+::PRV\d{3} .+$"
    )
    assert all(pattern.match(line) for line in lines), lines
    assert any("title=PRV101 Stripe::PRV101 email address" in line for line in lines)


def test_gitlab_sast_report_shape(cli: str) -> None:
    report = json.loads(run(cli, "gitlab"))
    assert re.fullmatch(r"15\.\d+\.\d+", report["version"])
    scan = report["scan"]
    assert scan["type"] == "sast" and scan["status"] == "success"
    for key in ("analyzer", "scanner"):
        assert scan[key]["id"] and scan[key]["name"] and scan[key]["vendor"]["name"] and scan[key]["version"]
    for key in ("start_time", "end_time"):
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}", scan[key])
    vulnerabilities = report["vulnerabilities"]
    assert len(vulnerabilities) == 14
    assert len({v["id"] for v in vulnerabilities}) == 14
    for vulnerability in vulnerabilities:
        assert re.fullmatch(r"[0-9a-f-]{36}", vulnerability["id"])
        assert vulnerability["severity"] in ("Critical", "High", "Medium", "Low", "Info", "Unknown")
        assert vulnerability["identifiers"][0]["value"].startswith("PRV")
        assert vulnerability["identifiers"][0]["name"] and vulnerability["identifiers"][0]["type"]
        assert vulnerability["location"]["file"].endswith(".py") and vulnerability["location"]["start_line"] >= 1
        assert len(vulnerability["name"]) <= 255


def test_gitlab_report_validates_against_gitlabs_schema_and_tracks_findings() -> None:
    import jsonschema

    report = json.loads(run("", "gitlab"))
    jsonschema.Draft7Validator(json.loads(GITLAB_SCHEMA.read_text())).validate(report)
    assert report["version"] == "15.2.4"
    first = report["vulnerabilities"][0]
    assert first["tracking"]["items"][0]["signatures"][0]["value"]
    assert any(i["type"] == "cwe" and i["url"].startswith("https://cwe.mitre.org/") for i in first["identifiers"])
    assert first["links"]


def test_github_annotations_keep_within_githubs_cap_and_fill_the_job_summary(tmp_path: Path) -> None:
    project = tmp_path / "many"
    project.mkdir()
    body = "".join(f"    logging.info('step {i} for %s', user.email)\n" for i in range(25))
    (project / "leaks.py").write_text(f"import logging\n\n\ndef f(user):\n{body}")
    summary = tmp_path / "summary.md"
    done = run_cli(
        ["check", "--no-cache", "--format", "github", "."], project, env={"GITHUB_STEP_SUMMARY": str(summary)}
    )
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::warning")]
    assert len(annotations) == 10
    assert "15 more findings not shown as annotations" in done.stdout
    assert done.stdout.count(": PRV001 [warning]") == 15  # the others in the log
    table = summary.read_text()
    assert table.startswith("## privacy-lint: 25 findings") and table.count("| PRV001 |") == 25
