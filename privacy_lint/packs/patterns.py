"""Qualified-name patterns used by rule packs: `{a,b}` alternation, `*` within a dotted segment, `**` across."""

from __future__ import annotations

import re
from collections.abc import Iterable

_BRACES = re.compile(r"\{([^{}]*)\}")


def expand_braces(pattern: str) -> list[str]:
    """`a.{b,c}.d` -> [`a.b.d`, `a.c.d`]; nested groups expand left to right."""
    match = _BRACES.search(pattern)
    if match is None:
        return [pattern]
    head, tail = pattern[: match.start()], pattern[match.end() :]
    return [x for option in match.group(1).split(",") for x in expand_braces(head + option.strip() + tail)]


def _glob_to_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^.]*")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


class NameMatcher:
    """Maps qualified names to values through exact names and glob patterns; exact names win, then the first
    glob added that matches.

    Globs are grouped by their last segment when it is literal (`stripe.*.create` under `create`), so a look-up
    tries only the globs that can match, and each is compiled the first time it is tried: loading the rule packs
    compiles nothing, and checking one small file compiles the few patterns its calls can match.
    """

    def __init__(self) -> None:
        self._exact: dict[str, object] = {}
        self._by_last: dict[str, list[tuple[int, str, object]]] = {}  # last segment -> (order, glob, value)
        self._open: list[tuple[int, str, object]] = []  # globs with a wildcard in their last segment
        self._compiled: dict[str, re.Pattern[str]] = {}
        self._count = 0

    def add(self, patterns: Iterable[str], value: object) -> None:
        for pattern in patterns:
            for name in expand_braces(pattern):
                if "*" not in name:
                    self._exact.setdefault(name, value)
                    continue
                last = name.rsplit(".", 1)[-1]
                entry = (self._count, name, value)
                self._count += 1
                if "*" in last:
                    self._open.append(entry)
                else:
                    self._by_last.setdefault(last, []).append(entry)

    def get(self, name: str) -> object | None:
        found = self._exact.get(name)
        if found is not None:
            return found
        candidates = self._by_last.get(name.rsplit(".", 1)[-1], [])
        if self._open:
            candidates = sorted([*candidates, *self._open], key=lambda entry: entry[0])
        for _, glob, value in candidates:
            regex = self._compiled.get(glob)
            if regex is None:
                regex = self._compiled[glob] = re.compile(_glob_to_regex(glob) + r"\Z")
            if regex.match(name):
                return value
        return None

    def __bool__(self) -> bool:
        return bool(self._exact or self._by_last or self._open)
