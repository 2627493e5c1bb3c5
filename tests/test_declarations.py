"""Recipients declared in pyproject.toml change what `check` reports and what the report says."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

APP = """\
import analytics
import requests
import sentry_sdk


def signup(user):
    analytics.identify(user.id, {"email": user.email})
    sentry_sdk.set_user({"email": user.email})
    requests.post("https://api.intercom.io/users", json={"phone": user.phone})
"""

DECLARED = """\
[tool.privacy-lint.recipients.Segment]
categories = ["user.device"]
purpose = "product analytics"
legal-basis = "legitimate-interests"

[tool.privacy-lint.recipients.sentry]
categories = ["user.contact.email"]
purpose = "error monitoring"
legal-basis = "legitimate-interests"
dpa = "https://example.com/dpa/sentry"
retention = "90 days"

[tool.privacy-lint.recipients.Intercom]
categories = ["user.contact"]
legal-basis = "consent"

[tool.privacy-lint.recipients.Mailchimp]
categories = ["user.contact.email"]
purpose = "newsletter"
legal-basis = "consent"
"""


def _project(tmp_path: Path, declarations: str) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.privacy-lint]\n" + declarations)
    (tmp_path / "app.py").write_text(APP)
    return tmp_path


def _check(root: Path, *args: str) -> list[str]:
    done = run_cli(["check", "-q", "--no-cache", *args, "."], root)
    assert done.returncode in (0, 1), done.stderr
    return [line.split(" ", 1)[1] for line in done.stdout.splitlines()]


def test_without_declarations_every_transfer_is_reported(tmp_path: Path) -> None:
    lines = _check(_project(tmp_path, ""))
    assert [line.split()[0] for line in lines] == ["PRV101", "PRV201", "PRV101", "PRV102"]


def test_declarations_decide_what_check_reports(tmp_path: Path) -> None:
    root = _project(tmp_path, DECLARED)
    lines = _check(root)
    # Segment: email is not among its declared categories; the legal basis is not consent, so no PRV201
    assert lines[0].startswith("PRV101 [warning] email address (user.email) sent to Segment")
    assert lines[0].endswith("(Segment is declared for user.device only)")
    # Sentry (declared in any case): the e-mail is declared, not reported; Intercom: declared, but its declared
    # legal basis is consent and no check guards the call, whatever its kind (a CRM)
    assert lines[1].startswith("PRV201 [warning] phone number (user.phone) sent to Intercom")
    assert lines[1].endswith("with no consent check (declared with consent as its legal basis)")
    assert len(lines) == 2
    shown = _check(root, "--report-declared")
    assert any(
        "sent to Sentry" in line and "(declared: error monitoring, legitimate-interests)" in line for line in shown
    )
    assert len(shown) == 4


def test_the_report_uses_the_declarations(tmp_path: Path) -> None:
    root = _project(tmp_path, DECLARED)
    done = run_cli(["report", "-q", "--no-cache", "--format", "json", "."], root)
    report = json.loads(done.stdout)
    recipients = {r["destination"]: r for r in report["recipients"]}
    assert recipients["Sentry"]["declaration"]["dpa"] == "https://example.com/dpa/sentry"
    assert recipients["Sentry"]["consent"] == "not needed: legal basis legitimate-interests (declared)"
    assert recipients["Segment"]["undeclared"] == ["email address"]
    assert recipients["Intercom"]["needs_consent"] is True
    purposes = {entry["purpose"]: entry for entry in report["record_of_processing_draft"]}
    assert purposes["error monitoring"]["declared"] == [
        {"recipient": "Sentry", "legal_basis": "legitimate-interests", "dpa": "https://example.com/dpa/sentry",
         "retention": "90 days"}
    ]  # fmt: skip
    assert purposes["error monitoring"]["status"] == "declared in the configuration"
    assert [d["recipient"] for d in report["stale_declarations"]] == ["Mailchimp"]
    assert report["summary"]["undeclared_recipients"] == []
    # a recipient with no declaration, once a team declares some
    (root / "pyproject.toml").write_text(
        "[tool.privacy-lint]\n" + DECLARED.split("[tool.privacy-lint.recipients.sentry]")[0]
    )
    report = json.loads(run_cli(["report", "-q", "--no-cache", "--format", "json", "."], root).stdout)
    assert report["summary"]["undeclared_recipients"] == ["Intercom", "Sentry"]
    markdown = run_cli(["report", "-q", "--no-cache", "--format", "markdown", "."], root).stdout
    assert (
        "| Segment | analytics | email address | 1 | not needed: legal basis legitimate-interests (declared) | "
        in markdown
    )
    html = run_cli(["report", "-q", "--no-cache", "--format", "html", "."], root).stdout
    assert "not declared: email address" in html


@pytest.mark.parametrize(
    ("table", "error"),
    [
        ('categories = ["user.contact.emial"]', "recipients.Segment.categories: unknown category 'user.contact.emial' "
         "(did you mean 'user.contact.email'?)"),
        ('categories = []\nlegal-basis = "consnet"', "recipients.Segment.legal-basis: 'consnet' is not one of consent, "
         "contract, legal-obligation, vital-interests, public-task, legitimate-interests (did you mean 'consent'?)"),
        ('categories = []\npurpsoe = "x"', "recipients.Segment.purpsoe: unknown key (did you mean 'purpose'?)"),
        ('purpose = "x"', "recipients.Segment.categories: missing required key"),
        ('categories = "user.contact"', "recipients.Segment.categories: expected a list of strings"),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_a_configuration_error(tmp_path: Path, table: str, error: str) -> None:
    root = _project(tmp_path, f"[tool.privacy-lint.recipients.Segment]\n{table}\n")
    done = run_cli(["check", "--no-cache", "."], root)
    assert done.returncode == 2
    assert error in done.stderr


def test_config_shows_the_declarations(tmp_path: Path) -> None:
    root = _project(tmp_path, DECLARED)
    shown = run_cli(["config"], root).stdout
    assert '[tool.privacy-lint.recipients."sentry"]  # pyproject.toml' in shown
    assert 'retention = "90 days"' in shown
