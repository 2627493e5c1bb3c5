"""A module's summaries for the modules that import it: `export_module` turns the summaries of an interpreted
module's top-level functions and methods into a plain `exports.ModuleSummary` (positions become `Place`s).
`imported.function_info` turns one back into the engine's own."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from privacy_lint.engine.exports import ExportedFunction, ExportedOrigin, ExportedSink, ModuleSummary, Place
from privacy_lint.engine.summaries import FunctionInfo
from privacy_lint.engine.values import Node, Origin

if TYPE_CHECKING:
    from privacy_lint.engine.interpreter import Interpreter


class _Locator:
    """Positions of nodes without LibCST's PositionProvider (costly on every file): the node's code is searched in
    the source text from the start of its function. Only the nodes a summary keeps are located."""

    def __init__(self, module: cst.Module, source: str, path: str) -> None:
        self.module = module
        self.source = source
        self.path = path
        self.line_starts = [0, *(m.end() for m in re.finditer("\n", source))]
        self._places: dict[int, Place] = {}

    def start_of(self, qualname: str, module_name: str) -> int:
        """Offset of `def name(` of a function or method, following its classes (`class Name`)."""
        offset = 0
        parts = qualname[len(module_name) + 1 :].split(".")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            found = self.source.find(f"def {part}(" if last else f"class {part}", offset)
            if found < 0:
                return 0
            offset = found
        return offset

    def place(self, node: Node, start: int) -> Place:
        if isinstance(node, Place):
            return node
        known = self._places.get(id(node))
        if known is not None:
            return known
        code = self.module.code_for_node(node).strip()
        first = code.splitlines()[0] if code else ""
        offset = self.source.find(code, start) if code else -1
        if offset < 0 and first:  # LibCST renders continuation lines without the block's indentation
            offset = self.source.find(first, start)
        if offset < 0 and first:
            offset = self.source.find(first)
        offset = max(offset, start if offset < 0 else offset)
        line = bisect_right(self.line_starts, offset) - 1
        place = Place(self.path, line + 1, offset - self.line_starts[line], first[:120])
        self._places[id(node)] = place
        return place


def _exported(info: FunctionInfo, locator: _Locator, module_name: str, wrapper: bool) -> ExportedFunction | None:
    start = locator.start_of(info.key, module_name)

    def own(origin: Origin) -> bool:  # a parameter of this function, not of an enclosing one
        return 0 <= origin.param < len(info.params) and info.params[origin.param] == origin.text

    sinks = tuple(
        ExportedSink(
            sink.param,
            sink.hit.service,
            sink.hit.destination,
            sink.hit.sink_text,
            sink.hit.confidence_cap,
            sink.hit.http,
            sink.guarded,
            locator.place(sink.hit.node, start),
            tuple((note, locator.place(node, start)) for note, node in sink.steps),
            sink.via_self,
            sink.element,
        )
        for sink in sorted(
            info.param_sinks.values(), key=lambda s: (s.param, s.element, s.hit.service, s.hit.sink_text)
        )
        if sink.param < len(info.params)
    )
    returns = info.returns.whole()
    returns_params = tuple(sorted({f.origin.param for f in returns if own(f.origin)}))
    origins = tuple(
        sorted(
            {
                ExportedOrigin(
                    f.origin.category,
                    f.origin.text,
                    f.origin.confidence,
                    f.origin.why,
                    locator.place(f.origin.node, start),
                    f.origin.by_name,
                )
                for f in returns
                if f.origin.param < 0 and f.origin.category
            },
            key=lambda o: (o.category, o.text, o.place.line),
        )
    )
    exported = ExportedFunction(
        qualname=info.key,
        params=tuple(info.params),
        named=info.named,
        star=info.star,
        star_kwarg=info.star_kwarg,
        method=info.class_key is not None and info.params[:1] in (["self"], ["cls"]),
        name_personal=tuple(info.name_personal),
        sinks=sinks,
        returns_params=returns_params,
        returns_origins=origins,
        returns_type=info.returns.type,
        returns_consent=info.returns.consent,
        consent_wrapper=wrapper,
        asserts_consent=info.asserts_consent,
        is_property=info.is_property,
    )
    interesting = (
        sinks
        or returns_params
        or origins
        or exported.returns_type
        or exported.returns_consent
        or exported.consent_wrapper
        or exported.asserts_consent
    )
    return exported if interesting else None


def export_module(analysis: Interpreter, source: str, path: str, dependencies: Iterable[str] = ()) -> ModuleSummary:
    """The summaries of a module's top-level functions and methods, and the types of its module-level names."""
    name = analysis.module_name
    summary = ModuleSummary(name, path, dependencies=tuple(sorted(dependencies)))
    locator = _Locator(analysis.module, source, path)
    for key, info in analysis.functions.items():
        if info.node is None or not _top_level(info):
            continue
        exported = _exported(info, locator, name, analysis.wraps_under_consent(info))
        if exported is not None:
            summary.functions[key] = exported
    for variable, value in analysis.scope.module().vars.items():
        if value.type and "." not in variable and value.type != f"{name}.{variable}":
            summary.variables[f"{name}.{variable}"] = value.type
    for key, cls in analysis.classes.items():  # instance attributes, for subclasses in other modules
        if key.rpartition(".")[0] == name:
            for attr, value in cls.attrs.items():
                if value.type and value.type not in analysis.functions and attr not in cls.fields:
                    summary.variables[f"{key}.{attr}"] = value.type
    return summary


def _top_level(info: FunctionInfo) -> bool:
    """A module-level function, or a method of a module-level class: what other modules can name."""
    parent = info.parent
    if parent is None:
        return False
    if parent.cls is not None:
        parent = parent.parent
    return parent is not None and parent.parent is None
