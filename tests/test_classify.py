from __future__ import annotations

import pytest

from privacy_lint.packs.classify import Classifier, split_name
from privacy_lint.packs.loader import default_catalog


@pytest.fixture(scope="module")
def classifier() -> Classifier:
    return Classifier(default_catalog())


@pytest.mark.parametrize(
    ("name", "tokens"),
    [
        ("userEmail", ("user", "email")),
        ("client_ip", ("client", "ip")),
        ("remoteAddr", ("remote", "addr")),
        ("X-Forwarded-For", ("x", "forwarded", "for")),
        ("HTTP_X_FORWARDED_FOR", ("http", "x", "forwarded", "for")),
        ("IPAddress", ("ip", "address")),
        ("$email", ("email",)),
        ("dateOfBirth", ("date", "of", "birth")),
    ],
)
def test_split_name(name: str, tokens: tuple[str, ...]) -> None:
    assert split_name(name) == tokens


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("email", "user.contact.email"),
        ("userEmail", "user.contact.email"),
        ("recipient_emails", "user.contact.email"),
        ("client_ip", "user.device.ip_address"),
        ("remoteAddr", "user.device.ip_address"),
        ("X-Forwarded-For", "user.device.ip_address"),
        ("phone_number", "user.contact.phone_number"),
        ("first_name", "user.name"),
        ("customer_name", "user.name"),
        ("billing_address", "user.contact.address"),
        ("date_of_birth", "user.demographic.date_of_birth"),
        ("ssn", "user.government_id"),
        ("card_number", "user.financial"),
        ("diagnosis", "user.health_and_medical"),
        ("latitude", "user.location"),
        ("user_agent", "user.device.device_id"),
        ("password", "user.authorization.credentials"),
    ],
)
def test_personal_names(classifier: Classifier, name: str, category: str) -> None:
    verdict = classifier.classify(name)
    assert verdict is not None and verdict.category is not None, name
    assert verdict.category.id == category


@pytest.mark.parametrize(
    "name",
    [
        "email_template",
        "email_subject",
        "ip_version",
        "ip_header",
        "phone_enabled",
        "address_family",
        "zip_file",
        "emails_count",
        "num_phones",
        "is_email",
        "has_phone",
        "email_max_length",
        "hashed_email",
        "email_hash",
        "encrypted_ssn",
        "redacted_phone",
        "server_ip",
        "bind_address",
        "support_email",
        "card_last4",
        "password_reset",
        "race_condition",
    ],
)
def test_lookalikes_are_vetoed(classifier: Classifier, name: str) -> None:
    verdict = classifier.classify(name)
    assert verdict is None or verdict.category is None, (name, verdict)


@pytest.mark.parametrize("name", ["name", "address", "location", "age", "file_name", "host_name", "class_name"])
def test_ambiguous_tokens_need_a_person(classifier: Classifier, name: str) -> None:
    verdict = classifier.classify(name)
    assert verdict is None or verdict.category is None


@pytest.mark.parametrize("name", ["name", "address", "location", "age"])
def test_ambiguous_tokens_on_person_objects(classifier: Classifier, name: str) -> None:
    verdict = classifier.classify(name, person_context=True)
    assert verdict is not None and verdict.category is not None


@pytest.mark.parametrize("name", ["user_id", "distinct_id", "username", "customer_id"])
def test_pseudonymous_ids_are_classified_but_pseudonymous(classifier: Classifier, name: str) -> None:
    verdict = classifier.classify(name)
    assert verdict is not None and verdict.category is not None
    assert verdict.category.sensitivity == "pseudonymous"


def test_verdict_explains_itself(classifier: Classifier) -> None:
    verdict = classifier.classify("client_ip")
    assert verdict is not None
    assert "client_ip" in verdict.why and "ip" in verdict.why
