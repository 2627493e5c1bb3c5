"""The cheap gate before parsing: a file none of whose words can lead to a finding is not parsed.

A finding needs two things in one file: a place to report (a call of a sink, a `raise`, or a call of a project
function that reaches a sink) and personal data to report. The gate looks for evidence of both in the file's
words (identifiers, and words inside strings and comments):

- a sink: the last name of a sink pattern (`info`, `track`, `post`) *and* something that can make the call
  resolve to that pattern: its package (`logging`, `requests`), a name the packs type (`logger`), a factory
  the packs know (`boto3` for a botocore client), or a type another module's summary hands over. `get` alone,
  as in `d.get(key)`, is not a sink.
- personal data: the words of a category phrase side by side, as the classifier needs them inside one name
  (`date_of_birth`, `X-Forwarded-For`; `sin` and `number` apart are not `sin_number`), a word that needs a
  person (`name`, `address`) only with a person word, a request word or a person-typed value handed over, a
  request attribute (`remote_addr`; a part such as `data` or `user` only with a request word), what a library
  base class gives its subclasses (`validated_data` with `ModelSerializer`), the signed-in person
  (`current_user`), a class of the project that holds personal fields or one of those fields, or a function of
  another module that returns personal data or such a class.

Both tests over-approximate what the engine can resolve, so the gate never changes a result (tests compare
gated and ungated scans on every fixture corpus; benchmarks/run.py on Django and the large set). Files whose
summaries other modules need are never gated: their returns and types matter even without findings. The main
process decides, before a file goes to a worker. The report command uses the same gate: its flows need the
same two halves (docs/report.md).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from privacy_lint.engine.exports import Handed
from privacy_lint.packs.catalog import Catalog
from privacy_lint.packs.classify import fold_plural, split_name, split_text
from privacy_lint.packs.patterns import expand_braces
from privacy_lint.project.index import ProjectIndex

_IDENTIFIER = re.compile(rb"[A-Za-z_][A-Za-z0-9_]*")
RAISE = "raise"


def _root(name: str) -> str:
    return name.split(".", 1)[0]


def holders(index: ProjectIndex) -> frozenset[str]:
    """Qualified names of the project's classes that hold personal data: personal fields, or relations."""
    return frozenset(c.qualname for c in index.classes.values() if c.fields or c.relations)


class Gate:
    def __init__(self, catalog: Catalog, index: ProjectIndex | None = None) -> None:
        patterns = [call for sink in catalog.sinks.values() for call in sink.calls] + list(catalog.http_clients)
        names = [name for pattern in patterns for name in expand_braces(pattern)]
        factories = [(f, typed) for pattern, typed in catalog.type_returns.items() for f in expand_braces(pattern)]
        # A last name with a wildcard (`deals.create_*`) is looked for by the name before it (`deals`).
        names = [n.rsplit(".", 1)[0] if "*" in n.rsplit(".", 1)[-1] and n.count(".") > 1 else n for n in names]
        # A wildcard where the gate looks (a package, a last name): every file may report.
        self.open = any("*" in _root(n) or "*" in n.rsplit(".", 1)[-1] for n in names) or any(
            "*" in _root(f) for f, _ in factories
        )
        # Words that can make a call resolve into a package: the package itself, factories whose results the
        # packs type (`boto3.client(...)` gives a botocore client), names the packs type (`logger`).
        resolving: dict[str, set[str]] = {}
        for factory, returned in factories:
            resolving.setdefault(_root(returned), set()).add(_root(factory))
        for name, typed in catalog.type_names.items():
            resolving.setdefault(_root(typed), set()).add(name)
        for words in resolving.values():  # a factory's package may itself be reached through a factory
            pending = list(words)
            while pending:
                for more in resolving.get(pending.pop(), ()):
                    if more not in words:
                        words.add(more)
                        pending.append(more)
        self.sink_roots: dict[str, set[str]] = {}  # last name of a sink (`info`) -> its packages (`logging`)
        self.sink_evidence: dict[str, set[str]] = {}  # ... -> the words that can resolve a call to one of them
        for name in names:
            last, root = name.rsplit(".", 1)[-1], _root(name)
            self.sink_roots.setdefault(last, set()).add(root)
            self.sink_evidence.setdefault(last, set()).update({root, *resolving.get(root, ())})

        categories = catalog.categories.values()
        self.vocabulary = {t for c in categories for phrase in (*c.names, *c.contextual) for t in phrase}
        # first token -> (phrase, contextual: only matches on a person-like object or after a person word)
        self.phrases: dict[str, list[tuple[tuple[str, ...], bool]]] = {}
        for category in categories:
            for contextual, phrases in ((False, category.names), (True, category.contextual)):
                for phrase in phrases:
                    self.phrases.setdefault(phrase[0], []).append((phrase, contextual))
        self.person_tokens = frozenset(catalog.person_objects)
        self.request_types = frozenset(catalog.request_types)
        # words that can give a value a person-like or request type: request names, request classes, factories
        person_words = {r.rsplit(".", 1)[-1] for r in catalog.request_objects}
        person_words.update(t.rsplit(".", 1)[-1] for t in self.request_types)
        for pattern, typed in catalog.type_attributes.items():  # a Channels consumer's `self.scope`
            if typed == "<request>":
                person_words.update(n.rsplit(".", 1)[-1] for n in expand_braces(pattern))
        for factory, typed in factories:
            if self._person_type(typed):  # `get_user_model()`; for `users.*()`, the package is all there is
                last = factory.rsplit(".", 1)[-1]
                person_words.add(_root(factory) if "*" in last else last)
        self.person_words = frozenset(person_words)
        # parts of a request (`data`, `user`): personal when something in the file can be a request
        self.request_parts = frozenset(path[0] for path in catalog.request_attributes)
        # what a library base class gives its subclass (`validated_data` of a `ModelSerializer`): with the class
        self.given: dict[str, set[str]] = {}
        tables: tuple[tuple[dict[str, str], int], ...] = ((catalog.object_attributes, 2), (catalog.parameters, 3))
        for table, depth in tables:  # class.attr, class.method.param
            for name in (n for pattern in table for n in expand_braces(pattern)):
                parts = name.split(".")
                self.given.setdefault(parts[-1], set()).add(parts[-depth])
        personal = {c.rsplit(".", 1)[-1] for c in catalog.current_person}
        self.holders = holders(index) if index is not None else frozenset()
        for summary in index.classes.values() if index is not None else ():
            if summary.qualname in self.holders:
                personal.add(summary.name)
                personal.update(summary.fields, summary.relations)
        self.personal_words = frozenset(personal)

    def may_report(self, data: bytes, handed: Sequence[Handed] = ()) -> bool:
        """Could this file produce a finding? `handed`: what each module it imports can hand it."""
        if self.open:
            return True
        words = {w.decode("ascii") for w in _IDENTIFIER.findall(data)}
        return self._may_sink(words, handed) and self._may_hold_personal_data(data, words, handed)

    def _may_sink(self, words: set[str], handed: Sequence[Handed]) -> bool:
        if RAISE in words or any(not h.sinks.isdisjoint(words) for h in handed):
            return True
        roots = set().union(*(h.roots for h in handed))
        return any(
            not self.sink_evidence[word].isdisjoint(words) or not self.sink_roots[word].isdisjoint(roots)
            for word in words & self.sink_roots.keys()
        )

    def _may_hold_personal_data(self, data: bytes, words: set[str], handed: Sequence[Handed]) -> bool:
        if not self.personal_words.isdisjoint(words) or any(not h.sources.isdisjoint(words) for h in handed):
            return True
        if not self.request_parts.isdisjoint(words) and not self.person_words.isdisjoint(words):
            return True
        if any(not self.given[word].isdisjoint(words) for word in words & self.given.keys()):
            return True
        if any(typed in self.holders and name in words for h in handed for name, typed in h.typed):
            return True  # a function of another module returns an object with personal fields
        tokens = set(self._tokens(words))
        person: bool | None = None
        sequence: list[str] | None = None
        for first in tokens & self.phrases.keys():
            for phrase, contextual in self.phrases[first]:
                if not all(t in tokens for t in phrase):
                    continue
                if contextual:
                    if person is None:
                        person = self._person_context(words, tokens, handed)
                    if not person:
                        continue
                if len(phrase) == 1:
                    return True
                if sequence is None:  # the classifier matches a phrase inside one name: its words are adjacent
                    sequence = list(self._normalised(split_text(data.decode("latin-1"))))
                if _adjacent(sequence, phrase):
                    return True
        return False

    def _person_context(self, words: set[str], tokens: set[str], handed: Sequence[Handed]) -> bool:
        """Can a name be read on a person-like object (`user.name`, `customer_name`, a request's form)?"""
        if not self.person_tokens.isdisjoint(tokens) or not self.person_words.isdisjoint(words):
            return True
        return any(name in words and self._person_type(typed) for h in handed for name, typed in h.typed)

    def _person_type(self, typed: str) -> bool:
        return typed in self.request_types or not self.person_tokens.isdisjoint(split_name(typed.rsplit(".", 1)[-1]))

    def _tokens(self, words: Iterable[str]) -> Iterable[str]:
        """The classifier's tokens (`userEmails` -> user, email), plurals folded as it folds them."""
        for word in words:
            yield from self._normalised(split_name(word))

    def _normalised(self, tokens: Iterable[str]) -> Iterable[str]:
        return (fold_plural(token, self.vocabulary) for token in tokens)


def _adjacent(sequence: list[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(sequence[i : i + n] == list(phrase) for i, t in enumerate(sequence) if t == phrase[0])
