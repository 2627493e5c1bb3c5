"""Assignments: where a statement stores a value, and what the name it is stored under says of it."""

from __future__ import annotations

from dataclasses import replace

import libcst as cst

from privacy_lint.engine.sinks import SinkReporter
from privacy_lint.engine.syntax import (
    dotted,
    is_constant_name,
    iterates_items,
    literal_string,
)
from privacy_lint.engine.values import (
    CURRENT_PERSON,
    EMPTY,
    UNKNOWN,
    Flow,
    Origin,
    Value,
    cap,
    literal_texts,
)


class Binder(SinkReporter):
    """Binds values to names, attributes and dict keys; a name is evidence of what an unknown value holds."""

    def _literal_key(self, node: cst.Subscript) -> str | None:
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return None
        key = node.slice[0].slice.value
        if isinstance(key, cst.Integer):
            return key.value
        return literal_string(key)

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
            names = value.keys if not value.tainted and literal_texts(value) else None  # FEATURES = ["age", ...]
            return Value(clean=True, consent=value.consent, text=value.text, keys=names)
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
        if type_name is None or type_name.startswith(tuple(self.catalog.plain_data)):
            return False
        if type_name in self.classes or type_name == "<request>":
            return True
        return type_name.rsplit(".", 1)[-1][:1].isupper()
