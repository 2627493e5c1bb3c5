"""Fuzzing: whatever the input, the engine returns a result (findings or diagnostics) and never raises.

Generated programs reach grammar corners the fixtures never use; mutated fixtures are real code that is almost
right, which is what editors hand to a linter. The budgets keep this file within the normal test run;
scripts/fuzz.py runs the same properties for much longer.
"""

from __future__ import annotations

import encodings
import pkgutil
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesmith
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from privacy_lint.findings import CONFIDENCES, SEVERITIES, FileResult
from privacy_lint.packs.classify import Classifier
from privacy_lint.packs.loader import default_catalog
from privacy_lint.project.analyser import Analyser
from privacy_lint.project.index import index_source
from privacy_lint.project.scan import scan

from .conftest import FIXTURES

CATALOG = default_catalog()
ENGINE = Analyser(CATALOG)
CLASSIFIER = Classifier(CATALOG)

# Loaded once: every example starts from one of these texts.
PROJECTS = ("django_crm", "fastapi_svc")
PROJECT_FILES: dict[str, dict[str, str]] = {
    project: {
        path.relative_to(FIXTURES / "projects" / project).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted((FIXTURES / "projects" / project).rglob("*.py"))
    }
    for project in PROJECTS
}
FIXTURE_TEXTS: tuple[str, ...] = (
    *(path.read_text(encoding="utf-8") for path in sorted((FIXTURES / "rules").glob("*.py"))),
    *(text for files in PROJECT_FILES.values() for text in files.values()),
)


# Every codec Python knows may appear in a coding cookie, including those that are not text encodings (rot13)
# or whose decoder raises a bare UnicodeError (undefined, punycode, idna): fuzzing found crashes with both.


COOKIE_CODECS = (*(m.name for m in pkgutil.iter_modules(encodings.__path__)), "no-such")
ODD_CHARACTERS = ("\0", "\r", "\n", "\t", "\x0b", "\x0c", "\x85", "\u2028", "\ufeff", "\u200b", "\\", "#")
TRICKY_LINES = (
    '"""',
    "\\",
    "if True:",
    "    else:",
    "def f(",
    "class Model:",
    "match x:",
    "    case {'email': email}:",
    "async def handler(request):",
    "from . import *",
    "import logging",
    "logging.info(email)",
    "print(f'{user.email=}')",
    "x = lambda: (yield)",
    "# noqa",
    "# privacy-lint: ignore[PRV001] reason",
)


def as_bytes(text: str) -> bytes:
    """The file as written to disk: raw bytes that are not UTF-8 travel in `text` as escape surrogates."""
    return text.encode("utf-8", "surrogateescape")


def _from_bytes(data: bytes) -> str:
    return data.decode("utf-8", "surrogateescape")


Mutation = Callable[[st.DrawFn, str], str]


def _line_edit(edit: Callable[[st.DrawFn, list[str], int], None]) -> Mutation:
    """Lift an edit of one line (by index) to a mutation of the whole text."""

    def mutate(draw: st.DrawFn, text: str) -> str:
        lines = text.splitlines(keepends=True) or [""]
        edit(draw, lines, draw(st.integers(0, len(lines) - 1)))
        return "".join(lines)

    return mutate


@_line_edit
def delete_line(draw: st.DrawFn, lines: list[str], at: int) -> None:
    del lines[at]


@_line_edit
def duplicate_line(draw: st.DrawFn, lines: list[str], at: int) -> None:
    lines.insert(at, lines[at])


@_line_edit
def indent_line(draw: st.DrawFn, lines: list[str], at: int) -> None:
    lines[at] = draw(st.sampled_from([" ", "    ", "\t", "\x0c"])) + lines[at]


@_line_edit
def dedent_line(draw: st.DrawFn, lines: list[str], at: int) -> None:
    lines[at] = re.sub(r"^[ \t]{1,4}", "", lines[at])


@_line_edit
def swap_lines(draw: st.DrawFn, lines: list[str], at: int) -> None:
    other = draw(st.integers(0, len(lines) - 1))
    lines[at], lines[other] = lines[other], lines[at]


@_line_edit
def insert_tricky_line(draw: st.DrawFn, lines: list[str], at: int) -> None:
    lines.insert(at, draw(st.sampled_from(TRICKY_LINES)) + draw(st.sampled_from(["\n", "\r\n", "\r", ""])))


def insert_coding_cookie(draw: st.DrawFn, text: str) -> str:
    """Only the first two lines can declare the encoding, so aim there."""
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(0, min(len(lines), 1)))
    lines.insert(at, f"# -*- coding: {draw(st.sampled_from(COOKIE_CODECS))} -*-\n")
    return "".join(lines)


def insert_characters(draw: st.DrawFn, text: str) -> str:
    at = draw(st.integers(0, len(text)))
    inserted = draw(st.text(st.characters() | st.sampled_from(ODD_CHARACTERS), min_size=1, max_size=8))
    return text[:at] + inserted + text[at:]


def insert_bytes(draw: st.DrawFn, text: str) -> str:
    data = as_bytes(text)
    at = draw(st.integers(0, len(data)))
    return _from_bytes(data[:at] + draw(st.binary(min_size=1, max_size=8)) + data[at:])


def truncate(draw: st.DrawFn, text: str) -> str:
    data = as_bytes(text)
    return _from_bytes(data[: draw(st.integers(0, len(data)))])


MUTATIONS: tuple[Mutation, ...] = (
    delete_line,
    duplicate_line,
    indent_line,
    dedent_line,
    swap_lines,
    insert_tricky_line,
    insert_coding_cookie,
    insert_characters,
    insert_bytes,
    truncate,
)


@st.composite
def mutated(draw: st.DrawFn, text: str, min_edits: int = 1) -> str:
    """Edits compound: one alone mostly leaves valid code, several reach the states an editor passes through."""
    for _ in range(draw(st.integers(min_edits, 4))):
        text = draw(st.sampled_from(MUTATIONS))(draw, text)
    return text


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> str:
    return draw(mutated(draw(st.sampled_from(FIXTURE_TEXTS))))


@st.composite
def mutated_projects(draw: st.DrawFn) -> dict[str, str]:
    """Two or three files of one fixture project, each edited or not, so imports between them still resolve."""
    files = PROJECT_FILES[draw(st.sampled_from(PROJECTS))]
    chosen = draw(st.lists(st.sampled_from(sorted(files)), min_size=2, max_size=3, unique=True))
    return {name: draw(mutated(files[name], min_edits=0)) for name in chosen}


def programs() -> st.SearchStrategy[str]:
    return hypothesmith.from_grammar() | hypothesmith.from_node()


# ----------------------------------------------------------------------------------------------- properties
def check_result(result: FileResult, path: str, text: str) -> None:
    """What every formatter relies on: located findings, explained diagnostics."""
    assert isinstance(result, FileResult)
    assert result.path == path
    last_line = len(text.splitlines()) + 1
    for diagnostic in result.diagnostics:
        assert isinstance(diagnostic.kind, str) and diagnostic.kind
        assert diagnostic.message
    for finding in result.findings:
        assert 1 <= finding.span.line <= finding.span.end_line <= last_line, finding
        assert finding.message and finding.sources
        assert finding.severity in SEVERITIES and finding.confidence in CONFIDENCES


def check_program(source: str) -> list[FileResult]:
    """Valid code of any shape: the engine and the first pass (which sees every file of a scan) must cope."""
    result = ENGINE.analyse_source(source, "fuzz.py")
    check_result(result, "fuzz.py", source)
    index_source(source, "fuzz.py", CATALOG, CLASSIFIER)
    return [result]


def check_mutant(text: str) -> list[FileResult]:
    """The flake8 plugin hands the engine text and the API accepts bytes: both decodings must hold up."""
    results = [ENGINE.analyse_source(text, "fuzz.py"), ENGINE.analyse_source(as_bytes(text), "fuzz.py")]
    for result in results:
        check_result(result, "fuzz.py", text)
    index_source(text, "fuzz.py", CATALOG, CLASSIFIER)
    return results


def write_tree(root: Path, files: dict[str, str]) -> set[Path]:
    """Write the files, each folder a package; return every module written."""
    written: set[Path] = set()
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(as_bytes(text))
        written.add(path)
    for path in list(written):
        for folder in path.relative_to(root).parents[:-1]:
            package = root / folder / "__init__.py"
            if package not in written:
                package.write_text("")
                written.add(package)
    return written


def check_scan(files: dict[str, str]) -> list[FileResult]:
    """The whole pipeline (discovery, index, gate, import order, summaries) on broken files of one project."""
    with tempfile.TemporaryDirectory(prefix="privacy-lint-fuzz-") as folder:
        root = Path(folder)
        written = write_tree(root, files)
        result = scan([str(root)], CATALOG, jobs=1)
    assert {Path(file.path) for file in result.files} == written
    assert not result.missing
    for file in result.files:
        assert not [d for d in file.diagnostics if d.kind == "internal-error"], file.diagnostics
    return result.files


Check = Callable[[Any], list[FileResult]]
PROPERTIES: dict[str, tuple[st.SearchStrategy[Any], Check]] = {
    "generated programs": (programs(), check_program),
    "mutated fixtures": (mutated_fixtures(), check_mutant),
    "mutated projects": (mutated_projects(), check_scan),
}

# ----------------------------------------------------------------------------------------------- tests
BOUNDED = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)


@settings(BOUNDED, max_examples=60)
@given(programs())
def test_generated_programs_never_crash(source: str) -> None:
    check_program(source)


@settings(BOUNDED, max_examples=200)
@given(mutated_fixtures())
def test_mutated_fixtures_never_crash(text: str) -> None:
    check_mutant(text)


@settings(BOUNDED, max_examples=40)
@given(mutated_projects())
def test_scan_of_mutated_project_never_crashes(files: dict[str, str]) -> None:
    check_scan(files)


@settings(BOUNDED, phases=[Phase.explicit])
@example("# coding: rot13\n")
@given(mutated_fixtures())
def test_cookie_naming_a_non_text_codec(text: str) -> None:
    """Found by fuzzing with every codec in the cookies (a regression test): a diagnostic, no crash."""
    check_mutant(text)


@settings(BOUNDED, phases=[Phase.explicit])
@example({"mod.py": "# coding: undefined\nimport os\n"})
@given(mutated_projects())
def test_cookie_with_a_failing_codec_aborts_the_scan(files: dict[str, str]) -> None:
    """Found by scripts/fuzz.py (a regression test): a decode-error diagnostic, the scan goes on."""
    check_scan(files)


@settings(BOUNDED, phases=[Phase.explicit])
@example({"mod.py": "# coding: undefined\n"})
@given(mutated_projects())
def test_cookie_with_a_failing_codec_is_an_internal_error(files: dict[str, str]) -> None:
    """Found by scripts/fuzz.py (a regression test): a decode-error diagnostic, the scan goes on."""
    check_scan(files)
