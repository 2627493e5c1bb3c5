"""`privacy-lint diff` on git repositories the tests create: a base that sends an e-mail to Sentry, a head that
adds a phone number to Mixpanel with no consent check and removes the Sentry call."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .conftest import run_cli

BASE = """\
import sentry_sdk


def login(user):
    sentry_sdk.set_user({"email": user.email})
"""

HEAD = """\
from mixpanel import Mixpanel

mp = Mixpanel("token")


def login(user):
    mp.people_set(user.id, {"$phone": user.phone})
"""


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "config", "user.email", "dev@example.com")
    _git(tmp_path, "config", "user.name", "dev")
    (tmp_path / "pyproject.toml").write_text("[tool.privacy-lint]\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "views.py").write_text(BASE)
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    _git(tmp_path, "checkout", "-qb", "feature")
    (tmp_path / "app" / "views.py").write_text(HEAD)
    _git(tmp_path, "commit", "-qam", "head")
    return tmp_path


def _diff(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["diff", *args], root)


def test_every_format_shows_exactly_the_added_and_removed_pairs(repo: Path) -> None:
    data = json.loads(_diff(repo, "--format", "json").stdout)
    assert data["schema_version"] == 1
    assert data["base"].startswith("main (")
    assert [(p["label"], p["recipient"], p["consent"], p["declared"]) for p in data["added"]] == [
        ("phone number", "Mixpanel", "not checked", None)
    ]
    assert [(s["path"], s["line"], s["rule"]) for s in data["added"][0]["sites"]] == [("app/views.py", 7, "PRV101")]
    assert data["added"][0]["sites"][0]["flow"][-1].startswith("app/views.py:7: mp.people_set(")
    assert [(p["label"], p["recipient"]) for p in data["removed"]] == [("email address", "Sentry")]
    assert data["new_recipients"] == ["Mixpanel"] and data["gone_recipients"] == ["Sentry"]
    assert data["now_without_consent"] == [] and data["incomplete"] == []

    text = _diff(repo).stdout.splitlines()
    assert text[1:] == [
        "+ phone number -> Mixpanel (analytics), consent not checked, no declaration: app/views.py:7",
        "- email address -> Sentry (error_monitoring): app/views.py:5",
        "recipients: +Mixpanel -Sentry",
    ]
    markdown = _diff(repo, "--format", "markdown").stdout
    assert "| phone number | Mixpanel (new recipient) (analytics) | **not checked** | no declaration | " in markdown
    assert "| email address | Sentry (error_monitoring) | `app/views.py:5` |" in markdown
    assert markdown.index("Starts sending") < markdown.index("Stops sending")


def test_links_to_lines_when_the_ci_gives_its_url_and_commit(repo: Path) -> None:
    env = {"GITHUB_REPOSITORY": "acme/shop", "GITHUB_SHA": "abc123", "GITHUB_SERVER_URL": "https://github.com"}
    markdown = run_cli(["diff", "--format", "markdown"], repo, env=env).stdout
    assert "[`app/views.py:7`](https://github.com/acme/shop/blob/abc123/app/views.py#L7)" in markdown


def test_gates_and_exit_codes(repo: Path) -> None:
    assert _diff(repo).returncode == 0  # no gate asked for
    for gate in ("new-recipient", "new-flow", "new-undeclared"):
        done = _diff(repo, "--fail-on", gate)
        assert done.returncode == 1 and gate in done.stderr
    (repo / "pyproject.toml").write_text(
        '[tool.privacy-lint]\n[tool.privacy-lint.recipients.Mixpanel]\ncategories = ["user.contact"]\n'
        'legal-basis = "consent"\n'
    )
    assert _diff(repo, "--fail-on", "new-undeclared").returncode == 0  # the new flow is declared
    assert json.loads(_diff(repo, "--format", "json").stdout)["added"][0]["declared"] is True
    assert _diff(repo, "--fail-on", "new-flow").returncode == 1


def test_the_working_tree_counts_and_is_left_alone(repo: Path) -> None:
    (repo / "app" / "views.py").write_text(BASE)  # uncommitted: back to the base's code
    status = _git(repo, "status", "--porcelain")
    data = json.loads(_diff(repo, "--format", "json").stdout)
    assert data["added"] == [] and data["removed"] == []
    assert "No change to where personal data goes." in _diff(repo, "--format", "markdown").stdout
    assert _git(repo, "status", "--porcelain") == status
    assert _git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "feature"


def test_a_folder_the_change_adds_had_no_flows(repo: Path) -> None:
    (repo / "billing").mkdir()
    (repo / "billing" / "export.py").write_text(HEAD)
    data = json.loads(_diff(repo, "--format", "json", "billing").stdout)
    assert [p["recipient"] for p in data["added"]] == ["Mixpanel"] and data["removed"] == []


def test_a_changed_consent_check_is_reported(repo: Path) -> None:
    guarded = HEAD.replace("    mp.people_set", "    if user.analytics_consent:\n        mp.people_set")
    (repo / "app" / "views.py").write_text(guarded)
    _git(repo, "commit", "-qam", "guarded")
    _git(repo, "checkout", "-qb", "unguarded")
    (repo / "app" / "views.py").write_text(
        guarded + "\n\ndef later(user):\n    mp.people_set(user.id, {'$phone': user.phone})\n"
    )
    data = json.loads(_diff(repo, "--format", "json", "--base", "feature").stdout)
    assert data["added"] == []
    assert [(p["recipient"], p["consent"]) for p in data["now_without_consent"]] == [
        ("Mixpanel", "checked at some calls only")
    ]


def test_bad_references_and_places_are_usage_errors(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    done = _diff(repo, "--base", "no-such-branch")
    assert done.returncode == 2 and "cannot find the merge base with 'no-such-branch'" in done.stderr
    outside = tmp_path_factory.mktemp("not-a-repo")
    done = _diff(outside)
    assert done.returncode == 2 and "is not inside a git repository" in done.stderr
