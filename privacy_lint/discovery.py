"""Which files a scan reads: `*.py` under the given paths, minus VCS, virtualenv, build and cache folders and
what `.gitignore` files exclude. Files named explicitly are always scanned."""

from __future__ import annotations

import io
import os
import tokenize
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pathspec


SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", ".bzr", "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox", ".nox",
     ".venv", "venv", ".eggs", "node_modules", "site-packages", "build", "dist", ".privacy_lint_cache", ".idea",
     ".vscode", "__pypackages__", ".direnv", ".cache"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Target:
    path: Path  # where to read it
    display: str  # how to name it in results (as given, POSIX separators)


@dataclass(frozen=True, slots=True)
class Missing:
    display: str
    reason: str


def _is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def _gitignore(directory: Path) -> pathspec.PathSpec[Any] | None:
    try:
        text = (directory / ".gitignore").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    return _spec(text.splitlines())


def _spec(lines: list[str]) -> pathspec.PathSpec[Any]:
    import pathspec  # only when a pattern or a .gitignore exists: one file from the shell does not pay for it

    return pathspec.GitIgnoreSpec.from_lines(lines)


def _display(path: Path) -> str:
    text = path.as_posix()
    return text[2:] if text.startswith("./") else text


ALWAYS_SKIPPED = frozenset({".git", ".hg", ".svn", ".bzr"})
# Test code is skipped unless asked for (--include-tests): its personal data is made up, and reporting it buries
# the real findings (a third of the findings on 32 popular packages were in tests).
TEST_PATTERNS = ("tests/", "test/", "testing/", "test_*.py", "*_test.py", "conftest.py")


def is_test_path(path: str) -> bool:
    parts = Path(path).parts
    name = parts[-1] if parts else ""
    return (
        any(part in ("tests", "test", "testing") for part in parts[:-1])
        or name.startswith("test_")
        or name.endswith("_test.py")
        or name == "conftest.py"
    )


def discover(
    paths: Iterable[str], exclude: Iterable[str] = (), skipped_dirs: frozenset[str] = SKIPPED_DIRS
) -> Iterator[Target | Missing]:
    """Yield each file to scan once, in a stable order, and each path that could not be used.

    `skipped_dirs` are directory names never entered (configuration's `exclude` replaces the built-in list,
    except version-control folders); `exclude` are gitignore-style patterns relative to each scanned root.
    """
    patterns = list(exclude)
    excluded: pathspec.PathSpec[Any] | None = None  # compiled for the first folder: files alone never need it
    skipped_dirs = skipped_dirs | ALWAYS_SKIPPED
    seen: set[Path] = set()
    for given in paths:
        root = Path(given)
        if root.is_file():
            resolved = root.resolve()
            if resolved not in seen:
                seen.add(resolved)
                yield Target(root, _display(root))
            continue
        if not root.exists():
            yield Missing(given, "no such file or directory")
            continue
        if not root.is_dir():
            yield Missing(given, "not a regular file or directory")
            continue
        if excluded is None and patterns:
            excluded = _spec(patterns)
        yield from _walk(root, excluded, seen, skipped_dirs)


def _walk(
    root: Path, excluded: pathspec.PathSpec[Any] | None, seen: set[Path], skipped_dirs: frozenset[str]
) -> Iterator[Target | Missing]:
    ignores: list[tuple[Path, pathspec.PathSpec[Any]]] = []
    for parent in [root.resolve(), *root.resolve().parents]:
        spec = _gitignore(parent)
        if spec is not None:
            ignores.append((parent, spec))
        if (parent / ".git").exists():
            break

    def ignored(path: Path, is_dir: bool) -> bool:
        absolute = path.resolve()
        for base, spec in ignores:
            try:
                relative = absolute.relative_to(base).as_posix()
            except ValueError:
                continue
            if spec.match_file(relative + ("/" if is_dir else "")):
                return True
        if excluded is None:
            return False
        relative_to_root = path.relative_to(root).as_posix()
        return excluded.match_file(relative_to_root + ("/" if is_dir else ""))

    def onerror(error: OSError) -> None:
        problems.append(Missing(_display(Path(error.filename or root)), f"cannot read: {error.strerror}"))

    problems: list[Missing] = []
    for directory, dirnames, filenames in os.walk(root, onerror=onerror):
        current = Path(directory)
        if current != root:
            spec = _gitignore(current)
            if spec is not None:
                ignores.append((current.resolve(), spec))
        kept = []
        for name in sorted(dirnames):
            child = current / name
            if name in skipped_dirs or name.endswith(".egg-info") or _is_virtualenv(child):
                continue
            if child.is_symlink() or ignored(child, True):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            if (not name.endswith(".py") and not name.endswith(".pyi")) or name.endswith(".pyi"):
                continue
            path = current / name
            if ignored(path, False):
                continue
            resolved = path.resolve()
            if resolved in seen:
                continue
            seen.add(resolved)
            yield Target(path, _display(path))
        yield from problems
        problems.clear()


def decode_source(data: bytes) -> str:
    """Decode as Python does: BOM, PEP 263 coding line, else UTF-8."""
    encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    text = data.decode(encoding)
    return text[1:] if text.startswith("\ufeff") else text
