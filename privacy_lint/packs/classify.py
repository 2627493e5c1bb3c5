"""Decide whether an identifier names personal data, from its tokens and its object context.

`userEmail`, `client_ip`, `X-Forwarded-For` and `HTTP_X_FORWARDED_FOR` are split into tokens and compared with
each category's token sequences. Ambiguous tokens (`name`, `address`) need a person-like object or a person word
in front (`customer_name`). Look-alikes are vetoed: a flag (`is_email`), a property of the data
(`email_template`, `ip_version`), an organisation's mailbox or a machine (`support_email`, `server_ip`), a
protected value (`email_hash`).
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from privacy_lint.packs.catalog import Catalog, Category

_WORDS = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+\d*|[A-Z]+\d*|\d+")


@lru_cache(maxsize=16384)
def split_name(name: str) -> tuple[str, ...]:
    """`userEmail` -> ("user", "email"); `X-Forwarded-For` -> ("x", "forwarded", "for")."""
    return tuple(split_text(name))


def fold_plural(token: str, vocabulary: AbstractSet[str]) -> str:
    """`emails` -> `email` when only the singular is in the vocabulary."""
    if token not in vocabulary:
        if token.endswith("es") and token[:-2] in vocabulary:
            return token[:-2]
        if token.endswith("s") and token[:-1] in vocabulary:
            return token[:-1]
    return token


def split_text(text: str) -> list[str]:
    """The tokens of any text, in order, as `split_name` splits names."""
    return [word.lower() for word in _WORDS.findall(text)]


@dataclass(frozen=True, slots=True)
class Verdict:
    """The classifier's answer for one identifier: a category, or an explicit look-alike (category None)."""

    category: Category | None
    why: str
    contextual: bool = False  # matched only thanks to a person-like object or person word

    @property
    def personal(self) -> bool:
        return self.category is not None


def _find(tokens: tuple[str, ...], phrase: tuple[str, ...]) -> int:
    n = len(phrase)
    for i in range(len(tokens) - n + 1):
        if tokens[i : i + n] == phrase:
            return i
    return -1


class Classifier:
    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._vocab = {t for c in catalog.categories.values() for p in (*c.names, *c.contextual) for t in p}
        # Longest phrases first so "email address" beats "address" and "device id" beats "id".
        entries = [
            (phrase, category, contextual)
            for category in catalog.categories.values()
            for contextual, phrases in ((False, category.names), (True, category.contextual))
            for phrase in phrases
        ]
        self._phrases = sorted(entries, key=lambda e: -len(e[0]))
        self._first_tokens = {phrase[0] for phrase, _, _ in entries}

    def _normalise(self, tokens: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(fold_plural(t, self._vocab) for t in tokens)

    def is_person_word(self, name: str) -> bool:
        """Does this identifier name a person-like object (`user`, `request.user`, `customer_profile`; not
        `UserLabel` or `owner_data_fields`, things that belong to a person)?"""
        tokens = split_name(name)
        return any(t in self.catalog.person_objects for t in tokens) and not self.is_non_person_word(name)

    def is_person_object(self, name: str) -> bool:
        """Does this name name one person and nothing else (`applicant`, `owner`, `end_user`; not `user_id`, not
        the collection `users`)?"""
        tokens = split_name(name)
        people = self.catalog.person_objects
        plural = tokens[-1] == "people" or (tokens[-1].endswith("s") and tokens[-1][:-1] in people) if tokens else False
        return bool(tokens) and not plural and all(t in people for t in tokens)

    def is_non_person_word(self, name: str) -> bool:
        things = self.catalog.non_person_objects
        return any(t in things or (t.endswith("s") and t[:-1] in things) for t in split_name(name))

    def classify(self, name: str, person_context: bool = False) -> Verdict | None:
        """None: nothing personal about this name. Verdict with a category: personal. Without: a look-alike."""
        return self._classify(name, person_context)

    @lru_cache(maxsize=16384)  # noqa: B019 - one classifier per catalog, lives as long as the process
    def _classify(self, name: str, person_context: bool) -> Verdict | None:
        if name.startswith("__") and name.endswith("__"):
            return None  # __name__, __module__: Python's own attributes
        tokens = self._normalise(split_name(name))
        if not tokens:
            return None
        c = self.catalog
        if self._first_tokens.isdisjoint(tokens):
            return None
        for phrase, category, contextual in self._phrases:
            if phrase[0] not in tokens:
                continue
            start = _find(tokens, phrase)
            if start < 0:
                continue
            before, after = tokens[:start], tokens[start + len(phrase) :]
            if contextual and not person_context and not (before and before[-1] in c.person_objects):
                continue
            shown = "_".join(phrase)
            if len(tokens) > 1 and tokens[0] in c.boolean_prefixes:
                return Verdict(None, f"'{name}' is a flag ('{tokens[0]}_' prefix)")
            for token in tokens:
                if token in c.sanitized_tokens:
                    return Verdict(None, f"'{name}' holds a protected value ('{token}')")
            for veto in category.exclude:
                if _find(tokens, veto) >= 0:
                    return Verdict(None, f"'{name}' is a look-alike ('{'_'.join(veto)}')")
            for token in after:
                if token in c.non_data_tokens:
                    return Verdict(None, f"'{name}' names a property of {category.label}, not the data ('{token}')")
            for token in before:
                if token in c.org_tokens or token in c.non_person_objects:
                    return Verdict(None, f"'{name}' belongs to an organisation or machine ('{token}')")
            context = " on a person-like object" if contextual and person_context else ""
            return Verdict(category, f"name '{name}' matches '{shown}' ({category.label}){context}", contextual)
        return None
