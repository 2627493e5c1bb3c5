"""The interpreter of one module: functions run on demand, once each, and their summaries applied at calls."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from privacy_lint.engine.statements import Statements
from privacy_lint.engine.summaries import FunctionInfo, ParamSink, RawFinding, Scope, sink_key
from privacy_lint.engine.values import (
    MAX_STEPS,
    Flow,
    Origin,
    Value,
    cap,
    element_of,
    in_order,
    union,
)
from privacy_lint.packs.catalog import BY_METHOD_NAME
from privacy_lint.rules import INTERNAL_SERVICES


class Interpreter(Statements):
    """The interpreter of one module, the class every layer runs as: this layer runs functions, on demand and
    once each, and applies their summaries where they are called."""

    def analyse_function(self, info: FunctionInfo) -> FunctionInfo:
        if info.state != "new":
            return info
        info.state = "running"
        node = info.node
        assert node is not None  # functions of other modules arrive analysed
        outer_scope, outer_guard = self.scope, self.guarded
        self.scope = Scope(info.parent, function=info)
        self.guarded = info.consent_decorated
        saved_context = self.context
        local = info.key[len(self.module_name) + 1 :] if info.key.startswith(self.module_name + ".") else ""
        self.context = local.split(".") if local else [node.name.value]
        outer_asserted, self.asserted = self.asserted, False
        try:
            self._bind_params(info)
            info.asserts_consent = self.exec_block(node.body.body)
        finally:
            self.scope, self.guarded, self.asserted = outer_scope, outer_guard, outer_asserted
            self.context = saved_context
            info.state = "done"
        return info

    def _bind_params(self, info: FunctionInfo) -> None:
        assert info.node is not None
        params = info.node.params
        ordered = [*params.posonly_params, *params.params, *params.kwonly_params]
        star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        info.named = len(params.posonly_params) + len(params.params)
        for index, param in enumerate([*ordered, *star]):
            name = param.name.value
            info.params.append(name)
            if param is params.star_arg:
                info.star = index
            elif param is params.star_kwarg:
                info.star_kwarg = index
            if param.default is not None:
                self.eval(param.default)
            if index == 0 and info.class_key is not None and name in ("self", "cls"):
                self.scope.vars[name] = Value(type=info.class_key)
                info.name_personal.append(False)
                continue
            annotation = self.annotation_type(param.annotation.annotation) if param.annotation else None
            if name == "instance" and info.instance_type and annotation is None:
                annotation = info.instance_type
            if index == 0 and info.first_type and annotation is None:
                annotation = info.first_type  # def strip_pii(event, hint) given as before_send=
            injected = self._injected(param)
            if injected is not None:  # `customer = Depends(get_current_customer)`: what the provider returns
                self.scope.vars[name] = replace(injected, type=injected.type or annotation)
                info.name_personal.append(False)
                continue
            flows: set[Flow] = {Flow(Origin("", name, param, param=index))}
            given = self._framework_parameter(info, name, param)
            if given is not None:  # DRF calls create(self, validated_data) with what the person submitted
                flows.add(given)
            verdict = self.classifier.classify(name)
            personal = verdict is not None and verdict.category is not None and annotation not in self.classes
            # def remind(owner): a parameter named after a person is their record; shown whole, it is reported where
            # the function shows it, and its callers stay quiet
            person_record = verdict is None and annotation is None and self.classifier.is_person_object(name)
            if person_record:
                flows.add(Flow(self._person_record(name, param.name)))
            if personal and verdict is not None and verdict.category is not None:
                flows.add(
                    Flow(
                        Origin(
                            verdict.category.id, name, param.name, "medium", f"parameter {verdict.why}", by_name=True
                        )
                    )
                )
            # a parameter named after data the scan reports (`email`, not a pseudonymous `distinct_id`) is reported
            # where the function uses it; its callers stay quiet
            info.name_personal.append(
                person_record or (personal and verdict is not None and self.reported(verdict.category))
            )
            if name in self.catalog.request_objects and annotation is None:
                annotation = "<request>"
            clean = verdict is not None and verdict.category is None
            self.scope.vars[name] = Value(flows=frozenset() if clean else frozenset(flows), type=annotation)

    def _injected(self, param: cst.Param) -> Value | None:
        """A parameter a framework fills by calling a provider (`Depends(get_current_customer)` as its default or
        in `Annotated[Customer, Depends(...)]`): the provider's return value, when the provider is known."""
        candidates: list[cst.BaseExpression] = [param.default] if param.default is not None else []
        annotation = param.annotation.annotation if param.annotation is not None else None
        if isinstance(annotation, cst.Subscript):
            candidates.extend(e.slice.value for e in annotation.slice[1:] if isinstance(e.slice, cst.Index))
        for candidate in candidates:
            if not isinstance(candidate, cst.Call) or not candidate.args:
                continue
            if (self.qualname(candidate.func) or "") not in self.catalog.injectors:
                continue
            provider = self._local_function(self.qualname(candidate.args[0].value))
            if provider is not None:
                returns = self.analyse_function(provider).returns
                flows = cap(f.then(f"provided by {provider.key.rsplit('.', 1)[-1]}()", param) for f in returns.whole()
                            if f.origin.param < 0)  # fmt: skip
                return Value(flows=flows, type=returns.type)
        return None

    def _framework_parameter(self, info: FunctionInfo, name: str, param: cst.Param) -> Flow | None:
        """A parameter a framework fills with personal data when it calls a method of a library base class: the
        packs give its category, or `by-method-name` for the field the method is named after (`validate_email`)."""
        method = info.key.rsplit(".", 1)[-1]
        if info.validates and info.params[-1:] == [name] and len(info.params) == 2:  # (cls, value): the field's
            verdict = self.classifier.classify(info.validates)
            if verdict is not None and verdict.category is not None:
                why = f"a validator of the field '{info.validates}' is handed its value"
                return Flow(Origin(verdict.category.id, name, param.name, "high", why))
        category = self.framework_source(self.catalog.parameter_matcher, info.class_key, method, name)
        if category == BY_METHOD_NAME:  # validate_email(self, value): the field after the method's first word
            verdict = self.classifier.classify(method.partition("_")[2])
            category = verdict.category.id if verdict is not None and verdict.category is not None else None
        if category is None:
            return None
        why = f"the framework passes {method}() what the person submitted as '{name}'"
        return Flow(Origin(category, name, param.name, "high", why))

    def _bind_arguments(self, info: FunctionInfo, args: list[tuple[cst.Arg, Value]], skip: int) -> dict[int, Value]:
        """Arguments by parameter index; extra keywords go to `**kwargs` (as keys), extra positionals to `*args`."""
        named, star, star_kwarg = info.named, info.star, info.star_kwarg
        bound: dict[int, Value] = {}
        extra: list[Value] = []
        keywords: dict[str, Value] = {}
        positional = [v for a, v in args if a.keyword is None and a.star == ""]
        for offset, value in enumerate(positional):
            if offset + skip < named:
                bound[offset + skip] = value
            else:
                extra.append(value)
        spread: list[Value] = []
        for arg, value in args:
            if arg.star == "*":  # f(*values): lands in *args, or in the positional parameters left
                extra.append(value)
            elif arg.star == "**":  # f(**fields): forwarded keywords
                if value.keys:
                    keywords.update(value.keys)
                elif value.tainted:
                    spread.append(value)
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            if name in info.params and info.params.index(name) not in (star, star_kwarg):
                bound[info.params.index(name)] = value
            else:
                keywords[name] = self._named(name, value, arg.value, evidence=True)
        if extra:
            if star >= 0:  # *args keeps positions apart unless a spread makes them unknown
                spreads = any(a.star == "*" for a, _ in args)
                bound[star] = union(extra) if spreads else Value(keys={str(i): v for i, v in enumerate(extra)})
            for index in range(len(positional) + skip, named):  # f(*values) fills what positionals left
                bound.setdefault(index, union(extra))
        if star_kwarg >= 0 and (keywords or spread):
            bound[star_kwarg] = Value(keys=keywords, flows=union(spread).flows)
        return bound

    def call_function(
        self,
        info: FunctionInfo,
        node: cst.Call,
        args: list[tuple[cst.Arg, Value]],
        method: bool,
        receiver: str | None = None,
        on_self: bool = False,
    ) -> Value:
        """Apply a summary at a call site: parameters that reach sinks, data that flows to the return value.

        `receiver` is the class of the object a method is called on. A method it inherits was summarised for
        the class that defines it: a sink reached through a method called on `self` that `receiver` overrides
        (a masked `_log_request`) is not `receiver`'s, and is left out.
        """
        self.analyse_function(info)
        caller = self.scope.function
        info.call_sites.append((caller, self.guarded))
        bound_self = info.params[:1] in (["self"], ["cls"])
        # a method called on an instance, or a Celery task declared with bind=True (`def task(self, payload)`)
        skip_self = 1 if bound_self and (method if info.class_key is not None else True) else 0
        bound = self._bind_arguments(info, args, skip_self)
        call_name = info.key.rsplit(".", 1)[-1]
        for param_sink in list(info.param_sinks.values()):  # a recursive call adds to the summary it reads
            passed = bound.get(param_sink.param)
            if passed is None or self._overridden(param_sink, info, receiver):
                continue
            passed = element_of(passed, param_sink.element)
            personal_param = param_sink.param < len(info.name_personal) and info.name_personal[param_sink.param]
            note = f"passed to {call_name}({info.params[param_sink.param]})"
            shown = param_sink.hit.service in INTERNAL_SERVICES
            # a logged parameter shows its repr: every field of a dataclass or pydantic argument
            flows = [f.then(note, node) for f in (self._exposed(passed) if shown else passed.whole())]
            flows = [Flow(f.origin, (*f.steps, *param_sink.steps)[:MAX_STEPS], f.consented) for f in flows]
            via_hit = param_sink.hit
            concrete = [
                f
                for f in flows
                if f.origin.param < 0
                and self._delivered(via_hit, f.origin)
                and not (personal_param and f.origin.by_name)
                and not (shown and f.boxed)
            ]
            for flow in in_order(flows):
                if flow.origin.param >= 0 and caller is not None:
                    caller.param_sinks.setdefault(
                        (flow.origin.param, flow.origin.element, sink_key(via_hit.node)),
                        ParamSink(
                            flow.origin.param,
                            via_hit,
                            flow.steps,
                            self.guarded or param_sink.guarded,
                            (*param_sink.via_self, call_name) if on_self else param_sink.via_self,
                            flow.origin.element,
                        ),
                    )
            if concrete and not personal_param:
                self.findings.append(
                    RawFinding(
                        via_hit,
                        node,
                        concrete,
                        self._scope_name(),
                        self.guarded or param_sink.guarded,
                        caller,
                        via=f"{call_name}({info.params[param_sink.param]})",
                    )
                )
        returned = _returned(info.returns, bound, f"returned by {call_name}()", node)
        return replace(returned, consent=returned.consent or self.consent.of_name(call_name).sign)

    def _overridden(self, param_sink: ParamSink, info: FunctionInfo, receiver: str | None) -> bool:
        defining = info.class_key
        if not param_sink.via_self or receiver is None or defining is None or receiver == defining:
            return False
        return any(self.member(receiver, name) != self.member(defining, name) for name in param_sink.via_self)


def _returned(returns: Value, bound: dict[int, Value], note: str, node: cst.Call) -> Value:
    """A summary's return value at one call site: its parameters replaced by the arguments bound to them. A
    record or tuple built in the function keeps its keys apart (`amount, extra = split(total, extra)`)."""
    out: set[Flow] = set()
    for flow in returns.flows:
        if flow.origin.param < 0:
            out.add(flow.then(note, node))
            continue
        argument = bound.get(flow.origin.param)
        if argument is not None:
            out.update(f.then(note, node) for f in element_of(argument, flow.origin.element).whole())
    keys = {k: _returned(v, bound, note, node) for k, v in returns.keys.items()} if returns.keys else None
    return Value(
        flows=cap(out),
        keys=keys,
        type=returns.type,
        host=returns.host,
        clean=returns.clean and not out,
        consent=returns.consent,
    )
