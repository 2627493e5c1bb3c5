"""privacy-lint: find personal data flowing into logs, third parties and tracking without consent.

The public API (docs/api.md) is the pipeline every front end uses, imported on first use so that importing the
package costs nothing:

    from privacy_lint import Settings, check_paths
    checked = check_paths(Settings(paths=("src",)))
    for finding in checked.findings: ...
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = [
    "Checked",
    "Finding",
    "Overrides",
    "Settings",
    "UsageError",
    "__version__",
    "check_paths",
    "check_source",
    "report_paths",
]

_HOMES = {
    "Checked": "privacy_lint.api",
    "Settings": "privacy_lint.api",
    "UsageError": "privacy_lint.api",
    "check_paths": "privacy_lint.api",
    "check_source": "privacy_lint.api",
    "report_paths": "privacy_lint.api",
    "Overrides": "privacy_lint.config",
    "Finding": "privacy_lint.findings",
}

if TYPE_CHECKING:
    from privacy_lint.api import Checked, Settings, UsageError, check_paths, check_source, report_paths
    from privacy_lint.config import Overrides
    from privacy_lint.findings import Finding


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'privacy_lint' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(home), name)
