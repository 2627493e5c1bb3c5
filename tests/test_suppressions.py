"""`# noqa` (flake8 semantics) and `# privacy-lint: ignore[...] reason`, in the engine and the CLI."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from privacy_lint.engine.options import EngineOptions
from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.analyser import Analyser

SOURCE = """import logging

logger = logging.getLogger(__name__)


def f(request, user):
    logger.info("ip %s", request.remote_addr)  # noqa: PRV001
    logger.info("ip %s", request.remote_addr)  # noqa
    logger.info("ip %s", request.remote_addr)  # noqa: E501
    logger.info("ip %s", request.remote_addr)  # privacy-lint: ignore[PRV001] needed for abuse investigations
    logger.info("ip %s", request.remote_addr)  # privacy-lint: ignore[PRV001]
    logger.info(
        "ip %s",
        request.remote_addr,  # noqa: PRV0
    )
    logger.info("id %s", user.id)  # noqa: PRV001
    logger.info("ip %s", request.remote_addr)  # privacy-lint: ignore[PRV101] wrong rule
"""


def test_suppressions_follow_flake8_noqa_and_named_ignores(engine: Analyser) -> None:
    result = engine.analyse_source(SOURCE, "t.py")
    # line 9: its noqa names another code; line 17: its ignore names another rule
    assert [f.span.line for f in result.findings] == [9, 17]
    assert [(f.span.line, note.kind, note.reason) for f, note in result.suppressed] == [
        (7, "noqa", ""),
        (8, "noqa", ""),
        (10, "ignore", "needed for abuse investigations"),
        (11, "ignore", ""),
        (12, "noqa", ""),
    ]
    assert [(note.line, note.codes) for note in result.unused_suppressions] == [(16, ("PRV001",)), (17, ("PRV101",))]


def test_require_reason_rejects_suppressions_without_one() -> None:
    strict = Analyser(default_catalog(), EngineOptions(require_reason=True))
    result = strict.analyse_source(SOURCE, "t.py")
    assert [f.span.line for f in result.findings] == [7, 8, 9, 11, 12, 17]
    assert [(f.span.line, note.reason) for f, note in result.suppressed] == [(10, "needed for abuse investigations")]
    assert [d.line for d in result.diagnostics] == [7, 8, 11, 14]


def test_cli_suppression_options(cli: str, tmp_path: Path) -> None:
    target = tmp_path / "t.py"
    target.write_text(SOURCE)
    plain = subprocess.run([cli, "check", str(target)], capture_output=True, text=True, timeout=60)
    assert plain.stdout.count(": PRV001 ") == 2 and "5 suppressed" in plain.stdout
    assert "unused suppression" not in plain.stdout
    unused = subprocess.run(
        [cli, "check", "--report-unused-suppressions", str(target)], capture_output=True, text=True, timeout=60
    )
    assert f"{target}:16:1: unused suppression (PRV001)" in unused.stdout
    strict = subprocess.run([cli, "check", "--require-reason", str(target)], capture_output=True, text=True, timeout=60)
    assert strict.stdout.count(": PRV001 ") == 6 and "suppression without a reason" in strict.stderr
    document = json.loads(
        subprocess.run([cli, "check", "--format", "json", str(target)], capture_output=True, text=True).stdout
    )
    reasons = [item["suppression"]["reason"] for item in document["suppressed"]]
    assert "needed for abuse investigations" in reasons
