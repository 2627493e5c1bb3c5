"""Reading Python's `ast` for the index: statements at any depth, names qualified through the imports."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from privacy_lint.engine.plain_syntax import resolve_relative


def dotted_name(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted_name(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


def statements(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    """Every statement, nested ones included (imports inside functions and `if TYPE_CHECKING:` count)."""
    for statement in body:
        yield statement
        for name in _BLOCKS:
            inner = getattr(statement, name, None)
            if inner:
                yield from statements(inner)


class Imports:
    """The names a module's top level binds by import, and every module it imports at any depth."""

    def __init__(self, tree: ast.Module, module: str, is_package: bool) -> None:
        self.names: dict[str, str] = {}
        self.module = module
        self.imported: list[str] = []
        top = set(map(id, tree.body))
        for statement in statements(tree.body):
            if isinstance(statement, ast.Import):
                for alias in statement.names:
                    self.imported.append(alias.name)
                    if id(statement) in top:
                        self.names[alias.asname or alias.name.split(".")[0]] = (
                            alias.name if alias.asname else (alias.name.split(".")[0])
                        )
            elif isinstance(statement, ast.ImportFrom):
                base = statement.module or ""
                if statement.level:
                    base = resolve_relative(module, is_package, statement.level, base)
                for alias in statement.names:
                    full = f"{base}.{alias.name}" if base else alias.name
                    self.imported.append(full)
                    if id(statement) in top and alias.name != "*":
                        self.names[alias.asname or alias.name] = full

    def qualify(self, node: ast.expr | None) -> str | None:
        if node is None:
            return None
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.isidentifier():
            return f"{self.module}.{node.value}"  # a lazy reference: ForeignKey("Customer")
        name = dotted_name(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        if head in self.names:
            return self.names[head] + (f".{rest}" if rest else "")
        return f"{self.module}.{name}"


def annotation_names(node: ast.expr | None, imports: Imports) -> list[str]:
    if node is None:
        return []
    if isinstance(node, ast.Subscript):
        inner = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        return [q for q in [imports.qualify(node.value)] if q] + [
            n for e in inner for n in annotation_names(e, imports)
        ]
    if isinstance(node, ast.BinOp):
        return annotation_names(node.left, imports) + annotation_names(node.right, imports)
    qual = imports.qualify(node)
    return [qual] if qual else []


def assignment(statement: ast.stmt) -> tuple[ast.expr, ast.expr] | None:
    """`x = value` or `x: T = value`: the single target and the value."""
    if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
        return statement.targets[0], statement.value
    if isinstance(statement, ast.AnnAssign) and statement.value is not None:
        return statement.target, statement.value
    return None
