"""Helpers over Python syntax that need no LibCST: the project index and the pre-parse gate use them on files
that LibCST never reads, and a one-file check of a file the gate skips never imports LibCST."""

from __future__ import annotations

import ast
import warnings


def python_ast(source: str | bytes) -> ast.Module:
    """`ast.parse`, silent: the warnings Python gives about the scanned code (an invalid escape sequence) are its
    authors' to hear, not the scan's output."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(source)


def resolve_relative(module: str, is_package: bool, level: int, target: str) -> str:
    """`from ..models import X` inside `shop.views.orders` -> `shop.models`."""
    package = module.split(".") if is_package else module.split(".")[:-1]
    if level > 1:
        package = package[: len(package) - (level - 1)]
    return ".".join([*package, *([target] if target else [])])
