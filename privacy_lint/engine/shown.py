"""What printing a value shows: its data, the fields of a record, the text form of a person's class."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from privacy_lint.engine.resolve import Resolver
from privacy_lint.engine.summaries import ClassInfo
from privacy_lint.engine.syntax import class_name_of
from privacy_lint.engine.values import CURRENT_PERSON, EMPTY, Flow, Value, cap

if TYPE_CHECKING:
    pass


class TextForms(Resolver):
    """What str() or repr() of a value shows, used wherever a value becomes text (a log line, an f-string)."""

    def _exposed(self, value: Value, as_text: bool = True) -> frozenset[Flow]:
        """What printing a value shows: its data, and every field of a dataclass/pydantic instance (their repr).
        `as_text`: a person known by name shows their text form (sent to an SDK, the whole record goes)."""
        whole = self._records_shown(value.whole()) if as_text else value.whole()
        cls = self.classes.get(value.type or "")
        if cls is None:
            return whole
        shown = self._shown_by_str(cls.key)
        if shown:  # a __str__ / __repr__ of the project that names the person
            return cap(whole | shown)
        if not cls.repr_fields or not cls.fields:
            return whole
        return cap(whole | {Flow(o) for attr, o in cls.fields.items() if attr not in cls.unshown})

    def _records_shown(self, flows: frozenset[Flow]) -> frozenset[Flow]:
        """A person known only by name (`user`, `request.user`) shows what the text form of the project's one
        class of that name shows (`User`: its `__str__`, or the one it inherits), when that is known."""
        if not any(f.origin.category == CURRENT_PERSON for f in flows):
            return flows
        out: set[Flow] = set()
        for flow in flows:
            name = flow.origin.text.rsplit(".", 1)[-1]
            cls = self.classes.named(class_name_of(name)) if flow.origin.category == CURRENT_PERSON else None
            shown = self._text_form(cls) if cls is not None else None
            if shown is None:
                out.add(flow)
            else:
                out.update(Flow(s.origin, flow.steps, flow.consented) for s in shown)
        return cap(out)

    def _text_form(self, key: str) -> frozenset[Flow] | None:
        """What str() of an instance of a project class shows; None when a library base decides it unknowably."""
        cls = self.classes.get(key)
        if cls is None:
            return None
        if cls.repr_fields:  # a dataclass or a pydantic model: its fields
            return frozenset(Flow(o) for attr, o in cls.fields.items() if attr not in cls.unshown)
        for base in self.classes.mro(key):
            info = self.classes.get(base)
            if info is not None:
                defined = [f"{base}.{name}" for name in ("__str__", "__repr__") if name in info.members]
                if any(self._unknown_function(method) for method in defined):
                    return None  # in a module this one does not depend on: not summarised here
                if defined:
                    return self._shown_by_str(key)
                continue
            form = self.catalog.text_forms.get(base)
            if form is None:
                return None  # a library class whose __str__ is not in the packs
            constant, _, default = form.partition("=")
            field = cls.names.get(constant, default) if form else ""
            return self._field_shown(cls, field)
        return EMPTY  # object.__repr__: the class and an address

    @staticmethod
    def _field_shown(cls: ClassInfo, field: str) -> frozenset[Flow]:
        """One field shown (`USERNAME_FIELD = "email"`): personal when the class holds personal data in it."""
        return frozenset({Flow(cls.fields[field])}) if field in cls.fields else EMPTY

    def _shown_by_str(self, cls: str) -> frozenset[Flow]:
        """The personal data a class's own `__str__` or `__repr__` returns (`f"{self.full_name} <{self.email}>"`),
        analysed like any function."""
        known = self._shown.get(cls)
        if known is not None:
            return known
        settled = True  # a __str__ being analysed (its own body shows the object) is not known yet: not kept
        for name in ("__str__", "__repr__"):
            info = self._local_function(self.member(cls, name))
            if info is not None and info.state == "running":
                settled = False
            elif info is not None:
                returned = self.analyse_function(info).returns.whole()
                shown = frozenset(f for f in returned if f.origin.param < 0)
                if settled:
                    self._shown[cls] = shown
                return shown
        if settled:
            self._shown[cls] = EMPTY
        return EMPTY

    def _fields_of(self, type_name: str | None, node: cst.CSTNode) -> frozenset[Flow]:
        cls = self.classes.get(type_name or "")
        if cls is None:
            return EMPTY
        return frozenset(Flow(replace(o, node=node)) for o in cls.fields.values())
