"""The classes an analysis knows: this module's own and the project's, their bases in Python's order (C3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from privacy_lint.engine.exports import Place
from privacy_lint.engine.summaries import ClassInfo
from privacy_lint.engine.values import Origin, Value

if TYPE_CHECKING:
    from privacy_lint.project.class_index import ClassSummary
    from privacy_lint.project.index import ProjectIndex


class ClassTable(dict[str, ClassInfo]):
    """Classes by qualified name, from the project index: this module's own (`local` when the project index does
    not hold this file), then the rest of the project's, re-exports followed."""

    def __init__(self, index: ProjectIndex | None, local: ProjectIndex | None = None) -> None:
        super().__init__()
        self.indexes = [i for i in (local, index) if i is not None]
        self._unknown: set[str] = set()  # names looked up and not found: most look-ups are misses
        self._mro: dict[str, list[str]] = {}

    def _summary(self, key: str) -> ClassSummary | None:
        for index in self.indexes:
            summary = index.classes.get(key) or index.classes.get(index.aliases.get(key, ""))
            if summary is None and "." in key:  # growthkit.models.Member, a namespace package's module
                module, _, name = key.rpartition(".")
                target = index.aliases.get(module)
                summary = index.classes.get(f"{target}.{name}") if target else None
            if summary is not None:
                return summary
        return None

    def get(self, key: str, default: ClassInfo | None = None) -> ClassInfo | None:  # type: ignore[override]
        found = dict.get(self, key)
        if found is not None or key in self._unknown:
            return found if found is not None else default
        summary = self._summary(key)
        if summary is None:
            self._unknown.add(key)
            return default
        info = ClassInfo(key=summary.qualname, name=summary.name, repr_fields=summary.repr_fields)
        info.members, info.unshown, info.status = summary.members, summary.unshown, summary.status
        info.configuration, info.names = summary.configuration, dict(summary.names)
        info.silent_init = summary.silent_init
        self[key] = info  # before its bases: a class that (wrongly) inherits from itself ends here
        info.bases = tuple(self._canonical(base) for base in summary.bases)
        for attr, item in summary.fields.items():
            text = f"{summary.name}.{attr}"
            place = Place(summary.path, item.line, item.col, text)
            info.fields[attr] = Origin(item.category, text, place, item.confidence, item.why)
        for attr, related in summary.relations.items():
            info.attrs[attr] = Value(type=related)
        for base in self.mro(key)[1:]:  # fields are inherited: a Django abstract model's email (attributes are
            inherited = self.get(base)  # looked up through the MRO when read: Resolver.class_attr)
            if inherited is not None:
                for attr, origin in inherited.fields.items():
                    if attr not in info.members:
                        info.fields.setdefault(attr, replace(origin, text=f"{summary.name}.{attr}"))
                info.repr_fields = info.repr_fields or inherited.repr_fields
                info.unshown |= inherited.unshown - info.members
                info.configuration = info.configuration or inherited.configuration
                for constant, named in inherited.names.items():
                    info.names.setdefault(constant, named)
        if info.configuration:
            info.fields = {}  # settings named like data (`smtp_password`, `user_agent`) are the deployment's
        return info

    def named(self, name: str) -> str | None:
        """The project's one class called `name` (`User`), if there is exactly one."""
        found = {q for index in self.indexes if (q := index.class_named(name)) is not None}
        return found.pop() if len(found) == 1 else None

    def _canonical(self, name: str) -> str:
        summary = self._summary(name)
        return summary.qualname if summary is not None else name

    def mro(self, key: str) -> list[str]:
        """The classes a method is looked up in, in Python's order (C3): the class, then its bases, across
        modules. A base outside the project ends its own line (its bases are unknown)."""
        found = self._mro.get(key)
        if found is not None:
            return found
        self._mro[key] = [key]  # a cycle of bases (invalid code) stops here
        info = self.get(key)
        bases = list(info.bases) if info is not None else []
        self._mro[key] = found = [key, *_c3([*(self.mro(b) for b in bases), bases])]
        return found

    def owner(self, key: str, attr: str, defined: Callable[[str], bool], after: str | None = None) -> str | None:
        """The qualified name `attr` of class `key` resolves to: the first class of its MRO (after `after`, for
        `super()`) whose body defines it, or a base outside the project for which `defined` knows it
        (`requests.Session.post`, from the catalogue). None when no class of the project defines it."""
        if key not in self:
            return None
        order = self.mro(key)
        if after is not None:
            order = order[order.index(after) + 1 :] if after in order else []
        for cls in order:
            info = self.get(cls)
            if (info is not None and attr in info.members) or defined(f"{cls}.{attr}"):
                return f"{cls}.{attr}"
        return None

    def __missing__(self, key: str) -> ClassInfo:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None


def _c3(sequences: list[list[str]]) -> list[str]:
    """C3 linearisation; on bases Python would refuse, their order left to right, each class once."""
    pending = [list(s) for s in sequences if s]
    merged: list[str] = []
    while pending:
        head = next((s[0] for s in pending if not any(s[0] in other[1:] for other in pending)), None)
        if head is None:  # inconsistent: fall back to a plain depth-first order
            rest = [c for s in pending for c in s]
            return merged + [c for c in dict.fromkeys(rest) if c not in merged]
        merged.append(head)
        pending = [[c for c in s if c != head] for s in pending]
        pending = [s for s in pending if s]
    return merged
