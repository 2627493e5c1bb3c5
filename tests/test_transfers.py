"""Every transfer is PRV101/PRV102, consent or not; PRV201 comes in addition where consent is needed and missing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from .conftest import run_cli

CODE = """import analytics
import requests
import sentry_sdk

from app.consent import has_consent


def signup(user):
    analytics.track(user.id, "Signed Up", {"email": user.email})
    if has_consent(user, "analytics"):
        analytics.identify(user.id, {"email": user.email})
    sentry_sdk.set_user({"email": user.email})
    requests.post("https://a.klaviyo.com/api/profiles/", json={"email": user.email})


def later(user):
    if not has_consent(user, "marketing"):
        return
    requests.post("https://a.klaviyo.com/api/profiles/", json={"email": user.email})
"""


def _check(cli: str, root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["check", "--no-cache", *args, "."], root)


def test_every_transfer_is_reported_and_says_whether_consent_guards_it(cli: str, tmp_path: Path) -> None:
    (tmp_path / "signup.py").write_text(CODE)
    done = _check(cli, tmp_path, "--format", "json")
    assert done.returncode == 1, done.stderr
    found = {(f["span"]["line"], f["rule"]): f for f in json.loads(done.stdout)["findings"]}
    assert sorted(found) == [
        (9, "PRV101"), (9, "PRV201"),  # analytics without consent: the transfer, and the missing consent
        (11, "PRV101"),  # the same transfer under a consent check is still a transfer
        (12, "PRV101"),  # error monitoring needs no consent: a transfer only
        (13, "PRV102"), (13, "PRV201"),  # raw HTTP to a marketing vendor is an HTTP transfer
        (19, "PRV102"),  # after an early return when consent is missing
    ]  # fmt: skip
    guarded = found[(11, "PRV101")]
    assert guarded["guarded"] is True and guarded["consent"] == 'has_consent(user, "analytics")'
    assert guarded["message"].endswith('(consent: guarded by has_consent(user, "analytics"))')
    assert found[(19, "PRV102")]["consent"] == 'has_consent(user, "marketing")'
    assert found[(13, "PRV102")]["destination"] == "Klaviyo" and found[(13, "PRV102")]["service"] == "marketing"
    assert not found[(9, "PRV101")]["guarded"] and found[(9, "PRV101")]["consent"] == ""
    assert "with no consent check" in found[(9, "PRV201")]["message"]


def test_sarif_and_the_report_carry_the_consent_state(cli: str, tmp_path: Path) -> None:
    (tmp_path / "signup.py").write_text(CODE)
    sarif = json.loads(_check(cli, tmp_path, "--format", "sarif").stdout)
    consent = {r["properties"].get("consent") for r in sarif["runs"][0]["results"] if r["ruleId"] == "PRV101"}
    assert 'has_consent(user, "analytics")' in consent
    done = subprocess.run([cli, "report", "--no-cache", "-q", "--format", "json", "."], capture_output=True,
                          text=True, cwd=tmp_path)  # fmt: skip
    report = json.loads(done.stdout)
    summary = report["summary"]
    assert summary["by_rule"] == {"PRV101": 3, "PRV102": 2, "PRV201": 2}
    assert summary["consent_flows"] == 4 and summary["consent_guarded_flows"] == 2
    recipients = {r["destination"]: r for r in report["recipients"]}
    assert (
        recipients["Segment"]["consent"] == "checked at 1 of 2 calls" and len(recipients["Segment"]["call_sites"]) == 2
    )
    assert recipients["Klaviyo"]["consent"].startswith("checked at 1 of")


SETTINGS = """import os

PARTNER_URL = "https://api.partner.example.com/v2"
KYC_URL = os.environ.get("KYC_URL", "https://kyc.example.org")
LEDGER_URL = "http://ledger.svc.cluster.local"
"""

CLIENT = """import requests
from django.conf import settings

from proj.settings import PARTNER_URL


def send(user):
    requests.post(f"{settings.PARTNER_URL}/leads", json={"email": user.email})
    requests.post(PARTNER_URL + "/leads", json={"email": user.email})
    requests.post(settings.KYC_URL, json={"email": user.email})
    requests.post(f"{settings.LEDGER_URL}/entries", json={"email": user.email})
    requests.post(settings.SCORING_URL, json={"email": user.email})
"""


def test_hosts_come_from_the_settings_module(cli: str, tmp_path: Path) -> None:
    """A settings module that binds a URL literal (or an environment default) names the host; a setting it does
    not define is named in the message."""
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "__init__.py").write_text("")
    (tmp_path / "proj" / "settings.py").write_text(SETTINGS)
    (tmp_path / "proj" / "client.py").write_text(CLIENT)
    done = _check(cli, tmp_path, "--format", "json")
    found = [(f["span"]["line"], f["destination"]) for f in json.loads(done.stdout)["findings"]]
    assert found == [
        (8, "api.partner.example.com"),
        (9, "api.partner.example.com"),
        (10, "kyc.example.org"),
        (12, "the host of settings.SCORING_URL"),  # line 11: the ledger is internal
    ]


def test_hosts_of_a_module_constant_and_a_flask_config_class(cli: str, tmp_path: Path) -> None:
    """`f"{API_BASE}{path}"` is on API_BASE's host; `current_app.config["CRM_URL"]` comes from a config class."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("")
    (tmp_path / "app" / "config.py").write_text(
        'import os\n\n\nclass Config:\n    CRM_URL = os.environ.get("CRM_URL", "http://crm-proxy.internal:9000")\n'
        '    PARTNER_URL = "https://api.partner.example.com"\n'
    )
    (tmp_path / "app" / "client.py").write_text(
        "import requests\nfrom flask import current_app\n\n"
        'API_BASE = "http://booking-api.clinic.internal"\n\n\n'
        "def call(path, user):\n"
        '    requests.post(f"{API_BASE}{path}", json={"email": user.email})\n'
        '    requests.post(f"{current_app.config[\'CRM_URL\']}/activities", json={"email": user.email})\n'
        '    requests.post(current_app.config["PARTNER_URL"], json={"email": user.email})\n'
    )
    found = [
        (f["span"]["line"], f["destination"])
        for f in json.loads(_check(cli, tmp_path, "--format", "json").stdout)["findings"]
    ]
    assert found == [(10, "api.partner.example.com")]
