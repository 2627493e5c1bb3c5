"""What the analysis of a module records: scopes, function and class summaries, sinks reached, raw findings."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field

import libcst as cst

from privacy_lint.engine.exports import Place
from privacy_lint.engine.values import Flow, Node, Origin, Value


def sink_key(node: Node) -> Hashable:
    """What tells sinks apart: a node of this module by identity, a place in another module by value (summaries
    of an import cycle's members arrive anew each round, and would otherwise pile up copies of one sink)."""
    return node if isinstance(node, Place) else id(node)


@dataclass(frozen=True, slots=True)
class SinkHit:
    """A sink reached inside a function body, recorded in its summary."""

    service: str
    destination: str
    sink_text: str
    node: Node
    confidence_cap: str = "high"  # an unknown HTTP host caps the finding's confidence
    http: bool = False  # an HTTP request (PRV102), to a vendor's host or any other
    authenticates: bool = False  # what authenticates a request (headers=, auth=): credentials there are not sent


CALLERS_GUARD = "the callers of"  # a helper whose every caller in the module checks consent: "the callers of f()"


@dataclass(slots=True)
class RawFinding:
    hit: SinkHit
    report_node: cst.CSTNode
    flows: list[Flow]
    scope: str
    guarded: str  # the consent check that guards the call ("" when none does)
    function: FunctionInfo | None
    via: str = ""  # "audit(value)" when the sink is inside a called helper
    caller_checks: tuple[str, ...] = ()  # guarded by "the callers of f()": each caller's own consent check


@dataclass(slots=True)
class ParamSink:
    param: int
    hit: SinkHit
    steps: tuple[tuple[str, Node], ...]
    guarded: str
    via_self: tuple[str, ...] = ()  # methods called on `self` on the way: a subclass may override them
    element: str = ""  # the key or position of the parameter that reaches the sink; "" the whole value


@dataclass(slots=True)
class FunctionInfo:
    """A function's summary: of this module (`node` set, analysed on demand) or imported from another one."""

    key: str
    node: cst.FunctionDef | None  # None: summarised from another module (see exports.py)
    class_key: str | None
    parent: Scope | None
    params: list[str] = field(default_factory=list)
    named: int = 0  # parameters that positional arguments fill
    star: int = -1  # index of *args, if any
    star_kwarg: int = -1  # index of **kwargs, if any
    name_personal: list[bool] = field(default_factory=list)
    # (param, element, sink_key(node))
    param_sinks: dict[tuple[int, str, Hashable], ParamSink] = field(default_factory=dict)
    returns: Value = field(default_factory=Value)
    consent_decorated: str = ""  # the consent decorator, as written
    instance_type: str | None = None  # Django signal receivers: the `sender=` model of `instance`
    first_type: str | None = None  # a hook a library calls (`before_send=`): the type of what it is handed
    validates: str | None = None  # `@field_validator("postcode")`: the field whose value the method is handed
    is_property: bool = False
    consent_wrapper: bool = False  # a decorator: calls the function it wraps only under a consent check
    asserts_consent: bool = False  # returns only when consent is given (raises or exits otherwise)
    state: str = "new"  # new | running | done
    call_sites: list[tuple[FunctionInfo | None, str]] = field(default_factory=list)


@dataclass(slots=True)
class ClassInfo:
    key: str
    name: str
    fields: dict[str, Origin] = field(default_factory=dict)  # its own and those it inherits
    repr_fields: bool = False
    unshown: frozenset[str] = frozenset()  # fields its repr leaves out (`field(repr=False)`), inherited too
    status: int = 0  # the HTTP status its body sets, 0 when none (see `SinkReporter._answers_requester`)
    configuration: bool = False  # the deployment's settings (a BaseSettings subclass): no person's fields
    attrs: dict[str, Value] = field(default_factory=dict)  # self.x assigned in methods
    bases: tuple[str, ...] = ()  # qualified, re-exports followed
    members: frozenset[str] = frozenset()  # names its own body defines
    names: dict[str, str] = field(default_factory=dict)  # `USERNAME_FIELD = "email"`, its own and inherited
    silent_init: bool = False  # its __init__ hands its base no message

    @property
    def person_like(self) -> bool:
        return bool(self.fields)


class Scope:
    __slots__ = ("cls", "function", "globals_declared", "parent", "vars")

    def __init__(self, parent: Scope | None, function: FunctionInfo | None = None, cls: ClassInfo | None = None):
        self.parent = parent
        self.vars: dict[str, Value] = {}
        self.function = function
        self.cls = cls
        self.globals_declared: set[str] = set()

    def lookup(self, name: str) -> Value | None:
        scope: Scope | None = self
        while scope is not None:
            found = scope.vars.get(name)
            if found is not None:
                return found
            scope = scope.parent
            while scope is not None and scope.cls is not None and scope.function is None:
                scope = scope.parent  # class bodies are not visible from methods
        return None

    def module(self) -> Scope:
        scope = self
        while scope.parent is not None:
            scope = scope.parent
        return scope
