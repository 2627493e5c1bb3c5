"""The catalogue the rule packs build: data categories, sinks, hosts, and every table of vocabulary.

The engine knows nothing about any SDK, framework or data category: all of that is data here, read from
`rules/*.toml` by `loader`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from privacy_lint.packs.patterns import NameMatcher

SENSITIVITIES = ("pseudonymous", "personal", "high", "special")
LOG_SERVICES = ("log",)
SETTINGS_PLACES = ("settings-modules", "any-module")  # [frameworks.settings_objects]: modules named `settings`, or any
BY_METHOD_NAME = "by-method-name"  # [sources.parameters]: the field a method is named after (`validate_email`)
SERVICES = (
    "log", "exception", "http", "analytics", "marketing", "advertising", "profiling", "error_monitoring", "apm",
    "tracing", "crm", "messaging", "ai", "feature_flags", "payments", "search", "warehouse", "storage", "support",
    "push", "identity", "model",
)  # fmt: skip


class RulePackError(Exception):
    """A rule pack that cannot be used; the message names the file and the key."""

    def __init__(self, path: str, key: str, message: str) -> None:
        super().__init__(f"{path}: {key}: {message}" if key else f"{path}: {message}")
        self.path, self.key = path, key


def tokens_of(phrase: str) -> tuple[str, ...]:
    """A pack phrase ("email address", "x-forwarded-for") as the token tuple the classifier compares."""
    return tuple(t for t in re.split(r"[\s_\-.]+", phrase.lower()) if t)


@dataclass(frozen=True, slots=True)
class Category:
    id: str
    label: str
    sensitivity: str
    names: tuple[tuple[str, ...], ...]
    contextual: tuple[tuple[str, ...], ...]
    exclude: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class Sink:
    id: str
    destination: str
    service: str
    calls: tuple[str, ...]
    ignore_args: frozenset[str]
    pack: str


@dataclass(frozen=True, slots=True)
class Host:
    pattern: str
    destination: str
    service: str


def is_field_key(needed: str) -> bool:
    """`myapp.models.Profile.browsing_history` (a model's field, by its name), not a category (`user.location`)."""
    parts = needed.split(".")
    return len(parts) >= 2 and parts[-2][:1].isupper()


@dataclass
class Catalog:
    """Everything the engine knows, merged from all packs."""

    packs: list[tuple[str, str, str]] = field(default_factory=list)  # (name, version, path)
    categories: dict[str, Category] = field(default_factory=dict)
    person_objects: set[str] = field(default_factory=set)
    non_person_objects: set[str] = field(default_factory=set)
    non_data_tokens: set[str] = field(default_factory=set)
    org_tokens: set[str] = field(default_factory=set)
    sanitized_tokens: set[str] = field(default_factory=set)
    boolean_prefixes: set[str] = field(default_factory=set)
    request_objects: set[str] = field(default_factory=set)
    request_types: set[str] = field(default_factory=set)
    request_attributes: dict[tuple[str, ...], str] = field(default_factory=dict)
    field_types: dict[str, str] = field(default_factory=dict)
    object_attributes: dict[str, str] = field(default_factory=dict)  # `<library class>.<attr>` -> category
    parameters: dict[str, str] = field(default_factory=dict)  # `<library class>.<method>.<param>` -> category
    current_person: list[str] = field(default_factory=list)  # the signed-in person: `flask_login.current_user`
    sinks: dict[str, Sink] = field(default_factory=dict)
    type_returns: dict[str, str] = field(default_factory=dict)
    type_names: dict[str, str] = field(default_factory=dict)
    type_attributes: dict[str, str] = field(default_factory=dict)  # `<library class>.<attr>` -> its type
    type_callbacks: dict[str, str] = field(default_factory=dict)  # `<call>.<keyword>` -> the hook's first argument
    hooked_calls: frozenset[str] = frozenset()  # the calls of type_callbacks, built by freeze()
    hosts: list[Host] = field(default_factory=list)
    http_clients: list[str] = field(default_factory=list)
    http_requests: list[str] = field(default_factory=list)  # request objects built first, sent later
    http_data_args: set[str] = field(default_factory=set)
    internal_hosts: list[str] = field(default_factory=list)
    authentication_args: set[str] = field(default_factory=set)  # headers=, auth=: what authenticates the request
    authentication_categories: set[str] = field(default_factory=set)  # credentials, sent there to authenticate
    sanitizer_calls: list[str] = field(default_factory=list)
    sanitizer_tokens: set[str] = field(default_factory=set)
    sanitizer_test_tokens: set[str] = field(default_factory=set)  # `is_`, `validate`: a test, unless its body says
    # [reducers]: operations that keep too little of a value to identify the person
    short_slice: int = 0  # `number[-4:]`: at most this many characters of a short_slice_categories value
    short_slice_categories: set[str] = field(default_factory=set)
    after_separator: dict[str, str] = field(default_factory=dict)  # category -> separator: the part after it
    parts_of: dict[str, str] = field(default_factory=dict)  # category -> separator: any part split at it
    consent_services: set[str] = field(default_factory=set)
    consent_checks: list[tuple[str, ...]] = field(default_factory=list)
    consent_negative_checks: list[tuple[str, ...]] = field(default_factory=list)
    consent_decorators: list[tuple[str, ...]] = field(default_factory=list)
    consent_assertion_verbs: set[str] = field(default_factory=set)  # ensure_consent(u): raises unless given
    consent_records: set[str] = field(default_factory=set)  # prefs.analytics: a stored choice for a purpose
    consent_purposes: set[str] = field(default_factory=set)
    service_purposes: dict[str, str] = field(default_factory=dict)  # kind of sink -> the purpose consent is for
    purpose_words: dict[str, str] = field(default_factory=dict)  # token in a consent check -> the purpose it names
    purpose_covers: dict[str, str] = field(default_factory=dict)  # consent for one purpose covers another too
    consent_required: dict[str, str] = field(default_factory=dict)  # category or Model.field -> the purpose
    exception_ignores: list[str] = field(default_factory=list)
    exception_logged: list[str] = field(default_factory=list)  # answer the requester, and are logged anyway
    exception_status_attributes: set[str] = field(default_factory=set)  # `status_code = 409` in a class body
    propagators: list[str] = field(default_factory=list)
    sql_reads: set[str] = field(default_factory=set)  # pandas.read_sql(query, con): rows of the columns it selects
    column_drops: set[str] = field(default_factory=set)  # DataFrame.drop(columns=[...]): those columns are gone
    data_views: set[str] = field(default_factory=set)  # DataFrame.values: an attribute holding the same data
    data_holders: set[str] = field(default_factory=set)  # the types of data_views: arithmetic on one gives one

    # [frameworks]: method names that run a task elsewhere, model managers, serialising methods, request parts
    task_calls: set[str] = field(default_factory=set)
    model_managers: set[str] = field(default_factory=set)
    field_selections: set[str] = field(default_factory=set)  # Model.objects.values("age"): rows of those fields
    serialisers: set[str] = field(default_factory=set)
    envelope_parts: set[str] = field(default_factory=set)  # lower-case: request.META, request.headers
    submitted_parts: set[str] = field(default_factory=set)  # lower-case: request.POST, request.form
    configuration_reads: list[str] = field(default_factory=list)  # os.getenv(...): clean, its default its text
    field_validators: list[str] = field(default_factory=list)  # `@field_validator("email")`: handed that field
    configuration_classes: set[str] = field(default_factory=set)  # BaseSettings: the deployment's settings
    configuration_names: set[str] = field(default_factory=set)  # a class named `...Settings` holds settings too
    injectors: set[str] = field(default_factory=set)  # `fastapi.Depends`: the parameter is what the provider returns
    # a library base class -> what str() of an instance shows: "" nothing personal, "ATTR=default" the field a
    # class constant names (`USERNAME_FIELD`, Django's get_username())
    text_forms: dict[str, str] = field(default_factory=dict)
    # where the project's settings are read (`django.conf.settings`) -> which modules define them
    settings_objects: dict[str, str] = field(default_factory=dict)
    instance_senders: set[str] = field(default_factory=set)  # `@receiver(post_save, sender=Model)`: `instance` is one
    plain_data: list[str] = field(default_factory=list)  # type prefixes of plain values (`datetime.`), not objects
    fingerprint: str = ""  # a hash of every pack and table merged: results cached under it stay valid

    # Compiled look-ups, built once by `freeze()`.
    sink_matcher: NameMatcher = field(default_factory=NameMatcher)
    returns_matcher: NameMatcher = field(default_factory=NameMatcher)
    http_matcher: NameMatcher = field(default_factory=NameMatcher)
    http_request_matcher: NameMatcher = field(default_factory=NameMatcher)
    sanitizer_matcher: NameMatcher = field(default_factory=NameMatcher)
    exception_ignore_matcher: NameMatcher = field(default_factory=NameMatcher)
    exception_logged_matcher: NameMatcher = field(default_factory=NameMatcher)
    propagator_matcher: NameMatcher = field(default_factory=NameMatcher)
    attribute_type_matcher: NameMatcher = field(default_factory=NameMatcher)
    object_attribute_matcher: NameMatcher = field(default_factory=NameMatcher)
    parameter_matcher: NameMatcher = field(default_factory=NameMatcher)
    current_person_matcher: NameMatcher = field(default_factory=NameMatcher)
    configuration_matcher: NameMatcher = field(default_factory=NameMatcher)
    validator_matcher: NameMatcher = field(default_factory=NameMatcher)

    def freeze(self) -> Catalog:
        for sink in self.sinks.values():
            self.sink_matcher.add(sink.calls, sink)
        for pattern, type_name in self.type_returns.items():
            self.returns_matcher.add([pattern], type_name)
        self.http_matcher.add(self.http_clients, True)
        self.http_request_matcher.add(self.http_requests, True)
        self.sanitizer_matcher.add(self.sanitizer_calls, True)
        self.exception_ignore_matcher.add(self.exception_ignores, True)
        self.exception_logged_matcher.add(self.exception_logged, True)
        self.propagator_matcher.add(self.propagators, True)
        for table, matcher in (
            (self.type_attributes, self.attribute_type_matcher),
            (self.object_attributes, self.object_attribute_matcher),
            (self.parameters, self.parameter_matcher),
        ):
            for pattern, target in table.items():
                matcher.add([pattern], target)
        self.current_person_matcher.add(self.current_person, True)
        self.configuration_matcher.add(self.configuration_reads, True)
        self.validator_matcher.add(self.field_validators, True)
        self.hooked_calls = frozenset(key.rsplit(".", 1)[0] for key in self.type_callbacks)
        return self
