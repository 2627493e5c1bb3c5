"""Reducing operations: a subscript that keeps too little of a value to identify the person (`[reducers]`)."""

from __future__ import annotations

import libcst as cst

from privacy_lint.engine.syntax import literal_string
from privacy_lint.packs.catalog import Catalog

SPLITS = frozenset({"split", "rsplit", "partition", "rpartition"})


def reduced_categories(node: cst.Subscript, catalog: Catalog) -> set[str]:
    """The categories a subscript keeps too little of to identify the person: a card number's last four
    digits (`number[-4:]`), an e-mail's domain (`email.split("@")[1]`), an IP address's network
    (`ip.rsplit(".", 1)[0]`); `[reducers]` in the packs."""
    if len(node.slice) != 1:
        return set()
    element = node.slice[0].slice
    gone: set[str] = set()
    if isinstance(element, cst.Slice):
        width = _slice_width(element)
        if width is not None and width <= catalog.short_slice:
            gone.update(catalog.short_slice_categories)
    split = node.value
    if (
        isinstance(split, cst.Call)
        and isinstance(split.func, cst.Attribute)
        and split.func.attr.value in SPLITS
        and split.args
    ):
        separator = literal_string(split.args[0].value)
        method = split.func.attr.value
        index = _int_literal(element.value) if isinstance(element, cst.Index) else None
        last = index == -1 or index == (2 if method.endswith("partition") else 1)
        gone.update(c for c, s in catalog.parts_of.items() if s == separator)
        gone.update(c for c, s in catalog.after_separator.items() if s == separator and last)
    return gone


def _int_literal(node: cst.BaseExpression | None) -> int | None:
    """`4`, `-4`: an integer written out; None for anything else."""
    if isinstance(node, cst.Integer):
        return int(node.value, 0)
    if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, cst.Minus):
        inner = _int_literal(node.expression)
        return -inner if inner is not None else None
    return None


def _slice_width(element: cst.Slice) -> int | None:
    """How many items a slice with literal bounds keeps at most: `[-4:]` and `[:4]` keep 4, `[2:5]` 3."""
    if element.step is not None:
        return None
    lower = _int_literal(element.lower) if element.lower is not None else 0
    upper = _int_literal(element.upper) if element.upper is not None else None
    if lower is None or (element.upper is not None and upper is None):
        return None
    if upper is None:
        return -lower if lower < 0 else None
    return upper - lower if (lower >= 0) == (upper >= 0) or lower == 0 else None
