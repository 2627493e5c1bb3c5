"""`privacy-lint diff`: the data map of the merge base with a reference against the working tree's.

The base's files are read from git's objects into a temporary folder (never checked out over the user's tree)
and scanned from the folder that mirrors the working directory, so both sides name files alike, read the same
configuration (the working tree's: the comparison is of the code) and share one result cache: a file the change
leaves alone is a cache hit on both sides.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import replace
from pathlib import Path

from privacy_lint.api import Settings, UsageError, cache_root, configure, report_paths
from privacy_lint.declarations import Policy
from privacy_lint.gitdiff import DiffError, base_tree, default_base, merge_base, toplevel
from privacy_lint.report.datamap import DataMap, MapDiff, data_map, diff_maps


def diff_paths(settings: Settings, base_ref: str | None = None) -> MapDiff:
    """Raises UsageError outside git, for a reference git cannot resolve, or for bad settings."""
    here = Path.cwd().resolve()
    try:
        top = toplevel(here)
        ref = base_ref or default_base(top)
        commit = merge_base(top, ref)
    except DiffError as exc:
        raise UsageError(f"diff: {exc}") from None
    config, catalog = configure(settings)
    policy = Policy(config.recipients, catalog)
    head, _ = report_paths(settings)
    shared = replace(
        settings,
        config_file=str(config.path.resolve()) if config.path is not None else settings.config_file,
        cache_dir=str(cache_root(settings.cache_dir, config).resolve()),
        baseline=None,
        progress=False,
    )
    with tempfile.TemporaryDirectory(prefix="privacy-lint-base-") as scratch:
        try:
            base_tree(top, commit, Path(scratch))
        except DiffError as exc:
            raise UsageError(f"diff: {exc}") from None
        mirror = Path(scratch) / here.relative_to(top)
        mirror.mkdir(parents=True, exist_ok=True)
        with contextlib.chdir(mirror):  # the base's files named as the working tree's are
            paths = _in_base(settings.paths, top, Path(scratch))
            before = data_map(report_paths(replace(shared, paths=paths))[0].scan, policy) if paths else DataMap()
    name = f"{ref} ({commit[:12]})"
    return diff_maps(before, data_map(head.scan, policy), name, "working tree")


def _in_base(paths: tuple[str, ...], top: Path, base: Path) -> tuple[str, ...]:
    """The paths to scan in the base, from its mirror of the working directory: those that existed then (a
    folder the change adds had no flows). Empty when none did."""
    if not paths:
        return (".",)
    found = []
    for given in paths:
        path = Path(given)
        if path.is_absolute() and path.resolve().is_relative_to(top):
            path = base / path.resolve().relative_to(top)
        if path.exists():
            found.append(str(path))
    return tuple(found)
