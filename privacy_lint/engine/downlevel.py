"""Code written for a newer Python than the running one, rewritten into syntax that the running Python reads.

The first pass (index.py) uses Python's own `ast`: about a tenth of the cost of LibCST's parser, but bound to
the grammar of the interpreter privacy-lint runs on, while the code it checks often needs a newer one. When
`ast` refuses a file, LibCST's native parser (Python 3.0 to 3.15) reads it and the newer constructs are
rewritten into older ones, every line kept where it was:

- `type X = v` (PEP 695) becomes `X = v`; type parameters (`def f[T]`, `class C[T = int]`) are dropped;
- `except A, B:` (PEP 758) gets its parentheses back; `lazy import` (PEP 810) is an import;
- f-strings (PEP 701 allows what 3.11 refuses in them), t-strings (PEP 750) and starred comprehensions
  (PEP 798) become blank strings of the same shape. The index reads no such expression: the strings it
  reads are plain ones (`ForeignKey("Customer")`).

This module imports LibCST: import it only when `ast` has refused a file.
"""

from __future__ import annotations

import libcst as cst

from privacy_lint.engine.syntax import parse_module


def rewrite(source: str) -> str | None:
    """The code in older syntax, or None when LibCST cannot parse it either."""
    try:
        module = parse_module(source)
    except (cst.ParserSyntaxError, RecursionError, ValueError):
        return None
    return module.visit(_Downlevel()).code


def _blank(node: cst.CSTNode) -> cst.SimpleString:
    """A plain string literal laid out over the same lines and columns as `node`."""
    lines = cst.Module([]).code_for_node(node).split("\n")
    if len(lines) == 1:
        return cst.SimpleString('"' + " " * max(len(lines[0]) - 2, 0) + '"')
    inner = [
        " " * max(len(lines[0]) - 3, 0),
        *(" " * len(line) for line in lines[1:-1]),
        " " * max(len(lines[-1]) - 3, 0),
    ]
    return cst.SimpleString('"""' + "\n".join(inner) + '"""')


def _parenthesised(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> cst.ExceptHandler | cst.ExceptStarHandler:
    kind = handler.type
    if isinstance(kind, cst.Tuple) and not kind.lpar:
        return handler.with_changes(type=kind.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()]))
    return handler


class _Downlevel(cst.CSTTransformer):
    def leave_TypeAlias(self, original: cst.TypeAlias, updated: cst.TypeAlias) -> cst.Assign:
        return cst.Assign([cst.AssignTarget(updated.name)], updated.value, semicolon=updated.semicolon)

    def leave_FunctionDef(self, original: cst.FunctionDef, updated: cst.FunctionDef) -> cst.FunctionDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ClassDef(self, original: cst.ClassDef, updated: cst.ClassDef) -> cst.ClassDef:
        return updated.with_changes(type_parameters=None) if updated.type_parameters else updated

    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler) -> cst.ExceptHandler:
        return _parenthesised(updated)  # type: ignore[return-value]

    def leave_ExceptStarHandler(
        self, original: cst.ExceptStarHandler, updated: cst.ExceptStarHandler
    ) -> cst.ExceptStarHandler:
        return _parenthesised(updated)  # type: ignore[return-value]

    def leave_LazyImport(self, original: cst.LazyImport, updated: cst.LazyImport) -> cst.Import:
        return cst.Import(updated.names, semicolon=updated.semicolon)

    def leave_LazyImportFrom(self, original: cst.LazyImportFrom, updated: cst.LazyImportFrom) -> cst.ImportFrom:
        return cst.ImportFrom(
            updated.module, updated.names, updated.relative, updated.lpar, updated.rpar, semicolon=updated.semicolon
        )

    # Expressions the index never reads are blanked whole; their insides are not visited.
    def visit_FormattedString(self, node: cst.FormattedString) -> bool:
        return False

    def visit_TemplatedString(self, node: cst.TemplatedString) -> bool:
        return False

    def visit_StarredDictComp(self, node: cst.StarredDictComp) -> bool:
        return False

    def leave_FormattedString(self, original: cst.FormattedString, updated: cst.FormattedString) -> cst.SimpleString:
        return _blank(original)

    def leave_TemplatedString(self, original: cst.TemplatedString, updated: cst.TemplatedString) -> cst.SimpleString:
        return _blank(original)

    def leave_StarredDictComp(self, original: cst.StarredDictComp, updated: cst.StarredDictComp) -> cst.SimpleString:
        return _blank(original)

    def leave_ListComp(self, original: cst.ListComp, updated: cst.ListComp) -> cst.BaseExpression:
        return _blank(original) if isinstance(updated.elt, cst.StarredElement) else updated

    def leave_SetComp(self, original: cst.SetComp, updated: cst.SetComp) -> cst.BaseExpression:
        return _blank(original) if isinstance(updated.elt, cst.StarredElement) else updated

    def leave_GeneratorExp(self, original: cst.GeneratorExp, updated: cst.GeneratorExp) -> cst.BaseExpression:
        return _blank(original) if isinstance(updated.elt, cst.StarredElement) else updated
