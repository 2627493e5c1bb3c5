"""Whole-project analysis: flows through functions, wrappers, consent guards and objects of other modules."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli

FILES = {
    "shop/__init__.py": "from .audit import record as record\n",
    "shop/audit.py": """import logging

logger = logging.getLogger(__name__)


def record(action, value):
    logger.info("%s %s", action, value)


def log_email(email):
    logger.info("email %s", email)  # expect: PRV001


def walk(node, value):
    if node is not None:
        walk(node.next, value)
    logger.info("walked %s", value)


def first_only(event, *values):
    logger.info("%s for %s", event, values[0])


def noted(event, **fields):
    if event:
        logger.info("%s: %s",
                    event, fields["note"])
""",
    "shop/services.py": """from shop import audit


def note_login(subject):
    audit.record("login", subject)


def client_ip(request):
    return request.META.get("REMOTE_ADDR")


def relay(payload):
    return payload
""",
    "shop/tracking.py": """import analytics
from mixpanel import Mixpanel


def track(user, event, **props):
    analytics.track(user.id, event, props)


class Telemetry:
    def __init__(self):
        self.client = Mixpanel("token")

    def event(self, name, **props):
        self.client.track(name, name, props)


telemetry = Telemetry()
""",
    "shop/guards.py": """from functools import wraps


class PermissionDenied(Exception):
    pass


def gdpr_guard(func):
    @wraps(func)
    def wrapper(user, *args, **kwargs):
        if not user.profile.tracking_consent:
            return None
        return func(user, *args, **kwargs)

    return wrapper


def ensure_opt_in(user):
    if not user.profile.tracking_consent:
        raise PermissionDenied("no consent")
""",
    "shop/cycle_a.py": """from shop import cycle_b


def ping(value):
    return cycle_b.pong(value)
""",
    "shop/cycle_b.py": """from shop import cycle_a


def pong(value):
    return cycle_a.ping(value)
""",
    "shop/views.py": """import logging

from shop import audit, record, services
from shop.guards import ensure_opt_in, gdpr_guard
from shop.tracking import telemetry, track

logger = logging.getLogger(__name__)


def login(request):
    record("login", request.META["REMOTE_ADDR"])  # expect: PRV001
    services.note_login(request.user.email)  # expect: PRV001
    audit.record("items", len(request.POST))
    audit.log_email(request.user.email)
    logger.info("ip %s", services.client_ip(request))  # expect: PRV001
    logger.info("echo %s", services.relay(request.user.email))  # expect: PRV001
    logger.info("echo %s", services.relay(request.user.id))
    audit.walk(None, request.user.email)  # expect: PRV001
    audit.first_only("reset", request.user.email, request.user.id)  # expect: PRV001
    audit.first_only("reset", request.user.id, request.user.email)
    audit.noted("refund", note=request.user.email)  # expect: PRV001
    audit.noted("refund", note="manual", email=request.user.email)


def signup(request):
    user = request.user
    track(user, "signup", email=user.email)  # expect: PRV101, PRV201
    track(user, "signup", user_id=user.id)
    if user.profile.tracking_consent:
        track(user, "signup", email=user.email)  # expect: PRV101
    telemetry.event("signup", email=user.email)  # expect: PRV101, PRV201


@gdpr_guard
def promote(user):
    track(user, "promo", email=user.email)  # expect: PRV101


def promote_checked(user):
    ensure_opt_in(user)
    track(user, "promo", email=user.email)  # expect: PRV101
""",
}


def _write(root: Path) -> None:
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def _expected() -> set[tuple[str, int, str]]:
    found = set()
    for name, text in FILES.items():
        for number, line in enumerate(text.splitlines(), start=1):
            if "# expect: " in line:
                found.update((name, number, rule.strip()) for rule in line.split("# expect: ")[1].split(","))
    return found


def _findings(cli: str, root: Path, *args: str) -> list[dict]:  # type: ignore[type-arg]
    done = run_cli(["check", "--format", "json", *args], root)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout)["findings"]  # type: ignore[no-any-return]


def test_flows_across_modules(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    findings = _findings(cli, tmp_path, "shop")
    assert {(f["path"], f["span"]["line"], f["rule"]) for f in findings} == _expected()


def test_call_site_finding_follows_the_flow_into_other_files(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    by_line = {f["span"]["line"]: f for f in _findings(cli, tmp_path, "shop") if f["path"] == "shop/views.py"}
    two_levels = by_line[12]
    assert "via note_login(subject)" in two_levels["message"]
    hops = [(s["path"], s["note"]) for s in two_levels["steps"]]
    assert ("shop/services.py", "passed to record(value)") in hops
    assert hops[-2] == ("shop/audit.py", "logger.info")  # the sink inside the helper, in its own file
    assert two_levels["steps"][-2]["span"]["line"] == 7
    multi_line = next(f for f in by_line.values() if "via noted(fields)" in f["message"])
    sink_line = FILES["shop/audit.py"].splitlines().index('        logger.info("%s: %s",') + 1
    assert multi_line["steps"][-2]["span"]["line"] == sink_line  # a call over several lines, in a block
    returned = by_line[15]
    assert returned["sources"][0]["path"] == "shop/services.py"
    assert returned["sources"][0]["span"]["line"] == 9
    sarif = run_cli(["check", "--format", "sarif", "shop/views.py"], tmp_path)
    uris = {
        loc["location"]["physicalLocation"]["artifactLocation"]["uri"]
        for result in json.loads(sarif.stdout)["runs"][0]["results"]
        for flow in result.get("codeFlows", [])
        for loc in flow["threadFlows"][0]["locations"]
    }
    assert {"shop/views.py", "shop/services.py", "shop/audit.py"} <= uris


def test_one_file_sees_its_project(cli: str, tmp_path: Path) -> None:
    """A pre-commit hook passes only the changed file: the modules it imports are read for their summaries."""
    _write(tmp_path)
    alone = _findings(cli, tmp_path, "shop/views.py")
    assert {(f["path"], f["span"]["line"], f["rule"]) for f in alone} == {
        e for e in _expected() if e[0] == "shop/views.py"
    }


def test_results_do_not_depend_on_jobs(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    for number in range(20):  # enough files for the process pool
        (tmp_path / "shop" / f"filler_{number}.py").write_text(
            f"from shop import services\n\n\ndef f{number}(request):\n    services.note_login(request.user.email)\n"
        )
    serial = _findings(cli, tmp_path, "--jobs", "1", "shop")
    pooled = _findings(cli, tmp_path, "--jobs", "3", "shop")
    assert serial == pooled
    assert len(serial) == len(_expected()) + 20


def test_flake8_sees_the_project_too(tmp_path: Path) -> None:
    _write(tmp_path)
    (tmp_path / ".git").mkdir()  # the plugin's project root
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV", "shop"], capture_output=True, text=True, cwd=tmp_path
    )
    found = {(line.split(":")[0], int(line.split(":")[1]), line.split()[1]) for line in done.stdout.splitlines()}
    assert found == _expected()


@pytest.mark.parametrize("name", ["shop/cycle_a.py", "shop/cycle_b.py"])
def test_import_cycles_terminate(cli: str, tmp_path: Path, name: str) -> None:
    _write(tmp_path)
    assert _findings(cli, tmp_path, name) == []


@pytest.mark.parametrize("project", ["django_crm", "fastapi_svc"])
def test_sample_projects_give_exactly_their_labels(project: str) -> None:
    from privacy_lint.fixture_labels import compare
    from privacy_lint.packs.loader import default_catalog
    from privacy_lint.project.scan import scan

    from .conftest import FIXTURES

    result = scan([str(FIXTURES / "projects" / project)], default_catalog(), jobs=1)
    assert len(result.files) >= 15 and not result.diagnostics
    for file in result.files:
        missing, extra = compare(Path(file.path), file.findings)
        assert (missing, extra) == (set(), set()), file.path
