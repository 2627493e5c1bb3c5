"""The rules: stable ids, names and documentation. The same text feeds `explain`, SARIF `help` and docs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    name: str
    family: str  # logs | third-party | consent
    summary: str
    description: str
    why: str
    example: str
    fix: str
    default_level: str = "warning"


RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in (
        Rule(
            "PRV001",
            "personal-data-in-log",
            "logs",
            "Personal data written to a log or console",
            "Personal data (an email address, IP address, name, health data...) reaches a logging call, print, a "
            "standard stream, structlog, loguru or warnings.",
            "Logs are copied to aggregators, kept for months and read by people with no need to know. Under GDPR "
            "(Art. 5(1)(c) data minimisation, Art. 32 security) personal data in logs must be necessary and "
            "protected, and it must be findable for access and erasure requests.",
            'logger.info(f"login from {request.remote_addr}")',
            "Log a pseudonymous id instead (user.id), or hash/mask the value (hash_ip(ip), mask_email(email)). "
            "Suppress a deliberate case with `# noqa: PRV001`.",
        ),
        Rule(
            "PRV002",
            "personal-data-in-exception",
            "logs",
            "Personal data in an exception message",
            "An exception is raised with personal data in its message. Unhandled exceptions end up in logs, error "
            "trackers and sometimes in HTTP error pages.",
            "Exception messages travel further than the code that raised them: to log files, to error-monitoring "
            "vendors (a transfer to a processor under GDPR Art. 28) and to developers' screens.",
            'raise ValueError(f"no account for {email}")',
            "Put an id in the message, not the data: `raise LookupError(f'no account for user {user.id}')`.",
        ),
        Rule(
            "PRV101",
            "personal-data-to-third-party",
            "third-party",
            "Personal data sent to a third-party service",
            "Personal data is passed to a third-party SDK: error monitoring, APM and tracing, CRM and messaging, AI "
            "APIs, payments, search, data warehouses, and analytics, marketing and advertising too. Every transfer "
            "is reported, whether or not a consent check guards it: a guarded call names the check in its message "
            '(`consent: guarded by has_consent(user, "analytics")`) and in the `consent` field of JSON and SARIF. '
            "The finding names the recipient.",
            "Every recipient of personal data must be listed in the record of processing (GDPR Art. 30) and bound "
            "by a data processing agreement (Art. 28); transfers outside the EEA need a legal basis (Art. 44).",
            'sentry_sdk.set_user({"email": user.email})',
            "Send a pseudonymous id, scrub the data before it leaves (e.g. Sentry before_send), or record the "
            "recipient and accept the finding with `# privacy-lint: ignore[PRV101] reason`.",
        ),
        Rule(
            "PRV102",
            "personal-data-in-http-request",
            "third-party",
            "Personal data sent in an outbound HTTP request",
            "Personal data is placed in the URL, query parameters, headers or body of an HTTP request (requests, "
            "httpx, aiohttp, urllib3, urllib) to a host that is not known to be internal, a vendor's API host "
            "included (a raw POST to Klaviyo is an HTTP transfer to Klaviyo). The host is named when it is known. "
            "As for PRV101, a consent check does not remove the finding; the message names it.",
            "An HTTP request to another organisation is a disclosure of personal data: it needs a purpose, a legal "
            "basis and a contract (GDPR Art. 6, 28), and personal data in URLs also lands in proxy and server logs.",
            'requests.post("https://api.partner.example/leads", json={"email": user.email})',
            "Send only what the recipient needs, move identifiers out of URLs, or declare the host as internal in "
            "the configuration when it belongs to you.",
        ),
        Rule(
            "PRV201",
            "tracking-without-consent",
            "consent",
            "Personal data used for analytics, marketing or advertising without a consent check",
            "Personal data is sent to an analytics, marketing, advertising or profiling destination and no consent "
            "check guards the call: no enclosing if/while/conditional on a consent test, no early return when "
            "consent is missing, no consent decorator, and no caller in the module that checks consent first. It "
            "is reported in addition to the PRV101 or PRV102 of the same call, which stays when consent is added.",
            "Tracking, marketing and profiling rest on consent (GDPR Art. 6(1)(a), ePrivacy Art. 5(3)); without a "
            "check, data of people who refused or never answered is processed unlawfully.",
            'analytics.identify(user.id, {"email": user.email})',
            "Guard the call: `if has_consent(user, 'analytics'): ...`, return early when consent is missing, or "
            "decorate the function with a consent decorator declared in the configuration.",
            "error",
        ),
    )
}

FAMILIES = {"logs": ("PRV001", "PRV002"), "third-party": ("PRV101", "PRV102"), "consent": ("PRV201",)}


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
            f"**How to fix or suppress.** {rule.fix}",
            "",
            f"Default level: {rule.default_level}.",
        ]
    return "\n".join(parts) + "\n"
