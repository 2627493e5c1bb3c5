"""The commonest syntax newer than the running Python, repaired line by line where Python's own parser stops.

Rewriting a file through LibCST (downlevel.py) costs about 25 ms; on Home Assistant, 1,685 files need it, and
most of them only for a `type` alias or an `except A, B:`. So the first pass first asks `ast` where it fails and
repairs that line when it holds one of these, keeping every line where it was, then asks again:

- `type Name[...] = value` (PEP 695) -> `Name = value`;
- `def name[T](...)`, `class Name[T = int](...)` (PEP 695/696), type parameters on the same line -> dropped;
- `except A, B:` (PEP 758) -> `except (A, B):`;
- `lazy import x`, `lazy from x import y` (PEP 810) -> the plain import.

Anything else (f-strings of PEP 701, t-strings, type parameters over several lines) returns None, and the file
goes to LibCST. No import of LibCST here.
"""

from __future__ import annotations

import ast
import re

from privacy_lint.engine.plain_syntax import python_ast

MAX_REPAIRS = 64  # per file; past that, LibCST is cheaper than parsing again and again

_TYPE_ALIAS = re.compile(r"^(\s*)type\s+([A-Za-z_]\w*)\s*(\[)?")
_GENERIC = re.compile(r"^(\s*(?:async\s+)?(?:def|class)\s+[A-Za-z_]\w*)\s*\[")
_EXCEPT = re.compile(r"^(\s*except\s*\*?\s*)([^():#\[\]{}'\"]+,[^():#\[\]{}'\"]+?)(\s*:)")
_LAZY = re.compile(r"^(\s*)lazy\s+(?=import\b|from\b)")


def repaired(source: str) -> ast.Module | None:
    """The module, parsed after repairing the lines `ast` refuses; None when a refused line is not one of these."""
    lines = source.splitlines(keepends=True)
    for _ in range(MAX_REPAIRS):
        try:
            return python_ast("".join(lines))
        except SyntaxError as error:
            number = (error.lineno or 0) - 1
            if not 0 <= number < len(lines):
                return None
            fixed = _repair(lines[number])
            if fixed is None or fixed == lines[number]:
                return None
            lines[number] = fixed
    return None


def _repair(line: str) -> str | None:
    alias = _TYPE_ALIAS.match(line)
    if alias is not None:
        value = line[alias.end() :]
        rest = _after_brackets(value) if alias.group(3) else value  # type Pair[T] = ...: drop the parameters
        if rest is None or not rest.lstrip().startswith("="):
            return None
        return f"{alias.group(1)}{alias.group(2)} {rest.lstrip()}"
    generic = _GENERIC.match(line)
    if generic is not None:
        after = _after_brackets(line[generic.end() :])
        return None if after is None else generic.group(1) + after
    handler = _EXCEPT.match(line)
    if handler is not None and " as " not in handler.group(2):
        return f"{handler.group(1)}({handler.group(2).strip()}){handler.group(3)}{line[handler.end() :]}"
    lazy = _LAZY.match(line)
    if lazy is not None:
        return lazy.group(1) + line[lazy.end() :]
    return None


def _after_brackets(text: str) -> str | None:
    """What follows the `]` that closes a `[` just before `text`, on this line; None when it closes later."""
    depth = 1
    for position, char in enumerate(text):
        if char in "[(":
            depth += 1
        elif char in "])":
            depth -= 1
            if depth == 0:
                return text[position + 1 :]
        elif char in "'\"#":
            return None  # strings or comments inside type parameters: leave it to LibCST
    return None
