"""Consent lookups shared by the Django app, the Celery workers and batch jobs.

Consent is recorded per user and per purpose in ``ConsentGrant`` rows written
by the privacy settings page and the cookie banner.  A grant counts until it
is withdrawn.

Accounts created before the 2021 consent migration only have the single
``User.has_given_consent`` checkbox from the old sign-up form.  Legal asked us
to keep honouring it as a blanket opt-in (every purpose) until those users go
through the re-consent flow.
"""
from __future__ import annotations

import enum
import functools
import logging

from django.core.exceptions import PermissionDenied
from django.utils import timezone

from app.models import ConsentGrant

log = logging.getLogger(__name__)


class Purpose(str, enum.Enum):
    ANALYTICS = "analytics"
    MARKETING = "marketing"
    ADVERTISING = "advertising"
    PERSONALISATION = "personalisation"
    PROFILING = "profiling"


def has_consent(user, purpose) -> bool:
    """Return True when ``user`` has an active grant for ``purpose``."""
    if user is None or not getattr(user, "pk", None):
        return False
    purpose = Purpose(purpose)
    if getattr(user, "has_given_consent", False):
        # legacy blanket opt-in, see module docstring
        return True
    return ConsentGrant.objects.filter(
        user_id=user.pk,
        purpose=purpose.value,
        withdrawn_at__isnull=True,
    ).exists()


def can_personalise(user) -> bool:
    """Recommendations, "for you" feeds, similar-member suggestions."""
    return has_consent(user, Purpose.PERSONALISATION)


def can_profile(user) -> bool:
    """Scoring and segmentation models (churn, credit, propensity)."""
    return has_consent(user, Purpose.PROFILING)


def requires_consent(purpose):
    """View decorator: respond 403 unless ``request.user`` consented to ``purpose``."""
    purpose = Purpose(purpose)

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not has_consent(request.user, purpose):
                log.info("blocked %s: no %s consent for user %s",
                         view.__name__, purpose.value, request.user.pk)
                raise PermissionDenied(f"{purpose.value} consent required")
            return view(request, *args, **kwargs)
        return wrapper

    return decorator


def grant(user, purpose, source="settings"):
    purpose = Purpose(purpose)
    obj, _ = ConsentGrant.objects.get_or_create(
        user_id=user.pk,
        purpose=purpose.value,
        withdrawn_at__isnull=True,
        defaults={"source": source},
    )
    return obj


def withdraw(user, purpose) -> int:
    purpose = Purpose(purpose)
    return ConsentGrant.objects.filter(
        user_id=user.pk,
        purpose=purpose.value,
        withdrawn_at__isnull=True,
    ).update(withdrawn_at=timezone.now())
