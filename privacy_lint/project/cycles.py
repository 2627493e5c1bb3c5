"""Import cycles settled in rounds, so that their members see each other's sinks, returns, guards and types.

The members of a cycle import each other, so no order analyses each one after all the modules it uses. They are
analysed in rounds instead. The members are put in a fixed order, dependencies first as far as the cycle allows
(a depth-first walk of their imports, by name). In a round, a member waits for the members it imports that come
before it in that order, and sees their summaries of this round; of every other member it sees the summary of the
round before. A member is analysed again in a later round only when a name it looked up (`Externals.asked`) now
answers differently from what it saw: the analysis depends on nothing else, so a member whose answers are
unchanged would give the same result. When no answer changes, the cycle is settled.

What each member sees is fixed by the import graph, not by timing, so the results do not depend on scheduling or
on --jobs, and members that do not wait for each other are analysed in parallel. The rounds are bounded
(MAX_ROUNDS rounds, MAX_AGAIN analyses after the first round); a cycle that is not settled by then keeps its last
results and is named in a note.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace

from privacy_lint.engine.exports import ExportedFunction, Externals, ModuleSummary

MAX_ROUNDS = 12  # summaries grow as data crosses one more module per round; real cycles settle in a few
# Analyses beyond the first round, per cycle. A service's cycles (models <-> signals, a ring of five) settle in a
# few; Django's cycle of 166 would take 126 more (+50% of the scan's time, for no other finding), sympy's of 512
# some 1,100 (five times the time), for exceptions raised with a parameter deep inside a maths library.
MAX_AGAIN = 64
# Members waiting for each other in one round, at most: a longer chain of imports (Django's is 63 deep) would
# leave all but one worker idle.
MAX_CHAIN = 8


@dataclass(slots=True)
class _Member:
    summary: ModuleSummary | None = None
    asked: frozenset[str] = frozenset()
    saw: dict[str, ModuleSummary] | None = None  # the other members' summaries it was analysed with


Answer = tuple[ExportedFunction | None, str | None]


class CycleRounds:
    """The rounds of one import cycle; its members are named by module.

    `ready()` gives the members that can be analysed now; `record()` takes each result and tells which members it
    makes ready; `settled` says when there is nothing more to do.
    """

    def __init__(
        self, modules: Iterable[str], aliases: Mapping[str, str], imports: Callable[[str], Iterable[str]]
    ) -> None:
        names = sorted(modules)
        self.members = {module: _Member() for module in names}
        self.aliases = aliases
        self.imports = {m: sorted(set(imports(m)) & self.members.keys() - {m}) for m in names}
        self.position = {m: n for n, m in enumerate(_dependencies_first(names, self.imports))}
        self.rounds = 0
        self.analyses = 0
        self.unsettled = False  # MAX_ROUNDS or MAX_AGAIN reached, with answers still changing
        self.settled = False
        self._states: list[dict[str, ModuleSummary | None]] = []  # the summaries after the last two rounds
        self._start(names)

    def _start(self, todo: list[str]) -> None:
        """A round over `todo`: each waits for its imports in `todo` that come before it in the order, unless
        that makes a chain of more than MAX_CHAIN members waiting for each other."""
        self.rounds += 1
        self._new: dict[str, _Member] = {}
        self._waits: dict[str, set[str]] = {}
        self._before: dict[str, frozenset[str]] = {}  # whose new summaries each sees: what it waits for, transitively
        chain: dict[str, int] = {}
        for module in sorted(todo, key=self.position.__getitem__):  # what it waits for comes earlier
            earlier = [d for d in self.imports[module] if d in chain]
            waits = {d for d in earlier if chain[d] < MAX_CHAIN - 1}
            chain[module] = 1 + max((chain[d] for d in waits), default=-1)
            self._waits[module] = waits
            self._before[module] = frozenset().union(waits, *(self._before[d] for d in waits))
        self._ready = sorted(m for m, waits in self._waits.items() if not waits)

    def ready(self) -> list[str]:
        """The members that can be analysed now (each is handed out once)."""
        ready, self._ready = self._ready, []
        return ready

    def seen_by(self, module: str) -> dict[str, ModuleSummary]:
        """What `module` sees of the other members: this round's summaries of what it waits for, transitively,
        and the last round's of the others."""
        before = self._before.get(module, frozenset())
        seen = {}
        for m, member in self.members.items():
            if m != module:
                summary = self._new[m].summary if m in before else member.summary
                if summary is not None:
                    seen[m] = summary
        return seen

    def record(self, module: str, summary: ModuleSummary | None, asked: Iterable[str]) -> list[str]:
        """A member's analysis in this round; the members now ready (those of the next round, at its end)."""
        self._new[module] = _Member(summary, frozenset(asked), self.seen_by(module))
        self.analyses += 1
        for waiting, waits in self._waits.items():
            if module in waits:
                waits.discard(module)
                if not waits:
                    self._ready.append(waiting)
        if len(self._new) == len(self._waits):
            self._next_round()
        return self.ready()

    def _next_round(self) -> None:
        """Summaries usually only grow, but not always: two functions that return each other's result swap the
        types they return every round. A round that brings back the summaries of the round before or the one
        before that has reached where the rounds lead (they are deterministic), so the cycle counts as settled
        there too; longer periods end at MAX_ROUNDS."""
        self.members.update(self._new)
        self._before = {}
        state = {m: member.summary for m, member in self.members.items()}
        changed = [] if state in self._states else [m for m in self.members if self._changed(m)]
        self._states = [*self._states[-1:], state]  # a period of two rounds; MAX_ROUNDS bounds the rest
        over_budget = self.analyses + len(changed) > len(self.members) + MAX_AGAIN
        if changed and (self.rounds >= MAX_ROUNDS or over_budget):
            self.unsettled, changed = True, []
        if changed:
            self._start(changed)
        else:
            self.settled = True

    def _changed(self, module: str) -> bool:
        member = self.members[module]
        before, after = member.saw or {}, self.seen_by(module)
        if after == before:
            return False
        old, new = Externals(before, self.aliases), Externals(after, self.aliases)
        return any(_answer(old, name) != _answer(new, name) for name in member.asked)


def _dependencies_first(names: list[str], imports: Mapping[str, list[str]]) -> list[str]:
    """A depth-first post-order of the members by their imports: every import comes before its importer except
    where the cycle closes."""
    order: list[str] = []
    seen: set[str] = set()
    for root in names:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(imports[root]))]
        while stack:
            node, pending = stack[-1]
            following = next((d for d in pending if d not in seen), None)
            if following is None:
                stack.pop()
                order.append(node)
            else:
                seen.add(following)
                stack.append((following, iter(imports[following])))
    return order


def _answer(externals: Externals, name: str) -> Answer:
    """What a look-up tells the analysis, but the steps inside a sink: they only retell the flow a finding shows,
    and each round may find a longer way to the same sink."""
    function = externals.function(name)
    if function is not None and any(sink.steps for sink in function.sinks):
        function = replace(function, sinks=tuple(replace(sink, steps=()) for sink in function.sinks))
    return function, externals.type_of(name)
