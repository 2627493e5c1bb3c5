"""`--diff REF`: the lines a change adds or modifies relative to the merge base with REF.

Committed, staged and unstaged changes all count, and files git does not track yet count whole, so a
pull-request check and a local run before committing see the same thing. Works in a detached-HEAD checkout.
"""

from __future__ import annotations

import re
import subprocess
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
