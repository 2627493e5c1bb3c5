"""Background sync from the account database to the marketing and ads tools."""
from __future__ import annotations

import hashlib
import logging

import mailchimp_marketing as MailchimpMarketing
from celery import shared_task
from customerio import CustomerIO, Regions
from django.conf import settings
from google.ads.googleads.client import GoogleAdsClient
from klaviyo_api import KlaviyoAPI

from app.consent import Purpose, has_consent
from app.models import User
from orders.models import Order

log = logging.getLogger(__name__)

mailchimp = MailchimpMarketing.Client()
mailchimp.set_config({"api_key": settings.MAILCHIMP_API_KEY, "server": settings.MAILCHIMP_SERVER})
cio = CustomerIO(settings.CIO_SITE_ID, settings.CIO_API_KEY, region=Regions.EU)
klaviyo = KlaviyoAPI(settings.KLAVIYO_PRIVATE_KEY, max_delay=60, max_retries=3)
google_ads = GoogleAdsClient.load_from_storage(settings.GOOGLE_ADS_YAML)

RETRY = dict(autoretry_for=(Exception,), retry_backoff=True, max_retries=5)


def _sha256(value: str) -> str:
    return hashlib.sha256(value.strip().lower().encode()).hexdigest()


@shared_task(**RETRY)
def sync_newsletter_member(user_id: int):
    user = User.objects.get(pk=user_id)
    if not user.marketing_opt_in:
        return
    subscriber_hash = hashlib.md5(user.email.lower().encode()).hexdigest()
    mailchimp.lists.set_list_member(settings.MAILCHIMP_LIST_ID, subscriber_hash, {
        "email_address": user.email,
        "status_if_new": "subscribed",
        "merge_fields": {"FNAME": user.first_name, "LNAME": user.last_name, "CITY": user.city},
    })


@shared_task(**RETRY)
def push_order_placed(order_id: int):
    order = Order.objects.select_related("user").get(pk=order_id)
    if not has_consent(order.user, Purpose.ANALYTICS):
        return
    klaviyo.Events.create_event({
        "data": {
            "type": "event",
            "attributes": {
                "metric": {"data": {"type": "metric", "attributes": {"name": "Placed Order"}}},
                "profile": {"data": {"type": "profile", "attributes": {
                    "email": order.user.email,
                    "phone_number": order.user.phone,
                }}},
                "properties": {"order_id": order.pk, "items": [ln.sku for ln in order.lines.all()]},
                "value": float(order.total),
                "unique_id": f"order-{order.pk}",
            },
        },
    })


@shared_task(**RETRY)
def identify_in_customerio(user_id: int):
    user = User.objects.get(pk=user_id)
    cio.identify(
        id=str(user.pk),
        email=user.email,
        first_name=user.first_name,
        plan=user.plan,
        created_at=int(user.date_joined.timestamp()),
    )


@shared_task(**RETRY)
def upload_offline_conversion(order_id: int):
    """Report a completed order back to Google Ads against the click that led to it."""
    order = Order.objects.select_related("user").get(pk=order_id)
    if not order.gclid:
        return
    service = google_ads.get_service("ConversionUploadService")
    conversion = google_ads.get_type("ClickConversion")
    conversion.conversion_action = settings.GOOGLE_ADS_PURCHASE_ACTION
    conversion.gclid = order.gclid
    conversion.conversion_value = float(order.total)
    conversion.currency_code = order.currency
    conversion.conversion_date_time = order.created_at.strftime("%Y-%m-%d %H:%M:%S+00:00")
    identifier = google_ads.get_type("UserIdentifier")
    identifier.hashed_email = _sha256(order.user.email)
    conversion.user_identifiers.append(identifier)

    request = google_ads.get_type("UploadClickConversionsRequest")
    request.customer_id = settings.GOOGLE_ADS_CUSTOMER_ID
    request.conversions.append(conversion)
    request.partial_failure = True
    response = service.upload_click_conversions(request=request)
    if response.partial_failure_error:
        log.warning("google ads upload partial failure: %s", response.partial_failure_error.message)
