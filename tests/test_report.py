"""`privacy-lint report`: what a reviewer reads, in every format, with everything from scanned code escaped."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli

HOSTILE = """import logging

import analytics

logger = logging.getLogger(__name__)


def signup(request, user):
    logger.info("</script><script>alert(1)</script> %s", request.remote_addr)
    analytics.track(user.id, "<img src=x onerror=alert(2)>", {"email": user.email})
"""


def _report(cli: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    done = run_cli(["report", "--no-cache", "-q", *args], cwd)
    assert done.returncode == 0, done.stderr
    return done


def test_json_report_answers_the_reviewers_questions(cli: str) -> None:
    data = json.loads(_report(cli, FIXTURES / "sample_service", "--format", "json", ".").stdout)
    assert data["schema_version"] == 1
    summary = data["summary"]
    assert summary["files_scanned"] == 4 and summary["findings"] == 14
    assert set(summary["categories"]) == {"IP address", "email address", "person's name", "phone number"}
    assert summary["consent_flows"] == 3 and summary["consent_guarded_flows"] == 1
    recipients = {r["destination"]: r for r in data["recipients"]}
    assert recipients["Segment"]["consent"] == "not checked"
    assert recipients["Mailchimp"]["consent"] == "checked"
    assert recipients["Stripe"]["consent"] == "not needed for this kind of recipient"
    assert "legal basis" in recipients["Stripe"]["to_decide"]
    assert "phone number" in recipients["hooks.zapier.com"]["categories"]
    email = next(c for c in data["inventory"] if c["label"] == "email address")
    assert any(p["kind"] == "model field" and p["path"] == "models.py" for p in email["collected"])
    purposes = {p["purpose"] for p in data["record_of_processing_draft"]}
    assert "product analytics" in purposes and "payment processing" in purposes
    assert all(p["status"].startswith("draft") for p in data["record_of_processing_draft"])
    assert data["meta"]["tool"] == "privacy-lint" and data["meta"]["rule_packs"]
    finding = data["findings"][0]
    assert finding["rule"] == "PRV201"  # riskiest first
    assert finding["snippet"] and finding["flow"] and finding["why"]


def test_markdown_fits_a_pull_request_comment(cli: str, tmp_path: Path) -> None:
    for number in range(40):
        (tmp_path / f"m{number:02}.py").write_text(f"def f{number}(email):\n    print(email)\n")
    text = _report(cli, tmp_path, "--format", "markdown", ".").stdout
    assert text.startswith("## Privacy risk report")
    assert "… and 15 more" in text
    assert len(text) < 65_536


def test_csv_has_one_row_per_category_and_destination(cli: str) -> None:
    text = _report(cli, FIXTURES / "sample_service", "--format", "csv", ".").stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    pairs = [(r["category"], r["destination"]) for r in rows]
    assert len(pairs) == len(set(pairs))
    assert ("email address", "Segment") in pairs


def test_suppressed_findings_are_accepted_risks_with_their_reason(cli: str, tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text(
        "def f(email):\n    print(email)  # privacy-lint: ignore[PRV001] shown to the user on purpose\n"
    )
    data = json.loads(_report(cli, tmp_path, "--format", "json", ".").stdout)
    assert data["findings"] == []
    [accepted] = data["accepted_risks"]
    assert accepted["accepted_reason"] == "shown to the user on purpose"


def test_everything_from_scanned_code_is_escaped(cli: str, tmp_path: Path) -> None:
    (tmp_path / "views.py").write_text(HOSTILE)
    html = _report(cli, tmp_path, ".").stdout
    assert "<script>alert(1)</script>" not in html and "<img src=x" not in html
    assert "&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<script>") == 1  # ours
    markdown = _report(cli, tmp_path, "--format", "markdown", ".").stdout
    assert "<script>" not in markdown and "<img" not in markdown
    assert "http" not in html.split("<body>")[0].replace("http://www.w3.org", "")  # no CDN, nothing remote


def _chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="needs Debian's chromium (CI has it)")
def test_html_report_opens_in_a_headless_browser(cli: str, tmp_path: Path) -> None:
    browser = _chromium()
    assert browser is not None, "CI must install chromium"
    page = tmp_path / "report.html"
    _report(cli, FIXTURES / "sample_service", "-o", str(page), ".")
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--enable-logging=stderr", "--v=0"]
    dom = subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'profile-1'}", "--window-size=1280,900", "--virtual-time-budget=3000",
         "--dump-dom", f"{page.as_uri()}#selftest"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    marker = '<pre id="selftest">'
    assert marker in dom.stdout, dom.stderr[-2000:]
    result = json.loads(dom.stdout.split(marker, 1)[1].split("</pre>", 1)[0].replace("&quot;", '"'))
    assert result["errors"] == []
    assert all(result["sections"].values()) and len(result["sections"]) == 7  # present and visible
    assert result["total"] == 14 and 0 < result["filtered"] < result["total"]  # the filter hides rows
    assert result["width"] <= result["window"] == 1280  # every finding expanded, nothing wider than the page
    assert "Uncaught" not in dom.stderr  # no console error
    shot = tmp_path / "report.png"
    subprocess.run(
        [*common, f"--user-data-dir={tmp_path / 'profile-2'}", "--window-size=1280,2400", f"--screenshot={shot}",
         page.as_uri()],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert shot.stat().st_size > 20_000


def test_markdown_marks_new_findings_links_locations_and_has_no_empty_tables(tmp_path: Path) -> None:

    service = tmp_path / "service"
    shutil.copytree(FIXTURES / "sample_service", service)
    first = json.loads(run_cli(["check", "--no-cache", "--format", "json", "."], service).stdout)
    assert first["findings"]
    baseline = tmp_path / "baseline.json"
    run_cli(["check", "--no-cache", "--write-baseline", str(baseline), "app.py"], service)
    env = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/shop", "GITHUB_SHA": "abc123"}
    markdown = run_cli(
        ["report", "--no-cache", "-q", "--format", "markdown", "--baseline", str(baseline), "."], service, env=env
    ).stdout
    assert "| **new** |" in markdown and "](https://github.com/acme/shop/blob/abc123/integrations.py#L" in markdown
    assert "4 files scanned" in markdown
    (tmp_path / "clean").mkdir()
    (tmp_path / "clean" / "a.py").write_text("x = 1\n")
    clean = run_cli(["report", "--no-cache", "-q", "--format", "markdown", "."], tmp_path / "clean").stdout
    assert "1 file scanned" in clean and "No findings." in clean and "| --- |" not in clean


def _many_recipients(root: Path) -> None:
    """A service that sends personal data to 31 recipients, one of them accepted with a reason."""
    calls = [
        f'    requests.post("https://api.partner{i:02}.example/v1", json={{"{field}": user.{field}}})'
        for i, field in enumerate(["email", "phone", "full_name", "date_of_birth", "address"] * 6)
    ]
    calls += [
        '    analytics.track(user.id, "Signed Up", {"email": user.email})',
        '    sentry_sdk.set_user({"email": user.email})',
        '    requests.post("https://api.partner99.example/v1", json={"email": user.email})'
        "  # privacy-lint: ignore[PRV102] processor under DPA-17",
    ]
    (root / "app.py").write_text(
        "import analytics\nimport requests\nimport sentry_sdk\n\n\ndef sync(user):\n" + "\n".join(calls) + "\n"
    )


@pytest.mark.skipif(_chromium() is None and not os.environ.get("CI"), reason="needs Debian's chromium (CI has it)")
def test_a_large_report_reads_at_1280_px_and_prints_within_its_pages(tmp_path: Path) -> None:
    browser = _chromium()
    assert browser is not None
    project = tmp_path / "many"
    project.mkdir()
    _many_recipients(project)
    page = tmp_path / "report.html"
    run_cli(["report", "--no-cache", "-q", "-o", str(page), "."], project)
    html = page.read_text()
    assert "processor under DPA-17" in html  # the accepted transfer stays, marked with its reason
    assert 'class="matrix"' in html and "http (31)" in html  # grouped by kind; the table view
    common = [browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={tmp_path / 'profile'}"]
    shot = tmp_path / "data-map.png"
    subprocess.run([*common, "--window-size=1280,1600", f"--screenshot={shot}", f"{page.as_uri()}#summary"],
                   capture_output=True, timeout=120)  # fmt: skip
    assert shot.stat().st_size > 20_000
    pdftotext = shutil.which("pdftotext")
    if pdftotext is None:
        assert not os.environ.get("CI"), "CI must install poppler-utils (pdftotext)"
        pytest.skip("pdftotext (poppler-utils) is not installed")
    pdf = tmp_path / "report.pdf"
    subprocess.run([*common, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri()],
                   capture_output=True, timeout=120)  # fmt: skip
    boxes = subprocess.run([pdftotext, "-bbox", str(pdf), "-"], capture_output=True, text=True, timeout=60).stdout
    pages = re.findall(r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S)
    assert pages and all(abs(float(w) - 595) < 2 for w, _, _ in pages)  # A4
    words = [
        (float(x0), float(x1), float(w))
        for w, _, body in pages
        for x0, x1 in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"', body)
    ]
    assert words and all(x0 >= 0 and x1 <= w for x0, x1, w in words)  # no text cut off at the page's edge


def test_consent_for_another_purpose_does_not_cover_a_flow(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text(
        "import analytics\n\n\ndef signup(user):\n"
        '    if user.has_consent("marketing"):\n        analytics.identify(user.id, {"email": user.email})\n'
        '    if user.has_consent("analytics"):\n        analytics.track(user.id, "x", {"email": user.email})\n'
    )
    summary = json.loads(run_cli(["report", "-q", "--no-cache", "--format", "json", "."], tmp_path).stdout)["summary"]
    assert summary["consent_flows"] == 2 and summary["consent_guarded_flows"] == 1
