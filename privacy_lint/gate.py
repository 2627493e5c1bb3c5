"""The cheap gate before parsing: a file none of whose words can lead to a finding is not parsed.

Every finding is reported at a call of a sink (its name ends with a word of the rule packs: `info`, `track`,
`capture_message`, `post`...), at a `raise`, or at a call of a project function that reaches a sink (its name
is known from the summaries of the modules the file imports). A file containing none of these words cannot
produce a finding, so `check` skips its LibCST parse. The gate over-approximates: any sink pattern whose last
segment is a wildcard disables it. Files whose summaries other modules need are never gated (their returns
and types matter even without sinks). The report command, which lists sources too, does not use the gate.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from privacy_lint.patterns import expand_braces
from privacy_lint.rulepacks import Catalog

_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
ALWAYS = frozenset({"raise"})


class Gate:
    def __init__(self, catalog: Catalog) -> None:
        patterns = [call for sink in catalog.sinks.values() for call in sink.calls] + list(catalog.http_clients)
        words = {name.rsplit(".", 1)[-1] for pattern in patterns for name in expand_braces(pattern)}
        self.open = any("*" in word for word in words)  # a wildcard sink name: every file may report
        self.words = frozenset(w.encode() for w in words if "*" not in w) | {w.encode() for w in ALWAYS}

    def may_report(self, data: bytes, project_sinks: Iterable[str] = ()) -> bool:
        """Could this file produce a finding? `project_sinks`: names of imported functions that reach sinks."""
        if self.open:
            return True
        words = set(_IDENTIFIER.findall(data))
        if not words.isdisjoint(self.words):
            return True
        return any(name.encode() in words for name in project_sinks)
