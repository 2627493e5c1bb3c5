"""Function summaries as plain data, so that one module's analysis serves the modules that import it.

Nothing here needs LibCST: a scan whose results all come from the cache never imports it. After a module is
analysed, `bridge.export_module` turns the summaries of its top-level functions and methods into
`ModuleSummary` (no LibCST node: positions become `Place`s), which pickles to worker processes and can be
cached. A module analysed later receives the summaries of the modules it depends on as `Externals`, and
calls into them behave as calls to its own helpers: a parameter that reaches a sink in the other module is a
finding at the call site, data a function returns is personal at the call site, a consent guard or decorator
defined elsewhere guards the caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

MAX_ALIAS_HOPS = 8  # re-exports through package __init__ files chain a few times at most


@dataclass(frozen=True, slots=True)
class Place:
    """A position in another file: where a flow passes through a function summarised from another module."""

    path: str
    line: int
    col: int
    code: str  # the code there, one line


@dataclass(frozen=True, slots=True)
class ExportedSink:
    """A parameter of the function reaches a sink (possibly several calls deep)."""

    param: int
    service: str
    destination: str
    sink_text: str
    confidence_cap: str
    http: bool
    guarded: str
    sink: Place
    steps: tuple[tuple[str, Place], ...]
    via_self: tuple[str, ...] = ()  # methods called on `self` on the way (see engine.call_function)
    element: str = ""  # the key or position of the parameter (see values.Origin.element)


@dataclass(frozen=True, slots=True)
class ExportedOrigin:
    """Personal data the function returns whatever its arguments (`request.META["REMOTE_ADDR"]`)."""

    category: str
    text: str
    confidence: str
    why: str
    place: Place
    by_name: bool


@dataclass(frozen=True, slots=True)
class ExportedFunction:
    qualname: str
    params: tuple[str, ...]
    named: int
    star: int
    star_kwarg: int
    method: bool  # the first parameter is self/cls
    name_personal: tuple[bool, ...]
    sinks: tuple[ExportedSink, ...] = ()
    returns_params: tuple[int, ...] = ()  # parameters whose data flows to the return value
    returns_origins: tuple[ExportedOrigin, ...] = ()
    returns_type: str | None = None
    returns_consent: int = 0  # +1: returns a consent check's result; -1: a refusal signal
    consent_wrapper: bool = False  # a decorator (or decorator factory) that calls the wrapped function under consent
    asserts_consent: bool = False  # raises/returns early unless consent is given
    is_property: bool = False


@dataclass(slots=True)
class ModuleSummary:
    """What other modules need to know about one module; `dependencies` are the project modules it imports."""

    module: str
    path: str
    functions: dict[str, ExportedFunction] = field(default_factory=dict)
    variables: dict[str, str] = field(default_factory=dict)  # module-level name -> type (`telemetry = Telemetry()`)
    dependencies: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Handed:
    """What one module can hand the modules that import it, as far as the pre-parse gate (gate.py) cares: names
    of the functions that reach a sink, names of those that return personal data, the types its functions
    return and its variables hold (name, type), and those types' packages."""

    sinks: frozenset[str] = frozenset()
    sources: frozenset[str] = frozenset()
    typed: frozenset[tuple[str, str]] = frozenset()
    roots: frozenset[str] = frozenset()

    @classmethod
    def of(cls, summary: ModuleSummary) -> Handed:
        functions = summary.functions.items()
        typed = {(_last(q), t) for q, f in functions if (t := f.returns_type)}
        typed.update((_last(q), t) for q, t in summary.variables.items())
        return cls(
            frozenset(_last(q) for q, f in functions if f.sinks),
            frozenset(_last(q) for q, f in functions if f.returns_origins),
            frozenset(typed),
            frozenset(t.split(".", 1)[0] for _, t in typed),
        )


def _last(qualname: str) -> str:
    return qualname.rsplit(".", 1)[-1]


# ------------------------------------------------------------------------------------------------- import
class Externals:
    """The summaries a module's analysis may use: those of the modules it depends on, with re-exports followed.

    Look-ups go through the module a name lives in (its longest prefix that is a module), so building one costs
    nothing however many modules it holds: a worker builds one per file, over summaries it reads only when a
    name of their module is looked up (`Summaries`).
    """

    def __init__(
        self,
        summaries: Iterable[ModuleSummary] | Mapping[str, ModuleSummary] = (),
        aliases: Mapping[str, str] | None = None,
        record: bool = False,
    ) -> None:
        self.modules = summaries if isinstance(summaries, Mapping) else {s.module: s for s in summaries}
        self.aliases = aliases or {}
        self._canonical: dict[str, str] = {}
        self.asked: set[str] | None = set() if record else None  # the names looked up (cycles.py needs them)

    def __bool__(self) -> bool:
        """False when no look-up can answer (the engine then skips them); a recorded look-up is always made."""
        return bool(self.modules) or self.asked is not None

    def _module_of(self, qualname: str) -> ModuleSummary | None:
        cut = qualname.rfind(".")
        while cut > 0:
            found = self.modules.get(qualname[:cut])
            if found is not None:
                return found
            cut = qualname.rfind(".", 0, cut)
        return None

    def _function(self, qualname: str) -> ExportedFunction | None:
        summary = self._module_of(qualname)
        return summary.functions.get(qualname) if summary is not None else None

    def _variable(self, qualname: str) -> str | None:
        summary = self._module_of(qualname)
        return summary.variables.get(qualname) if summary is not None else None

    def canonical(self, qualname: str) -> str:
        """`shop.record` re-exported by `shop/__init__.py` from `shop.audit` -> `shop.audit.record`."""
        found = self._canonical.get(qualname)
        if found is None:
            found = self._canonical[qualname] = self._follow(qualname)
        return found

    def _follow(self, qualname: str) -> str:
        for _ in range(MAX_ALIAS_HOPS):
            if self._function(qualname) is not None or self._variable(qualname) is not None:
                return qualname
            parts = qualname.split(".")
            for cut in range(len(parts), 0, -1):
                target = self.aliases.get(".".join(parts[:cut]))
                if target is not None:
                    qualname = ".".join([target, *parts[cut:]])
                    break
            else:
                return qualname
        return qualname

    def function(self, qualname: str) -> ExportedFunction | None:
        if self.asked is not None:
            self.asked.add(qualname)
        return self._function(self.canonical(qualname))

    def summarises(self, qualname: str) -> bool:
        """Whether the module `qualname` lives in was summarised: a function of it that is not exported then
        reaches no sink and returns nothing personal."""
        if self.asked is not None:
            self.asked.add(qualname)
        return self._module_of(self.canonical(qualname)) is not None

    def type_of(self, qualname: str) -> str | None:
        if self.asked is not None:
            self.asked.add(qualname)
        return self._variable(self.canonical(qualname))
