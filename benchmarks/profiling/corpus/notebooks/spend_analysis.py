# ---
# Exported from notebooks/spend_analysis.ipynb (jupytext, percent format)
# ---

# %% [markdown]
# # Spend drivers & customer segments
# Quick look for the Q2 planning deck: how does annual spend vary with age,
# income and gender, and what natural segments fall out of the data?

# %%
import os

import matplotlib.pyplot as plt
import pandas as pd
import sqlalchemy as sa
import statsmodels.api as sm
import statsmodels.formula.api as smf
from sklearn.cluster import KMeans

engine = sa.create_engine(os.environ["WAREHOUSE_URL"])

# %%
customers = pd.read_sql(
    """
    SELECT customer_id, gender, date_of_birth, postcode, annual_income,
           browsing_minutes_30d, sessions_30d, spend_12m
    FROM mart.customer_360
    WHERE spend_12m > 0
    """,
    engine,
    parse_dates=["date_of_birth"],
)
customers["age"] = (pd.Timestamp("2024-04-01") - customers["date_of_birth"]).dt.days // 365
customers.describe()

# %% [markdown]
# ## Spend ~ demographics

# %%
ols = smf.ols("spend_12m ~ age + I(age**2) + annual_income + C(gender)", data=customers).fit()
print(ols.summary())

# %%
fig, ax = plt.subplots(figsize=(8, 4))
by_age = customers.groupby(pd.cut(customers["age"], [18, 25, 35, 45, 55, 65, 90]))["spend_12m"].median()
by_age.plot.bar(ax=ax)
ax.set_ylabel("median 12m spend")

# %% [markdown]
# ## Segments
# z-score the behavioural and demographic columns and run k-means.

# %%
seg_cols = ["age", "annual_income", "browsing_minutes_30d", "sessions_30d", "spend_12m"]
Z = customers[seg_cols].fillna(customers[seg_cols].median())
Z = (Z - Z.mean()) / Z.std()
km = KMeans(n_clusters=5, n_init=20, random_state=1)
km.fit(Z.values)
customers["segment"] = km.labels_
customers.groupby("segment")[seg_cols].mean().round(1)

# %%
# the CRM team picks these up for campaign audiences
customers[["customer_id", "segment"]].to_sql(
    "customer_segments", engine, schema="crm", if_exists="replace", index=False
)

# %% [markdown]
# ## Baseline: coffee price vs weekly units

# %%
weekly = pd.read_sql(
    "SELECT week, avg_price, units FROM mart.weekly_category_sales WHERE category = 'coffee'",
    engine,
)
baseline = sm.OLS(weekly["units"], sm.add_constant(weekly["avg_price"])).fit()
baseline.params
