"""Feature frames shared by the training and scoring jobs under ml/."""
from __future__ import annotations

import datetime as dt

import pandas as pd
from django.db.models import Count, Max, Sum
from django.utils import timezone

from app.models import Order, User

PROFILE_FIELDS = ["id", "date_of_birth", "gender", "country", "postcode", "annual_income", "date_joined"]
CATEGORICAL = ["gender", "country", "postcode_area"]


def _age(dob: pd.Series, today: dt.date) -> pd.Series:
    dob = pd.to_datetime(dob, errors="coerce")
    return ((pd.Timestamp(today) - dob).dt.days / 365.25).round()


def _order_aggregates(user_ids, since) -> pd.DataFrame:
    rows = (
        Order.objects.filter(user_id__in=user_ids, created_at__gte=since)
        .values("user_id")
        .annotate(orders_90d=Count("id"), spend_90d=Sum("total"), last_order=Max("created_at"))
    )
    return pd.DataFrame(list(rows), columns=["user_id", "orders_90d", "spend_90d", "last_order"])


def user_feature_frame(users=None, as_of=None) -> pd.DataFrame:
    """One row per user: demographics plus 90-day order aggregates, indexed by user id."""
    as_of = as_of or timezone.now()
    now = pd.Timestamp(as_of)
    qs = users if users is not None else User.objects.filter(is_active=True)

    base = pd.DataFrame(list(qs.values(*PROFILE_FIELDS)))
    if base.empty:
        return base
    orders = _order_aggregates(base["id"].tolist(), as_of - dt.timedelta(days=90))

    df = base.merge(orders, left_on="id", right_on="user_id", how="left")
    df[["orders_90d", "spend_90d"]] = df[["orders_90d", "spend_90d"]].fillna(0).astype(float)
    df["days_since_order"] = (now - pd.to_datetime(df["last_order"], utc=True)).dt.days.fillna(999)
    df["tenure_days"] = (now - pd.to_datetime(df["date_joined"], utc=True)).dt.days
    df["age"] = _age(df["date_of_birth"], as_of.date()).fillna(-1)
    income = df["annual_income"].astype(float)
    df["annual_income"] = income.fillna(income.median())
    df["postcode_area"] = df["postcode"].str.upper().str.extract(r"^([A-Z]{1,2})", expand=False)
    df = pd.get_dummies(df, columns=CATEGORICAL, dummy_na=True, dtype=float)
    return df.drop(columns=["user_id", "date_of_birth", "postcode", "date_joined", "last_order"]).set_index("id")


def single_user_frame(user, columns=None) -> pd.DataFrame:
    """Features for one user, aligned to the columns the model was trained on."""
    frame = user_feature_frame(User.objects.filter(pk=user.pk))
    if columns is not None:
        frame = frame.reindex(columns=columns, fill_value=0.0)
    return frame
