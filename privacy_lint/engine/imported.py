"""Another module's summary as the engine's own: `function_info` turns an `exports.ExportedFunction` back into a
`FunctionInfo` the interpreter calls like a helper of its own module."""

from __future__ import annotations

from privacy_lint.engine.exports import ExportedFunction, Place
from privacy_lint.engine.summaries import FunctionInfo, ParamSink, SinkHit, sink_key
from privacy_lint.engine.values import Flow, Origin, Value


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
