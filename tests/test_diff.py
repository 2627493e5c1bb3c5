"""`--diff REF` against real git repositories created here: a pull request is judged on what it adds."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import run_cli

BASE = """import logging

logger = logging.getLogger(__name__)


def login(request, user):
    logger.info("login from %s", request.remote_addr)
    logger.info("user %s", user.id)
"""


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True)
    return done.stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev")
    (repo / "views.py").write_text(BASE)
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    git(repo, "checkout", "-qb", "feature")
    changed = BASE.replace('logger.info("user %s", user.id)', 'logger.info("user %s", user.email)')
    (repo / "views.py").write_text(changed + '\n\ndef signup(email):\n    print("welcome", email)\n')
    git(repo, "commit", "-qam", "feature")
    (repo / "new_module.py").write_text("import logging\n\ndef f(phone):\n    logging.warning(phone)\n")
    return repo


def run(cli: str, repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["check", *args], repo)


def _lines(output: str) -> list[str]:
    return [":".join(line.split(":")[:2]) for line in output.splitlines() if ": PRV" in line]


def test_only_added_or_changed_lines_are_reported(cli: str, repo: Path) -> None:
    everything = run(cli, repo, ".")
    assert _lines(everything.stdout) == ["new_module.py:4", "views.py:7", "views.py:8", "views.py:12"]
    diff = run(cli, repo, "--diff", "main", ".")
    assert diff.returncode == 1
    assert _lines(diff.stdout) == ["new_module.py:4", "views.py:8", "views.py:12"]  # line 7 predates the branch


def test_detached_head_works(cli: str, repo: Path) -> None:
    (repo / "new_module.py").unlink()
    git(repo, "checkout", "-q", "--detach", "HEAD")
    assert _lines(run(cli, repo, "--diff", "main", ".").stdout) == ["views.py:8", "views.py:12"]
    assert run(cli, repo, "--diff", "HEAD", ".").returncode == 0  # nothing changed since HEAD itself


def test_bad_ref_and_no_repository_are_usage_errors(cli: str, repo: Path, tmp_path: Path) -> None:
    bad = run(cli, repo, "--diff", "no-such-branch", ".")
    assert bad.returncode == 2 and "cannot compare with 'no-such-branch'" in bad.stderr
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "a.py").write_text(BASE)
    done = run(cli, outside, "--diff", "main", ".")
    assert done.returncode == 2 and "not inside a git repository" in done.stderr
    assert "Traceback" not in bad.stderr + done.stderr


def test_sarif_names_the_revision_it_describes(cli: str, repo: Path) -> None:
    sarif = json.loads(run_cli(["check", "--format", "sarif", "."], repo).stdout)
    [provenance] = sarif["runs"][0]["versionControlProvenance"]
    assert provenance["revisionId"] == git(repo, "rev-parse", "HEAD").strip()
    assert provenance["branch"] == "feature"
    assert provenance["repositoryUri"] == repo.resolve().as_uri()  # no remote: the folder
    assert provenance["mappedTo"] == {"uriBaseId": "%SRCROOT%"}
