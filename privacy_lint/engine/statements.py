"""Statements: run in order, branches merged, consent guards carried, functions and classes registered."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import libcst as cst

from privacy_lint.engine.calls import Evaluator
from privacy_lint.engine.plain_syntax import resolve_relative
from privacy_lint.engine.summaries import CALLERS_GUARD, ClassInfo, FunctionInfo, RawFinding, Scope
from privacy_lint.engine.syntax import (
    EXITS,
    RAISES,
    always_exits,
    capture_names,
    dotted,
    literal_string,
    node_handlers,
)
from privacy_lint.engine.values import (
    UNKNOWN,
    Value,
    join,
)


class Statements(Evaluator):
    """Runs a module's statements: `run()` returns its raw findings (nodes, not positions)."""

    def _validated_field(self, decorator: cst.BaseExpression) -> str | None:
        """`@field_validator("postcode")` (pydantic): the field a validator is handed the value of."""
        if not isinstance(decorator, cst.Call) or not decorator.args:
            return None
        if not self.catalog.validator_matcher.get(self.qualname(decorator.func) or ""):
            return None
        return literal_string(decorator.args[0].value)

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
        checks: dict[str, tuple[str, ...]] = {}  # the callers' own checks, whose purposes must fit the sink's
        changed = True
        while changed:
            changed = False
            for key, info in self.functions.items():
                if guarded[key] or not info.call_sites:
                    continue
                if all(local or (caller is not None and guarded[caller.key]) for caller, local in info.call_sites):
                    guarded[key] = f"{CALLERS_GUARD} {key.rsplit('.', 1)[-1]}()"
                    found: list[str] = []
                    for caller, local in info.call_sites:
                        inherited = checks.get(caller.key, (guarded[caller.key],)) if caller is not None else ()
                        found.extend((local,) if local else inherited)
                    checks[key] = tuple(dict.fromkeys(found))
                    changed = True
        for raw in self.findings:
            if raw.hit.service in self.catalog.consent_services and not raw.guarded and raw.function is not None:
                raw.guarded = guarded[raw.function.key]
                raw.caller_checks = checks.get(raw.function.key, ())
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
        method = node_handlers(type(self), "stmt_").get(type(node))
        if method is not None:
            method(self, node)
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
        for decorator in node.decorators:  # @receiver(post_save, sender=Order): `instance` is an Order
            call = decorator.decorator
            if isinstance(call, cst.Call) and (self.qualname(call.func) or "") in self.catalog.instance_senders:
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
