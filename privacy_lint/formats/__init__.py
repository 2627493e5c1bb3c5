"""Output formats. Each module renders a `ScanResult`; they are imported only when chosen (start-up time)."""

from __future__ import annotations

import importlib
from typing import Protocol

from privacy_lint.findings import ScanResult

FORMATS = ("text", "json", "sarif", "github", "gitlab")


class Renderer(Protocol):
    def __call__(self, result: ScanResult, root: str) -> str: ...


def renderer(name: str) -> Renderer:
    module = importlib.import_module(f"privacy_lint.formats.{name}_format")
    render: Renderer = module.render
    return render
