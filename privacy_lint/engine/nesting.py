"""Code that LibCST's native parser must not be given: it crashes the process (a segfault, not an exception) on
deeply nested brackets, and takes time cubic in the length of long operator chains. Checked on the text, before
any LibCST parse (the analysis, and the first pass when it falls back to LibCST)."""

from __future__ import annotations

import re

from privacy_lint.engine.plain_syntax import python_ast
from privacy_lint.findings import Diagnostic

_NOT_BRACKETS = re.compile(r"[^()\[\]{}]+")
_BINARY_OPERATOR = re.compile(r"\s(?:[-+*/|&%^@]|//|\*\*|<<|>>|and|or)\s")
PYTHON_MAX_NESTING = 200  # CPython refuses more nested brackets ("too many nested parentheses")
LONG_LINE = 5_000  # only lines this long are checked for operator chains
MAX_CHAINED_OPERATORS = 1_500  # LibCST's parse time grows with the cube of a chain's length (4,000: 11 s)


def too_deep_for_libcst(source: bytes | str, path: str) -> Diagnostic | None:
    """Guard the parser: deeply nested brackets crash LibCST's native parser (a segfault, not an exception)."""
    text = source.decode("utf-8", "replace") if isinstance(source, bytes) else source
    for number, line in enumerate(text.splitlines(), start=1):
        if len(line) > LONG_LINE:
            operators = len(_BINARY_OPERATOR.findall(line))
            if operators > MAX_CHAINED_OPERATORS:
                return Diagnostic(
                    path,
                    f"skipped: an expression chaining {operators} operators on one line is too costly to parse",
                    number,
                    0,
                    "too-complex",
                )
    depth = deepest = 0
    for char in _NOT_BRACKETS.sub("", text):  # string contents count too: an over-estimate, checked below
        depth = depth + 1 if char in "([{" else max(depth - 1, 0)
        deepest = max(deepest, depth)
    if deepest <= PYTHON_MAX_NESTING:
        return None
    try:
        python_ast(text)
    except SyntaxError as error:
        return Diagnostic(
            path, f"syntax error: {error.msg}", error.lineno or 0, max((error.offset or 1) - 1, 0), "parse-error"
        )
    except (RecursionError, MemoryError):
        return Diagnostic(path, "skipped: nested too deeply to parse", 0, 0, "too-deep")
    return None  # Python accepts it, so its real nesting is within CPython's limit: safe for LibCST
