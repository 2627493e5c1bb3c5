"""What the engine is asked to do, apart from the rule packs."""

from __future__ import annotations

from dataclasses import dataclass

MAX_FILE_BYTES = 5 * 1024 * 1024  # larger .py files are generated data, not code to review
DEFAULT_FILE_TIMEOUT = 60.0  # the slowest real file measured (sympy) takes a few seconds


@dataclass(frozen=True)
class EngineOptions:
    include_pseudonymous: bool = False
    require_reason: bool = False  # suppressions without a reason do not suppress
    honour_noqa: bool = True  # off under flake8, which applies noqa comments itself
    file_timeout: float = DEFAULT_FILE_TIMEOUT  # seconds per file; 0: no limit
    debug: bool = False  # internal-error diagnostics carry their traceback
