"""Keeps the Feast online store fresh for the ranking service.

Profile and item features are refreshed every 15 minutes by Airflow
(dag: feast_refresh).  Session features are pushed from the storefront
middleware as they happen via ``push_session_features``.
"""
from __future__ import annotations

import datetime as dt
import os

import pandas as pd
import sqlalchemy as sa
from feast import FeatureStore
from feast.data_source import PushMode

from app.consent import Purpose, has_consent

store = FeatureStore(repo_path=os.environ.get("FEAST_REPO", "/opt/feature_repo"))
engine = sa.create_engine(os.environ["WAREHOUSE_URL"])

PROFILE_SQL = """
SELECT u.id AS user_id,
       width_bucket(date_part('year', age(u.date_of_birth)), 18, 78, 6) AS age_band,
       u.gender,
       u.city,
       p.favourite_category,
       p.sessions_7d,
       p.avg_order_value_90d,
       now() AS event_timestamp
FROM accounts_user u
JOIN mart.user_profile_stats p ON p.user_id = u.id
WHERE u.updated_at >= %(since)s OR p.updated_at >= %(since)s
"""

ITEM_STATS_SQL = """
SELECT item_id, views_24h, add_to_cart_24h, purchases_24h,
       purchases_24h::float / NULLIF(views_24h, 0) AS conversion_24h,
       now() AS event_timestamp
FROM mart.item_stats_24h
"""


def refresh_user_profile_features(since: dt.datetime) -> int:
    df = pd.read_sql(PROFILE_SQL, engine, params={"since": since})
    if df.empty:
        return 0
    store.push("user_profile_push_source", df, to=PushMode.ONLINE_AND_OFFLINE)
    return len(df)


def refresh_item_stats() -> int:
    item_df = pd.read_sql(ITEM_STATS_SQL, engine)
    store.write_to_online_store("item_stats_24h", item_df)
    return len(item_df)


def push_session_features(user, session_key: str, viewed_categories: list[str], cart_value: float) -> None:
    if not has_consent(user, Purpose.PERSONALISATION):
        return
    df = pd.DataFrame([{
        "user_id": user.pk,
        "session_key": session_key,
        "recent_categories": ",".join(viewed_categories[-5:]),
        "cart_value": cart_value,
        "event_timestamp": dt.datetime.now(dt.timezone.utc),
    }])
    store.write_to_online_store("user_session_features", df)


if __name__ == "__main__":
    cutoff = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=20)
    print("profiles:", refresh_user_profile_features(cutoff))
    print("items:", refresh_item_stats())
