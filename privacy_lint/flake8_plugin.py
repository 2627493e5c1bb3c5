"""flake8 plugin: `flake8 --select PRV` reports what `privacy-lint check` reports.

flake8 hands plugins an `ast` tree; we ignore it and parse the file's lines once with LibCST through the same
engine as the CLI. flake8 applies `# noqa` itself, so the engine's own noqa handling is off here (filtering twice
with different semantics would disagree); `# privacy-lint: ignore[...]` comments still apply.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from privacy_lint import __version__
from privacy_lint.findings import CONFIDENCES


@lru_cache(maxsize=4)
def _engine(include_pseudonymous: bool) -> Any:
    from privacy_lint.analyzer import Engine, EngineOptions
    from privacy_lint.rulepacks import default_catalog

    return Engine(default_catalog(), EngineOptions(include_pseudonymous=include_pseudonymous, honour_noqa=False))


class PrivacyLintChecker:
    name = "privacy-lint"
    version = __version__
    min_confidence = "low"
    include_pseudonymous = False

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

    @classmethod
    def parse_options(cls, options: Any) -> None:
        cls.min_confidence = options.privacy_lint_min_confidence
        cls.include_pseudonymous = options.privacy_lint_include_pseudonymous

    def run(self) -> Iterator[tuple[int, int, str, type[PrivacyLintChecker]]]:
        result = _engine(self.include_pseudonymous).analyse_source("".join(self.lines), self.filename)
        threshold = CONFIDENCES.index(self.min_confidence)
        for finding in result.findings:
            if CONFIDENCES.index(finding.confidence) >= threshold:
                yield finding.span.line, finding.span.col, f"{finding.rule} {finding.message}", type(self)
