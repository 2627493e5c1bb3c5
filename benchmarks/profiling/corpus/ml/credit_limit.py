"""Credit models for the pay-later product.

``fit_limit_model`` explains current limits for the quarterly limit review;
``train_default_model`` is the application-time default-risk model.
"""
from __future__ import annotations

import logging
import os

import pandas as pd
import sqlalchemy as sa
import statsmodels.formula.api as smf
from catboost import CatBoostClassifier, Pool

from app.consent import can_profile
from lending.models import CreditAccount

log = logging.getLogger(__name__)
engine = sa.create_engine(os.environ["WAREHOUSE_URL"])


def collect_limit_rows() -> pd.DataFrame:
    rows = []
    skipped = 0
    accounts = CreditAccount.objects.select_related("user").filter(status="active")
    for acct in accounts.iterator(chunk_size=2000):
        if not can_profile(acct.user):
            skipped += 1
            continue
        rows.append({
            "limit": float(acct.credit_limit),
            "income": float(acct.user.annual_income or 0),
            "age": acct.user.age,
            "region": acct.region,
            "utilisation": float(acct.utilisation),
            "months_on_book": acct.months_on_book,
        })
    log.info("limit review: %d accounts used, %d skipped", len(rows), skipped)
    return pd.DataFrame.from_records(rows)


def fit_limit_model():
    df = collect_limit_rows()
    result = smf.ols("limit ~ income + age + utilisation + months_on_book + C(region)", data=df).fit()
    log.info("limit model R2=%.3f on %d rows", result.rsquared, len(df))
    return result


APPLICATIONS_SQL = """
SELECT a.application_id, a.applicant_age, a.annual_income, a.employment_status,
       a.postcode, a.housing_status, a.requested_amount, a.defaulted_12m
FROM lending.applications a
WHERE a.decided_at < now() - interval '12 months'
"""

CAT_FEATURES = ["employment_status", "postcode_district", "housing_status"]


def train_default_model() -> CatBoostClassifier:
    apps = pd.read_sql(APPLICATIONS_SQL, engine)
    apps["postcode_district"] = apps["postcode"].str.split().str[0]
    X = apps[["applicant_age", "annual_income", "requested_amount"] + CAT_FEATURES]
    y = apps["defaulted_12m"].astype(int)
    model = CatBoostClassifier(iterations=800, depth=6, learning_rate=0.05, eval_metric="AUC", verbose=100)
    model.fit(Pool(X, y, cat_features=CAT_FEATURES))
    model.save_model("/var/lib/ml/default_risk.cbm")
    return model


if __name__ == "__main__":
    print(fit_limit_model().summary())
    train_default_model()
