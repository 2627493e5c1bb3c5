"""Third-party tracking for the Flask storefront.

Calls to analytics, search-insights and ads vendors are kept in this module
so there is one place to review them.
"""
from __future__ import annotations

import time

import analytics  # segment
import posthog
from algoliasearch.insights_client import InsightsClient
from facebook_business.adobjects.serverside.custom_data import CustomData
from facebook_business.adobjects.serverside.event import Event
from facebook_business.adobjects.serverside.event_request import EventRequest
from facebook_business.adobjects.serverside.user_data import UserData
from facebook_business.api import FacebookAdsApi
from flask import Blueprint, current_app, request
from flask_login import current_user, user_logged_in
from mixpanel import Mixpanel

from web.consent import Purpose

bp = Blueprint("tracking", __name__, url_prefix="/t")

mp: Mixpanel | None = None
insights: InsightsClient | None = None


def init_tracking(app):
    global mp, insights
    analytics.write_key = app.config["SEGMENT_WRITE_KEY"]
    posthog.project_api_key = app.config["POSTHOG_KEY"]
    posthog.host = "https://eu.posthog.com"
    mp = Mixpanel(app.config["MIXPANEL_TOKEN"])
    insights = InsightsClient.create(app.config["ALGOLIA_APP_ID"], app.config["ALGOLIA_API_KEY"])
    FacebookAdsApi.init(access_token=app.config["META_CAPI_TOKEN"])
    app.register_blueprint(bp)
    user_logged_in.connect(_on_login, app)


def _on_login(sender, user, **extra):
    if user.consents.allows(Purpose.ANALYTICS):
        analytics.identify(str(user.id), {
            "email": user.email,
            "name": user.full_name,
            "plan": user.plan,
            "created_at": user.created_at.isoformat(),
        })


def track_signup(user, referrer: str | None):
    """Called from auth.views.register once the account row is committed."""
    mp.track(str(user.id), "Signed Up", {
        "$email": user.email,
        "$name": user.full_name,
        "country": user.country,
        "referrer": referrer or "direct",
    })


def track_checkout(user, order):
    """Called from checkout.views.complete."""
    if not user.consents.allows(Purpose.MARKETING):
        return
    analytics.track(str(user.id), "Order Completed", {
        "order_id": order.id,
        "revenue": float(order.total),
        "currency": order.currency,
        "products": [{"sku": ln.sku, "quantity": ln.quantity} for ln in order.lines],
    })


def send_meta_purchase(user, order):
    """Called from checkout.views.complete."""
    if not user.consents.allows(Purpose.ADVERTISING):
        return
    event = Event(
        event_name="Purchase",
        event_time=int(time.time()),
        action_source="website",
        event_source_url=request.url_root + "checkout/complete",
        user_data=UserData(
            email=user.email,
            client_ip_address=request.remote_addr,
            client_user_agent=request.user_agent.string,
        ),
        custom_data=CustomData(currency=order.currency.lower(), value=float(order.total)),
    )
    EventRequest(events=[event], pixel_id=current_app.config["META_PIXEL_ID"]).execute()


@bp.post("/search-click")
def search_click():
    body = request.get_json(force=True)
    token = str(current_user.id) if current_user.is_authenticated else request.cookies.get("_ALGOLIA", "anon")
    insights.user(token).clicked_object_ids_after_search(
        "Product Clicked", body["index"], [body["object_id"]], [int(body["position"])], body["query_id"],
    )
    return "", 204


@bp.post("/search-conversion")
def search_conversion():
    body = request.get_json(force=True)
    if not (current_user.is_authenticated and current_user.consents.allows(Purpose.PERSONALISATION)):
        return "", 204
    insights.user(str(current_user.id)).converted_object_ids_after_search(
        "Added To Cart", body["index"], [body["object_id"]], body["query_id"],
    )
    return "", 204


@bp.post("/pageview")
def pageview():
    if not current_user.is_authenticated or not current_user.consents.allows(Purpose.ANALYTICS):
        return "", 204
    posthog.capture(str(current_user.id), "$pageview", {
        "$current_url": request.json.get("url"),
        "plan": current_user.plan,
    })
    return "", 204
