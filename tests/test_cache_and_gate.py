"""The result cache, the pre-parse gate and the progress bar: faster runs, never different results."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from privacy_lint.cache import ResultCache
from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.progress import Progress
from privacy_lint.project.scan import scan

from .conftest import FIXTURES, run_cli
from .test_cross_module import FILES, _write


def _json(cli: str, cwd: Path, *args: str) -> tuple[dict, str]:  # type: ignore[type-arg]
    done = run_cli(["check", "--format", "json", *args], cwd)
    assert done.returncode in (0, 1), done.stderr
    return json.loads(done.stdout), done.stderr


def _comparable(report: dict) -> list:  # type: ignore[type-arg]
    return [report["findings"], report["diagnostics"], report["suppressed"], report["files_scanned"]]


@pytest.mark.parametrize(
    "corpus", ["rules", "realistic", "holdout", "holdout_b", "projects", "projects_b", "sample_service"]
)
def test_the_gate_never_changes_findings(corpus: str) -> None:
    catalog = default_catalog()
    gated = scan([str(FIXTURES / corpus)], catalog, jobs=1, gate=True)
    full = scan([str(FIXTURES / corpus)], catalog, jobs=1, gate=False)
    assert [r.findings for r in gated.files] == [r.findings for r in full.files]
    assert gated.diagnostics == full.diagnostics
    assert full.gated == 0


def test_the_gate_skips_files_with_nothing_to_report(tmp_path: Path) -> None:
    (tmp_path / "constants.py").write_text("RETRIES = 3\nNAMES = ('a', 'b')\n")
    (tmp_path / "maths.py").write_text("def add(a, b):\n    return a + b\n")
    (tmp_path / "broken.py").write_text("def add(a, b)\n    return a + b\n")
    (tmp_path / "leak.py").write_text("def f(user):\n    print(user.email)\n")
    result = scan([str(tmp_path)], default_catalog(), jobs=1)
    assert result.gated == 2 and result.analysed == 2
    by_name = {Path(r.path).name: r for r in result.files}
    assert by_name["broken.py"].diagnostics[0].kind == "parse-error"  # the gate never hides a syntax error
    assert len(by_name["leak.py"].findings) == 1


GATE_PROJECT = {
    # Nothing here can report: a dict's `get` is not `requests.get`; the exception quotes no personal data.
    "lookup_table.py": "def pick(table, email):\n    return table.get(email)\n",
    "validation.py": "def check(value):\n    if value < 0:\n        raise ValueError(f'bad {value}')\n",
    # `sin` and `number` are both here, but never side by side as in `sin_number`; `name` on no person.
    "maths.py": "import math\n\ndef f(x, number):\n    raise ValueError(math.sin(x), number)\n",
    "fields.py": "def rename(obj, name):\n    raise KeyError(f'no field {name}')\n",
    # Each of these reports, and each needs a different piece of evidence to pass the gate.
    "http_call.py": "import requests\n\ndef f(email):\n    requests.get('https://x.example', params={'e': email})\n",
    "raising.py": "def f(email):\n    raise ValueError(f'unknown {email}')\n",
    "typed_name.py": "def f(logger, phone_number):\n    logger.info(phone_number)\n",
    "person_name.py": "def greet(user):\n    raise ValueError(f'bad {user.name}')\n",
    "clients.py": (
        "import logging\n\naudit = logging.getLogger('audit')\n\n"
        "def origin_of(req):\n    return req.META['REMOTE_ADDR']\n"
    ),
    # the sink's type (a Logger) and the personal data (an IP address) are handed over by clients.py
    "handed_type.py": "from clients import audit\n\ndef f(email):\n    audit.info(email)\n",
    "handed_data.py": "from clients import audit, origin_of\n\ndef f(r):\n    audit.warning(origin_of(r))\n",
}


def test_the_gate_wants_a_resolvable_sink_and_personal_data(tmp_path: Path) -> None:
    for name, text in GATE_PROJECT.items():
        (tmp_path / name).write_text(text)
    catalog = default_catalog()
    gated = scan([str(tmp_path)], catalog, jobs=1)
    full = scan([str(tmp_path)], catalog, jobs=1, gate=False)
    assert [r.findings for r in gated.files] == [r.findings for r in full.files]
    reported = {Path(r.path).name for r in gated.files if r.findings}
    assert reported == {"http_call.py", "raising.py", "typed_name.py", "person_name.py"} | {
        "handed_type.py",
        "handed_data.py",
    }
    assert gated.gated == 4  # lookup_table.py, validation.py, maths.py, fields.py; clients.py is imported


def test_a_warm_run_gives_the_same_report_from_the_cache(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    cold, _ = _json(cli, tmp_path, "shop")
    cache = tmp_path / ".privacy_lint_cache"
    assert (cache / ".gitignore").read_text().splitlines()[-1] == "*"  # never committed by accident
    entries = list(cache.rglob("*.result"))
    assert len(entries) == len(FILES)
    warm, _ = _json(cli, tmp_path, "shop")
    assert _comparable(warm) == _comparable(cold)
    pooled, _ = _json(cli, tmp_path, "--jobs", "2", "shop")
    assert _comparable(pooled) == _comparable(cold)


def test_damaged_cache_entries_are_recomputed_not_trusted(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    cold, _ = _json(cli, tmp_path, "shop")
    for number, entry in enumerate(sorted((tmp_path / ".privacy_lint_cache").rglob("*.*"))):
        if entry.suffix in (".result", ".summary", ".index"):
            entry.write_bytes(b"" if number % 2 else b"\x80\x04garbage")
    warm, stderr = _json(cli, tmp_path, "shop")
    assert _comparable(warm) == _comparable(cold)
    assert "Traceback" not in stderr


def test_a_change_reaches_the_modules_that_import_it(cli: str, tmp_path: Path) -> None:
    """views.py is unchanged, but the helper it calls in audit.py stops logging: its finding must go."""
    _write(tmp_path)
    cold, _ = _json(cli, tmp_path, "shop/views.py")
    assert any(f["span"]["line"] == 11 for f in cold["findings"])
    audit = tmp_path / "shop" / "audit.py"
    audit.write_text(audit.read_text().replace('    logger.info("%s %s", action, value)', "    return action"))
    warm, _ = _json(cli, tmp_path, "shop/views.py")
    assert not any(f["span"]["line"] == 11 for f in warm["findings"])


def test_no_cache_writes_nothing_and_an_unwritable_cache_is_no_error(cli: str, tmp_path: Path) -> None:
    _write(tmp_path)
    _json(cli, tmp_path, "--no-cache", "shop")
    assert not (tmp_path / ".privacy_lint_cache").exists()
    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the cache folder would go")
    report, stderr = _json(cli, tmp_path, "--cache-dir", str(blocked / "cache"), "shop")
    assert report["findings"] and "Traceback" not in stderr


def test_cache_entries_are_keyed_by_content_and_checked_by_type(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path, "salt")
    cache.store("ab" * 32, "result", {"not": "a result"})
    assert cache.load("ab" * 32, "result", list) is None
    assert cache.load("cd" * 32, "result", dict) is None


def test_progress_only_on_a_terminal() -> None:
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    shown = Terminal()
    bar = Progress(400, shown)
    for _ in range(400):
        bar.advance()
    bar.close()
    assert "400/400 files" in shown.getvalue()
    piped = io.StringIO()
    quiet = Progress(400, piped)
    quiet.advance(400)
    assert piped.getvalue() == ""
    small = Terminal()
    Progress(10, small).advance(10)
    assert small.getvalue() == ""


def test_a_file_the_gate_skips_is_checked_without_importing_libcst(tmp_path: Path) -> None:
    """The gate's point on one file from the shell: no LibCST import (about 100 ms of a 0.2 s run)."""
    import subprocess
    import sys

    (tmp_path / "maths.py").write_text("def add(a, b):\n    return a + b\n")
    probe = (
        "import sys\nfrom privacy_lint.cli import main\n"
        "try:\n    main(['check', '--no-cache', 'maths.py'])\nexcept SystemExit:\n    pass\n"
        "print('libcst' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines()[-1] == "False", done.stdout + done.stderr
