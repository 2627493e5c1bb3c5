"""flake8 plugin: `flake8 --select PRV` reports what `privacy-lint check` reports.

flake8 hands plugins an `ast` tree; we ignore it and parse the file's lines once with LibCST through the same
engine as the CLI, configured by the same `[tool.privacy-lint]` table (found from each file's directory, read
once per table). flake8 shows a plugin one file at a time, so each flake8 process builds the project index (see
index.py) once, on first use, over the configuration file's folder or else the repository root; before checking a
file it analyses the project modules that file imports, transitively, for their summaries (each module once per
process, see project.OnDemand), so a file sees what it would see in `privacy-lint check`. flake8 applies `# noqa`
itself, so the engine's own noqa handling is off here (filtering twice with different semantics would disagree);
`# privacy-lint: ignore[...]` comments still apply.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache
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


@lru_cache(maxsize=16)
def _configured(config_path: Path | None, include_pseudonymous: bool) -> tuple[Any, Any]:
    """The engine and settings for one configuration file, built once per flake8 process."""
    from privacy_lint.config import catalog_for, load_config
    from privacy_lint.engine.options import EngineOptions
    from privacy_lint.project.analyser import Analyser

    config = load_config(config_path)
    catalog = catalog_for(config)
    options = EngineOptions(include_pseudonymous=include_pseudonymous or config.include_pseudonymous, honour_noqa=False)
    return Analyser(catalog, options), config


@lru_cache(maxsize=4)
def _projects(root: Path, config_path: Path | None, include_pseudonymous: bool) -> dict[Path | None, Any]:
    """The project index of the whole project, built once per flake8 process on first use, and the summaries
    of its modules, computed as the files being checked need them; one of each per group of source roots that
    a scan plans apart (project.partitions), by source root."""
    from privacy_lint.project.discovery import Target, discover
    from privacy_lint.project.index import build_index, source_root
    from privacy_lint.project.plan import OnDemand, partitions

    engine, _ = _configured(config_path, include_pseudonymous)
    targets = [t for t in discover([str(root)]) if isinstance(t, Target)]
    found: dict[Path | None, Any] = {}
    for part in partitions(targets):
        index = build_index(((t.path, t.display) for t in part), engine.catalog, engine.classifier)

        def summarise(path: str, externals: Any, index: Any = index) -> Any:
            return engine.analyse_path(Path(path), path, index, externals, export=True).summary

        project = OnDemand(index, summarise)
        for target in part:
            found.setdefault(source_root(target.display), project)
    return found


def _project(root: Path, config_path: Path | None, include_pseudonymous: bool, filename: str) -> Any:
    from privacy_lint.project.index import ProjectIndex, source_root
    from privacy_lint.project.plan import OnDemand

    projects = _projects(root, config_path, include_pseudonymous)
    first = next(iter(projects.values()), None) or OnDemand(ProjectIndex(), lambda path, externals: None)
    return projects.get(source_root(filename), first)


def _project_root(directory: Path, config_path: Path | None) -> Path:
    """The configuration file's folder, else the repository root, else the file's folder."""
    if config_path is not None:
        return config_path.parent
    for candidate in (directory, *directory.parents):
        if (candidate / ".git").exists():
            return candidate
    return directory


@lru_cache(maxsize=256)
def _config_for(directory: Path) -> Path | None:
    from privacy_lint.config import find_config

    return find_config(directory)


class PrivacyLintChecker:
    name = "privacy-lint"
    version = __version__
    min_confidence = "low"
    include_pseudonymous = False
    include_tests = False
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

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.include_tests = options.privacy_lint_include_tests
        cls.min_confidence = options.privacy_lint_min_confidence
        cls.include_pseudonymous = options.privacy_lint_include_pseudonymous
        cls.enabled = _prv_selected(options)

    def run(self) -> Iterator[tuple[int, int, str, type[PrivacyLintChecker]]]:
        if not self.enabled:
            return
        from privacy_lint.project.discovery import is_test_path

        if is_test_path(self.filename) and not self.include_tests:
            return  # as `privacy-lint check`: test code only with --privacy-lint-include-tests
        from privacy_lint.cli import selected
        from privacy_lint.config import ConfigError, adjust_findings
        from privacy_lint.packs.catalog import RulePackError

        directory = Path(self.filename).resolve().parent if self.filename not in ("-", "stdin") else Path.cwd()
        try:
            config_path = _config_for(directory)
            engine, config = _configured(config_path, self.include_pseudonymous)
        except (ConfigError, RulePackError) as exc:
            # flake8 has no channel for configuration errors: one PRV000 line per file, never a traceback
            yield 1, 0, f"PRV000 privacy-lint configuration error: {exc}", type(self)
            return
        from privacy_lint.project.index import module_name

        root = _project_root(directory, config_path)
        project = _project(root, config_path, self.include_pseudonymous, self.filename)
        externals = project.externals_for(module_name(self.filename), self.filename)
        result = engine.analyse_source("".join(self.lines), self.filename, project.index, externals)
        min_confidence = max(self.min_confidence, config.min_confidence, key=CONFIDENCES.index)
        for finding in adjust_findings(result.findings, config):
            if selected(finding, config.select, config.ignore, config.min_severity, min_confidence):
                yield finding.span.line, finding.span.col, f"{finding.rule} {finding.message}", type(self)
