"""Calls: to sinks, to the project's functions, and to library calls whose results the packs describe."""

from __future__ import annotations

import re
from dataclasses import replace

import libcst as cst

from privacy_lint.engine.expressions import SELECTED_COLUMN, Expressions, _is_record
from privacy_lint.engine.syntax import (
    dotted,
    literal_string,
)
from privacy_lint.engine.values import (
    CLEAN,
    EMPTY,
    UNKNOWN,
    Flow,
    Origin,
    Value,
    cap,
    literal_texts,
    union,
    without,
)
from privacy_lint.packs.classify import Verdict

# Methods that add their argument to the receiver (serialising methods are rule-pack data: [frameworks]).
MUTATORS = frozenset({"append", "add", "extend", "update", "insert", "appendleft", "setdefault", "put"})
STRING_BUILDERS = frozenset({"join", "format", "format_map"})
KEY_VIEWS = frozenset({"sorted", "list", "set", "tuple", "frozenset"})  # iterating a dict gives its keys
SQL_RUNS = frozenset({"execute", "exec_driver_sql"})  # DB-API cursors, SQLAlchemy connections (PEP 249)
SQL_FETCHES = frozenset({"fetchone", "fetchall", "fetchmany", "first", "one", "one_or_none", "all", "mappings"})
SELECT_LIST = re.compile(r"\s*select\s+(?:distinct\s+)?(.+?)\s+from\s", re.IGNORECASE | re.DOTALL)


class Evaluator(Expressions):
    """Calls: to sinks, to functions of the project, to libraries whose results the packs describe."""

    def expr_Call(self, node: cst.Call) -> Value:
        args = [(arg, self.eval(arg.value)) for arg in node.args]
        func = node.func
        qual = self.qualname(func)
        receiver: Value | None = None
        if isinstance(func, cst.Attribute):
            receiver = self.eval(func.value)
            if qual is None and receiver.type is not None and receiver.type in self.catalog.data_holders:
                qual = f"{receiver.type}.{func.attr.value}"  # frame[cols].fillna(0): a method of what it returns
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
        if info is None and qual in self.catalog.sql_reads and args and args[0][1].text:
            rows = self._selected(args[0][1].text, node) or []  # pandas.read_sql("SELECT age, email FROM users", db)
            return Value(flows=frozenset(rows), type=self.returned_type(qual, node), clean=not rows)
        if info is None and qual in self.catalog.column_drops and receiver is not None:
            return self._dropped(receiver, args, node, qual)
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
        if name in self.catalog.field_selections and qual and (model or self._on_manager(qual)):
            return self._selected_fields(model or "", node)
        carried = EMPTY
        if constructor and not model:
            # BaseEvent(user_properties={...}), Mail(to_emails=...): an object built from personal data holds it
            # and sends it along; whether printing it shows the data depends on its class, unknown here.
            carried = cap(f.boxed_in() for _, v in args for f in v.whole())
        return Value(flows=carried, type=model or qual, host=self._client_host(args), consent=self.polarity(node).sign)

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

    def _selected_fields(self, model: str, node: cst.Call) -> Value:
        """`Customer.objects.values("age", "email")`: rows of those fields, as the model types them (by their
        names where the model gives no category); with no names, every field of the model."""
        names = [literal_string(arg.value) for arg in node.args if arg.keyword is None]
        cls = self.classes.get(model)
        fields = cls.fields if cls is not None else {}
        if not names:
            return Value(flows=self._fields_of(model, node))
        flows: set[Flow] = set()
        for name in names:
            if name is None:
                continue
            column = name.split("__", 1)[0]  # a lookup across a relation (`profile__city`) names its field first
            if column in fields:
                flows.add(Flow(replace(fields[column], node=node)))
            else:
                flows |= self._classified(name.rsplit("__", 1)[-1], node, False, "medium").flows
        return Value(flows=cap(flows), clean=not flows)

    def _on_manager(self, callee: str) -> bool:
        """`Customer.objects.values(...)`, `Customer.objects.filter(...).values(...)`: a query of a model's rows,
        whether or not the project defines the model."""
        owner = callee.rsplit(".", 1)[0] + "."
        return any(f".{manager}." in owner for manager in self.catalog.model_managers)  # objects.filter(...).values

    def _dropped(self, receiver: Value, args: list[tuple[cst.Arg, Value]], node: cst.Call, qual: str) -> Value:
        """`frame.drop(columns=["email", "age"])`: the frame without those columns' data (`drop(labels, axis=1)`
        too; rows dropped by label keep every column)."""
        keyword = {arg.keyword.value: (arg.value, value) for arg, value in args if arg.keyword is not None}
        positional = [value for arg, value in args if arg.keyword is None]
        axis = keyword["axis"][0] if "axis" in keyword else None
        by_column = axis is not None and (
            literal_string(axis) == "columns" or (isinstance(axis, cst.Integer) and axis.value == "1")
        )
        given = keyword["columns"][1] if "columns" in keyword else positional[0] if positional and by_column else None
        names = literal_texts(given) if given is not None else None
        kind = self.returned_type(qual, node) or receiver.type
        if not names:
            return Value(flows=receiver.whole(), type=kind)
        gone = set(names) | {
            v.category.id for v in map(self.classifier.classify, names) if v is not None and v.category
        }
        kept = without(receiver.whole(), gone)
        return Value(flows=kept, type=kind, clean=not kept)

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
