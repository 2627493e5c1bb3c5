"""Real releases written for a newer Python than the one running privacy-lint: every file is accounted for.

The packages (benchmarks/corpus.py, set "newer-syntax") require Python 3.12 to 3.14 and use PEP 695, 701, 758
and 750 syntax that Python 3.11's parser refuses. They are downloaded once from PyPI (about 1.5 MB of wheels) into
the corpus cache, unpacked, read and never installed or imported.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.discovery import decode_source
from privacy_lint.project.index import ProjectIndex, index_file, module_name

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from corpus import SETS, fetch


@pytest.fixture(scope="module", params=SETS["newer-syntax"])
def package(request: pytest.FixtureRequest) -> Path:
    try:
        return fetch(request.param)
    except subprocess.CalledProcessError as exc:  # no network: say so rather than pass
        if "CI" in __import__("os").environ:
            raise
        pytest.skip(f"cannot download {request.param}: {exc}")


def _refused_by_this_python(path: Path) -> bool:
    try:
        ast.parse(decode_source(path.read_bytes()))
    except SyntaxError:
        return True
    return False


def test_the_first_pass_indexes_every_module(package: Path) -> None:
    from privacy_lint.packs.classify import Classifier

    catalog = default_catalog()
    classifier = Classifier(catalog)
    files = sorted(package.rglob("*.py"))
    newer = [f for f in files if _refused_by_this_python(f)]
    if sys.version_info < (3, 14):
        assert newer, "the release no longer uses syntax this Python refuses: pick another"
    index = ProjectIndex()
    for file in files:
        found = index_file(file.read_bytes(), str(file), catalog, classifier)
        assert not found.problem, (file, found.problem)
        assert found.syntax_ok is not False, file
        index.add(found)
    indexed = {entry.path for entry in index.modules.values()}
    expected = {str(f) for f in files if b"import" in f.read_bytes() or b"class " in f.read_bytes()}
    duplicates = len(files) - len({module_name(str(f)) for f in files})
    assert len(expected - indexed) <= duplicates, sorted(expected - indexed)[:5]
    for file in newer:
        assert str(file) in indexed or module_name(str(file)) in index.modules, file


def test_every_file_is_analysed_or_named_in_a_diagnostic(cli: str, package: Path, tmp_path: Path) -> None:
    done = subprocess.run(
        [cli, "check", "--no-cache", "--include-tests", "--format", "json", str(package)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=tmp_path,
    )
    assert done.returncode in (0, 1), done.stderr
    report = json.loads(done.stdout)
    assert report["files_scanned"] == len(list(package.rglob("*.py")))
    assert [d for d in report["diagnostics"] if d["kind"] != "duplicate-module"] == []
