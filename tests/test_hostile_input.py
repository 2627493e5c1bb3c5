"""Hostile and odd input: each gets one clear diagnostic, the scan goes on, nothing is lost, nothing is run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli

LEAK = 'import logging\n\n\ndef f(email):\n    logging.info("%s", email)\n'


def _check(cli: str, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(["check", "--no-cache", *args], cwd)


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


ODD_FILES: dict[str, bytes] = {
    "latin1_declared.py": b"# -*- coding: latin-1 -*-\n" + LEAK.replace("%s", "caf\xe9 %s").encode("latin-1"),
    "bom.py": b"\xef\xbb\xbf" + LEAK.encode(),
    "crlf.py": LEAK.replace("\n", "\r\n").encode(),
    "cr_only.py": LEAK.replace("\n", "\r").encode(),
    "nested_fstring.py": b'import logging\n\n\ndef f(user):\n    logging.info(f"{f"{user.email}"}")\n',
    "type_params.py": b"type Pair = tuple[int, int]\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n",
    # Python 3.14 code, read on an older Python: PEP 758 with a colon in its comment (as in Home Assistant), a
    # t-string and a PEP 701 f-string, around a leak
    "python314.py": b"import logging\n\n\ndef f(user, d):\n    try:\n        page = t'<p>{user.name}</p>'\n"
    b"    except TypeError, ValueError:  # pragma: no cover: odd\n        return f'{d[\"k\"]}'\n"
    b"    logging.info('%s', user.email)\n    return page\n",
    "match_statement.py": b"def f(command):\n    match command:\n        case [x, y]:\n            return x\n",
    "empty.py": b"",
    "long_line.py": b"X = [" + b"1, " * 100_000 + b"]\n",
}
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "latin1_undeclared.py": (LEAK.replace("%s", "caf\xe9 %s").encode("latin-1"), "cannot decode"),
    "nul.py": (b"x = 1\x00\n", "binary content"),
    "python2.py": (b"print 'hello'\n", "syntax error"),
    "syntax.py": (b"def f(:\n", "syntax error"),
    "deep.py": (b"x = " + b"(" * 3000 + b"1" + b")" * 3000 + b"\n", "too many nested parentheses"),
}


def test_odd_but_valid_files_are_analysed_and_bad_ones_named(cli: str, tmp_path: Path) -> None:
    for name, data in ODD_FILES.items():
        (tmp_path / name).write_bytes(data)
    for name, (data, _) in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    (tmp_path / "huge.py").write_bytes(b"VALUE = 1  # generated\n" * 500_000)  # 11 MB
    done = _check(cli, tmp_path, "--format", "json", ".")
    assert done.returncode == 3, done.stderr  # findings, but incomplete
    report = json.loads(done.stdout)
    leaks = {f["path"] for f in report["findings"]}
    assert leaks == {"latin1_declared.py", "bom.py", "crlf.py", "cr_only.py", "nested_fstring.py", "python314.py"}
    reasons = {d["path"]: d["message"] for d in report["diagnostics"]}
    for name, (_, reason) in BAD_FILES.items():
        assert reason in reasons.pop(name), name
    assert "larger than" in reasons.pop("huge.py")
    assert not reasons  # the odd but valid files gave no diagnostic
    assert report["files_scanned"] == len(ODD_FILES) + len(BAD_FILES) + 1
    lenient = _check(cli, tmp_path, "--allow-incomplete", ".")
    assert lenient.returncode == 1
    assert "not analysed" in lenient.stdout.splitlines()[-1]


def test_paths_that_fight_back(cli: str, tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "with space").mkdir(parents=True)
    (project / "with space" / "naïve módulo.py").write_text(LEAK)
    (project / "loop").mkdir()
    (project / "loop" / "again").symlink_to("../loop")  # a symlink loop
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.py").write_text(LEAK)
    (project / "elsewhere").symlink_to(outside)  # pointing outside the scanned root: not followed
    (project / "gone.py").symlink_to(project / "deleted.py")  # a file deleted before it could be read
    done = _check(cli, project, "--format", "json", ".", ".", "with space")  # paths given twice
    report = json.loads(done.stdout)
    assert [f["path"] for f in report["findings"]] == ["with space/naïve módulo.py"]
    assert report["files_scanned"] == 2
    [gone] = report["diagnostics"]
    assert gone["path"] == "gone.py" and gone["kind"] == "read-error"
    assert done.returncode == 3
    missing = _check(cli, project, "no/such/dir")
    assert missing.returncode == 2 and "no such file or directory" in missing.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their permissions")
def test_unreadable_files_and_folders(cli: str, tmp_path: Path) -> None:
    (tmp_path / "ok.py").write_text(LEAK)
    (tmp_path / "locked.py").write_text(LEAK)
    (tmp_path / "locked.py").chmod(0)
    (tmp_path / "closed").mkdir()
    (tmp_path / "closed" / "inner.py").write_text(LEAK)
    (tmp_path / "closed").chmod(0)
    try:
        done = _check(cli, tmp_path, ".")
    finally:
        (tmp_path / "closed").chmod(0o755)
    assert done.returncode == 3
    assert "ok.py:5:5: PRV001" in done.stdout
    assert "locked.py: cannot read" in done.stderr and "closed: cannot read" in done.stderr


def test_a_pathological_file_has_a_budget(cli: str, tmp_path: Path) -> None:
    (tmp_path / "slow.py").write_text("import logging\nlogging.info(" + " + ".join(["email"] * 1200) + ")\n")
    (tmp_path / "fine.py").write_text(LEAK)
    done = _check(cli, tmp_path, "--file-timeout", "0.05", ".")
    assert done.returncode == 3
    assert "slow.py: skipped: analysing it took longer than the 0.05 s allowed per file" in done.stderr
    assert "fine.py:5:5: PRV001" in done.stdout


def test_diagnostics_reach_every_format(cli: str, tmp_path: Path) -> None:
    (tmp_path / "nul.py").write_bytes(b"x = 1\x00\n")
    sarif = json.loads(_check(cli, tmp_path, "--format", "sarif", ".").stdout)
    [note] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert "binary content" in note["message"]["text"]
    gitlab = json.loads(_check(cli, tmp_path, "--format", "gitlab", ".").stdout)
    assert "binary content" in gitlab["scan"]["messages"][0]["value"]
    github = _check(cli, tmp_path, "--format", "github", ".").stdout
    assert "::warning file=nul.py" in github
    text = _check(cli, tmp_path, ".")
    assert "nul.py: skipped: binary content" in text.stderr


def test_scanned_code_is_never_imported_or_run(cli: str, tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    payload = f"open({str(marker)!r}, 'w').write('ran')\n"
    package = tmp_path / "evil"
    package.mkdir()
    for name in ("__init__.py", "models.py", "conftest.py", "setup.py", "__main__.py"):
        (package / name).write_text(payload + LEAK)
    (package / "views.py").write_text("from evil import models\nfrom . import models as m\nimport evil.models\n")
    (package / "evil.pth").write_text(f"import os; {payload}")
    (package / "sitecustomize.py").write_text(payload)
    before = _files(tmp_path)
    for jobs in ("1", "2"):
        assert _check(cli, tmp_path, "--jobs", jobs, "evil").returncode == 1
    flake8 = [sys.executable, "-m", "flake8", "--select", "PRV", "evil"]
    done = subprocess.run([*flake8, "--privacy-lint-no-cache"], capture_output=True, text=True, cwd=tmp_path)
    assert "PRV001" in done.stdout
    assert not marker.exists()
    assert _files(tmp_path) == before  # --no-cache: nothing written anywhere in the tree
    cached = subprocess.run(flake8, capture_output=True, text=True, cwd=tmp_path)
    assert cached.stdout == done.stdout and not marker.exists()
    written = set(_files(tmp_path)) - set(before)
    assert written and all("/.privacy_lint_cache/" in f"/{name}" for name in written)  # the cache, and only it
    shutil.rmtree(tmp_path / ".privacy_lint_cache")
    report = tmp_path / "out" / "report.sarif"
    report.parent.mkdir()
    _check(cli, tmp_path, "--format", "sarif", "-o", str(report), "evil")
    assert set(_files(tmp_path)) == set(before) | {"out/report.sarif"}  # only where asked


def test_output_is_byte_identical_whatever_the_jobs_and_file_order(cli: str, tmp_path: Path) -> None:
    for number in range(24):
        (tmp_path / f"module_{number:02}.py").write_text(LEAK.replace("def f", f"def f{number}"))
    (tmp_path / "nul.py").write_bytes(b"\x00")
    outputs = set()
    for jobs in ("1", "2", "3"):
        for fmt in ("text", "json", "sarif"):
            done = _check(cli, tmp_path, "--jobs", jobs, "--format", fmt, ".")
            outputs.add((fmt, done.stdout, done.stderr))
    assert len(outputs) == 3  # one per format
