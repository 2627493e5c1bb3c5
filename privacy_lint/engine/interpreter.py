"""The analysis of one module: a single pass of our own over the LibCST tree.

An abstract interpreter walks statements in order with a scope stack and an import/alias table. Each expression
evaluates to a `Value` saying which personal data it may carry (`Flow`s from an `Origin`). Calls are matched
against the catalogue's sinks by qualified name; a sink reached by personal data becomes a raw finding. Functions
of the module are analysed once each, on first call or at the end, into summaries (which parameters reach which
sinks, what flows to the return value), so helpers are followed without re-analysis.

No LibCST metadata provider runs here: positions are computed once, at the end, only for files with findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from privacy_lint.engine.evaluate import Evaluator
from privacy_lint.engine.summaries import ClassInfo, FunctionInfo, ParamSink, RawFinding, Scope, sink_key
from privacy_lint.engine.syntax import (
    EXITS,
    RAISES,
    always_exits,
    capture_names,
    dotted,
    literal_string,
    resolve_relative,
)
from privacy_lint.engine.values import (
    MAX_STEPS,
    UNKNOWN,
    Flow,
    Origin,
    Value,
    cap,
    element_of,
    in_order,
    join,
    union,
)
from privacy_lint.packs.catalog import BY_METHOD_NAME


class Interpreter(Evaluator):
    """Analyses one parsed module; `run()` returns raw findings (nodes, not positions)."""

    # ----------------------------------------------------------------- driver
    def run(self) -> list[RawFinding]:
        self.exec_block(self.module.body)
        pending = list(self.functions.values())
        while pending:  # analysing a function may register nested ones
            for info in pending:
                self.analyse_function(info)
            pending = [info for info in self.functions.values() if info.state == "new"]
        return self._resolve_consent()

    def _resolve_consent(self) -> list[RawFinding]:
        """Mark as guarded the consent findings in helpers whose every caller in the module checks consent."""
        guarded: dict[str, str] = {key: info.consent_decorated for key, info in self.functions.items()}
        changed = True
        while changed:
            changed = False
            for key, info in self.functions.items():
                if guarded[key] or not info.call_sites:
                    continue
                if all(local or (caller is not None and guarded[caller.key]) for caller, local in info.call_sites):
                    guarded[key] = f"the callers of {key.rsplit('.', 1)[-1]}()"
                    changed = True
        for raw in self.findings:
            if raw.hit.service in self.catalog.consent_services and not raw.guarded and raw.function is not None:
                raw.guarded = guarded[raw.function.key]
        return self.findings

    # ------------------------------------------------------------- statements
    def exec_block(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> bool:
        """Run a block; True when, at its end, a consent check that raises otherwise guards it (an assertion)."""
        return self._exec_guarding(statements)[1]

    def _exec_guarding(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> tuple[str, bool]:
        """Run a block; the consent check that guards its end ("" when none), and whether that is an assertion.
        The guard of the code around the block is restored."""
        saved, saved_asserted = self.guarded, self.asserted
        for statement in statements:
            self.exec_statement(statement)
            if isinstance(statement, cst.If) and not self.guarded:
                self.guarded = self._guards_rest(statement)
                self.asserted = self.asserted or bool(self._guards_rest(statement, RAISES))
        ended = self.guarded, self.asserted
        self.guarded, self.asserted = saved, saved_asserted
        return ended

    def _guards_rest(self, node: cst.If, exits: tuple[type[cst.CSTNode], ...] = EXITS) -> str:
        """`if not has_consent(u): return` guards the statements after it: the check, or ""."""
        polarity = self.polarity(node.test)
        if node.orelse is None:
            exits_when_refused = polarity.when_false and always_exits(node.body, exits)
        elif isinstance(node.orelse, cst.Else):
            exits_when_refused = (polarity.when_false and always_exits(node.body, exits)) or (
                polarity.when_true and always_exits(node.orelse.body, exits)
            )
        else:
            exits_when_refused = False
        return self.check_text(node.test) if exits_when_refused else ""

    def exec_suite(self, suite: cst.BaseSuite) -> None:
        self.exec_block(suite.body)

    def exec_statement(self, node: cst.BaseStatement | cst.BaseSmallStatement) -> None:
        method = getattr(self, "stmt_" + type(node).__name__, None)
        if method is not None:
            method(node)
        else:
            self.visit_children(node)

    def visit_children(self, node: cst.CSTNode) -> None:
        for child in node.children:
            if isinstance(child, cst.BaseExpression):
                self.eval(child)
            elif isinstance(child, (cst.BaseStatement, cst.BaseSmallStatement)):
                self.exec_statement(child)
            elif isinstance(child, cst.BaseSuite):
                self.exec_suite(child)
            else:
                self.visit_children(child)

    def stmt_SimpleStatementLine(self, node: cst.SimpleStatementLine | cst.SimpleStatementSuite) -> None:
        for small in node.body:  # no guard save/restore: `assert has_consent(u)` guards what follows
            self.exec_statement(small)

    stmt_SimpleStatementSuite = stmt_SimpleStatementLine

    def stmt_Expr(self, node: cst.Expr) -> None:
        call = node.value.expression if isinstance(node.value, cst.Await) else node.value
        self.discarded = call  # a call whose result is dropped acts on its receiver: table.add_row(...)
        self.eval(node.value)
        if isinstance(call, cst.Call):  # ensure_consent(user): returns only if consent is given
            info = self._local_function(self.qualname(call.func))
            if info is not None and self.analyse_function(info).asserts_consent:
                self.guarded = self.guarded or self.check_text(call)
                self.asserted = True
            elif info is None and self.consent.is_assertion(dotted(call.func) or ""):
                # require_consent(user, "analytics") from a library: its result dropped, it acts by raising
                self.guarded = self.guarded or self.check_text(call)
                self.asserted = True

    def stmt_Assign(self, node: cst.Assign) -> None:
        value = self.eval(node.value)
        for target in node.targets:
            self.bind(target.target, value, node.value)

    def stmt_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            value = self.eval(node.value)
            annotation = self.annotation_type(node.annotation.annotation)
            if annotation and not value.type:
                value = replace(value, type=annotation)
            self.bind(node.target, value, node.value)
        elif isinstance(node.target, cst.Name):
            annotation = self.annotation_type(node.annotation.annotation)
            if annotation:
                self.scope.vars[node.target.value] = Value(type=annotation)

    def stmt_AugAssign(self, node: cst.AugAssign) -> None:
        value = self.eval(node.value)
        current = self.eval(node.target)
        self.bind(node.target, current.with_flows(value.whole()) if value.tainted else current, node.value)

    def stmt_Return(self, node: cst.Return) -> None:
        if node.value is not None:
            value = self.eval(node.value)
            sign = value.consent or self.polarity(node.value).sign
            self._returns(replace(value, consent=sign) if sign != value.consent else value)  # return x.marketing_opt_in

    def _returns(self, value: Value) -> None:
        function = self.scope.function
        if function is not None:
            current = function.returns
            function.returns = join(current, value) if current.type or current.flows or current.keys else value

    def expr_Yield(self, node: cst.Yield) -> Value:
        """A generator's items are what its callers get: `helpers.bulk(es, iter_docs(rows))`."""
        if isinstance(node.value, cst.From):
            self._returns(self.eval(node.value.item))
        elif node.value is not None:
            value = self.eval(node.value)
            self._returns(Value(flows=value.whole()))
        return UNKNOWN

    def stmt_Raise(self, node: cst.Raise) -> None:
        if node.exc is None:
            return
        if isinstance(node.exc, cst.Call):
            self.raise_call(node, node.exc)
        else:
            self.eval(node.exc)
        if node.cause is not None:
            self.eval(node.cause.item)

    def stmt_Assert(self, node: cst.Assert) -> None:
        self.eval(node.test)
        if node.msg is not None:
            self.eval(node.msg)
        if self.polarity(node.test).when_true:
            self.guarded = self.guarded or self.check_text(node.test)
            self.asserted = True

    def stmt_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            full = dotted(alias.name)
            if full is None:
                continue
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                self.imports[alias.asname.name.value] = full
            else:
                head = full.split(".", 1)[0]
                self.imports[head] = head
                self.imports[full] = full

    def stmt_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, cst.ImportStar):
            return
        base = (dotted(node.module) if node.module is not None else "") or ""
        if node.relative:  # from .models import Customer, inside package shop -> shop.models.Customer
            base = resolve_relative(self.module_name, self.is_package, len(node.relative), base)
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{base}.{name}" if base else name

    stmt_LazyImport = stmt_Import  # PEP 810: `lazy import x` binds what `import x` binds
    stmt_LazyImportFrom = stmt_ImportFrom

    def stmt_TypeAlias(self, node: cst.TypeAlias) -> None:
        """`type Customer = models.Customer` (PEP 695): annotations naming the alias name the class."""
        named = self.annotation_type(node.value)
        if named is not None:
            self.scope.vars[node.name.value] = Value(type=named)

    def stmt_Global(self, node: cst.Global) -> None:
        self.scope.globals_declared.update(n.name.value for n in node.names)

    def stmt_If(self, node: cst.If) -> None:
        self.eval(node.test)
        polarity = self.polarity(node.test)
        before = dict(self.scope.vars)
        saved = self.guarded
        self.guarded = saved or self.check_text(node.test, polarity.when_true)
        self.exec_suite(node.body)
        body_exits = always_exits(node.body)
        after_body = self.scope.vars
        self.scope.vars = dict(before)
        self.guarded = saved or self.check_text(node.test, polarity.when_false)
        if isinstance(node.orelse, cst.If):
            self.stmt_If(node.orelse)
        elif isinstance(node.orelse, cst.Else):
            self.exec_suite(node.orelse.body)
        self.guarded = saved
        if not body_exits:
            self._merge_into(after_body)

    def _merge_into(self, other: dict[str, Value]) -> None:
        current = self.scope.vars
        for name in current.keys() | other.keys():
            a, b = current.get(name), other.get(name)
            if a is not b:
                current[name] = join(a, b)

    def stmt_For(self, node: cst.For) -> None:
        iterable = self.eval(node.iter)
        before = dict(self.scope.vars)
        self.bind_loop_target(node.target, node.iter, Value(flows=iterable.whole(), type=iterable.type))
        self.exec_suite(node.body)
        self._merge_into(before)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def stmt_While(self, node: cst.While) -> None:
        self.eval(node.test)
        before = dict(self.scope.vars)
        saved = self.guarded
        self.guarded = saved or self.check_text(node.test, self.polarity(node.test).when_true)
        self.exec_suite(node.body)
        self.guarded = saved
        self._merge_into(before)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def stmt_With(self, node: cst.With) -> None:
        for item in node.items:
            value = self.eval(item.item)
            if item.asname is not None:
                self.bind(item.asname.name, value, item.item)
        self.exec_suite(node.body)

    def stmt_Try(self, node: cst.Try | cst.TryStar) -> None:
        before = dict(self.scope.vars)
        guard, asserted = self._exec_guarding(node.body.body)
        if guard and node.handlers and all(always_exits(h.body, EXITS) for h in node.handlers):
            # try: ensure_consent(u) / except NoConsent: return: what follows the try runs only with consent
            self.guarded, self.asserted = self.guarded or guard, self.asserted or asserted
        for handler in node.handlers:
            if handler.type is not None:
                self.eval(handler.type)
            if handler.name is not None:
                self.bind(handler.name.name, UNKNOWN, handler)
            self.exec_suite(handler.body)
        self._merge_into(before)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)
        if node.finalbody is not None:
            self.exec_suite(node.finalbody.body)

    stmt_TryStar = stmt_Try

    def stmt_Match(self, node: cst.Match) -> None:
        subject = self.eval(node.subject)
        before = dict(self.scope.vars)
        for case in node.cases:
            for name in capture_names(case.pattern):
                self.scope.vars[name] = Value(flows=subject.whole())
            if case.guard is not None:
                self.eval(case.guard)
            self.exec_suite(case.body)
        self._merge_into(before)

    def stmt_FunctionDef(self, node: cst.FunctionDef) -> None:
        for decorator in node.decorators:
            self.eval(decorator.decorator)
        cls = self.scope.cls if self.scope.function is None else None
        prefix = cls.key if cls is not None else (self.scope.function.key if self.scope.function else self.module_name)
        key = f"{prefix}.{node.name.value}"
        info = FunctionInfo(key=key, node=node, class_key=cls.key if cls else None, parent=self.scope)
        info.is_property = any(
            (dotted(d.decorator) or "").endswith(("property", "cached_property")) for d in node.decorators
        )
        info.validates = next((f for d in node.decorators if (f := self._validated_field(d.decorator))), None)
        info.consent_decorated = next(
            (f"@{self.check_text(d.decorator)}" for d in node.decorators if self._consent_decorator(d.decorator)), ""
        )
        for decorator in node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call):
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "sender":
                        info.instance_type = self.qualname(arg.value) or dotted(arg.value)
        self.functions[key] = info
        self.scope.vars[node.name.value] = Value(type=key)

    def _consent_decorator(self, decorator: cst.BaseExpression) -> bool:
        """`@consent_required`, or a decorator of the project whose wrapper calls the function under consent."""
        func = decorator.func if isinstance(decorator, cst.Call) else decorator
        if self.consent.is_decorator(dotted(func) or ""):
            return True
        info = self._local_function(self.qualname(func))
        return info is not None and self.wraps_under_consent(info)

    def wraps_under_consent(self, info: FunctionInfo, depth: int = 0) -> bool:
        """A decorator whose wrapper calls the wrapped function only under a consent check; a factory of one."""
        self.analyse_function(info)
        if info.consent_wrapper:
            return True
        returned = self.functions.get(info.returns.type or "")
        if returned is None or returned is info or depth > 3:
            return False
        inner = self.wraps_under_consent(returned, depth + 1)  # analysing the wrapper marks `info`
        return inner or info.consent_wrapper

    def stmt_ClassDef(self, node: cst.ClassDef) -> None:
        """A class: its fields come from the project index (one extraction, index.py), its attributes from its body."""
        key = f"{self.module_name}.{node.name.value}"
        info = self.classes.get(key) or ClassInfo(key=key, name=node.name.value)
        self.classes[key] = info
        self.scope.vars[node.name.value] = Value(type=key)
        outer = self.scope
        self.scope = Scope(outer, cls=info)
        self.context.append(node.name.value)
        try:
            self.exec_suite(node.body)
            for name, value in self.scope.vars.items():
                if name not in info.fields:
                    info.attrs.setdefault(name, value)
        finally:
            self.context.pop()
            self.scope = outer

    # -------------------------------------------------------------- functions
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

    def _validated_field(self, decorator: cst.BaseExpression) -> str | None:
        """`@field_validator("postcode")` (pydantic): the field a validator is handed the value of."""
        if not isinstance(decorator, cst.Call) or not decorator.args:
            return None
        if not self.catalog.validator_matcher.get(self.qualname(decorator.func) or ""):
            return None
        return literal_string(decorator.args[0].value)

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
            shown = param_sink.hit.service in ("log", "exception")
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
