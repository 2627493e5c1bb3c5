"""Expressions and bindings: what each expression may carry, and where assignments store it."""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from privacy_lint.engine.resolve import SETTINGS_OBJECTS
from privacy_lint.engine.sinks import SinkReporter
from privacy_lint.engine.summaries import FunctionInfo, Scope
from privacy_lint.engine.syntax import (
    concat_text,
    dotted,
    is_class_name,
    is_constant_name,
    iterates_items,
    literal_string,
)
from privacy_lint.engine.values import (
    CLEAN,
    CURRENT_PERSON,
    EMPTY,
    UNKNOWN,
    Flow,
    Origin,
    Value,
    cap,
    join,
    narrowed,
    union,
)
from privacy_lint.packs.classify import Verdict

# Methods that add their argument to the receiver (serialising methods are rule-pack data: [frameworks]).
MUTATORS = frozenset({"append", "add", "extend", "update", "insert", "appendleft", "setdefault", "put"})
STRING_BUILDERS = frozenset({"join", "format", "format_map"})
KEY_VIEWS = frozenset({"sorted", "list", "set", "tuple", "frozenset"})  # iterating a dict gives its keys
SQL_RUNS = frozenset({"execute", "exec_driver_sql"})  # DB-API cursors, SQLAlchemy connections (PEP 249)
SQL_FETCHES = frozenset({"fetchone", "fetchall", "fetchmany", "first", "one", "one_or_none", "all", "mappings"})
SELECTED_COLUMN = "column of a SELECT"  # the `why` of what a query's rows hold, by column name
SELECT_LIST = re.compile(r"\s*select\s+(?:distinct\s+)?(.+?)\s+from\s", re.IGNORECASE | re.DOTALL)
SUBMITTED = "user.content.submitted"  # what a person submitted: `name` or `notes` under it are theirs
# Instances of these are data, not objects: `date_of_birth = day` holds a birth date whatever `day: date` says.
PLAIN_DATA_TYPES = ("datetime.", "decimal.", "ipaddress.", "uuid.", "pydantic.", "email_validator.", "phonenumbers.")


SPLITS = frozenset({"split", "rsplit", "partition", "rpartition"})


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


def _record_origin(flow: Flow) -> bool:
    """What one element of a record or row does not hold as a whole: a person's record known by its name only
    (`user`), or the columns a SELECT names (`user_id = row[0]` is one column, unknown which)."""
    origin = flow.origin
    return origin.by_name and (origin.category == CURRENT_PERSON or origin.why.startswith(SELECTED_COLUMN))


def _is_record(value: Value) -> bool:
    """A dict with literal keys (not a list, whose keys are positions), or what a person submitted as a whole."""
    if value.keys:
        return not all(key.isdigit() for key in value.keys)
    concrete = [f for f in value.flows if f.origin.param < 0]
    return bool(concrete) and all(f.origin.category == SUBMITTED and not f.steps for f in concrete)


class Evaluator(SinkReporter):
    """Evaluates expressions to `Value`s and binds them to names, attributes and dict keys."""

    # ---------------------------------------------------------------- binding
    def bind(self, target: cst.BaseExpression, value: Value, rhs: cst.CSTNode, person: bool = False) -> None:
        """`person`: the value comes from a person's data, so ambiguous names (`name`, `address`) are personal."""
        if isinstance(target, cst.Name):
            self._bind_name(target.value, self._named(target.value, value, target, person_context=person), target)
        elif isinstance(target, (cst.Tuple, cst.List)):
            elements = [e.value for e in target.elements]
            # `member_no, name, email = row`: an unambiguous personal name among the targets says whose row it is
            person = person or self._personal_sibling(elements)
            rhs_elements = [e.value for e in rhs.elements] if isinstance(rhs, (cst.Tuple, cst.List)) else None
            if (
                rhs_elements is not None
                and len(rhs_elements) == len(elements)
                and not any(isinstance(e, cst.StarredElement) for e in target.elements)
            ):
                for element, part in zip(elements, rhs_elements, strict=True):
                    self.bind(element, self.eval_quiet(part), part, person)
            elif value.keys is not None and all(str(i) in value.keys for i in range(len(elements))):
                for index, element in enumerate(elements):  # a, b = pair: positions stay apart
                    self.bind(element, value.keys[str(index)], rhs, person)
            else:
                # `for customer_id, email in rows`: a column read by its name (a SELECT's) goes to the target of
                # that name; what no target is named after goes to every target
                names = {e.value for e in elements if isinstance(e, cst.Name)}
                whole = value.whole()
                shared = frozenset(f for f in whole if not (f.origin.by_name and f.origin.text in names))
                for element in elements:
                    own = [f for f in whole if isinstance(element, cst.Name) and f.origin.by_name
                           and f.origin.text == element.value]  # fmt: skip
                    self.bind(element, Value(flows=shared.union(own), type=None), rhs, person)
        elif isinstance(target, cst.StarredElement):
            self.bind(target.value, value, rhs, person)
        elif isinstance(target, cst.Attribute):
            self.eval(target.value)
            sink = self._sink(self.qualname(target))
            if sink is not None:  # Sentry's `scope.user = {...}` sets what is sent
                self.report_assignment(sink, self._callee_text(target), target, value)
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
                owner = self.scope.lookup(head) if path.count(".") == 1 else None
                if (
                    sink is None
                    and owner is not None
                    and owner.type
                    and owner.type not in self.classes
                    and value.tainted
                ):
                    # mail.dynamic_template_data = data: a library object carries what is set on it to its send
                    self._bind_name(head, owner.with_flows(f.boxed_in() for f in value.whole()), target)
        elif isinstance(target, cst.Subscript):
            self._assign_item(target, value)

    def bind_loop_target(self, target: cst.BaseExpression, iterable: cst.BaseExpression, element: Value) -> None:
        """`for key, value in d.items()` (a loop or a comprehension): the key is a name, the value carries the data.
        The elements of a person's collection (`for address in customer.addresses`) are that person's."""
        person = isinstance(iterable, cst.Attribute) and self._is_person(
            iterable.value, self.eval_quiet(iterable.value)
        )
        if iterates_items(iterable) and isinstance(target, cst.Tuple) and len(target.elements) == 2:
            key_target, value_target = (e.value for e in target.elements)
            self.bind(key_target, UNKNOWN, iterable)
            self.bind(value_target, element, iterable, person)
        else:
            self.bind(target, element, iterable, person)

    def _personal_sibling(self, targets: list[cst.BaseExpression] | list[cst.Name]) -> bool:
        """An unambiguous, reported personal name among them (`email`; not `name`, not a pseudonymous `user_id`)."""
        for target in targets:
            if isinstance(target, cst.Name):
                verdict = self.classifier.classify(target.value)
                category = verdict.category if verdict is not None and not verdict.contextual else None
                if category is not None and category.sensitivity != "pseudonymous":
                    return True
        return False

    def _assign_item(self, target: cst.Subscript, value: Value) -> None:
        """`d["k"] = v`, `d["a"]["b"] = v`: keep literal keys apart; otherwise the container holds `v` as a whole."""
        keys: list[str | None] = []
        container: cst.BaseExpression = target
        while isinstance(container, cst.Subscript):
            index = container.slice[0].slice
            if isinstance(index, cst.Index):
                self.eval(index.value)
            keys.append(self._literal_key(container))
            container = container.value
        path = dotted(container)
        if path is None:
            self.eval(container)
            return
        keys.reverse()
        root = self.eval_quiet(container)
        sink = self._sink(f"{root.type}.__setitem__") if root.type else None
        if sink is not None:  # event["user"] = {...} in a Sentry before_send hook: what is sent
            self.report_assignment(sink, f"{path}[...]", target, value)
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

    def _named(
        self, name: str, value: Value, node: cst.CSTNode, evidence: bool = False, person_context: bool = False
    ) -> Value:
        """The value stored under `name`: the name itself is evidence of what an unknown value holds.

        `client_ip = row[3]` and `email = input("Email: ")` hold what their names say; `email_template = load(...)`,
        `email_hash = ...` and `email = EmailMessage(...)` (an object of a class) do not, whatever flowed into them.
        """
        if is_constant_name(name) and not evidence:
            if value.type:
                return value
            return Value(clean=True, consent=value.consent, text=value.text)
        verdict = self.classifier.classify(name, person_context)
        flows = value.flows
        if flows:
            flows = cap(f.then(f"stored in {name}", node) for f in flows)
        if verdict is not None and not verdict.personal:
            return replace(value, flows=EMPTY, keys=None, clean=True)
        consent = value.consent or self.consent.of_name(name).sign
        concrete = any(f.origin.param < 0 for f in flows)
        opaque = self._instance(value.type)
        if verdict is not None and verdict.category is not None and not (value.clean or opaque or concrete):
            origin = Origin(verdict.category.id, name, node, "low" if evidence else "medium", verdict.why, by_name=True)
            flows = cap({*flows, Flow(origin)})
        elif not (evidence or value.clean or value.tainted or opaque) and self.classifier.is_person_object(name):
            flows = cap({*flows, Flow(self._person_record(name, node))})  # owner = appointment.owner
        return replace(value, flows=flows, consent=consent)

    def _person_record(self, name: str, node: cst.CSTNode) -> Origin:
        """A value named after a person (`applicant`, `owner`): shown or sent whole, it is that person's record."""
        why = f"'{name}' names a person: shown or sent whole, it is their record"
        return Origin(CURRENT_PERSON, name, node, "medium", why, by_name=True)

    def _instance(self, type_name: str | None) -> bool:
        """An object of a class (the project's, the catalogue's, or a constructor call), not plain data: what a
        function of unknown origin returns (`input()`, `st.text_input()`) is data its variable's name describes."""
        if type_name is None or type_name.startswith(PLAIN_DATA_TYPES):
            return False
        if type_name in self.classes or type_name == "<request>":
            return True
        return type_name.rsplit(".", 1)[-1][:1].isupper()

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
            qual = self.imports[name]
            url = self.url_setting(qual)
            if url is not None:  # from proj.settings import PARTNER_URL
                return Value(clean=True, text=url)
            return self._current_person(qual, node) or Value(type=self.typed(qual))
        if is_constant_name(name):
            return CLEAN
        if name in self.catalog.request_objects:
            return Value(type="<request>")
        return self._classified(name, node, person_context=False, confidence="medium")

    def _current_person(self, qual: str, node: cst.CSTNode) -> Value | None:
        """The signed-in person (`flask_login.current_user`): shown whole, its repr names the person."""
        if not self.catalog.current_person_matcher.get(qual):
            return None
        why = f"'{qual}' is the signed-in person"
        return Value(flows=frozenset({Flow(Origin(CURRENT_PERSON, qual.rsplit(".", 1)[-1], node, "high", why))}))

    def expr_SimpleString(self, node: cst.SimpleString) -> Value:
        text = literal_string(node)
        return Value(clean=True, text=text) if text else CLEAN

    def expr_Integer(self, node: cst.BaseExpression) -> Value:
        return CLEAN

    expr_Float = expr_Imaginary = expr_Ellipsis = expr_Integer

    def expr_ConcatenatedString(self, node: cst.ConcatenatedString) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        return replace(self._combine([left, right]), text=concat_text(left.text, right.text))

    def expr_FormattedString(self, node: cst.FormattedString | cst.TemplatedString) -> Value:
        """An f-string shows what it interpolates; so does a t-string (PEP 750), whose Template carries the values
        to whatever renders it (its text is not a str, so it names no URL)."""
        values = []
        text: str | None = ""
        for part in node.parts:
            if isinstance(part, (cst.FormattedStringExpression, cst.TemplatedStringExpression)):
                value = self.eval(part.expression)
                values.append(Value(flows=self._exposed(value), clean=value.clean))
                text = concat_text(text, value.text)
            elif isinstance(part, (cst.FormattedStringText, cst.TemplatedStringText)):
                text = concat_text(text, part.value)
        template = isinstance(node, cst.TemplatedString)
        return replace(self._combine(values), text=None if template else text or None)

    expr_TemplatedString = expr_FormattedString

    def _combine(self, values: list[Value]) -> Value:
        value = union(values)
        return value if value.flows else (CLEAN if all(v.clean for v in values) else UNKNOWN)

    def expr_BinaryOperation(self, node: cst.BinaryOperation) -> Value:
        left, right = self.eval(node.left), self.eval(node.right)
        if isinstance(node.operator, cst.Modulo):  # "%r" % record shows the record's fields
            right = Value(flows=self._exposed(right), clean=right.clean)
        combined = self._combine([left, right])
        if isinstance(node.operator, cst.BitOr):  # prompt | llm | parser: the pipeline sends to its model
            model = next((v.type for v in (right, left) if v.type and self._sink(f"{v.type}.invoke")), None)
            if model is not None:
                return replace(combined, type=model)
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
            self.guarded = saved or self.check_text(node.left)
        right = self.eval(node.right)
        self.guarded = saved
        return join(left, right)  # `session or requests.Session()` is one or the other: a Session either way

    def expr_Comparison(self, node: cst.Comparison) -> Value:
        self.eval(node.left)
        for target in node.comparisons:
            self.eval(target.comparator)
        return Value(clean=True, consent=self.polarity(node).sign)

    def expr_IfExp(self, node: cst.IfExp) -> Value:
        self.eval(node.test)
        polarity = self.polarity(node.test)
        saved = self.guarded
        self.guarded = saved or self.check_text(node.test, polarity.when_true)
        body = self.eval(node.body)
        self.guarded = saved or self.check_text(node.test, polarity.when_false)
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
        # {"name": ..., "email": ...}: an unambiguous personal key says whose record it is
        person = self._personal_sibling(
            [cst.Name(k) for e in node.elements if isinstance(e, cst.DictElement) for k in [literal_string(e.key)]
             if k is not None and k.isidentifier()]
        )  # fmt: skip
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
                keys[key] = self._named(key, value, element.value, evidence=True, person_context=person)
        flows = union(spread).flows if spread else EMPTY
        return Value(flows=flows, keys=keys)

    def _comprehension(self, node: cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp) -> Value:
        outer = self.scope
        self.scope = Scope(outer, function=outer.function)
        try:
            clause: cst.CompFor | None = node.for_in
            while clause is not None:
                iterable = self.eval(clause.iter)
                self.bind_loop_target(clause.target, clause.iter, Value(flows=iterable.whole(), type=iterable.type))
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
        value = self._subscript(node)
        gone = self._reduced(node) if value.flows else None
        if gone:
            kept = frozenset(f for f in value.flows if f.origin.category not in gone)
            return replace(value, flows=kept, clean=not kept) if kept != value.flows else value
        return value

    def _subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        for element in node.slice:
            if isinstance(element.slice, cst.Index):
                self.eval(element.slice.value)
        key = self._literal_key(node)
        if key is None or (key.isdigit() and base.keys is None):
            # an element of a list keeps the list's element type (records[0] of list[ConsentRecord]); a person's
            # record does not make each of its parts the whole record (user_id = user[0])
            flows = frozenset(f for f in base.whole() if not _record_origin(f))
            if key is not None:  # args[0]: that position of the caller's argument
                flows = narrowed(flows, key)
            return Value(flows=flows, type=base.type) if flows or base.type else UNKNOWN
        return self._read_key(base, key, node, node.value)

    def _reduced(self, node: cst.Subscript) -> set[str]:
        """The categories a subscript keeps too little of to identify the person: a card number's last four
        digits (`number[-4:]`), an e-mail's domain (`email.split("@")[1]`), an IP address's network
        (`ip.rsplit(".", 1)[0]`); `[reducers]` in the packs."""
        if len(node.slice) != 1:
            return set()
        element = node.slice[0].slice
        catalog = self.catalog
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
        if not base.tainted and (self.qualname(base_node) or "") in SETTINGS_OBJECTS:
            url = self.url_setting(f"{self.qualname(base_node)}.{key}")  # current_app.config["CRM_URL"]
            if url is not None:
                return Value(clean=True, text=url)
        part = self._request_part(base_node)
        if part == "scope" or self._is_request(base_node, base):  # ASGI scopes: `self.scope["client"]`
            whole = self._request_part_value((key,), node, text)
            if whole is not None:
                return whole
        if part is not None:
            # request.META["REMOTE_ADDR"], request.headers["X-Forwarded-For"], request.POST["phone"]: keys are
            # classified; `name` or `address` is the person's in what they submitted, not in the envelope
            # (SERVER_NAME, SCRIPT_NAME).
            value = self._classified(
                key,
                node,
                person_context=part in self.catalog.submitted_parts,
                confidence="high",
                context_why="read from the HTTP request",
            )
            return self._with_text(value, text)
        if base.keys is not None:
            return UNKNOWN  # a dict built here, without this key: nothing personal under it
        if self._is_non_person(base_node, base) and all(f.origin.param >= 0 for f in base.whole()):
            # settings["ADMIN_EMAIL"], os.environ["ALERT_EMAIL"]; not a command's typed `options`. A parameter's
            # key is what its callers put there.
            return Value(flows=narrowed(base.flows, key)) if base.flows else CLEAN
        person = self._is_person(base_node, base) or any(f.origin.category == SUBMITTED for f in base.flows)
        value = self._classified(
            key,
            node,
            person_context=person,
            confidence="medium",
            context_why="on a person-like object or in what a person submitted" if person else "",
        )
        if value.flows and isinstance(base_node, cst.Name) and not base.type:
            # row["email"] read: the record holds an e-mail address, so shown whole (`print(row)`) it shows it
            self._bind_name(base_node.value, base.with_flows(self._with_text(value, text).flows), base_node)
        elif not value.flows and not value.clean:  # fields["note"] of a parameter: what the caller put under that key
            value = replace(value, flows=narrowed((f for f in base.flows if f.origin.param >= 0), key))
        return self._with_text(value, text)

    def expr_Attribute(self, node: cst.Attribute) -> Value:
        path = dotted(node)
        if path is not None:
            if path in self.imports:
                return Value(type=self.typed(self.imports[path]))
            head, _, rest = path.partition(".")
            if head in self.imports and rest:  # settings.PARTNER_URL, conf.PARTNER_URL
                url = self.url_setting(f"{self.imports[head]}.{rest}")
                if url is not None:
                    return Value(clean=True, text=url)
                if is_class_name(rest):  # hyperdb.Password: a module's class is a type, never a person's data
                    return Value(type=self.typed(f"{self.imports[head]}.{rest}"))
            stored = self.scope.lookup(path)
            if stored is not None:
                return stored
            head, _, rest = path.partition(".")
            cls = self._self_class(head)
            if cls is not None and rest in cls.fields:
                origin = cls.fields[rest]
                return Value(flows=frozenset({Flow(replace(origin, text=path, node=node))}))
            inherited = self.class_attr(cls, rest) if cls is not None else None
            if inherited is not None:
                return self._member(inherited, node)
        source = self._request_source(node)
        if source is not None:
            return source
        base = self.eval(node.value)
        attr = node.attr.value
        if base.type is not None:
            cls = self.classes.get(base.type)
            if cls is not None and cls.configuration:
                # settings.user_agent, settings.smtp_password: the deployment's, not a person's; a URL setting
                # keeps its text, the host requests are sent to
                inherited = self.class_attr(cls, attr)
                return Value(clean=True, text=inherited.text if inherited is not None else None)
            if cls is not None and attr in cls.fields:
                origin = cls.fields[attr]
                return Value(flows=frozenset({Flow(replace(origin, text=path or origin.text, node=node))}))
            inherited = self.class_attr(cls, attr) if cls is not None else None
            if inherited is not None:
                return self._member(inherited, node)
            if cls is not None:
                given = self._given_by_framework(cls.key, attr, node)
                if given is not None:
                    return given
            remote = self._remote_function(self.member(base.type, attr))
            if remote is not None and remote.is_property:
                return self._property(remote, node)
        person = self._member_context(node.value, base, attr)
        if is_constant_name(attr) or person is None:
            return CLEAN
        value = self._classified(
            attr,
            node,
            person_context=person,
            confidence="high" if person else "medium",
            context_why="on a person-like object" if person else "",
        )
        if value is UNKNOWN and base.type is None and not base.clean and self.classifier.is_person_object(attr):
            return Value(flows=frozenset({Flow(self._person_record(path or attr, node))}))  # order.attendee
        if value.flows and path:
            return self._with_text(value, path)
        if not value.clean and base.type and base.type != "<request>" and base.type not in self.classes:
            return Value(type=f"{base.type}.{attr}")  # client.chat.completions: keep resolving the chain
        if not value.flows and attr in self.catalog.type_names and not base.type:
            return Value(type=self.catalog.type_names[attr])
        return value

    def _given_by_framework(self, cls: str, attr: str, node: cst.Attribute) -> Value | None:
        """What a library base class gives its instances: data (`serializer.validated_data`, `form.cleaned_data`)
        or a typed object (`self.stdout` of a Django command, `self.scope` of a Channels consumer)."""
        category = self.framework_source(self.catalog.object_attribute_matcher, cls, attr)
        if category is not None:
            text = dotted(node) or attr
            why = f"'{attr}' of a {cls.rsplit('.', 1)[-1]} holds what the person submitted"
            return Value(flows=frozenset({Flow(Origin(category, text, node, "high", why))}))
        typed = self.typed(self.member(cls, attr))
        if typed != self.member(cls, attr):
            return Value(type=typed)
        return None

    def _member(self, value: Value, node: cst.Attribute) -> Value:
        """A class attribute read: a @property runs its getter (`patient.name` -> f"{first} {last}")."""
        info = self.functions.get(value.type or "")
        if info is None or not info.is_property:
            return value
        return self._property(info, node)

    def _property(self, info: FunctionInfo, node: cst.Attribute) -> Value:
        self.analyse_function(info)
        flows = {
            f.then(f"returned by property {node.attr.value}", node) for f in info.returns.whole() if f.origin.param < 0
        }
        return Value(flows=cap(flows), type=info.returns.type)

    def _request_part_value(self, key: tuple[str, ...], node: cst.CSTNode, text: str) -> Value | None:
        category = self.catalog.request_attributes.get(key)
        if category is None:
            return None
        label = self.catalog.categories[category].label
        why = f"'{'.'.join(key)}' of the HTTP request is the client's {label}"
        return Value(flows=frozenset({Flow(Origin(category, text, node, "high", why))}))

    def _request_source(self, node: cst.Attribute) -> Value | None:
        """`request.remote_addr`, `request.client.host`, `request.user.email`: personal whatever they are called."""
        parts: list[str] = []
        current: cst.BaseExpression = node
        while isinstance(current, cst.Attribute):
            parts.append(current.attr.value)
            current = current.value
            if self._is_request(current, self.scope.lookup(current.value) if isinstance(current, cst.Name) else None):
                key = tuple(reversed(parts))
                return self._request_part_value(key, node, dotted(node) or ".".join(key))
        return None

    def expr_Call(self, node: cst.Call) -> Value:
        args = [(arg, self.eval(arg.value)) for arg in node.args]
        func = node.func
        qual = self.qualname(func)
        receiver: Value | None = None
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value)
        elif isinstance(func, cst.Name):
            self.note_wrapped_call(func.value)
        else:
            self.eval(func)

        if qual is not None:
            self._type_hooks(qual, node)
        if isinstance(func, cst.Attribute) and self._is_request(func.value, receiver):
            body = self._request_part_value((func.attr.value,), node, f"{dotted(func) or func.attr.value}()")
            if body is not None:  # request.get_json(), await request.json(), await request.body()
                return body
        sink = self._sink(qual)
        if sink is not None:
            self.report_sink(node, sink, args, self._callee_text(func), receiver)
            return Value(type=self.returned_type(qual, node) or qual)
        if qual is not None and self.catalog.configuration_matcher.get(qual):
            return Value(clean=True, text=self._default_text(node))  # os.environ.get("API_URL", "https://...")
        if qual is not None and self.catalog.http_request_matcher.get(qual):
            return self.build_request(args)
        if qual is not None and self.catalog.http_matcher.get(qual):
            self.report_http(node, args, receiver)
            return Value(type=qual, host=self._client_host(args))

        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if qual == "getattr" and len(node.args) >= 2:
            attribute = literal_string(node.args[1].value)
            if attribute is not None and attribute.isidentifier():
                # getattr(request.user, "email", None) reads request.user.email
                return self.eval_quiet(cst.Attribute(value=node.args[0].value, attr=cst.Name(attribute)))
        info = self._local_function(qual)
        if info is None and qual is not None and self.catalog.propagator_matcher.get(qual):
            return self._propagate(func, qual, receiver, args, node)
        returned = self.returned_type(qual, node)
        if returned is not None:  # a factory the catalogue knows: `client.init_index(...)` gives an index
            return Value(type=returned, host=self._client_host(args))
        if self._is_sanitizer(qual, name, info is not None) and (qual is None or qual not in self.classes):
            if info is not None:
                self.call_function(info, node, args, *self._receiver(func, receiver))
            return Value(clean=True, consent=self.polarity(node).sign)
        if info is not None:
            return self.call_function(info, node, args, *self._receiver(func, receiver))
        if qual is not None and qual in self.classes:
            return Value(type=qual)
        # a method of a value (`d.get`, `s.join`); `client.emails.Email(...)` builds an object from a namespace
        if (
            isinstance(func, cst.Attribute)
            and receiver is not None
            and not self._is_module(func.value)
            and not (name[:1].isupper())
        ):
            method_result = self._method(func, name, receiver, args, node)
            if method_result is not None:
                return method_result
        constructor = name[:1].isupper()  # EmailSender() builds a sender: only functions are named after results
        verdict = self._named_result(func, name, receiver) if name and not constructor else None
        if verdict is not None and verdict.category is not None:
            # get_client_ip(request), customer_email(order): the function's name says what it returns.
            origin = self._origin(verdict, f"{self._callee_text(func)}()", node, "medium", "returned by a call")
            flows = {f for _, v in args for f in v.whole()}
            return Value(flows=cap({Flow(origin), *flows}))
        model = self._model_instance(qual) if qual else None
        carried = EMPTY
        if constructor and not model:
            # BaseEvent(user_properties={...}), Mail(to_emails=...): an object built from personal data holds it
            # and sends it along; whether printing it shows the data depends on its class, unknown here.
            carried = cap(f.boxed_in() for _, v in args for f in v.whole())
        return Value(flows=carried, type=model or qual, host=self._client_host(args), consent=self.polarity(node).sign)

    def _member_context(self, owner: cst.BaseExpression, value: Value, member: str) -> bool | None:
        """Whether an attribute or method of `owner` is read on a person-like object; None when the object is a
        machine or configuration (server.address, settings.email), unless the member's own name says whose it
        is (job.customer_email)."""
        person = self._is_person(owner, value)
        if not person and self._is_non_person(owner, value) and not self.classifier.is_person_word(member):
            return None
        return person

    def _named_result(self, func: cst.BaseExpression, name: str, receiver: Value | None) -> Verdict | None:
        """What a call's name says it returns, read like an attribute of the object it is called on:
        `user.get_display_name()` is a person's name, `status.get_display_name()` and `server.get_ip()` are not."""
        if not isinstance(func, cst.Attribute) or receiver is None:
            return self.classifier.classify(name)
        person = self._member_context(func.value, receiver, name)
        return self.classifier.classify(name, person_context=person) if person is not None else None

    @staticmethod
    def _default_text(node: cst.Call) -> str | None:
        """The literal default of a configuration read: its second positional argument or `default=`."""
        positional = [a for a in node.args if a.keyword is None]
        chosen = next((a for a in node.args if a.keyword is not None and a.keyword.value == "default"), None)
        if chosen is None and len(positional) > 1:
            chosen = positional[1]
        return literal_string(chosen.value) if chosen is not None else None

    def _selected(self, sql: str, node: cst.CSTNode) -> list[Flow] | None:
        """The personal columns a SELECT reads, by their names (`email`, `u.full_name`, `phone AS contact`)."""
        match = SELECT_LIST.match(sql)
        if match is None:
            return None
        flows = []
        for column in match.group(1).split(","):
            parts = column.split()
            name = parts[0].rsplit(".", 1)[-1].strip('"`[]') if parts else ""  # the column, whatever its alias
            verdict = self.classifier.classify(name) if name.isidentifier() else None
            if verdict is not None and verdict.category is not None and not verdict.contextual:
                why = f"{SELECTED_COLUMN} '{name}': {verdict.why}"
                flows.append(Flow(Origin(verdict.category.id, name, node, "medium", why, by_name=True)))
        return flows

    def _type_hooks(self, qual: str, node: cst.Call) -> None:
        """`sentry_sdk.init(before_send=strip_pii)`: the hook's first parameter is what the library hands it."""
        if qual not in self.catalog.hooked_calls:
            return
        callbacks = self.catalog.type_callbacks
        for arg in node.args:
            if arg.keyword is None:
                continue
            handed = callbacks.get(f"{qual}.{arg.keyword.value}")
            hook = self._local_function(self.qualname(arg.value)) if handed else None
            if hook is None or hook.node is None or hook.state == "running" or hook.first_type == handed:
                continue
            hook.first_type = handed
            if hook.state == "done":  # analysed before the call that registers it: again, with its argument typed
                hook.state = "new"
                self.analyse_function(hook)

    def _receiver(self, func: cst.BaseExpression, receiver: Value | None) -> tuple[bool, str | None, bool]:
        """A method call or not; the project class of the object it is called on; whether that is `self`."""
        if not isinstance(func, cst.Attribute):
            return False, None, False
        cls = receiver.type if receiver is not None and receiver.type in self.classes else None
        return True, cls, isinstance(func.value, cst.Name) and func.value.value in ("self", "cls")

    def _propagate(
        self,
        func: cst.BaseExpression,
        qual: str,
        receiver: Value | None,
        args: list[tuple[cst.Arg, Value]],
        node: cst.Call,
    ) -> Value:
        """A call that passes data on (`json.dumps(d)`, a builder's `.set("email", e)`)."""
        if qual in KEY_VIEWS and len(args) == 1 and _is_record(args[0][1]):
            return CLEAN  # sorted(changes), sorted(validated_data): a record's field names
        values = [Value(flows=self._exposed(v, as_text=False), clean=v.clean) for _, v in args]
        own = receiver if receiver is not None and not self._is_module(func) else None
        if own is not None:
            values.append(own)
        if not values:
            return CLEAN
        constructed = qual if qual.rsplit(".", 1)[-1][:1].isupper() else None  # Template(...) is a Template
        result = replace(self._combine(values), type=self.returned_type(qual, node) or constructed)
        path = dotted(func.value) if isinstance(func, cst.Attribute) else None
        # table.add_row(name) fills the table; builder.set("email", e) returns the builder it fills; a method
        # whose result is used otherwise (self.style.WARNING(text)) leaves its receiver alone
        fills = node is self.discarded or (result.type is not None and result.type == own.type if own else False)
        if own is not None and path is not None and fills and not result.flows <= own.whole():
            self._store_path(path, own.with_flows(result.flows))
        return result

    def _method(
        self, func: cst.Attribute, name: str, receiver: Value, args: list[tuple[cst.Arg, Value]], node: cst.Call
    ) -> Value | None:
        """Calls on a value: dict reads, serialisation, mutation, string building, string methods."""
        if name in ("get", "pop", "getlist", "get_all") and args:
            key = literal_string(args[0][0].value) or args[0][1].text  # a literal, or a constant naming one
            if key is not None:
                value = self._read_key(receiver, key, node, func.value)
                default = args[1][1] if len(args) > 1 else None
                return value if default is None or not default.tainted else union([value, default])
        if name == "keys" and not args:  # sorted(body.keys()): the field names, not what they hold
            return CLEAN
        if name in SQL_RUNS and args and args[0][1].text:
            rows = self._selected(args[0][1].text, node)
            if rows is not None:  # cur.execute("SELECT email, full_name FROM users"): its rows hold those columns
                path = dotted(func.value)
                if path is not None:  # a cursor holds the rows of the last query it ran
                    self._store_path(path, replace(receiver, flows=frozenset(rows), clean=not rows))
                return Value(flows=frozenset(rows), type=receiver.type)
        if name in SQL_FETCHES and receiver.flows:
            return Value(flows=receiver.flows)  # cur.fetchall(), result.first(): the rows of the query run
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
        if name in self.catalog.serialisers:
            unboxed = {f.unboxed() for f in receiver.whole()}
            return Value(flows=cap(unboxed | self._fields_of(receiver.type, node)))
        if name == "join" and len(args) == 1 and _is_record(args[0][1]):
            return receiver  # ", ".join(changes): iterating a record gives its field names
        if name in STRING_BUILDERS:
            return self._combine([receiver, *(v for _, v in args)])
        if receiver.tainted:
            return Value(flows=receiver.whole())
        if receiver.clean:
            return CLEAN if not any(v.tainted for _, v in args) else None
        return None

    def visit_children(self, node: cst.CSTNode) -> None:
        raise NotImplementedError

    def call_function(
        self,
        info: FunctionInfo,
        node: cst.Call,
        args: list[tuple[cst.Arg, Value]],
        method: bool,
        receiver: str | None = None,
        on_self: bool = False,
    ) -> Value:
        raise NotImplementedError
