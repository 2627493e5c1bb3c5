"""Item popularity tiers and "customers also bought" neighbours.

Runs hourly from cron.  Inputs are per-item view / order counts and order
baskets from the last 180 days.
"""
from __future__ import annotations

import os

import numpy as np
import pandas as pd
import scipy.sparse as sp
import sqlalchemy as sa
from sklearn.cluster import KMeans
from sklearn.decomposition import TruncatedSVD
from sklearn.neighbors import NearestNeighbors

engine = sa.create_engine(os.environ["WAREHOUSE_URL"])

COUNTS_SQL = """
SELECT item_id,
       COUNT(*)                   AS views_30d,
       COUNT(DISTINCT session_id) AS sessions_30d
FROM events.page_views
WHERE viewed_at >= now() - interval '30 days' AND item_id IS NOT NULL
GROUP BY item_id
"""

ORDERS_SQL = """
SELECT item_id, SUM(quantity) AS units_30d, COUNT(DISTINCT order_id) AS orders_30d
FROM sales.order_lines
WHERE created_at >= now() - interval '30 days'
GROUP BY item_id
"""

BASKETS_SQL = """
SELECT order_id, item_id
FROM sales.order_lines
WHERE created_at >= now() - interval '180 days'
"""


def popularity_tiers(n_tiers: int = 6) -> pd.DataFrame:
    views = pd.read_sql(COUNTS_SQL, engine)
    orders = pd.read_sql(ORDERS_SQL, engine)
    df = views.merge(orders, on="item_id", how="outer").fillna(0)
    X = np.log1p(df[["views_30d", "sessions_30d", "units_30d", "orders_30d"]].to_numpy())
    km = KMeans(n_clusters=n_tiers, n_init=10, random_state=7)
    km.fit(X)
    # order clusters by mean units so tier 0 is always the bestsellers
    order = np.argsort(-km.cluster_centers_[:, 2])
    rank = {c: i for i, c in enumerate(order)}
    df["tier"] = [rank[c] for c in km.labels_]
    return df[["item_id", "tier"]]


def also_bought(k: int = 20) -> pd.DataFrame:
    baskets = pd.read_sql(BASKETS_SQL, engine)
    items = baskets["item_id"].astype("category")
    order_idx = baskets["order_id"].astype("category").cat.codes
    m = sp.csr_matrix((np.ones(len(baskets)), (items.cat.codes, order_idx)))
    vectors = TruncatedSVD(n_components=64, random_state=7).fit_transform(m)
    nn = NearestNeighbors(n_neighbors=k + 1, metric="cosine")
    nn.fit(vectors)
    dist, idx = nn.kneighbors(vectors)
    cats = items.cat.categories
    rows = [
        (cats[i], cats[j], 1.0 - d)
        for i in range(len(cats))
        for j, d in zip(idx[i, 1:], dist[i, 1:])
    ]
    return pd.DataFrame(rows, columns=["item_id", "neighbour_id", "similarity"])


if __name__ == "__main__":
    popularity_tiers().to_sql("item_tiers", engine, schema="recs", if_exists="replace", index=False)
    also_bought().to_sql("item_neighbours", engine, schema="recs", if_exists="replace", index=False)
