"""PRV202 across modules and from the configuration: consent checks for the right purpose in another module,
functions the team declares as profiling sinks, and data the team declares may only be used with consent."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import run_cli

CONSENT = """\
def has_consent(user, purpose):
    return purpose in user.consents


def personalise(user, frame):
    if has_consent(user, "personalisation"):
        train(frame)


def for_analytics(user, frame):
    if has_consent(user, "analytics"):
        train(frame)


def train(frame):
    from sklearn.cluster import KMeans

    KMeans(3).fit(frame[["age", "postcode"]])
"""


def _project(tmp_path: Path, files: dict[str, str], config: str = "") -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.privacy-lint]\n" + config)
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


def _findings(root: Path, *paths: str) -> list[str]:
    done = run_cli(["check", "-q", "--no-cache", *(paths or (".",))], root)
    assert done.returncode in (0, 1), done.stderr
    return [line.split(" [", 1)[0] for line in done.stdout.splitlines()]


def test_a_check_for_the_right_purpose_in_another_module_counts(tmp_path: Path) -> None:
    views = (
        "from app.consent import has_consent\nfrom app.training import train\n\n\n"
        "def recommend(user, frame):\n"
        '    if has_consent(user, "personalisation"):\n        train(frame[["age", "postcode"]])\n'
        '    if has_consent(user, "marketing"):\n        train(frame[["age", "postcode"]])\n'
    )
    training = "def train(features):\n    from sklearn.cluster import KMeans\n\n    KMeans(3).fit(features)\n"
    consent = "def has_consent(user, purpose):\n    return purpose in user.consents\n"
    root = _project(
        tmp_path, {"app/__init__.py": "", "app/views.py": views, "app/training.py": training, "app/consent.py": consent}
    )
    assert _findings(root, "app/views.py") == ["app/views.py:9:9: PRV202"]  # the marketing-guarded call only


def test_a_helper_of_the_same_module_reached_under_each_purpose(tmp_path: Path) -> None:
    root = _project(tmp_path, {"recs.py": CONSENT})
    found = _findings(root)
    assert found == ["recs.py:18:5: PRV202"]  # one caller checks consent for analytics: not all callers agree


def test_declared_profiling_sinks_and_consent_required_data(tmp_path: Path) -> None:
    config = (
        'profiling-sinks = ["recs.engine:score_user"]\n'
        '[tool.privacy-lint.consent-required]\n"user.location" = "personalisation"\n'
    )
    engine = "def score_user(features):\n    return sum(features)\n"
    views = (
        "import logging\n\nfrom recs.engine import score_user\n\nlog = logging.getLogger(__name__)\n\n\n"
        "def view(user):\n"
        "    score_user([user.email])\n"
        '    log.info("near %s", user.last_location)\n'
        '    if user.has_consent("personalisation"):\n'
        '        log.info("near %s", user.last_location)\n'
        "    score_user([user.order_count])\n"
    )
    root = _project(tmp_path, {"recs/__init__.py": "", "recs/engine.py": engine, "views.py": views}, config)
    done = run_cli(["check", "-q", "--no-cache", "views.py"], root)
    lines = done.stdout.splitlines()
    assert [line.split(" [", 1)[0] for line in lines] == [
        "views.py:9:5: PRV202",
        "views.py:10:5: PRV001",
        "views.py:10:5: PRV202",
        "views.py:12:9: PRV001",
    ]
    assert "profiled by score_user through score_user with no consent check" in lines[0]
    assert lines[2].endswith(
        "sent to application log by log.info with no consent check for personalisation, which the configuration "
        "requires for location (consent-required)"
    )


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ('[tool.privacy-lint.consent-required]\n"user.locaton" = "personalisation"\n',
         "consent-required.user.locaton: unknown category (did you mean 'user.location'?)"),
        ('[tool.privacy-lint.consent-required]\n"user.location" = "personalsation"\n',
         "consent-required.user.location: unknown purpose 'personalsation' (did you mean 'personalisation'?)"),
        ('profiling-sinks = ["recs engine"]\n', "profiling-sinks[0]: 'recs engine' is not a module:function name"),
    ],
)  # fmt: skip
def test_bad_profiling_configuration_is_an_error(tmp_path: Path, config: str, error: str) -> None:
    root = _project(tmp_path, {"app.py": "x = 1\n"}, config)
    done = run_cli(["check", "--no-cache", "."], root)
    assert done.returncode == 2 and error in done.stderr
