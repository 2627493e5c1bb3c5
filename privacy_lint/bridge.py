"""Between the engine and plain summaries: export a module's summaries, import another module's as the engine's own.

`export_module` turns the summaries of an analysed module's top-level functions and methods into
`exports.ModuleSummary` (positions become `Place`s); `function_info` turns one of them back into a
`FunctionInfo` the engine calls like a helper of its own module.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from typing import TYPE_CHECKING

import libcst as cst

from privacy_lint.exports import ExportedFunction, ExportedOrigin, ExportedSink, ModuleSummary, Place
from privacy_lint.summaries import FunctionInfo, ParamSink, SinkHit, sink_key
from privacy_lint.values import Flow, Node, Origin, Value

if TYPE_CHECKING:
    from privacy_lint.engine import Analysis


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


def export_module(analysis: Analysis, source: str, path: str, dependencies: Iterable[str] = ()) -> ModuleSummary:
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


def function_info(exported: ExportedFunction) -> FunctionInfo:
    """A summary of another module as the engine's own `FunctionInfo`, already analysed."""
    class_key = exported.qualname.rsplit(".", 1)[0] if exported.method else None
    info = FunctionInfo(
        key=exported.qualname,
        node=None,
        class_key=class_key,
        parent=None,
        params=list(exported.params),
        named=exported.named,
        star=exported.star,
        star_kwarg=exported.star_kwarg,
        name_personal=list(exported.name_personal),
        is_property=exported.is_property,
        consent_wrapper=exported.consent_wrapper,
        asserts_consent=exported.asserts_consent,
        state="done",
    )
    for sink in exported.sinks:
        hit = SinkHit(sink.service, sink.destination, sink.sink_text, sink.sink, sink.confidence_cap, sink.http)
        info.param_sinks[(sink.param, sink.element, sink_key(sink.sink))] = ParamSink(
            sink.param, hit, sink.steps, sink.guarded, sink.via_self, sink.element
        )
    flows = {Flow(Origin("", exported.params[i], exported_place(exported), param=i)) for i in exported.returns_params}
    flows.update(
        Flow(Origin(o.category, o.text, o.place, o.confidence, o.why, by_name=o.by_name))
        for o in exported.returns_origins
    )
    info.returns = Value(flows=frozenset(flows), type=exported.returns_type, consent=exported.returns_consent)
    return info


def exported_place(exported: ExportedFunction) -> Place:
    """A stand-in position for parameter references (never reported: they resolve to the caller's arguments)."""
    return Place("", 0, 0, exported.qualname)
