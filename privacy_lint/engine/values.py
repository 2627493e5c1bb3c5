"""The abstract values the engine computes: which personal data an expression may hold, and how it got there."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import libcst as cst

from privacy_lint.engine.exports import Place

CURRENT_PERSON = "user.account"  # the signed-in person, or a value named after one person: their record
MAX_FLOWS = 12  # per value: enough to name every category, small enough to stay fast
MAX_STEPS = 12  # per flow: codeFlows longer than this help nobody

CONFIDENCE_RANK = {"low": 0, "medium": 1, "high": 2}


Node = cst.CSTNode | Place  # where an origin or a step is: a node of this module, or a place in another file


@dataclass(frozen=True, slots=True)
class Origin:
    """Where personal data enters: a framework attribute, a model field, a name; or a function parameter."""

    category: str  # category id; "" for a parameter reference
    text: str
    node: Node = field(compare=False, hash=False)
    confidence: str = "medium"
    why: str = ""
    param: int = -1  # >= 0: the enclosing function's parameter, resolved at each call site
    element: str = ""  # of a parameter: the key or position read from it (`args[0]`, `fields["note"]`); "" whole
    by_name: bool = False  # classified from the name alone (a parameter's own name, a variable's name)


@dataclass(frozen=True, slots=True)
class Flow:
    origin: Origin
    steps: tuple[tuple[str, Node], ...] = ()  # (note, node) between origin and sink
    consented: bool = False  # the data was obtained under a consent check (`x if has_consent(u) else None`)
    boxed: bool = False  # held inside an object of an unknown class: sent along with it, not shown when it prints

    def then(self, note: str, node: Node) -> Flow:
        if len(self.steps) >= MAX_STEPS:
            return self
        return replace(self, steps=(*self.steps, (note, node)))

    def under_consent(self) -> Flow:
        return self if self.consented else replace(self, consented=True)

    def boxed_in(self) -> Flow:
        return self if self.boxed else replace(self, boxed=True)

    def unboxed(self) -> Flow:
        return replace(self, boxed=False) if self.boxed else self


EMPTY: frozenset[Flow] = frozenset()


@dataclass(frozen=True, slots=True)
class Value:
    """What an expression may hold.

    `flows`: personal data carried by the value as a whole. `keys`: values under literal dict keys, kept apart so
    that reading `d["user_id"]` does not pick up `d["email"]`. `type`: the qualified name the value is an instance
    of (or refers to), used to resolve method calls. `clean`: known not to be personal (literal, hash, count).
    `consent`: +1 the value is a consent check result, -1 a refusal signal (do-not-track).
    """

    flows: frozenset[Flow] = EMPTY
    keys: dict[str, Value] | None = field(default=None, compare=False, hash=False)
    type: str | None = None
    clean: bool = False
    consent: int = 0
    host: str | None = None  # for HTTP client instances created with a literal base_url
    text: str | None = None  # a known string: literals and constants (URLs of outbound requests)

    def stepped(self, note: str, node: Node) -> Value:
        """The same value one step further along (`returned by ask()`), its keys' values included."""
        keys = {k: v.stepped(note, node) for k, v in self.keys.items()} if self.keys else self.keys
        return replace(self, flows=cap(f.then(note, node) for f in self.flows), keys=keys)

    def whole(self) -> frozenset[Flow]:
        """Everything the value carries, including what sits under its keys."""
        if not self.keys:
            return self.flows
        out = set(self.flows)
        for item in self.keys.values():
            out |= item.whole()
        return cap(out)

    @property
    def tainted(self) -> bool:
        return bool(self.flows) or any(v.tainted for v in (self.keys or {}).values())

    def under_consent(self) -> Value:
        """The same data, marked as obtained under a consent check."""
        if not self.tainted:
            return self
        keys = {k: v.under_consent() for k, v in self.keys.items()} if self.keys else self.keys
        return replace(self, flows=frozenset(f.under_consent() for f in self.flows), keys=keys)

    def with_flows(self, flows: Iterable[Flow]) -> Value:
        return replace(self, flows=cap(set(self.flows) | set(flows)), clean=False)


CLEAN = Value(clean=True)
UNKNOWN = Value()


def cap(flows: Iterable[Flow]) -> frozenset[Flow]:
    items = frozenset(flows)
    if len(items) <= MAX_FLOWS:
        return items
    ranked = sorted(
        items,
        key=lambda f: (
            -CONFIDENCE_RANK[f.origin.confidence],
            len(f.steps),
            f.origin.text,
            f.origin.category,
            f.origin.why,
            [note for note, _ in f.steps],
        ),
    )
    return frozenset(ranked[:MAX_FLOWS])


def in_order(flows: Iterable[Flow]) -> list[Flow]:
    """Flows in an order that does not depend on memory addresses (sets of flows hash nodes by identity):
    where one flow of several is kept (a summary entry), the same one is kept in every run."""
    return sorted(flows, key=lambda f: (len(f.steps), [note for note, _ in f.steps], f.origin.text, f.origin.category))


WITHOUT = "-"  # an element naming what was taken out of a parameter: "-email,user.contact.email"


def is_list(value: Value) -> bool:
    """Elements kept apart by position (a list or tuple built here), not by literal keys."""
    return bool(value.keys) and all(key.isdigit() for key in value.keys or {})


def literal_texts(value: Value) -> list[str] | None:
    """The strings a value is known to hold: a string constant, or a list of them (`FEATURES = ["age", ...]`)."""
    if value.text is not None:
        return [value.text]
    if not is_list(value) or value.keys is None:
        return None
    texts = [value.keys[key].text for key in sorted(value.keys, key=int)]
    return [t for t in texts if t is not None] if all(t is not None for t in texts) else None


def without(flows: Iterable[Flow], gone: set[str]) -> frozenset[Flow]:
    """Flows other than those of the named columns or categories (`frame.drop(columns=["email"])`); a
    parameter's data keeps the names, to take them out of what each caller passes."""
    kept = set()
    for flow in flows:
        origin = flow.origin
        if origin.param >= 0 and not origin.element:
            kept.add(replace(flow, origin=replace(origin, element=WITHOUT + ",".join(sorted(gone)))))
        elif origin.category not in gone and origin.text.rsplit(".", 1)[-1].strip("'\"[]") not in gone:
            kept.add(flow)
    return frozenset(kept)


def element_of(value: Value, element: str) -> Value:
    """What a parameter reference with `element` stands for at a call site: that key or position of the
    argument when the caller built it with literal keys (`audit("login", email)`, `note(text=body)`). Of an
    argument built elsewhere, a position may be anything in it, and a key only what its name says (read where
    the function reads it). `-names`: the argument without those columns."""
    if not element:
        return value
    if element.startswith(WITHOUT):
        return Value(flows=without(value.whole(), set(element[1:].split(","))), type=value.type)
    if value.keys is None:
        return value if element.isdigit() else Value()
    return value.keys.get(element) or Value(flows=value.flows)


def narrowed(flows: Iterable[Flow], element: str) -> frozenset[Flow]:
    """Whole-parameter references narrowed to one key or position read from them (`args[0]`)."""
    return frozenset(
        replace(f, origin=replace(f.origin, element=element)) if f.origin.param >= 0 and not f.origin.element else f
        for f in flows
    )


def union(values: Iterable[Value]) -> Value:
    """A value that may be any of `values` (loses keys and types, keeps every flow)."""
    flows: set[Flow] = set()
    clean = True
    for v in values:
        flows |= v.whole()
        clean = clean and v.clean
    return Value(flows=cap(flows), clean=clean and not flows)


def join(a: Value | None, b: Value | None) -> Value:
    """The value of a variable after two branches that assigned `a` and `b`."""
    if a is None or b is None:
        present = a or b
        assert present is not None
        return replace(present, clean=False) if present.clean else present
    if a is b:
        return a
    keys = None
    if a.keys is not None and b.keys is not None:
        keys = {k: join(a.keys.get(k), b.keys.get(k)) for k in a.keys.keys() | b.keys.keys()}
    return Value(
        flows=cap(a.flows | b.flows) if keys is not None else cap(a.whole() | b.whole()),
        keys=keys,
        type=a.type if a.type == b.type else (a.type or b.type),
        clean=a.clean and b.clean,
        consent=a.consent if a.consent == b.consent else 0,
        host=a.host if a.host == b.host else None,
    )
