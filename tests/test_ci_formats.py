"""CI outputs: GitHub Actions annotations and the GitLab SAST report."""

from __future__ import annotations

import json
import re

from .conftest import FIXTURES, run_cli


def run(cli: str, fmt: str) -> str:
    done = run_cli(["check", "--format", fmt, str(FIXTURES / "sample_service")])
    assert done.returncode == 1, done.stderr
    return done.stdout


def test_github_annotations(cli: str) -> None:
    lines = run(cli, "github").splitlines()
    assert len(lines) == 14
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
