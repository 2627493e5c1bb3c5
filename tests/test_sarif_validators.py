"""SARIF that GitHub code scanning and GitHub Advanced Security for Azure DevOps accept: Microsoft's SARIF
multitool with its GitHub and Azure DevOps rule sets reports no error and no warning. CI installs the multitool
(npm `@microsoft/sarif-multitool`) and names its binary in SARIF_MULTITOOL."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

MULTITOOL = os.environ.get("SARIF_MULTITOOL", "")
CORPORA = ["sample_service", "projects", "projects_b", "realistic", "holdout_c"]
AZURE = {  # Azure Pipelines' predefined variables, as a pipeline run sets them
    "TF_BUILD": "True",
    "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
    "SYSTEM_TEAMPROJECT": "shop",
    "BUILD_DEFINITIONID": "12",
    "BUILD_DEFINITIONNAME": "privacy-lint",
    "SYSTEM_PHASEID": "3f2b9c1e-8d4a-4f6b-9e2d-7a1c5b8e0f34",
    "SYSTEM_PHASENAME": "Job",
    "BUILD_SOURCEBRANCHNAME": "main",
    "BUILD_BUILDID": "345",
}


@pytest.fixture(scope="module")
def multitool() -> str:
    if not MULTITOOL or not Path(MULTITOOL).is_file():
        assert not os.environ.get("CI"), "CI must set SARIF_MULTITOOL to the SARIF multitool's binary"
        pytest.skip("the SARIF multitool is not installed (npm @microsoft/sarif-multitool; set SARIF_MULTITOOL)")
    return MULTITOOL


def _problems(multitool: str, rule_kind: str, files: list[Path], out: Path) -> list[str]:
    done = subprocess.run(
        [multitool, "validate", "--rule-kind", rule_kind, "--level", "Error;Warning", "--output", str(out),
         *map(str, files)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    return [line for line in done.stdout.splitlines() if ": error " in line or ": warning " in line]


@pytest.mark.parametrize(("rule_kind", "env"), [("Gh", {}), ("Ado", AZURE)], ids=["github", "azure-devops"])
def test_sarif_passes_the_multitool(multitool: str, tmp_path: Path, rule_kind: str, env: dict[str, str]) -> None:
    files = []
    for corpus in CORPORA:
        path = tmp_path / f"{corpus}.sarif"
        run_cli(["check", "--format", "sarif", "-o", str(path), str(FIXTURES / corpus)], env=env)
        files.append(path)
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "bad.py").write_text("def f(:\n")  # a diagnostic: toolExecutionNotifications
    (broken / "leak.py").write_text("import logging\n\ndef f(email):\n    logging.info(email)\n")
    path = tmp_path / "broken.sarif"
    run_cli(["check", "--format", "sarif", "-o", str(path), "."], broken, env=env)
    files.append(path)
    assert _problems(multitool, rule_kind, files, tmp_path / "validation.sarif") == []
