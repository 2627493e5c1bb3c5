"""Baselines against real edits of a copy of the sample service: fingerprints carry no line numbers."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import FIXTURES, run_cli


@pytest.fixture
def service(tmp_path: Path) -> Path:
    target = tmp_path / "service"
    shutil.copytree(FIXTURES / "sample_service", target)
    return target


def check(cli: str, service: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["check", *args, "."], service)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


def test_baseline_hides_known_findings_and_survives_unrelated_edits(cli: str, service: Path) -> None:
    written = check(cli, service, "--write-baseline", "privacy-baseline.json")
    assert written.returncode == 0 and "wrote 14 findings" in written.stderr
    assert check(cli, service, "--baseline", "privacy-baseline.json").returncode == 0

    routes = service / "routes.py"
    routes.write_text("# a new header comment\nimport sys\nimport typing\n\n" + routes.read_text())  # code above
    routes.write_text(routes.read_text() + "\n\ndef helper_added_below():\n    return sys.argv\n")  # code below
    edit(routes, "    return jsonify(valid=valid)", "    return jsonify(\n        valid=valid,\n    )")  # reformat
    text = routes.read_text()  # move send_reset_link above every route
    start = text.index("def send_reset_link(")
    end = text.index("@bp.post", start)
    moved = text[start:end]
    text = text[:start] + text[end:]
    first_route = text.index("@bp.post")
    routes.write_text(text[:first_route] + moved + text[first_route:])

    again = check(cli, service, "--baseline", "privacy-baseline.json")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "stale" not in again.stderr


def test_baseline_reports_changed_flows_as_new_and_old_entries_as_stale(cli: str, service: Path) -> None:
    check(cli, service, "--write-baseline", "privacy-baseline.json")
    routes = service / "routes.py"
    edit(
        routes,
        'logger.debug("Reset link for %s queued", user.email)',
        'logger.debug("Reset link for %s queued", user.phone_number)',
    )  # another data category
    edit(
        routes,
        'logger.info("New signup: %s <%s>", user.full_name, user.email)',
        'print("New signup: %s <%s>" % (user.full_name, user.email))',
    )  # another sink
    done = check(cli, service, "--baseline", "privacy-baseline.json")
    assert done.returncode == 1
    new = [line for line in done.stdout.splitlines() if ": PRV" in line]
    assert len(new) == 2
    assert any("phone number (user.phone_number)" in line for line in new)
    assert any("written to console by print" in line for line in new)
    assert done.stderr.count("stale baseline entry") == 2


def test_bad_baseline_is_a_usage_error(cli: str, service: Path) -> None:
    (service / "broken.json").write_text("{not json")
    done = check(cli, service, "--baseline", "broken.json")
    assert done.returncode == 2 and "not a privacy-lint baseline" in done.stderr and "Traceback" not in done.stderr
    (service / "other.json").write_text(json.dumps({"version": 99}))
    assert check(cli, service, "--baseline", "other.json").returncode == 2
