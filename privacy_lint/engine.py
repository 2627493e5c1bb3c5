"""The analysis of one module: a single pass of our own over the LibCST tree.

An abstract interpreter walks statements in order with a scope stack and an import/alias table. Each expression
evaluates to a `Value` saying which personal data it may carry (`Flow`s from an `Origin`). Calls are matched
against the catalogue's sinks by qualified name; a sink reached by personal data becomes a raw finding. Functions
of the module are analysed once each, on first call or at the end, into summaries (which parameters reach which
sinks, what flows to the return value), so helpers are followed without re-analysis.

No LibCST metadata provider runs here: positions are computed once, at the end, only for files with findings.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import replace

import libcst as cst

from privacy_lint.classify import Classifier, Verdict, split_name
from privacy_lint.consent import ConsentVocabulary, Polarity
from privacy_lint.hosts import HostDirectory
from privacy_lint.rulepacks import Catalog, Sink
from privacy_lint.summaries import ClassInfo, FunctionInfo, ParamSink, RawFinding, Scope, SinkHit
from privacy_lint.syntax import (
    always_exits,
    capture_names,
    concat_text,
    dotted,
    is_constant_name,
    iterates_items,
    literal_string,
    url_host,
)
from privacy_lint.values import CLEAN, EMPTY, MAX_STEPS, UNKNOWN, Flow, Origin, Value, cap, join, union

# Methods whose result is the receiver's data (serialisation) and methods that add their argument to the receiver.
SERIALISERS = frozenset(
    {"dict", "model_dump", "model_dump_json", "json", "to_dict", "as_dict", "asdict", "to_json", "values", "items",
     "serialize", "serialise", "dumps", "__dict__", "_asdict"}
)  # fmt: skip
MUTATORS = frozenset({"append", "add", "extend", "update", "insert", "appendleft", "setdefault", "put"})
STRING_BUILDERS = frozenset({"join", "format", "format_map"})
TASK_CALLS = frozenset({"delay", "apply_async", "s", "si", "send", "enqueue"})
MODEL_MANAGERS = frozenset({"objects", "query", "_default_manager", "all_objects"})
REPR_BASES = ("BaseModel", "BaseSettings", "NamedTuple", "TypedDict", "Schema", "Struct")
REPR_DECORATORS = ("dataclass", "dataclasses.dataclass", "attr.s", "attrs.define", "attr.define", "define", "frozen")
_TYPING = ("typing.", "typing_extensions.", "collections.abc.", "Optional", "Annotated", "Union")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})


class Analysis:
    """Analyses one parsed module; `run()` returns raw findings (nodes, not positions)."""

    def __init__(
        self,
        module: cst.Module,
        module_name: str,
        catalog: Catalog,
        classifier: Classifier,
        consent: ConsentVocabulary,
        hosts: HostDirectory,
        include_pseudonymous: bool = False,
    ) -> None:
        self.module = module
        self.module_name = module_name
        self.catalog = catalog
        self.classifier = classifier
        self.consent = consent
        self.hosts = hosts
        self.include_pseudonymous = include_pseudonymous
        self.imports: dict[str, str] = {}
        self.functions: dict[str, FunctionInfo] = {}
        self.classes: dict[str, ClassInfo] = {}
        self.findings: list[RawFinding] = []
        self.scope = Scope(None)
        self.guarded = False
        self.context: list[str] = []  # qualified scope names for fingerprints

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
        """Drop consent findings inside helpers that every caller in this module calls under a consent check."""
        guarded: dict[str, bool] = {key: info.consent_decorated for key, info in self.functions.items()}
        changed = True
        while changed:
            changed = False
            for key, info in self.functions.items():
                if guarded[key] or not info.call_sites:
                    continue
                if all(local or (caller is not None and guarded[caller.key]) for caller, local in info.call_sites):
                    guarded[key] = changed = True
        kept = []
        for raw in self.findings:
            if raw.hit.service in self.catalog.consent_services and not raw.guarded and raw.function is not None:
                raw.guarded = guarded[raw.function.key]
            kept.append(raw)
        return kept

    # ------------------------------------------------------------- statements
    def exec_block(self, statements: Sequence[cst.BaseStatement | cst.BaseSmallStatement]) -> None:
        saved = self.guarded
        for statement in statements:
            self.exec_statement(statement)
            if isinstance(statement, cst.If) and not self.guarded:
                self.guarded = self._guards_rest(statement)
        self.guarded = saved

    def _guards_rest(self, node: cst.If) -> bool:
        """`if not has_consent(u): return` guards the statements after it."""
        polarity = self.polarity(node.test)
        if node.orelse is None:
            return polarity.when_false and always_exits(node.body)
        if isinstance(node.orelse, cst.Else):
            return (polarity.when_false and always_exits(node.body)) or (
                polarity.when_true and always_exits(node.orelse.body)
            )
        return False

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
        self.eval(node.value)

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
            self._returns(self.eval(node.value))

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
            self.guarded = True

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
        base = dotted(node.module) if node.module is not None else ""
        if node.relative:
            base = "." * len(node.relative) + (base or "")
        for alias in node.names:
            name = dotted(alias.name)
            if name is None:
                continue
            local = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else name
            self.imports[local] = f"{base}.{name}" if base and not base.endswith(".") else f"{base}{name}"

    def stmt_Global(self, node: cst.Global) -> None:
        self.scope.globals_declared.update(n.name.value for n in node.names)

    def stmt_If(self, node: cst.If) -> None:
        self.eval(node.test)
        polarity = self.polarity(node.test)
        before = dict(self.scope.vars)
        saved = self.guarded
        self.guarded = saved or polarity.when_true
        self.exec_suite(node.body)
        body_exits = always_exits(node.body)
        after_body = self.scope.vars
        self.scope.vars = dict(before)
        self.guarded = saved or polarity.when_false
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
        element = Value(flows=iterable.whole(), type=iterable.type)
        before = dict(self.scope.vars)
        if iterates_items(node.iter) and isinstance(node.target, cst.Tuple) and len(node.target.elements) == 2:
            # for key, value in d.items(): the key is a name, the value carries the data
            key_target, value_target = (e.value for e in node.target.elements)
            self.bind(key_target, UNKNOWN, node.iter)
            self.bind(value_target, element, node.iter)
        else:
            self.bind(node.target, element, node.iter)
        self.exec_suite(node.body)
        self._merge_into(before)
        if node.orelse is not None:
            self.exec_suite(node.orelse.body)

    def stmt_While(self, node: cst.While) -> None:
        self.eval(node.test)
        before = dict(self.scope.vars)
        saved = self.guarded
        self.guarded = saved or self.polarity(node.test).when_true
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
        self.exec_suite(node.body)
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
        info.consent_decorated = any(
            self.consent.is_decorator(
                dotted(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or ""
            )
            for d in node.decorators
        )
        for decorator in node.decorators:
            call = decorator.decorator
            if isinstance(call, cst.Call):
                for arg in call.args:
                    if arg.keyword is not None and arg.keyword.value == "sender":
                        info.instance_type = self.qualname(arg.value) or dotted(arg.value)
        self.functions[key] = info
        self.scope.vars[node.name.value] = Value(type=key)

    def stmt_ClassDef(self, node: cst.ClassDef) -> None:
        key = f"{self.module_name}.{node.name.value}"
        info = ClassInfo(key=key, name=node.name.value)
        bases = [self.qualname(arg.value) or "" for arg in node.bases]
        decorators = [
            self.qualname(d.decorator.func if isinstance(d.decorator, cst.Call) else d.decorator) or ""
            for d in node.decorators
        ]
        info.repr_fields = any(b.endswith(REPR_BASES) for b in bases) or any(
            d.endswith(REPR_DECORATORS) for d in decorators
        )
        self.classes[key] = info
        self.scope.vars[node.name.value] = Value(type=key)
        outer = self.scope
        self.scope = Scope(outer, cls=info)
        self.context.append(node.name.value)
        try:
            for statement in node.body.body:
                if isinstance(statement, cst.SimpleStatementLine):
                    self._collect_field(info, statement)
            self.exec_suite(node.body)
            for name, value in self.scope.vars.items():
                if name not in info.fields:
                    info.attrs.setdefault(name, value)
        finally:
            self.context.pop()
            self.scope = outer

    def _collect_field(self, info: ClassInfo, statement: cst.SimpleStatementLine) -> None:
        """Model/schema fields: `email = models.EmailField()`, `email: EmailStr`, `phone: str = ""`."""
        for small in statement.body:
            target: cst.BaseExpression | None = None
            type_node: cst.BaseExpression | None = None
            if isinstance(small, cst.Assign) and len(small.targets) == 1:
                target = small.targets[0].target
                if isinstance(small.value, cst.Call):
                    type_node = small.value.func
                else:
                    continue
            elif isinstance(small, cst.AnnAssign):
                target, type_node = small.target, small.annotation.annotation
            if not isinstance(target, cst.Name) or is_constant_name(target.value):
                continue
            name = target.value
            related = self._related_class(small, type_node)
            if related is not None:
                info.attrs[name] = Value(type=related)
                continue
            for qual in self._annotation_names(type_node):
                category = self.catalog.field_types.get(qual)
                if category is not None:
                    label = self.catalog.categories[category].label
                    info.fields[name] = Origin(
                        category,
                        f"{info.name}.{name}",
                        target,
                        "high",
                        f"field '{info.name}.{name}' is declared as {qual} ({label})",
                    )
                    break
            else:
                verdict = self.classifier.classify(name, person_context=self.classifier.is_person_word(info.name))
                if verdict is not None and verdict.category is not None:
                    info.fields[name] = Origin(
                        verdict.category.id,
                        f"{info.name}.{name}",
                        target,
                        "medium",
                        f"field of {info.name}: {verdict.why}",
                    )

    def _related_class(self, statement: cst.BaseSmallStatement, type_node: cst.BaseExpression | None) -> str | None:
        """`customer = models.ForeignKey(Customer, ...)` or `customer: Customer`: the field holds a model."""
        if isinstance(statement, cst.Assign) and isinstance(statement.value, cst.Call) and statement.value.args:
            callee = dotted(statement.value.func) or ""
            if callee.endswith(("ForeignKey", "OneToOneField", "relationship", "Related", "ManyToManyField")):
                first = statement.value.args[0].value
                name = literal_string(first) or dotted(first) or ""
                key = self.qualname(cst.Name(name)) if name.isidentifier() else None
                return key if key in self.classes else None
            return None
        for qual in self._annotation_names(type_node):
            if qual in self.classes:
                return qual
        return None

    def _annotation_names(self, node: cst.BaseExpression | None) -> Iterator[str]:
        if node is None:
            return
        if isinstance(node, cst.Subscript):  # Optional[EmailStr], Annotated[str, ...], list[EmailStr]
            outer = self.qualname(node.value) or ""
            if not outer.startswith(_TYPING):
                yield outer
            elements = node.slice[:1] if outer.endswith("Annotated") else node.slice
            for element in elements:
                if isinstance(element.slice, cst.Index):
                    yield from self._annotation_names(element.slice.value)
        elif isinstance(node, cst.BinaryOperation):  # EmailStr | None
            yield from self._annotation_names(node.left)
            yield from self._annotation_names(node.right)
        elif isinstance(node, cst.SimpleString):
            text = literal_string(node)
            if text and text.isidentifier():
                yield self.imports.get(text, f"{self.module_name}.{text}")
        else:
            qual = self.qualname(node)
            if qual and not qual.startswith(_TYPING):
                yield qual

    def annotation_type(self, node: cst.BaseExpression) -> str | None:
        """The class an annotation names: a class of this module or an imported one (not builtins)."""
        for qual in self._annotation_names(node):
            if qual in self.classes or qual in self.catalog.request_types or "." in qual:
                return qual
        return None

    # ---------------------------------------------------------------- binding
    def bind(self, target: cst.BaseExpression, value: Value, rhs: cst.CSTNode) -> None:
        if isinstance(target, cst.Name):
            self._bind_name(target.value, self._named(target.value, value, target), target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            rhs_elements = [e.value for e in rhs.elements] if isinstance(rhs, (cst.Tuple, cst.List)) else None
            if (
                rhs_elements is not None
                and len(rhs_elements) == len(elements)
                and not any(isinstance(e, cst.StarredElement) for e in target.elements)
            ):
                for element, part in zip(elements, rhs_elements, strict=True):
                    self.bind(element, self.eval_quiet(part), part)
            else:
                spread = Value(flows=value.whole(), type=None)
                for element in elements:
                    self.bind(element, spread, rhs)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, value, rhs)
        elif isinstance(target, cst.Attribute):
            self.eval(target.value)
            path = dotted(target)
            named = self._named(target.attr.value, value, target)
            if path is None:
                return
            head = path.split(".", 1)[0]
            cls = self._self_class(head)
            if cls is not None:
                cls.attrs[path.split(".", 1)[1]] = named
            else:
                self.scope.vars[path] = named
        elif isinstance(target, cst.Subscript):
            self._assign_item(target, value)

    def _assign_item(self, target: cst.Subscript, value: Value) -> None:
        """`d["k"] = v`, `d["a"]["b"] = v`: keep literal keys apart; otherwise the container holds `v` as a whole."""
        keys: list[str | None] = []
        container: cst.BaseExpression = target
        while isinstance(container, cst.Subscript):
            self.eval(container.slice[0].slice.value) if isinstance(container.slice[0].slice, cst.Index) else None
            keys.append(self._literal_key(container))
            container = container.value
        path = dotted(container)
        if path is None:
            self.eval(container)
            return
        keys.reverse()
        root = self.eval_quiet(container)
        self._store_path(path, self._set_in(root, keys, value, target))

    def _set_in(self, container: Value, keys: list[str | None], value: Value, node: cst.CSTNode) -> Value:
        key, rest = keys[0], keys[1:]
        if key is None or (container.keys is None and container.tainted):
            return container.with_flows(value.whole()) if value.tainted else container
        current = (container.keys or {}).get(key, Value(keys={}) if rest else UNKNOWN)
        item = self._set_in(current, rest, value, node) if rest else self._named(key, value, node, evidence=True)
        return replace(container, keys={**(container.keys or {}), key: item}, clean=False)

    def _bind_name(self, name: str, value: Value, node: cst.CSTNode) -> None:
        scope = self.scope
        if name in scope.globals_declared:
            scope = scope.module()
        scope.vars[name] = value.under_consent() if self.guarded and value.tainted else value

    def _store_path(self, path: str, value: Value) -> None:
        head, _, rest = path.partition(".")
        cls = self._self_class(head) if rest else None
        if cls is not None:
            cls.attrs[rest] = value
        elif "." in path:
            self.scope.vars[path] = value
        else:
            self._bind_name(path, value, self.module)

    def _named(self, name: str, value: Value, node: cst.CSTNode, evidence: bool = False) -> Value:
        """The value stored under `name`: the name itself is evidence of what an unknown value holds.

        `client_ip = row[3]` holds an IP address; `email_template = load(...)` and `email_hash = ...` do not,
        whatever flowed into them.
        """
        if is_constant_name(name) and not evidence:
            if value.type:
                return value
            return Value(clean=True, consent=value.consent, text=value.text)
        verdict = self.classifier.classify(name)
        flows = value.flows
        if flows:
            flows = cap(f.then(f"stored in {name}", node) for f in flows)
        if verdict is not None and not verdict.personal:
            return replace(value, flows=EMPTY, keys=None, clean=True)
        consent = value.consent or self.consent.of_name(name).sign
        concrete = any(f.origin.param < 0 for f in flows)
        if verdict is not None and verdict.category is not None and not (value.clean or value.type or concrete):
            origin = Origin(verdict.category.id, name, node, "low" if evidence else "medium", verdict.why, by_name=True)
            flows = cap({*flows, Flow(origin)})
        return replace(value, flows=flows, consent=consent)

    def _self_class(self, head: str) -> ClassInfo | None:
        if head not in ("self", "cls"):
            return None
        function = self.scope.function
        if function is None or function.class_key is None:
            return None
        return self.classes.get(function.class_key)

    # ------------------------------------------------------------ expressions
    def eval_quiet(self, node: cst.BaseExpression) -> Value:
        """Value of an expression that was already evaluated for its side effects (sinks)."""
        saved = self.findings
        self.findings = []
        try:
            return self.eval(node)
        finally:
            self.findings = saved

    def eval(self, node: cst.BaseExpression) -> Value:
        method = getattr(self, "expr_" + type(node).__name__, None)
        if method is not None:
            result: Value = method(node)
            return result
        values = [self.eval(child) for child in node.children if isinstance(child, cst.BaseExpression)]
        for child in node.children:
            if not isinstance(child, cst.BaseExpression):
                self.visit_children(child)
        return union(values) if values else UNKNOWN

    def expr_Name(self, node: cst.Name) -> Value:
        name = node.value
        found = self.scope.lookup(name)
        if found is not None:
            return found
        if name in ("True", "False", "None"):
            return CLEAN
        if name in self.imports:
            return Value(type=self.imports[name])
        if is_constant_name(name):
            return CLEAN
        if name in self.catalog.request_objects:
            return Value(type="<request>")
        return self._classified(name, node, person_context=False, confidence="medium")

    def _classified(
        self, name: str, node: cst.CSTNode, person_context: bool, confidence: str, context_why: str = ""
    ) -> Value:
        verdict = self.classifier.classify(name, person_context)
        if verdict is None:
            return UNKNOWN
        if verdict.category is None:
            return CLEAN
        return Value(flows=frozenset({Flow(self._origin(verdict, name, node, confidence, context_why))}))

    def _origin(self, verdict: Verdict, text: str, node: cst.CSTNode, confidence: str, context_why: str) -> Origin:
        assert verdict.category is not None
        why = verdict.why + (f"; {context_why}" if context_why else "")
        return Origin(verdict.category.id, text, node, confidence, why, by_name=True)

    def expr_SimpleString(self, node: cst.SimpleString) -> Value:
        text = literal_string(node)
        return Value(clean=True, text=text) if text else CLEAN

    def expr_Integer(self, node: cst.BaseExpression) -> Value:
        return CLEAN

    expr_Float = expr_Imaginary = expr_Ellipsis = expr_Integer

    def expr_ConcatenatedString(self, node: cst.ConcatenatedString) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        return replace(self._combine([left, right]), text=concat_text(left.text, right.text))

    def expr_FormattedString(self, node: cst.FormattedString) -> Value:
        values = []
        text: str | None = ""
        for part in node.parts:
            if isinstance(part, cst.FormattedStringExpression):
                value = self.eval(part.expression)
                values.append(Value(flows=self._exposed(value), clean=value.clean))
                text = concat_text(text, value.text)
            elif isinstance(part, cst.FormattedStringText):
                text = concat_text(text, part.value)
        return replace(self._combine(values), text=text or None)

    def _combine(self, values: list[Value]) -> Value:
        value = union(values)
        return value if value.flows else (CLEAN if all(v.clean for v in values) else UNKNOWN)

    def expr_BinaryOperation(self, node: cst.BinaryOperation) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.operator, cst.Modulo):  # "%r" % record shows the record's fields
            right = Value(flows=self._exposed(right), clean=right.clean)
        combined = self._combine([left, right])
        if isinstance(node.operator, cst.Add) and (left.text is not None or right.text is not None):
            return replace(combined, text=concat_text(left.text, right.text))
        return combined

    def expr_UnaryOperation(self, node: cst.UnaryOperation) -> Value:
        value = self.eval(node.expression)
        return CLEAN if isinstance(node.operator, cst.Not) else value

    def expr_BooleanOperation(self, node: cst.BooleanOperation) -> Value:
        left = self.eval(node.left)
        saved = self.guarded
        if isinstance(node.operator, cst.And) and self.polarity(node.left).when_true:
            self.guarded = True
        right = self.eval(node.right)
        self.guarded = saved
        return union([left, right])

    def expr_Comparison(self, node: cst.Comparison) -> Value:
        self.eval(node.left)
        for target in node.comparisons:
            self.eval(target.comparator)
        return Value(clean=True, consent=self.polarity(node).sign)

    def expr_IfExp(self, node: cst.IfExp) -> Value:
        self.eval(node.test)
        polarity = self.polarity(node.test)
        saved = self.guarded
        self.guarded = saved or polarity.when_true
        body = self.eval(node.body)
        self.guarded = saved or polarity.when_false
        orelse = self.eval(node.orelse)
        self.guarded = saved
        if polarity.when_true:
            body = body.under_consent()
        if polarity.when_false:
            orelse = orelse.under_consent()
        return union([body, orelse])

    def expr_Await(self, node: cst.Await) -> Value:
        return self.eval(node.expression)

    def expr_NamedExpr(self, node: cst.NamedExpr) -> Value:
        value = self.eval(node.value)
        self.bind(node.target, value, node.value)
        return self.eval_quiet(node.target) if isinstance(node.target, cst.Name) else value

    def expr_Lambda(self, node: cst.Lambda) -> Value:
        outer = self.scope
        self.scope = Scope(outer, function=outer.function)
        try:
            self.eval(node.body)
        finally:
            self.scope = outer
        return CLEAN

    def expr_Tuple(self, node: cst.Tuple | cst.List) -> Value:
        """Elements are kept apart by position, like literal dict keys: `pair[0]` is not `pair[1]`."""
        if not node.elements:
            return CLEAN
        values = [self.eval(e.value) for e in node.elements]
        if any(isinstance(e, cst.StarredElement) for e in node.elements):
            return union(values)
        return Value(keys={str(i): v for i, v in enumerate(values)})

    expr_List = expr_Tuple

    def expr_Set(self, node: cst.Set) -> Value:
        return union(self.eval(e.value) for e in node.elements)

    def expr_Dict(self, node: cst.Dict) -> Value:
        keys: dict[str, Value] = {}
        spread: list[Value] = []
        for element in node.elements:
            if isinstance(element, cst.StarredDictElement):
                inner = self.eval(element.value)
                if inner.keys is not None:
                    keys.update(inner.keys)
                spread.append(Value(flows=inner.flows))
                continue
            assert isinstance(element, cst.DictElement)
            key = literal_string(element.key)
            value = self.eval(element.value)
            if key is None:
                spread.append(union([self.eval(element.key), value]))
            else:
                keys[key] = self._named(key, value, element.value, evidence=True)
        flows = union(spread).flows if spread else EMPTY
        return Value(flows=flows, keys=keys)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> Value:
        outer = self.scope
        self.scope = Scope(outer, function=outer.function)
        try:
            clause: cst.CompFor | None = node.for_in
            while clause is not None:
                iterable = self.eval(clause.iter)
                self.bind(clause.target, Value(flows=iterable.whole(), type=iterable.type), clause.iter)
                for condition in clause.ifs:
                    self.eval(condition.test)
                clause = clause.inner_for_in
            if isinstance(node, cst.DictComp):
                return union([self.eval(node.key), self.eval(node.value)])
            return union([self.eval(node.elt)])
        finally:
            self.scope = outer

    expr_ListComp = expr_SetComp = expr_GeneratorExp = expr_DictComp = _comprehension

    def expr_Subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self.eval(element.slice.value)
        key = self._literal_key(node)
        if key is None or (key.isdigit() and base.keys is None):
            # an element of a list keeps the list's element type (records[0] of list[ConsentRecord])
            return Value(flows=base.whole(), type=base.type) if base.tainted or base.type else UNKNOWN
        return self._read_key(base, key, node, node.value)

    def _literal_key(self, node: cst.Subscript) -> str | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = node.slice[0].slice.value
        if isinstance(key, cst.Integer):
            return key.value
        return literal_string(key)

    def _read_key(self, base: Value, key: str, node: cst.CSTNode, base_node: cst.BaseExpression) -> Value:
        if base.keys is not None and key in base.keys:
            return base.keys[key]
        text = f'{dotted(base_node) or "…"}["{key}"]'
        if self._is_request_part(base_node, base):
            # request.META["REMOTE_ADDR"], request.headers["X-Forwarded-For"]: header names are classified.
            value = self._classified(
                key, node, person_context=True, confidence="high", context_why="read from the HTTP request"
            )
            return self._with_text(value, text)
        if base.keys is not None:
            return UNKNOWN  # a dict built here, without this key: nothing personal under it
        if self._is_non_person(base_node, base):
            return CLEAN  # settings["ADMIN_EMAIL"], os.environ["ALERT_EMAIL"]
        person = self._is_person(base_node, base)
        value = self._classified(
            key,
            node,
            person_context=person,
            confidence="medium",
            context_why="on a person-like object" if person else "",
        )
        return self._with_text(value, text)

    @staticmethod
    def _with_text(value: Value, text: str) -> Value:
        if not value.flows:
            return value
        return replace(
            value,
            flows=frozenset(Flow(replace(f.origin, text=text), f.steps) if not f.steps else f for f in value.flows),
        )

    def _is_request(self, node: cst.BaseExpression, value: Value | None = None) -> bool:
        """`request` parameters, `self.request`, `from flask import request`, `req: Request` annotations."""
        requests = self.catalog.request_objects
        path = dotted(node)
        if path is not None:
            head, _, rest = path.partition(".")
            if head in self.imports:
                return (self.imports[head] + ("." + rest if rest else "")) in requests
            if path in requests:
                found = self.scope.lookup(path) if not rest else None
                return found is None or found.type == "<request>" or found.type in self.catalog.request_types
        if value is None and isinstance(node, cst.Name):
            value = self.scope.lookup(node.value)
        return value is not None and (value.type == "<request>" or value.type in self.catalog.request_types)

    def _is_request_part(self, node: cst.BaseExpression, value: Value) -> bool:
        """request.META / request.headers / request.environ / request.cookies and the like."""
        if isinstance(node, cst.Attribute) and self._is_request(node.value):
            return node.attr.value.lower() in (
                "meta",
                "headers",
                "environ",
                "cookies",
                "scope",
                "args",
                "form",
                "values",
                "query_params",
                "get",
                "post",
                "data",
                "json",
            )
        return False

    def _is_person(self, node: cst.BaseExpression, value: Value) -> bool:
        if value.type is not None:
            cls = self.classes.get(value.type)
            if cls is not None:
                return cls.person_like or self.classifier.is_person_word(cls.name)
            last = value.type.rsplit(".", 1)[-1]
            if last[:1].isupper() and any(t in self.catalog.person_objects for t in split_name(last)):
                return True  # an instance of an imported User/Customer class, settings.AUTH_USER_MODEL
        if isinstance(node, cst.Name) and node.value in ("self", "cls"):
            cls = self._self_class(node.value)
            return cls is not None and (cls.person_like or self.classifier.is_person_word(cls.name))
        name = (
            node.value if isinstance(node, cst.Name) else node.attr.value if isinstance(node, cst.Attribute) else None
        )
        return name is not None and self.classifier.is_person_word(name)

    def _is_non_person(self, node: cst.BaseExpression, value: Value) -> bool:
        if value.type is not None and value.type in self.classes:
            return False
        name = dotted(node)
        if name is None:
            return False
        last = name.rsplit(".", 1)[-1]
        qual = self.imports.get(name.split(".", 1)[0], "")
        return (
            self.classifier.is_non_person_word(last)
            or qual.endswith(("settings", "config", "environ"))
            or is_constant_name(last)
        )

    def expr_Attribute(self, node: cst.Attribute) -> Value:
        path = dotted(node)
        if path is not None:
            if path in self.imports:
                return Value(type=self.imports[path])
            stored = self.scope.lookup(path)
            if stored is not None:
                return stored
            head, _, rest = path.partition(".")
            cls = self._self_class(head)
            if cls is not None and rest in cls.fields:
                origin = cls.fields[rest]
                return Value(flows=frozenset({Flow(replace(origin, text=path, node=node))}))
            if cls is not None and rest in cls.attrs:
                return self._member(cls.attrs[rest], node)
        source = self._request_source(node)
        if source is not None:
            return source
        base = self.eval(node.value)
        attr = node.attr.value
        if base.type is not None:
            cls = self.classes.get(base.type)
            if cls is not None and attr in cls.fields:
                origin = cls.fields[attr]
                return Value(flows=frozenset({Flow(replace(origin, text=path or origin.text, node=node))}))
            if cls is not None and attr in cls.attrs:
                return self._member(cls.attrs[attr], node)
        person = self._is_person(node.value, base)
        if is_constant_name(attr) or (not person and self._is_non_person(node.value, base)):
            return CLEAN
        value = self._classified(
            attr,
            node,
            person_context=person,
            confidence="high" if person else "medium",
            context_why="on a person-like object" if person else "",
        )
        if value.flows and path:
            return self._with_text(value, path)
        if not value.clean and base.type and base.type != "<request>" and base.type not in self.classes:
            return Value(type=f"{base.type}.{attr}")  # client.chat.completions: keep resolving the chain
        if not value.flows and attr in self.catalog.type_names and not base.type:
            return Value(type=self.catalog.type_names[attr])
        return value

    def _member(self, value: Value, node: cst.Attribute) -> Value:
        """A class attribute read: a @property runs its getter (`patient.name` -> f"{first} {last}")."""
        info = self.functions.get(value.type or "")
        if info is None or not info.is_property:
            return value
        self.analyse_function(info)
        flows = {
            f.then(f"returned by property {node.attr.value}", node) for f in info.returns.whole() if f.origin.param < 0
        }
        return Value(flows=cap(flows), type=info.returns.type)

    def _request_source(self, node: cst.Attribute) -> Value | None:
        """`request.remote_addr`, `request.client.host`, `request.user.email`: personal whatever they are called."""
        parts: list[str] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.Attribute):
            parts.append(current.attr.value)
            current = current.value
            if self._is_request(current, self.scope.lookup(current.value) if isinstance(current, cst.Name) else None):
                key = tuple(reversed(parts))
                category = self.catalog.request_attributes.get(key)
                if category is None:
                    return None
                text = dotted(node) or ".".join(key)
                label = self.catalog.categories[category].label
                origin = Origin(
                    category, text, node, "high", f"'{'.'.join(key)}' of the HTTP request is the client's {label}"
                )
                return Value(flows=frozenset({Flow(origin)}))
        return None

    # ------------------------------------------------------------------ calls
    def qualname(self, node: cst.BaseExpression) -> str | None:
        """The qualified name an expression refers to, through imports, aliases and known instance types."""
        if isinstance(node, cst.Name):
            found = self.scope.lookup(node.value)
            if found is not None:
                if found.type:
                    return found.type
                return self.catalog.type_names.get(node.value)
            if node.value in self.imports:
                return self.imports[node.value]
            if node.value in self.catalog.type_names:
                return self.catalog.type_names[node.value]
            return node.value
        if isinstance(node, cst.Attribute):
            path = dotted(node)
            if path is not None:
                if path in self.imports:
                    return self.imports[path]
                head, _, rest = path.partition(".")
                cls = self._self_class(head)
                stored = cls.attrs.get(rest) if cls is not None else self.scope.lookup(path)
                if stored is not None and stored.type:
                    return stored.type
                if cls is not None and stored is None and "." not in rest:
                    method = f"{cls.key}.{rest}"
                    if method in self.functions:
                        return method
            base = self.qualname(node.value)
            attr = node.attr.value
            if base is None or base in ("<request>", "self", "cls"):
                return self.catalog.type_names.get(attr)
            cls = self.classes.get(base)
            if cls is not None:
                stored = cls.attrs.get(attr)
                if stored is not None and stored.type:
                    return stored.type
                if f"{base}.{attr}" not in self.functions and attr in self.catalog.type_names:
                    return self.catalog.type_names[attr]
            return f"{base}.{attr}"
        if isinstance(node, cst.Call):
            callee = self.qualname(node.func)
            if callee is None:
                return None
            returned = self.catalog.returns_matcher.get(callee)
            if isinstance(returned, str):
                return returned
            info = self.functions.get(callee)
            if info is not None:
                return self.analyse_function(info).returns.type
            return self._model_instance(callee) or callee
        return None

    def _model_instance(self, callee: str) -> str | None:
        """`Customer.objects.get(...)` / `Customer.query.first()` give a Customer."""
        for manager in MODEL_MANAGERS:
            marker = f".{manager}."
            if marker in callee:
                cls = callee.split(marker, 1)[0]
                if cls in self.classes:
                    return cls
        return None

    def expr_Call(self, node: cst.Call) -> Value:
        args = [(arg, self.eval(arg.value)) for arg in node.args]
        func = node.func
        qual = self.qualname(func)
        receiver: Value | None = None
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value)
        elif not isinstance(func, cst.Name):
            self.eval(func)

        sink = self._sink(qual)
        if sink is not None:
            self.report_sink(node, sink, args, self._callee_text(func))
            returned = self.catalog.returns_matcher.get(qual or "")
            return Value(type=returned if isinstance(returned, str) else qual)
        if qual is not None and self.catalog.http_matcher.get(qual):
            self.report_http(node, qual, args, receiver)
            return Value(type=qual, host=self._client_host(node, args))

        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if qual == "getattr" and len(node.args) >= 2:
            attribute = literal_string(node.args[1].value)
            if attribute is not None and attribute.isidentifier():
                # getattr(request.user, "email", None) reads request.user.email
                return self.eval_quiet(cst.Attribute(value=node.args[0].value, attr=cst.Name(attribute)))
        info = self._local_function(qual)
        if info is None and qual is not None and self.catalog.propagator_matcher.get(qual):
            return self._propagate(func, qual, receiver, args, node)
        returned = self.catalog.returns_matcher.get(qual) if qual is not None else None
        if isinstance(returned, str):  # a factory the catalogue knows: `client.init_index(...)` gives an index
            return Value(type=returned, host=self._client_host(node, args))
        if self._is_sanitizer(qual, name):
            if info is not None:
                self.call_function(info, node, args, method=isinstance(func, cst.Attribute))
            return Value(clean=True, consent=self.polarity(node).sign)
        if info is not None:
            return self.call_function(info, node, args, method=isinstance(func, cst.Attribute))
        if qual is not None and qual in self.classes:
            return Value(type=qual)
        if isinstance(func, cst.Attribute) and receiver is not None and not self._is_module(func.value):
            method_result = self._method(func, name, receiver, args, node)
            if method_result is not None:
                return method_result
        verdict = self.classifier.classify(name) if name else None
        if verdict is not None and verdict.category is not None:
            # get_client_ip(request), customer_email(order): the function's name says what it returns.
            origin = self._origin(verdict, f"{self._callee_text(func)}()", node, "medium", "returned by a call")
            flows = {f for _, v in args for f in v.whole()}
            return Value(flows=cap({Flow(origin), *flows}))
        model = self._model_instance(qual) if qual else None
        carried = EMPTY
        if name[:1].isupper() and not model:
            # BaseEvent(user_properties={...}), Mail(to_emails=...): an object built from personal data holds it
            # and sends it along; whether printing it shows the data depends on its class, unknown here.
            carried = cap(f.boxed_in() for _, v in args for f in v.whole())
        return Value(
            flows=carried, type=model or qual, host=self._client_host(node, args), consent=self.polarity(node).sign
        )

    def _propagate(
        self,
        func: cst.BaseExpression,
        qual: str,
        receiver: Value | None,
        args: list[tuple[cst.Arg, Value]],
        node: cst.Call,
    ) -> Value:
        """A call that passes data on (`json.dumps(d)`, a builder's `.set("email", e)`)."""
        values = [Value(flows=self._exposed(v), clean=v.clean) for _, v in args]
        own = receiver if receiver is not None and not self._is_module(func) else None
        if own is not None:
            values.append(own)
        if not values:
            return CLEAN
        returned = self.catalog.returns_matcher.get(qual)
        result = replace(self._combine(values), type=returned if isinstance(returned, str) else None)
        path = dotted(func.value) if isinstance(func, cst.Attribute) else None
        if own is not None and path is not None and result.flows and not own.flows:
            self._store_path(path, own.with_flows(result.flows))  # builder.set("email", e) fills the builder
        return result

    def _is_module(self, node: cst.BaseExpression) -> bool:
        """`json` in `json.dumps(...)`: an imported module or class, not a value."""
        path = dotted(node)
        if path is None:
            return False
        head = path.split(".", 1)[0]
        return (
            head in self.imports
            and self.scope.lookup(head) is None
            and self.imports[head] not in self.catalog.request_objects
        )

    def _method(
        self, func: cst.Attribute, name: str, receiver: Value, args: list[tuple[cst.Arg, Value]], node: cst.Call
    ) -> Value | None:
        """Calls on a value: dict reads, serialisation, mutation, string building, string methods."""
        if name in ("get", "pop", "getlist", "get_all") and args:
            key = literal_string(args[0][0].value)
            if key is not None:
                value = self._read_key(receiver, key, node, func.value)
                default = args[1][1] if len(args) > 1 else None
                return value if default is None or not default.tainted else union([value, default])
        if name in MUTATORS and args:
            added = [v for _, v in args]
            path = dotted(func.value)
            if path is not None and any(v.tainted for v in added):
                if name == "update" and len(args) == 1 and args[0][1].keys is not None and receiver.keys is not None:
                    updated = replace(receiver, keys={**receiver.keys, **(args[0][1].keys or {})}, clean=False)
                elif (
                    name in ("update", "setdefault")
                    and all(a.keyword is not None for a, _ in args)
                    and receiver.keys is not None
                ):
                    keys = dict(receiver.keys)
                    for arg, value in args:
                        assert arg.keyword is not None
                        keys[arg.keyword.value] = self._named(arg.keyword.value, value, arg.value, evidence=True)
                    updated = replace(receiver, keys=keys, clean=False)
                else:
                    updated = receiver.with_flows(f for v in added for f in v.whole())
                self._store_path(path, updated)
            return UNKNOWN
        if name in SERIALISERS:
            unboxed = {f.unboxed() for f in receiver.whole()}
            return Value(flows=cap(unboxed | self._fields_of(receiver.type, node)))
        if name in STRING_BUILDERS:
            return self._combine([receiver, *(v for _, v in args)])
        if receiver.tainted:
            return Value(flows=receiver.whole())
        if receiver.clean:
            return CLEAN if not any(v.tainted for _, v in args) else None
        return None

    def _exposed(self, value: Value) -> frozenset[Flow]:
        """What printing a value shows: its data, and every field of a dataclass/pydantic instance (their repr)."""
        cls = self.classes.get(value.type or "")
        if cls is None or not cls.repr_fields or not cls.fields:
            return value.whole()
        return cap(value.whole() | {Flow(o) for o in cls.fields.values()})

    def _fields_of(self, type_name: str | None, node: cst.CSTNode) -> frozenset[Flow]:
        cls = self.classes.get(type_name or "")
        if cls is None:
            return EMPTY
        return frozenset(Flow(replace(o, node=node)) for o in cls.fields.values())

    def _is_sanitizer(self, qual: str | None, name: str) -> bool:
        if qual is not None and self.catalog.sanitizer_matcher.get(qual):
            return True
        tokens = split_name(name)
        return any(t in self.catalog.sanitizer_tokens for t in tokens)

    def _callee_text(self, func: cst.BaseExpression) -> str:
        text = dotted(func)
        if text is not None:
            return text
        if isinstance(func, cst.Attribute):
            return (
                f"{self._callee_text(func.value)}.{func.attr.value}"
                if not isinstance(func.value, cst.Call)
                else f"{self._callee_text(func.value.func)}(…).{func.attr.value}"
            )
        if isinstance(func, cst.Call):
            return f"{self._callee_text(func.func)}(…)"
        return "…"

    def _sink(self, qual: str | None) -> Sink | None:
        if qual is None:
            return None
        found = self.catalog.sink_matcher.get(qual)
        return found if isinstance(found, Sink) else None

    def _local_function(self, qual: str | None) -> FunctionInfo | None:
        if qual is None:
            return None
        info = self.functions.get(qual)
        if info is not None:
            return info
        head, _, last = qual.rpartition(".")
        if last in TASK_CALLS:
            return self.functions.get(head)
        return None

    def _client_host(self, node: cst.Call, args: list[tuple[cst.Arg, Value]]) -> str | None:
        for arg, value in args:
            if arg.keyword is not None and arg.keyword.value == "base_url" and value.text:
                return url_host(value.text)
        return None

    # ---------------------------------------------------------------- sinks
    def _argument_flows(
        self, args: list[tuple[cst.Arg, Value]], ignore: frozenset[str], only: frozenset[str] | None = None
    ) -> list[Flow]:
        flows: list[Flow] = []
        for arg, value in args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is not None and (keyword in ignore or (only is not None and keyword not in only)):
                continue
            flows.extend(self._exposed(value))
            if keyword is not None and not value.clean and not value.tainted:
                # stripe.Customer.create(email=addr): the keyword names the data.
                named = self._named(keyword, value, arg.value, evidence=True)
                flows.extend(named.flows)
        return flows

    def report_sink(self, node: cst.Call, sink: Sink, args: list[tuple[cst.Arg, Value]], text: str) -> None:
        hit = SinkHit(sink.service, sink.destination, text, node)
        self._reach(hit, self._argument_flows(args, sink.ignore_args), node)

    def raise_call(self, statement: cst.Raise, call: cst.Call) -> None:
        args = [(arg, self.eval(arg.value)) for arg in call.args]
        qual = self.qualname(call.func) or ""
        name = qual.rsplit(".", 1)[-1]
        if self.catalog.exception_ignore_matcher.get(qual) or self.catalog.exception_ignore_matcher.get(name):
            return
        if self._local_function(qual) is not None:
            self.expr_Call(call)
            return
        hit = SinkHit("exception", "exception message", f"raise {self._callee_text(call.func)}", statement)
        self._reach(hit, self._argument_flows(args, frozenset()), statement)

    def report_http(self, node: cst.Call, qual: str, args: list[tuple[cst.Arg, Value]], receiver: Value | None) -> None:
        url: Value | None = None
        for arg, value in args:
            if arg.keyword is not None and arg.keyword.value == "url":
                url = value
        if url is None:
            for arg, value in args:
                if arg.keyword is None:
                    if value.text is not None and value.text.lower() in HTTP_METHODS:
                        continue
                    url = value
                    break
        host = url_host(url.text) if url is not None and url.text else None
        if host is None and receiver is not None:
            host = receiver.host
        if host is not None and host.strip("\0") == "":
            host = None
        target = self.hosts.vendor(host) if host else None
        if host is not None and target is None and self.hosts.is_internal(host):
            return
        if host is not None and "\0" in host and target is None:
            host = None
        if target is not None:
            hit = SinkHit(target.service, target.destination, self._callee_text(node.func), node)
        elif host is not None:
            hit = SinkHit("http", host, self._callee_text(node.func), node)
        else:
            hit = SinkHit("http", "a host not known statically", self._callee_text(node.func), node, "low")
        data_args = frozenset(self.catalog.http_data_args)
        flows: list[Flow] = []
        for arg, value in args:
            keyword = arg.keyword.value if arg.keyword is not None else None
            if keyword is not None and keyword not in data_args:
                continue
            flows.extend(value.whole())
        self._reach(hit, flows, node)

    def _reach(self, hit: SinkHit, flows: list[Flow], report_node: cst.CSTNode) -> None:
        """Personal data reaches a sink: a finding for concrete sources, a summary entry for parameters."""
        concrete: list[Flow] = []
        function = self.scope.function
        shown = hit.service in ("log", "exception")
        for flow in flows:
            if shown and flow.boxed:
                continue  # logging an object of an unknown class shows its repr, not what it was built from
            if flow.origin.param >= 0:
                if function is not None:
                    function.param_sinks.setdefault(
                        (flow.origin.param, id(hit.node)), ParamSink(flow.origin.param, hit, flow.steps, self.guarded)
                    )
                continue
            if not self._reportable(flow.origin):
                continue
            concrete.append(flow)
        if concrete:
            guarded = self.guarded or all(f.consented for f in concrete)
            self.findings.append(RawFinding(hit, report_node, concrete, self._scope_name(), guarded, function))

    def _reportable(self, origin: Origin) -> bool:
        category = self.catalog.categories.get(origin.category)
        if category is None:
            return False
        return self.include_pseudonymous or category.sensitivity != "pseudonymous"

    def _scope_name(self) -> str:
        return ".".join(self.context)

    # -------------------------------------------------------------- functions
    def analyse_function(self, info: FunctionInfo) -> FunctionInfo:
        if info.state != "new":
            return info
        info.state = "running"
        node = info.node
        outer_scope, outer_guard = self.scope, self.guarded
        self.scope = Scope(info.parent, function=info)
        self.guarded = info.consent_decorated
        saved_context = self.context
        local = info.key[len(self.module_name) + 1 :] if info.key.startswith(self.module_name + ".") else ""
        self.context = local.split(".") if local else [node.name.value]
        try:
            self._bind_params(info)
            self.exec_suite(node.body)
        finally:
            self.scope, self.guarded = outer_scope, outer_guard
            self.context = saved_context
            info.state = "done"
        return info

    def _bind_params(self, info: FunctionInfo) -> None:
        params = info.node.params
        ordered = [*params.posonly_params, *params.params, *params.kwonly_params]
        star = [p for p in (params.star_arg, params.star_kwarg) if isinstance(p, cst.Param)]
        for index, param in enumerate([*ordered, *star]):
            name = param.name.value
            info.params.append(name)
            if param.default is not None:
                self.eval(param.default)
            if index == 0 and info.class_key is not None and name in ("self", "cls"):
                self.scope.vars[name] = Value(type=info.class_key)
                info.name_personal.append(False)
                continue
            annotation = self.annotation_type(param.annotation.annotation) if param.annotation else None
            if name == "instance" and info.instance_type and annotation is None:
                annotation = info.instance_type
            flows: set[Flow] = {Flow(Origin("", name, param, param=index))}
            verdict = self.classifier.classify(name)
            personal = verdict is not None and verdict.category is not None and annotation not in self.classes
            if personal and verdict is not None and verdict.category is not None:
                flows.add(
                    Flow(
                        Origin(
                            verdict.category.id, name, param.name, "medium", f"parameter {verdict.why}", by_name=True
                        )
                    )
                )
            info.name_personal.append(personal)
            if name in self.catalog.request_objects and annotation is None:
                annotation = "<request>"
            clean = verdict is not None and verdict.category is None
            self.scope.vars[name] = Value(flows=frozenset() if clean else frozenset(flows), type=annotation)

    def _bind_arguments(self, info: FunctionInfo, args: list[tuple[cst.Arg, Value]], skip: int) -> dict[int, Value]:
        """Arguments by parameter index; extra keywords go to `**kwargs` (as keys), extra positionals to `*args`."""
        params = info.node.params
        named = len(params.posonly_params) + len(params.params)
        star = info.params.index(params.star_arg.name.value) if isinstance(params.star_arg, cst.Param) else -1
        star_kwarg = info.params.index(params.star_kwarg.name.value) if params.star_kwarg is not None else -1
        bound: dict[int, Value] = {}
        extra: list[Value] = []
        keywords: dict[str, Value] = {}
        positional = [v for a, v in args if a.keyword is None and a.star == ""]
        for offset, value in enumerate(positional):
            if offset + skip < named:
                bound[offset + skip] = value
            else:
                extra.append(value)
        for arg, value in args:
            if arg.keyword is None:
                continue
            name = arg.keyword.value
            if name in info.params and info.params.index(name) not in (star, star_kwarg):
                bound[info.params.index(name)] = value
            else:
                keywords[name] = self._named(name, value, arg.value, evidence=True)
        if star >= 0 and extra:
            bound[star] = union(extra)
        if star_kwarg >= 0 and keywords:
            bound[star_kwarg] = Value(keys=keywords)
        return bound

    def call_function(
        self, info: FunctionInfo, node: cst.Call, args: list[tuple[cst.Arg, Value]], method: bool
    ) -> Value:
        """Apply a summary at a call site: parameters that reach sinks, data that flows to the return value."""
        self.analyse_function(info)
        caller = self.scope.function
        info.call_sites.append((caller, self.guarded))
        skip_self = 1 if info.class_key is not None and info.params[:1] in (["self"], ["cls"]) and method else 0
        bound = self._bind_arguments(info, args, skip_self)
        call_name = info.key.rsplit(".", 1)[-1]
        for param_sink in list(info.param_sinks.values()):  # a recursive call adds to the summary it reads
            passed = bound.get(param_sink.param)
            if passed is None:
                continue
            personal_param = param_sink.param < len(info.name_personal) and info.name_personal[param_sink.param]
            note = f"passed to {call_name}({info.params[param_sink.param]})"
            flows = [f.then(note, node) for f in passed.whole()]
            flows = [Flow(f.origin, (*f.steps, *param_sink.steps)[:MAX_STEPS], f.consented) for f in flows]
            via_hit = param_sink.hit
            shown = via_hit.service in ("log", "exception")
            concrete = [
                f
                for f in flows
                if f.origin.param < 0
                and self._reportable(f.origin)
                and not (personal_param and f.origin.by_name)
                and not (shown and f.boxed)
            ]
            for flow in flows:
                if flow.origin.param >= 0 and caller is not None:
                    caller.param_sinks.setdefault(
                        (flow.origin.param, id(via_hit.node)),
                        ParamSink(flow.origin.param, via_hit, flow.steps, self.guarded or param_sink.guarded),
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
        returns = info.returns
        out: set[Flow] = set()
        for flow in returns.whole():
            if flow.origin.param >= 0:
                argument = bound.get(flow.origin.param)
                if argument is not None:
                    out.update(f.then(f"returned by {call_name}()", node) for f in argument.whole())
            else:
                out.add(flow.then(f"returned by {call_name}()", node))
        return Value(
            flows=cap(out),
            type=returns.type,
            host=returns.host,
            clean=returns.clean and not out,
            consent=returns.consent or self.consent.of_name(call_name).sign,
        )

    # ---------------------------------------------------------------- consent
    def polarity(self, test: cst.BaseExpression) -> Polarity:
        def known(expr: cst.BaseExpression) -> int:
            if isinstance(expr, cst.Name):
                found = self.scope.lookup(expr.value)
                return found.consent if found is not None else 0
            if isinstance(expr, cst.Call):
                info = self._local_function(self.qualname(expr.func))
                if info is not None:
                    name = info.key.rsplit(".", 1)[-1]
                    return self.analyse_function(info).returns.consent or self.consent.of_name(name).sign
            return 0

        return self.consent.polarity(test, known)
