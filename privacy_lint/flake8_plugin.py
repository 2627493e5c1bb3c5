"""flake8 plugin: `flake8 --select PRV` reports what `privacy-lint check` reports.

flake8 hands plugins an `ast` tree; we ignore it and hand the file's lines to `api.check_source`, which parses
them once with LibCST through the same engine as the CLI, configured by the same `[tool.privacy-lint]` table and
seeing the same project (its index built once per flake8 process, the summaries of the modules a file imports
computed as needed; see `api`). flake8 applies `# noqa` itself, so the engine's own noqa handling is off here
(filtering twice with different semantics would disagree); `# privacy-lint: ignore[...]` comments still apply.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import CONFIDENCES


def _prv_selected(options: Any) -> bool:
    """Could any PRV code survive flake8's selection? (`--select E,F` or `--ignore PRV` rule us out.)"""

    def codes(name: str) -> list[str]:
        return [c for c in (getattr(options, name, None) or []) if c]

    def covers(code: str) -> bool:
        return "PRV".startswith(code) or code.startswith("PRV")

    chosen = codes("select") + codes("extend_select")
    if codes("select") and not any(covers(c) for c in chosen):
        return False
    ignored = codes("ignore") + codes("extend_ignore")
    return not any("PRV".startswith(c) for c in ignored)


def _many_files(options: Any) -> bool:
    """A run over a folder or several files (not a buffer on stdin)."""
    names = list(getattr(options, "filenames", None) or ["."])
    return "-" not in names and (len(names) > 1 or Path(names[0]).is_dir())


def _main_process() -> bool:
    """flake8's main process: with the `spawn` start method every worker parses the options again, and must not
    scan again."""
    import multiprocessing

    return multiprocessing.parent_process() is None


def _as_planned(name: str) -> str:
    """A path as the plugin's plan names its files (relative to the working directory, where it is under it):
    the cache's keys name the files, so the scan must name them alike for workers to find its entries."""
    import os

    path = Path(name).resolve()
    return os.path.relpath(path) if path.is_relative_to(Path.cwd().resolve()) else name


def _jobs(options: Any) -> int:
    jobs = getattr(options, "jobs", None)
    return 0 if jobs is None or getattr(jobs, "is_auto", True) else max(int(jobs.n_jobs), 1)


class PrivacyLintChecker:
    name = "privacy-lint"
    version = __version__
    min_confidence = "low"
    include_pseudonymous = False
    include_tests = False
    use_cache = True
    planned: tuple[str, ...] = ()  # the paths the up-front scan planned: the workers plan them alike
    enabled = True  # False when flake8's --select/--ignore leave no PRV code: then no LibCST import at all

    def __init__(self, tree: ast.AST, lines: list[str], filename: str) -> None:
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, manager: Any) -> None:
        manager.add_option(
            "--privacy-lint-min-confidence",
            default="low",
            choices=CONFIDENCES,
            parse_from_config=True,
            help="privacy-lint: report findings of at least this confidence (default: low)",
        )
        manager.add_option(
            "--privacy-lint-include-pseudonymous",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="privacy-lint: also report pseudonymous ids and usernames",
        )
        manager.add_option(
            "--privacy-lint-include-tests",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="privacy-lint: also check test code (tests/, test_*.py, conftest.py)",
        )
        manager.add_option(
            "--privacy-lint-no-cache",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="privacy-lint: neither read nor write the result cache privacy-lint check shares",
        )

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.include_tests = options.privacy_lint_include_tests
        cls.use_cache = not options.privacy_lint_no_cache
        cls.min_confidence = options.privacy_lint_min_confidence
        cls.include_pseudonymous = options.privacy_lint_include_pseudonymous
        cls.enabled = _prv_selected(options)
        many = cls.enabled and cls.use_cache and _many_files(options)
        # the workers plan what the scan planned, so that its cache entries answer for their files
        cls.planned = tuple(_as_planned(name) for name in options.filenames or (".",)) if many else ()
        if many and _main_process():
            from privacy_lint.api import prefill

            # one scan over the cores fills the cache flake8's workers then read: without it every worker would
            # analyse its files' whole import closure (a framework's big import cycle included) on its own
            prefill(cls.planned, cls.include_tests, cls.include_pseudonymous, _jobs(options))

    def run(self) -> Iterator[tuple[int, int, str, type[PrivacyLintChecker]]]:
        if not self.enabled:
            return
        from privacy_lint.project.discovery import is_test_path

        if is_test_path(self.filename) and not self.include_tests:
            return  # as `privacy-lint check`: test code only with --privacy-lint-include-tests
        from privacy_lint.api import check_source
        from privacy_lint.config import ConfigError
        from privacy_lint.packs.catalog import RulePackError

        try:
            findings = check_source(
                "".join(self.lines),
                self.filename,
                self.include_pseudonymous,
                self.min_confidence,
                use_cache=self.use_cache,
                planned=self.planned,
            )
        except (ConfigError, RulePackError) as exc:
            # flake8 has no channel for configuration errors: one PRV000 line per file, never a traceback
            yield 1, 0, f"PRV000 privacy-lint configuration error: {exc}", type(self)
            return
        for finding in findings:
            yield finding.span.line, finding.span.col, f"{finding.rule} {finding.message}", type(self)
