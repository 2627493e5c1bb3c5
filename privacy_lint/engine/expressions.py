"""Expressions: what each one may carry (a `Value`), operator by operator, literal by literal."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from privacy_lint.engine.binding import Binder
from privacy_lint.engine.reducers import reduced_categories
from privacy_lint.engine.summaries import FunctionInfo, Scope
from privacy_lint.engine.syntax import (
    concat_text,
    dotted,
    is_class_name,
    is_constant_name,
    literal_string,
    node_handlers,
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
    is_list,
    join,
    literal_texts,
    narrowed,
    union,
)

SELECTED_COLUMN = "column of a SELECT"  # the `why` of what a query's rows hold, by column name
SUBMITTED = "user.content.submitted"  # what a person submitted: `name` or `notes` under it are theirs


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


class Expressions(Binder):
    """Evaluates expressions to `Value`s: names, literals, strings, operators, containers, keys, attributes."""

    def _member_context(self, owner: cst.BaseExpression, value: Value, member: str) -> bool | None:
        """Whether an attribute or method of `owner` is read on a person-like object; None when the object is a
        machine or configuration (server.address, settings.email), unless the member's own name says whose it
        is (job.customer_email)."""
        person = self._is_person(owner, value)
        if not person and self._is_non_person(owner, value) and not self.classifier.is_person_word(member):
            return None
        return person

    def eval_quiet(self, node: cst.BaseExpression) -> Value:
        """Value of an expression that was already evaluated for its side effects (sinks)."""
        saved = self.findings
        self.findings = []
        try:
            return self.eval(node)
        finally:
            self.findings = saved

    def eval(self, node: cst.BaseExpression) -> Value:
        method = node_handlers(type(self), "expr_").get(type(node))
        if method is not None:
            result: Value = method(self, node)
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
        framed = {left.type, right.type} & self.catalog.data_holders if left.type or right.type else set()
        if framed and combined.flows:  # (frame - frame.mean()) / frame.std() is a frame
            return replace(combined, type=next(iter(framed)))
        if isinstance(node.operator, cst.Add) and is_list(left) and is_list(right):  # COLUMNS + [TARGET]
            items = [*(left.keys or {}).values(), *(right.keys or {}).values()]
            return Value(flows=combined.flows, keys={str(i): v for i, v in enumerate(items)})
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
        gone = reduced_categories(node, self.catalog) if value.flows else None
        if gone:
            kept = frozenset(f for f in value.flows if f.origin.category not in gone)
            return replace(value, flows=kept, clean=not kept) if kept != value.flows else value
        return value

    def _subscript(self, node: cst.Subscript) -> Value:
        base = self.eval(node.value)
        indices = [self.eval(e.slice.value) for e in node.slice if isinstance(e.slice, cst.Index)]
        columns = self._selected_columns(node, indices)
        if columns is not None:  # frame[["age", "income"]], frame[FEATURES]: each column as a key read, together
            return replace(
                union([self._read_key(base, column, node, node.value) for column in columns]), type=base.type
            )
        key = self._literal_key(node)
        if key is None and len(indices) == 1 and len(node.slice) == 1:
            key = indices[0].text  # frame[TARGET], data[KEY]: a constant naming the key
        if key is None or (key.isdigit() and base.keys is None):
            # an element of a list keeps the list's element type (records[0] of list[ConsentRecord]); a person's
            # record does not make each of its parts the whole record (user_id = user[0])
            flows = frozenset(f for f in base.whole() if not _record_origin(f))
            if key is not None:  # args[0]: that position of the caller's argument
                flows = narrowed(flows, key)
            return Value(flows=flows, type=base.type) if flows or base.type else UNKNOWN
        return self._read_key(base, key, node, node.value)

    @staticmethod
    def _selected_columns(node: cst.Subscript, indices: list[Value]) -> list[str] | None:
        """The names a subscript selects by a list of them: written there, or a constant holding one."""
        if len(node.slice) != 1 or len(indices) != 1 or indices[0].text is not None:
            return None  # one name is one key read (`frame["age"]`)
        return literal_texts(indices[0])

    def _read_key(self, base: Value, key: str, node: cst.CSTNode, base_node: cst.BaseExpression) -> Value:
        if base.keys is not None and key in base.keys:
            return base.keys[key]
        text = f'{dotted(base_node) or "…"}["{key}"]'
        if not base.tainted and (self.qualname(base_node) or "") in self.catalog.settings_objects:
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
        if base.type is not None and f"{base.type}.{attr}" in self.catalog.data_views:
            return Value(flows=base.whole(), type=base.type)  # frame.values, frame.loc: the same data
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
