"""Upgrade-propensity model for the "likely to upgrade" CRM segment.

Trained nightly by the ml-jobs cron (``python -m ml.segment_scoring train``).
``score_user`` is called from the account page to decide whether to show the
upgrade banner.
"""
from __future__ import annotations

import datetime as dt
import logging
import sys

import joblib
from django.utils import timezone
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from app.features import single_user_frame, user_feature_frame
from billing.models import Subscription

log = logging.getLogger(__name__)
MODEL_PATH = "/var/lib/ml/upgrade_propensity.joblib"


def upgrade_labels(user_ids, window_days=60):
    since = timezone.now() - dt.timedelta(days=window_days)
    upgraded = set(
        Subscription.objects.filter(user_id__in=list(user_ids), upgraded_at__gte=since)
        .values_list("user_id", flat=True)
    )
    return [1 if uid in upgraded else 0 for uid in user_ids]


def train():
    X = user_feature_frame()
    y = upgrade_labels(X.index)
    log.info("training upgrade propensity on %d users, %d positives", len(y), sum(y))
    pipe = Pipeline([
        ("scale", StandardScaler()),
        ("clf", LogisticRegression(max_iter=1000, class_weight="balanced")),
    ])
    pipe.fit(X, y)
    pipe.feature_names_ = list(X.columns)
    joblib.dump(pipe, MODEL_PATH)
    return pipe


_pipe = None


def _load():
    global _pipe
    if _pipe is None:
        _pipe = joblib.load(MODEL_PATH)
    return _pipe


def score_user(user):
    """Probability that ``user`` upgrades in the next 60 days, or None."""
    if not user.has_given_consent:
        return None
    pipe = _load()
    frame = single_user_frame(user, columns=pipe.feature_names_)
    if frame.empty:
        return None
    return float(pipe.predict_proba(frame)[0, 1])


if __name__ == "__main__":
    if sys.argv[1:] == ["train"]:
        train()
