"""`--diff REF`: the lines a change adds or modifies relative to the merge base with REF.

Committed, staged and unstaged changes all count, and files git does not track yet count whole, so a
pull-request check and a local run before committing see the same thing. Works in a detached-HEAD checkout.
`privacy-lint diff` reads the merge base's tree from git's objects (`base_tree`), never touching the checkout.
"""

from __future__ import annotations

import re
import subprocess
import tarfile
from pathlib import Path
from typing import Any

from privacy_lint.findings import Finding

_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


class DiffError(Exception):
    pass


def _git(args: list[str], cwd: Path) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        raise DiffError("--diff needs git, which is not installed") from None
    if done.returncode != 0:
        raise DiffError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else f"git {args[0]} failed")
    return done.stdout


def changed_lines(start: Path, ref: str) -> dict[Path, set[int] | None]:
    """Changed line numbers per absolute file path; None means the whole file is new."""
    directory = start if start.is_dir() else start.parent
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], directory.resolve()).strip())
    except DiffError:
        raise DiffError(f"--diff: {start} is not inside a git repository") from None
    try:
        base = _git(["merge-base", ref, "HEAD"], top).strip()
    except DiffError as exc:
        raise DiffError(f"--diff: cannot compare with {ref!r}: {exc}") from None
    changed: dict[Path, set[int] | None] = {}
    current: set[int] | None = None
    for line in _git(["diff", "--unified=0", "--no-color", "--no-ext-diff", "--no-renames", base], top).splitlines():
        if line.startswith("+++ "):
            name = line[4:]
            current = None
            if name != "/dev/null":
                current = changed.setdefault((top / name[2:]).resolve(), set())
        elif current is not None:
            match = _HUNK.match(line)
            if match:
                first, count = int(match.group(1)), int(match.group(2) or "1")
                current.update(range(first, first + count))
    for name in _git(["ls-files", "--others", "--exclude-standard"], top).splitlines():
        changed[(top / name).resolve()] = None
    return changed


def touches_change(finding: Finding, changed: dict[Path, set[int] | None]) -> bool:
    """Is the finding's sink or one of its sources on an added or modified line?"""
    path = Path(finding.path).resolve()
    if path not in changed:
        return False
    lines = changed[path]
    if lines is None:
        return True
    spans = [finding.span, *(s.span for s in finding.sources)]
    return any(line in lines for span in spans for line in range(span.line, max(span.end_line, span.line) + 1))


def provenance(start: Path) -> dict[str, Any] | None:
    """The repository, revision and branch of the checkout `start` is in (SARIF versionControlProvenance); None
    outside git. Without a remote, the repository is named by its folder's file URI. When `start` is the
    repository's root, it is mapped to `%SRCROOT%`, the base of every result's path."""
    try:
        top = Path(_git(["rev-parse", "--show-toplevel"], start).strip())
        revision = _git(["rev-parse", "HEAD"], top).strip()
    except DiffError:
        return None
    try:
        remote = _git(["remote", "get-url", "origin"], top).strip()
    except DiffError:
        remote = top.as_uri()
    try:
        branch = _git(["symbolic-ref", "--short", "-q", "HEAD"], top).strip()
    except DiffError:
        branch = ""  # a detached HEAD
    found: dict[str, Any] = {"repositoryUri": remote, "revisionId": revision, **({"branch": branch} if branch else {})}
    if top.resolve() == start.resolve():
        found["mappedTo"] = {"uriBaseId": "%SRCROOT%"}
    return found


# What a scan of the base reads: Python files, and the files that say which of them to scan.
BASE_FILES = (".py", ".pyi", "pyproject.toml", ".gitignore")
DEFAULT_BRANCHES = ("origin/HEAD", "origin/main", "origin/master", "main", "master")


def toplevel(start: Path) -> Path:
    try:
        return Path(_git(["rev-parse", "--show-toplevel"], start.resolve()).strip())
    except DiffError:
        raise DiffError(f"{start} is not inside a git repository") from None


def default_base(top: Path) -> str:
    """The repository's default branch: what origin/HEAD names, else the first of the usual names that exists."""
    for ref in DEFAULT_BRANCHES:
        try:
            _git(["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], top)
            return ref
        except DiffError:
            continue
    raise DiffError("no default branch found (origin/HEAD, main, master): name the base with --base REF")


def merge_base(top: Path, ref: str) -> str:
    try:
        return _git(["merge-base", ref, "HEAD"], top).strip()
    except DiffError as exc:
        hint = " (in a shallow clone, fetch the history: `fetch-depth: 0` on GitHub, `GIT_DEPTH: 0` on GitLab)"
        raise DiffError(f"cannot find the merge base with {ref!r}: {exc}{hint}") from None


def base_tree(top: Path, commit: str, into: Path) -> None:
    """The commit's Python files (and the files that select them) written under `into`, streamed from
    `git archive`: the working tree and the index are never touched."""
    try:
        process = subprocess.Popen(["git", "archive", "--format=tar", commit], cwd=top, stdout=subprocess.PIPE)
    except FileNotFoundError:
        raise DiffError("privacy-lint diff needs git, which is not installed") from None
    assert process.stdout is not None
    with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
        for member in archive:
            if member.isfile() and member.name.endswith(BASE_FILES):
                if hasattr(tarfile, "data_filter"):  # Python 3.11.4+: no member leaves `into`
                    archive.extract(member, into, filter="data")
                elif not member.name.startswith("/") and ".." not in Path(member.name).parts:
                    archive.extract(member, into)
    if process.wait() != 0:
        raise DiffError(f"git archive {commit} failed")
