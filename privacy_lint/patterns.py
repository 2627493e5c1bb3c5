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
    """Maps qualified names to values through exact names and glob patterns; exact names win."""

    def __init__(self) -> None:
        self._exact: dict[str, object] = {}
        self._globs: list[tuple[re.Pattern[str], object]] = []

    def add(self, patterns: Iterable[str], value: object) -> None:
        for pattern in patterns:
            for name in expand_braces(pattern):
                if "*" in name:
                    self._globs.append((re.compile(_glob_to_regex(name) + r"\Z"), value))
                else:
                    self._exact.setdefault(name, value)

    def get(self, name: str) -> object | None:
        found = self._exact.get(name)
        if found is not None:
            return found
        for regex, value in self._globs:
            if regex.match(name):
                return value
        return None

    def __bool__(self) -> bool:
        return bool(self._exact or self._globs)
