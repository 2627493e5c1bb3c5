"""The pre-commit hook, proved with `pre-commit try-repo` on a throw-away repository."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LEAKY = 'import logging\n\ndef login(request):\n    logging.info("login from %s", request.remote_addr)\n'
CLEAN = 'import logging\n\ndef login(user):\n    logging.info("login for %s", user.id)\n'


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hook_fails_on_a_staged_finding_and_passes_on_clean_code(tmp_path: Path) -> None:
    if not (ROOT / ".git").exists():
        pytest.skip("try-repo needs the project as a git checkout")
    repo = tmp_path / "app"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "leaky.py").write_text(LEAKY)
    (repo / "clean.py").write_text(CLEAN)
    git(repo, "add", ".")
    env_home = {"PRE_COMMIT_HOME": str(tmp_path / "cache")}

    def try_repo(*files: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "pre_commit", "try-repo", str(ROOT), "privacy-lint", "--files", *files],
            cwd=repo,
            capture_output=True,
            text=True,
            timeout=600,
            env={**__import__("os").environ, **env_home},
        )

    failing = try_repo("leaky.py")
    assert failing.returncode == 1, failing.stdout + failing.stderr
    assert "leaky.py:4:5: PRV001" in failing.stdout
    passing = try_repo("clean.py")
    assert passing.returncode == 0, passing.stdout + passing.stderr
