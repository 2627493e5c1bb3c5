"""The flake8 plugin and the report show exactly what the CLI reports, and flake8's own noqa applies."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from .conftest import FIXTURES, ROOT, flake8_form, run_cli


def _lines(output: str) -> list[str]:
    return flake8_form(output)


def test_flake8_and_cli_agree_on_every_fixture(cli: str) -> None:
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV,E999", "-j", "auto", "fixtures"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=600,
    )
    ours = subprocess.run([cli, "check", "fixtures"], capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert flake8.returncode == 1, flake8.stderr
    # flake8 runs no plugin on a file its Python cannot parse (E999): code written for a newer Python
    refused = {line.split(":")[0] for line in flake8.stdout.splitlines() if ": E999 " in line}
    assert refused == (_newer_than_this_python(FIXTURES) if sys.version_info < (3, 14) else set())
    assert _lines(flake8.stdout) == [line for line in _lines(ours.stdout) if line.split(":")[0] not in refused]
    assert len(_lines(ours.stdout)) > 500
    # the reviewer's report lists the same findings (it reads the results this check just cached)
    report = json.loads(run_cli(["report", "--format", "json", "-q", "fixtures"], ROOT).stdout)
    listed = sorted(f"{f['path']}:{f['line']} {f['rule']}" for f in report["findings"])
    assert listed == sorted(
        f"{line.split(':')[0]}:{line.split(':')[1]} {line.split()[1]}" for line in _lines(ours.stdout)
    )


def _newer_than_this_python(root: Path) -> set[str]:
    refused = set()
    for path in sorted(root.rglob("*.py")):
        try:
            compile(path.read_bytes(), str(path), "exec", dont_inherit=True)
        except SyntaxError:
            refused.add(path.relative_to(ROOT).as_posix())
    return refused


def test_flake8_noqa_and_named_ignores(tmp_path: Path) -> None:
    source = tmp_path / "views.py"
    source.write_text(
        "import logging\n\nlogger = logging.getLogger(__name__)\n\n\ndef f(request):\n"
        '    logger.info("a %s", request.remote_addr)\n'
        '    logger.info("b %s", request.remote_addr)  # noqa: PRV001\n'
        '    logger.info("c %s", request.remote_addr)  # noqa: PRV2\n'
        '    logger.info("d %s", request.remote_addr)  # privacy-lint: ignore[PRV001] abuse investigations\n'
    )
    done = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV", str(source)], capture_output=True, text=True, timeout=120
    )
    assert [line.split(":")[1] for line in done.stdout.splitlines()] == ["7", "9"]
    assert "PRV001 IP address (request.remote_addr) written to application log by logger.info" in done.stdout
    high = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "PRV", "--privacy-lint-min-confidence", "high", str(source)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert high.stdout.count("PRV001") == 2


def test_a_folder_is_scanned_once_up_front_with_the_same_findings(tmp_path: Path) -> None:
    """flake8 on a folder fills the cache with one scan before its workers start; the findings are those its
    workers compute file by file without the cache."""
    (tmp_path / "pyproject.toml").write_text("[tool.privacy-lint]\n")
    app = tmp_path / "app"
    app.mkdir()
    (app / "__init__.py").write_text("")
    (app / "audit.py").write_text(
        "import logging\n\nlog = logging.getLogger(__name__)\n\n\ndef record(address):\n    log.info(address)\n"
    )
    (app / "views.py").write_text("from app.audit import record\n\n\ndef view(user):\n    record(user.email)\n")

    def flake8(*args: str) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-m", "flake8", "--select", "PRV", "-j", "2", *args],
            capture_output=True,
            text=True,
            cwd=tmp_path,
            timeout=120,
        )
        assert done.returncode == 1, done.stderr
        return sorted(done.stdout.splitlines())

    by_file = flake8("--privacy-lint-no-cache", "app/__init__.py", "app/audit.py", "app/views.py")
    assert not (tmp_path / ".privacy_lint_cache").exists()
    assert any("PRV001" in line and "views.py" in line for line in by_file)
    assert flake8("app") == by_file
    assert any((tmp_path / ".privacy_lint_cache").iterdir())
    assert flake8("app") == by_file  # read back from the cache the scan filled
    assert flake8(str(app)) == [line.replace("app/", f"{app}/", 1) for line in by_file]  # named absolutely


def test_only_flake8s_main_process_scans_up_front() -> None:
    from argparse import Namespace

    from privacy_lint.flake8_plugin import _main_process, _many_files

    assert _many_files(Namespace(filenames=["."]))
    assert _many_files(Namespace(filenames=["a.py", "b.py"]))
    assert not _many_files(Namespace(filenames=[__file__]))
    assert not _many_files(Namespace(filenames=["-"]))
    assert _main_process()


def test_the_up_front_scan_answers_every_file_the_workers_ask_for(tmp_path: Path, monkeypatch: Any) -> None:
    """The scan names files as the plugin's plan does, however flake8 was given them: each file is then a cache
    hit, analysed by no worker."""
    import pytest

    from privacy_lint import api
    from privacy_lint.flake8_plugin import _as_planned
    from privacy_lint.project.analyser import Analyser

    (tmp_path / "pyproject.toml").write_text("[tool.privacy-lint]\n")
    app = tmp_path / "app"
    app.mkdir()
    files = {
        "__init__.py": "",
        "audit.py": "import logging\n\nlog = logging.getLogger()\n\n\ndef record(value):\n    log.info(value)\n",
        "views.py": "from app.audit import record\n\n\ndef view(user):\n    record(user.email)\n",
    }
    for name, text in files.items():
        (app / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    assert api.prefill((_as_planned(str(app)),), False, False, jobs=1)

    def analysed(*args: object, **kwargs: object) -> None:
        pytest.fail("a file the scan had cached was analysed again")

    monkeypatch.setattr(Analyser, "analyse_source", analysed)
    monkeypatch.setattr(Analyser, "analyse_path", analysed)
    api._projects.cache_clear()
    planned = (_as_planned(str(app)),)
    found = {name: api.check_source(text, str(app / name), planned=planned) for name, text in files.items()}
    assert [f.rule for f in found["views.py"]] == ["PRV001"]
