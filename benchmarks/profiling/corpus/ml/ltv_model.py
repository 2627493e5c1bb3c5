"""12-month customer lifetime value model.

The production model uses behavioural aggregates only.  The warehouse view
also carries contact and demographic columns for the CRM export, so those are
dropped before training and scoring.
"""
from __future__ import annotations

import argparse
import logging
import os

import pandas as pd
import sqlalchemy as sa
import xgboost as xgb

log = logging.getLogger(__name__)

engine = sa.create_engine(os.environ.get("WAREHOUSE_URL", "postgresql://warehouse/analytics"))

LTV_QUERY = """
SELECT customer_id, email, age, gender, postcode,
       orders_90d, avg_basket_90d, days_since_last_order, refunds_90d,
       sessions_30d, ltv_12m
FROM mart.customer_ltv_training
WHERE cohort_month <= %(cutoff)s
"""

CONTACT_AND_DEMOGRAPHIC = ["customer_id", "email", "age", "gender", "postcode"]
TARGET = "ltv_12m"


def load(cutoff: str) -> pd.DataFrame:
    return pd.read_sql(LTV_QUERY, engine, params={"cutoff": cutoff})


def train_behavioural(df: pd.DataFrame) -> xgb.XGBRegressor:
    features = df.drop(columns=CONTACT_AND_DEMOGRAPHIC + [TARGET])
    model = xgb.XGBRegressor(n_estimators=400, max_depth=5, learning_rate=0.05, subsample=0.8)
    model.fit(features, df[TARGET])
    model.feature_names_ = list(features.columns)
    return model


def score_behavioural(model, df: pd.DataFrame) -> pd.Series:
    features = df.drop(columns=CONTACT_AND_DEMOGRAPHIC + [TARGET], errors="ignore")
    preds = model.predict(features[model.feature_names_])
    return pd.Series(preds, index=df["customer_id"], name="predicted_ltv")


def train_with_demographics(df: pd.DataFrame) -> xgb.Booster:
    """Q3 experiment: does adding age / gender / postcode area improve RMSE?"""
    df = df.assign(
        gender_code=df["gender"].map({"F": 0, "M": 1}).fillna(2),
        postcode_area=df["postcode"].str.extract(r"^([A-Z]{1,2})", expand=False).astype("category").cat.codes,
    )
    cols = ["age", "gender_code", "postcode_area", "orders_90d", "avg_basket_90d", "days_since_last_order"]
    dtrain = xgb.DMatrix(df[cols], label=df[TARGET])
    params = {"objective": "reg:squarederror", "max_depth": 5, "eta": 0.05, "subsample": 0.8}
    booster = xgb.train(params, dtrain, num_boost_round=400)
    return booster


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--cutoff", required=True)
    p.add_argument("--variant", choices=["behavioural", "demographics"], default="behavioural")
    p.add_argument("--out", default="ltv.json")
    args = p.parse_args()

    df = load(args.cutoff)
    if args.variant == "demographics":
        booster = train_with_demographics(df)
        booster.save_model(args.out)
    else:
        model = train_behavioural(df)
        model.save_model(args.out)
        score_behavioural(model, df).to_csv("ltv_scores.csv")
    log.info("saved %s model to %s", args.variant, args.out)


if __name__ == "__main__":
    main()
