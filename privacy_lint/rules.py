"""The rules, each one object: its id and name, what it reports, how it is phrased, how risky it is, its
documentation (the same text feeds `explain`, SARIF `help` and docs/rules.md) and examples that must fire and
look-alikes that must stay quiet (tests/test_rules.py runs them)."""

from __future__ import annotations

from dataclasses import dataclass

# Destinations inside the organisation: what reaches them is shown as text (a log line, an exception message)
# and stays there; every other destination is a recipient.
INTERNAL_SERVICES = frozenset({"log", "exception"})
# Sinks that process the data inside the service (a model trained or run in-process, a feature store or vector
# database of its own): not a transfer, but profiling all the same.
LOCAL_SERVICES = frozenset({"model"})


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    family: str  # logs | third-party | consent
    reports: str  # the sinks it covers: log | exception | sdk (a third party's SDK) | http | consent
    risk: int  # order in the reviewer's report: 1 is the riskiest
    message: str  # "{what} written to {destination} by {by}": see engine.emit
    summary: str
    description: str
    why: str
    fix: str
    hint: str  # the fix in a few words, shown under each finding (`--show-source`)
    example: str  # one line that fires, for the documentation
    fires: tuple[str, ...]  # whole modules that must produce the rule
    quiet: tuple[str, ...]  # look-alikes that must not
    cwe: tuple[int, ...] = ()  # MITRE CWE ids: 532 sensitive data in a log, 209 in an error message, 359 exposure
    # of private personal information, 201 sensitive data in sent data
    default_level: str = "warning"
    severity_floor: str = "note"  # the lowest severity it is reported at, whatever the data
    services: tuple[str, ...] = ()  # a consent rule: the kinds of sink whose consent it judges (): the others

    @property
    def suppress(self) -> str:
        return (
            f"Accept one case with `# privacy-lint: ignore[{self.id}] the reason` on the line (a reason is required "
            f"with --require-reason), or `# noqa: {self.id}`; per file with `per-file-ignores` in the configuration."
        )


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            id="PRV001",
            name="personal-data-in-log",
            family="logs",
            reports="log",
            risk=6,
            message="{what} written to {destination} by {by}",
            summary="Personal data written to a log or console",
            description=(
                "Personal data (an email address, IP address, name, health data...) reaches a logging call, "
                "print, a standard stream, structlog, loguru or warnings."
            ),
            why=(
                "Logs are copied to aggregators, kept for months and read by people with no need to know. Under "
                "GDPR (Art. 5(1)(c) data minimisation, Art. 32 security) personal data in logs must be necessary "
                "and protected, and it must be findable for access and erasure requests."
            ),
            fix=(
                "Log a pseudonymous id instead (user.id), or hash/mask the value (hash_ip(ip), mask_email(email)). "
                "Suppress a deliberate case with `# noqa: PRV001`."
            ),
            hint="log a pseudonymous id instead, or mask the value with a redaction helper",
            example='logger.info(f"login from {request.remote_addr}")',
            cwe=(532, 359),
            fires=(
                """\
import logging

logger = logging.getLogger(__name__)


def login(request):
    logger.info(f"login from {request.remote_addr}")
""",
            ),
            quiet=(
                """\
import logging

logger = logging.getLogger(__name__)


def login(request):
    logger.info("login for user %s", request.user.id)
""",
            ),
        ),
        Rule(
            id="PRV002",
            name="personal-data-in-exception",
            family="logs",
            reports="exception",
            risk=5,
            message="{what} in an exception message ({by})",
            summary="Personal data in an exception message",
            description=(
                "An exception is raised with personal data in its message. Unhandled exceptions end up in logs, "
                "error trackers and sometimes in HTTP error pages."
            ),
            why=(
                "Exception messages travel further than the code that raised them: to log files, to "
                "error-monitoring vendors (a transfer to a processor under GDPR Art. 28) and to developers' "
                "screens."
            ),
            fix="Put an id in the message, not the data: `raise LookupError(f'no account for user {user.id}')`.",
            hint="put an id in the message, not the data",
            example='raise ValueError(f"no account for {email}")',
            cwe=(209, 532),
            fires=(
                """\
def find(email):
    raise LookupError(f"no account for {email}")
""",
            ),
            quiet=(
                """\
def find(user):
    raise LookupError(f"no account for user {user.id}")
""",
                """\
from fastapi import HTTPException


def find(email):
    raise HTTPException(404, f"no account for {email}")  # goes back to the requester
""",
            ),
        ),
        Rule(
            id="PRV101",
            name="personal-data-to-third-party",
            family="third-party",
            reports="sdk",
            risk=3,
            message="{what} sent to {destination} by {by}{consent}",
            summary="Personal data sent to a third-party service",
            description=(
                "Personal data is passed to a third-party SDK: error monitoring, APM and tracing, CRM and "
                "messaging, AI APIs, payments, search, data warehouses, and analytics, marketing and advertising "
                "too. Every transfer is reported, whether or not a consent check guards it: a guarded call names "
                'the check in its message (`consent: guarded by has_consent(user, "analytics")`) and in the '
                "`consent` field of JSON and SARIF. The finding names the recipient. A transfer of categories that "
                "the recipient's declaration in `[tool.privacy-lint.recipients]` lists is declared and not reported "
                "(`--report-declared` shows it); the message of any other transfer to it says what is declared."
            ),
            why=(
                "Every recipient of personal data must be listed in the record of processing (GDPR Art. 30) and "
                "bound by a data processing agreement (Art. 28); transfers outside the EEA need a legal basis "
                "(Art. 44)."
            ),
            fix=(
                "Send a pseudonymous id, scrub the data before it leaves (e.g. Sentry before_send), or record the "
                "recipient and accept the finding with `# privacy-lint: ignore[PRV101] reason`."
            ),
            hint="send a pseudonymous id, or scrub the data before it leaves",
            example='sentry_sdk.set_user({"email": user.email})',
            cwe=(359, 201),
            fires=(
                """\
import sentry_sdk


def on_login(user):
    sentry_sdk.set_user({"email": user.email})
""",
            ),
            quiet=(
                """\
import sentry_sdk


def on_login(user):
    sentry_sdk.set_user({"id": user.id})
""",
            ),
        ),
        Rule(
            id="PRV102",
            name="personal-data-in-http-request",
            family="third-party",
            reports="http",
            risk=4,
            message="{what} sent to {destination} by {by}{consent}",
            summary="Personal data sent in an outbound HTTP request",
            description=(
                "Personal data is placed in the URL, query parameters, headers or body of an HTTP request "
                "(requests, httpx, aiohttp, urllib3, urllib) to a host that is not known to be internal, a "
                "vendor's API host included (a raw POST to Klaviyo is an HTTP transfer to Klaviyo). The host is "
                "named when it is known. As for PRV101, a consent check does not remove the finding; the message "
                "names it."
            ),
            why=(
                "An HTTP request to another organisation is a disclosure of personal data: it needs a purpose, a "
                "legal basis and a contract (GDPR Art. 6, 28), and personal data in URLs also lands in proxy and "
                "server logs."
            ),
            fix=(
                "Send only what the recipient needs, move identifiers out of URLs, or declare the host as internal in "
                "the configuration when it belongs to you."
            ),
            hint="send only what the recipient needs, and keep identifiers out of URLs",
            example='requests.post("https://api.partner.example/leads", json={"email": user.email})',
            cwe=(359, 201),
            fires=(
                """\
import requests


def sync(user):
    requests.post("https://api.partner.example/leads", json={"email": user.email})
""",
            ),
            quiet=(
                """\
import requests


def sync(user):
    requests.post("http://localhost:8080/leads", json={"email": user.email})  # an internal host
""",
            ),
        ),
        Rule(
            id="PRV201",
            name="tracking-without-consent",
            family="consent",
            reports="consent",
            risk=1,
            message="{what} sent to {destination} ({service}) by {by} {consent}",
            summary="Personal data used for analytics, marketing or advertising without a consent check",
            description=(
                "Personal data is sent to an analytics, marketing, advertising or profiling destination and no "
                "consent check guards the call: no enclosing if/while/conditional on a consent test, no early "
                "return when consent is missing, no consent decorator, and no caller in the module that checks "
                "consent first. It is reported in addition to the PRV101 or PRV102 of the same call, which stays "
                "when consent is added. A recipient declared in `[tool.privacy-lint.recipients]` follows its "
                "declared legal basis: with `consent`, an unguarded transfer to it is PRV201 whatever its kind; with "
                "any other basis, PRV201 does not apply to it."
            ),
            why=(
                "Tracking, marketing and profiling rest on consent (GDPR Art. 6(1)(a), ePrivacy Art. 5(3)); "
                "without a check, data of people who refused or never answered is processed unlawfully."
            ),
            fix=(
                "Guard the call: `if has_consent(user, 'analytics'): ...`, return early when consent is missing, or "
                "decorate the function with a consent decorator declared in the configuration. A check that names "
                "another purpose (`user.marketing_consent` before an analytics call) does not count."
            ),
            hint="guard the call with a consent check for this purpose",
            example='analytics.identify(user.id, {"email": user.email})',
            cwe=(359,),
            fires=(
                """\
import analytics


def signup(user):
    analytics.identify(user.id, {"email": user.email})
""",
                """\
import analytics


def signup(user):
    if user.marketing_consent:  # consent for another purpose
        analytics.identify(user.id, {"email": user.email})
""",
            ),
            quiet=(
                """\
import analytics


def signup(user):
    if user.analytics_consent:
        analytics.identify(user.id, {"email": user.email})
""",
                """\
import analytics


def signup(user):
    if user.has_given_consent:
        analytics.identify(user.id, {"email": user.email})
""",
            ),
            default_level="error",
            severity_floor="warning",
        ),
        Rule(
            id="PRV202",
            name="profiling-without-consent",
            family="consent",
            reports="consent",
            risk=2,
            message="{what} profiled by {destination} through {by} {consent}",
            summary="Personal data used for profiling or personalisation without a consent check for it",
            description=(
                "Personal data feeds profiling or personalisation and no consent check for that purpose guards "
                "the call: a machine-learning model trained or run on personal features (scikit-learn, XGBoost, "
                "LightGBM, CatBoost, statsmodels), a recommendation or personalisation service (Amazon "
                "Personalize, Google Retail, Algolia, Recombee), a feature store or vector database fed with a "
                "person's data (Feast, Pinecone, Qdrant, Weaviate, Chroma), or a function the configuration "
                "declares (`profiling-sinks`). pandas and numpy carry the data through DataFrames: a column "
                "selected by a personal name carries its category, a dropped column stops carrying it, so a model "
                "trained on ids and counts only is quiet. A consent check that names another purpose "
                '(`has_consent(user, "analytics")` before a recommendation) does not count; one that names '
                "none counts for every purpose. A third-party service also gets its PRV101 or PRV102."
            ),
            why=(
                "Profiling needs a legal basis and, when it is not needed for the service itself, usually "
                "consent (GDPR Art. 6(1)(a), 21, 22; ePrivacy Art. 5(3) for tracking data); people may object to "
                "it at any time, so the code must be able to leave them out."
            ),
            fix=(
                "Train and score only people who agreed: `if has_consent(user, 'personalisation'): ...`, filter "
                "the training rows on the consent, or drop the personal columns the model does not need."
            ),
            hint="guard it with a consent check for personalisation or profiling, or drop the personal features",
            example='model.fit(customers[["age", "postcode", "income"]], churned)',
            cwe=(359,),
            fires=(
                """\
import pandas as pd
from sklearn.linear_model import LogisticRegression


def train(rows):
    frame = pd.DataFrame(rows)
    model = LogisticRegression()
    model.fit(frame[["age", "postcode", "income"]], frame["churned"])
""",
                """\
import boto3

personalize = boto3.client("personalize-events")


def viewed(user, item):
    if user.has_consent("analytics"):
        personalize.put_events(trackingId="t", userId=user.email, sessionId="s", eventList=[{"itemId": item}])
""",
            ),
            quiet=(
                """\
import pandas as pd
from sklearn.linear_model import LogisticRegression


def train(rows):
    frame = pd.DataFrame(rows)
    model = LogisticRegression()
    model.fit(frame[["item_id", "order_count", "page_views"]], frame["churned"])
""",
                """\
import pandas as pd
from sklearn.linear_model import LogisticRegression


def train(rows, user):
    frame = pd.DataFrame(rows)
    if user.has_consent("personalisation"):
        LogisticRegression().fit(frame[["age", "postcode"]], frame["churned"])
""",
            ),
            default_level="error",
            severity_floor="warning",
            services=("profiling", "model"),
        ),
    )
}

FAMILIES = {
    family: tuple(r.id for r in RULES.values() if r.family == family) for family in ("logs", "third-party", "consent")
}
FAMILY_OF = {rule.id: rule.family for rule in RULES.values()}


def rules_for(service: str, http: bool, guarded: bool, consent_services: frozenset[str] | set[str]) -> tuple[str, ...]:
    """The rules a sink reports. A log or an exception is PRV001 or PRV002; every transfer is PRV101 (an SDK) or
    PRV102 (an HTTP request, to a vendor's host too), consent or not; a sink processed in the service itself (a
    model) is no transfer. A service that needs consent reached with no consent check for its purpose also gets
    the consent rule that judges it: PRV202 for profiling and personalisation, PRV201 for the others."""
    # a raw request to a log vendor's host is a transfer to it
    local = service in LOCAL_SERVICES and not http
    kind = service if service in INTERNAL_SERVICES and not http else "http" if http else "sdk"
    found = () if local else tuple(rule.id for rule in RULES.values() if rule.reports == kind)
    if (local or kind in ("http", "sdk")) and not guarded and service in consent_services:
        found += (consent_rule(service),)
    return found


def consent_rule(service: str) -> str:
    """The consent rule that judges a kind of sink: the one that names it, else the one that names none."""
    consent = [rule for rule in RULES.values() if rule.reports == "consent"]
    named = [rule.id for rule in consent if service in rule.services]
    return named[0] if named else next(rule.id for rule in consent if not rule.services)


def rules_markdown() -> str:
    """docs/rules.md: the same text as `privacy-lint explain` and the SARIF help (a test keeps it current)."""
    parts = ["# Rules", "", "Generated by `privacy-lint rules --format markdown`; do not edit by hand.", ""]
    parts += ["| id | name | family | summary |", "| --- | --- | --- | --- |"]
    parts += [f"| {r.id} | {r.name} | {r.family} | {r.summary} |" for r in RULES.values()]
    for rule in RULES.values():
        parts += [
            "",
            f"## {rule.id} {rule.name}",
            "",
            rule.description,
            "",
            f"**Why it matters.** {rule.why}",
            "",
            "**Example that fires**",
            "",
            "```python",
            rule.example,
            "```",
            "",
            f"**How to fix.** {rule.fix}",
            "",
            f"**How to suppress.** {rule.suppress}",
            "",
            f"Default level: {rule.default_level}.",
        ]
    return "\n".join(parts) + "\n"
