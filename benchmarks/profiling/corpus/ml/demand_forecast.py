"""Store x SKU daily demand forecast (LightGBM) and a quick price elasticity fit."""
from __future__ import annotations

import os

import lightgbm as lgb
import numpy as np
import pandas as pd
import sqlalchemy as sa
import statsmodels.api as sm

engine = sa.create_engine(os.environ["WAREHOUSE_URL"])

SALES_SQL = """
SELECT s.day, s.store_id, s.sku, s.units_sold, s.price, s.promo_flag,
       i.on_hand, i.on_order
FROM mart.daily_store_sales s
JOIN mart.daily_inventory i USING (day, store_id, sku)
WHERE s.day >= %(since)s
"""

FEATURES = ["store_id", "sku", "price", "promo_flag", "on_hand", "on_order",
            "temp_max_c", "precip_mm", "dow", "week"]


def load_training_frame(since: str) -> pd.DataFrame:
    sales = pd.read_sql(SALES_SQL, engine, params={"since": since}, parse_dates=["day"])
    weather = pd.read_csv("s3://ops-data/weather/daily_by_store.csv", parse_dates=["day"])
    df = sales.merge(weather[["day", "store_id", "temp_max_c", "precip_mm"]],
                     on=["day", "store_id"], how="left")
    df["dow"] = df["day"].dt.dayofweek
    df["week"] = df["day"].dt.isocalendar().week.astype(int)
    df["store_id"] = df["store_id"].astype("category")
    df["sku"] = df["sku"].astype("category")
    return df


def train_forecaster(df: pd.DataFrame) -> lgb.Booster:
    cutoff = df["day"].max() - pd.Timedelta(days=28)
    train, valid = df[df["day"] <= cutoff], df[df["day"] > cutoff]
    train_set = lgb.Dataset(train[FEATURES], label=train["units_sold"])
    valid_set = lgb.Dataset(valid[FEATURES], label=valid["units_sold"], reference=train_set)
    params = {
        "objective": "tweedie",
        "learning_rate": 0.05,
        "num_leaves": 63,
        "min_data_in_leaf": 50,
        "verbose": -1,
    }
    booster = lgb.train(params, train_set, num_boost_round=2000, valid_sets=[valid_set],
                        callbacks=[lgb.early_stopping(100)])
    return booster


def price_elasticity(df: pd.DataFrame, sku: str) -> float:
    """Log-log regression of units on price for one SKU, controlling for promos and weather."""
    d = df[(df["sku"] == sku) & (df["units_sold"] > 0)]
    X = pd.DataFrame({
        "log_price": np.log(d["price"]),
        "promo": d["promo_flag"].astype(int),
        "temp": d["temp_max_c"].fillna(d["temp_max_c"].mean()),
    })
    fit = sm.OLS(np.log(d["units_sold"]), sm.add_constant(X)).fit()
    return float(fit.params["log_price"])


if __name__ == "__main__":
    frame = load_training_frame("2023-01-01")
    model = train_forecaster(frame)
    model.save_model("/var/lib/ml/demand_lgb.txt")
    for sku in ["COF-250-ESP", "COF-1KG-HOUSE", "TEA-50-EARL"]:
        print(sku, round(price_elasticity(frame, sku), 3))
