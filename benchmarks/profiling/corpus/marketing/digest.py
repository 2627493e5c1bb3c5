"""Weekly "picked for you" digest e-mail.

Celery beat runs ``fan_out_digest`` on Monday mornings.  Klaviyo renders the
e-mail from the ``Weekly Digest`` metric event and its properties.
"""
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from klaviyo_api import KlaviyoAPI
from recombee_api_client.api_client import RecombeeClient, Region
from recombee_api_client.api_requests import RecommendItemsToUser

from app.consent import Purpose, has_consent
from app.models import User
from catalog.models import Product

recombee = RecombeeClient(settings.RECOMBEE_DB_ID, settings.RECOMBEE_PRIVATE_TOKEN, region=Region.EU_WEST)
klaviyo = KlaviyoAPI(settings.KLAVIYO_PRIVATE_KEY, max_delay=60, max_retries=3)


def bestsellers(n=6):
    return list(
        Product.objects.filter(is_active=True)
        .annotate(n_orders=Count("order_lines"))
        .order_by("-n_orders")[:n]
    )


def _card(p):
    return {"id": p.pk, "title": p.title, "price": str(p.price), "image": p.image_url, "url": p.get_absolute_url()}


@shared_task(rate_limit="20/s")
def send_weekly_digest(user_id: int):
    user = User.objects.get(pk=user_id)
    if not has_consent(user, Purpose.MARKETING):
        return "skipped"

    resp = recombee.send(RecommendItemsToUser(str(user.pk), 6, scenario="weekly-digest", return_properties=False))
    ids = [int(r["id"]) for r in resp.get("recomms", [])]
    products = list(Product.objects.filter(pk__in=ids, is_active=True)) or bestsellers()

    klaviyo.Events.create_event({
        "data": {
            "type": "event",
            "attributes": {
                "metric": {"data": {"type": "metric", "attributes": {"name": "Weekly Digest"}}},
                "profile": {"data": {"type": "profile", "attributes": {
                    "email": user.email,
                    "first_name": user.first_name,
                }}},
                "properties": {"products": [_card(p) for p in products]},
                "unique_id": f"digest-{user.pk}-{timezone.now():%G-%V}",
            },
        },
    })
    return "sent"


@shared_task
def fan_out_digest():
    for uid in User.objects.filter(is_active=True).values_list("pk", flat=True).iterator():
        send_weekly_digest.delay(uid)
