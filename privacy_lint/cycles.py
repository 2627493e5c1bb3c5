"""Import cycles settled in rounds, so that their members see each other's sinks, returns, guards and types.

The members of a cycle import each other, so no order analyses each one after the modules it uses. They are
analysed in rounds instead. In the first round each member sees only the summaries of modules outside the cycle;
in each later round it sees the other members' summaries of the round before. A member is analysed again only
when a name it looked up in its last analysis (`Externals.asked`) now answers differently: the analysis depends
on nothing else, so a member whose answers are unchanged would give the same result. When no answer changes,
the cycle is settled. Each round reads only the round before (Jacobi, not Gauss-Seidel), so the results do not
depend on the order the members are analysed in, on scheduling or on --jobs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from privacy_lint.exports import ExportedFunction, Externals, ModuleSummary

MAX_ROUNDS = 12  # summaries grow as data crosses one more module per round; real cycles settle in a few


@dataclass(slots=True)
class _Member:
    summary: ModuleSummary | None = None
    asked: frozenset[str] = frozenset()


Answer = tuple[ExportedFunction | None, str | None]


class CycleRounds:
    """The rounds of one import cycle; its members are named by module."""

    def __init__(self, modules: Iterable[str], aliases: Mapping[str, str]) -> None:
        self.members = {module: _Member() for module in sorted(modules)}
        self.aliases = aliases
        self.todo: list[str] = list(self.members)  # to analyse in the current round
        self.rounds = 1
        self.analyses = 0
        self.unsettled = False  # MAX_ROUNDS reached with answers still changing
        self._new: dict[str, _Member] = {}
        self._states: list[dict[str, ModuleSummary | None]] = []  # the summaries after each round

    def seen_by(self, module: str) -> dict[str, ModuleSummary]:
        """What `module` sees of the other members: their summaries of the last round."""
        return {m: member.summary for m, member in self.members.items() if m != module and member.summary is not None}

    def record(self, module: str, summary: ModuleSummary | None, asked: Iterable[str]) -> None:
        """A member's analysis in the current round; the others still see its previous summary."""
        self._new[module] = _Member(summary, frozenset(asked))
        self.analyses += 1

    def next_round(self) -> list[str]:
        """End the round: the members to analyse in the next one (none once the cycle is settled).

        Summaries usually only grow, but not always: two functions that return each other's result swap the
        types they return every round. A round that brings back the summaries of an earlier one has reached
        where the rounds lead (they are deterministic), so the cycle counts as settled there too.
        """
        before = {m: self.seen_by(m) for m in self.members}
        self.members.update(self._new)
        self._new = {}
        state = self._state()
        if state in self._states:
            self.todo = []
            return self.todo
        self._states.append(state)
        changed = [m for m in self.members if self._changed(m, before[m])]
        if self.rounds >= MAX_ROUNDS:
            self.unsettled = bool(changed)
            changed = []
        self.todo = changed
        if self.todo:
            self.rounds += 1
        return self.todo

    def _state(self) -> dict[str, ModuleSummary | None]:
        return {m: member.summary for m, member in self.members.items()}

    def _changed(self, module: str, before: dict[str, ModuleSummary]) -> bool:
        after = self.seen_by(module)
        if after == before:
            return False
        old, new = Externals(before, self.aliases), Externals(after, self.aliases)
        return any(_answer(old, name) != _answer(new, name) for name in self.members[module].asked)


def _answer(externals: Externals, name: str) -> Answer:
    return externals.function(name), externals.type_of(name)
