"""Small, pure helpers over LibCST nodes: names, literals, URLs, control flow."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import libcst as cst
from libcst._nodes.base import CSTNode


def dotted(node: cst.BaseExpression) -> str | None:
    """`a.b.c` for a chain of names, else None."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr.value}" if base else None
    return None


def parse_module(source: str | bytes) -> cst.Module:
    """`libcst.parse_module` without re-validating every node the parser builds (about a fifth of the parse).

    Validation exists for trees built by hand; the parser's own output is valid by construction (LibCST's
    `CSTNode.__post_init__` says as much). It is switched off only for the duration of the parse.
    """
    validate = CSTNode.__post_init__
    CSTNode.__post_init__ = _no_validation  # type: ignore[method-assign]
    try:
        return cst.parse_module(source)
    finally:
        CSTNode.__post_init__ = validate  # type: ignore[method-assign]


def _no_validation(self: CSTNode) -> None:
    pass


def literal_string(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString):
        raw = node.value
        if raw[:1] in "'\"" and "\\" not in raw and raw[:3] not in ('"""', "'''"):
            return raw[1:-1]  # a plain one-line literal: no need for literal_eval
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        left, right = literal_string(node.left), literal_string(node.right)
        return left + right if left is not None and right is not None else None
    return None


def is_constant_name(name: str) -> bool:
    return len(name) > 1 and name.isupper()


def class_name_of(name: str) -> str:
    """The class a value's name suggests, in PEP 8's CapWords: `user` -> `User`, `order_item` -> `OrderItem`."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


def is_class_name(name: str) -> bool:
    """`Password`, `EmailField`: a CapWords name (PEP 8's for classes), not a constant, not dotted."""
    return name[:1].isupper() and not name.isupper() and "_" not in name and "." not in name


EXITS: tuple[type[cst.CSTNode], ...] = (cst.Return, cst.Raise, cst.Continue, cst.Break)
RAISES: tuple[type[cst.CSTNode], ...] = (cst.Raise,)


def always_exits(body: Sequence[cst.CSTNode] | cst.BaseSuite, exits: tuple[type[cst.CSTNode], ...] = EXITS) -> bool:
    """The block always leaves by one of `exits` (return/raise/continue/break by default)."""
    statements: Sequence[cst.CSTNode] = body.body if isinstance(body, cst.BaseSuite) else body
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.SimpleStatementLine):
        return any(isinstance(s, exits) for s in last.body)
    if isinstance(last, exits):
        return True
    if isinstance(last, cst.If) and last.orelse is not None:
        other = last.orelse.body if isinstance(last.orelse, cst.Else) else [last.orelse]
        return always_exits(last.body, exits) and always_exits(other, exits)
    return False


def concat_text(left: str | None, right: str | None) -> str | None:
    """Join string parts known statically; an unknown part becomes one NUL placeholder (`https://\0.api.x.com`)."""
    if left is None and right is None:
        return None
    joined = (left if left is not None else "\0") + (right if right is not None else "\0")
    return re.sub("\0+", "\0", joined)


def iterates_items(node: cst.BaseExpression) -> bool:
    return (
        isinstance(node, cst.Call)
        and isinstance(node.func, cst.Attribute)
        and node.func.attr.value in ("items", "iteritems")
        and not node.args
    )


def capture_names(pattern: cst.MatchPattern) -> Iterator[str]:
    if isinstance(pattern, cst.MatchAs) and pattern.name is not None:
        yield pattern.name.value
    for child in pattern.children:
        if isinstance(child, cst.MatchPattern):
            yield from capture_names(child)


_HANDLERS: dict[tuple[type, str], dict[type[cst.CSTNode], Callable[..., Any]]] = {}


def node_handlers(cls: type, prefix: str) -> dict[type[cst.CSTNode], Callable[..., Any]]:
    """The methods a class names after LibCST node types (`expr_Name`, `stmt_If`), by node type: the dispatch
    table of an interpreter, built once per class and prefix."""
    table = _HANDLERS.get((cls, prefix))
    if table is None:
        table = _HANDLERS[(cls, prefix)] = {}
        for name in dir(cls):
            node_type = getattr(cst, name[len(prefix) :], None) if name.startswith(prefix) else None
            if isinstance(node_type, type) and issubclass(node_type, cst.CSTNode):
                table[node_type] = getattr(cls, name)
    return table
