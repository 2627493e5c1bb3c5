"""Celery tasks that feed interactions and user attributes to the recommenders.

Recombee powers the on-site "you may also like" widgets, AWS Personalize the
"for you" carousel, and Google Retail (Vertex AI Search for commerce) ranks
search results in the mobile app.
"""
from __future__ import annotations

import json

import boto3
from celery import shared_task
from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from google.cloud import retail_v2
from recombee_api_client.api_client import RecombeeClient, Region
from recombee_api_client.api_requests import AddDetailView, AddPurchase, SetUserValues

from app.consent import can_personalise
from app.models import User
from orders.models import Order

recombee = RecombeeClient(settings.RECOMBEE_DB_ID, settings.RECOMBEE_PRIVATE_TOKEN, region=Region.EU_WEST)
personalize_events = boto3.client("personalize-events", region_name=settings.AWS_REGION)
retail_client = retail_v2.UserEventServiceClient()
RETAIL_PARENT = f"projects/{settings.GCP_PROJECT}/locations/global/catalogs/default_catalog"


@shared_task(ignore_result=True)
def send_detail_view(user_id: int, item_id: int, timestamp: str, duration: float | None = None):
    user = User.objects.get(pk=user_id)
    if not can_personalise(user):
        return
    recombee.send(AddDetailView(str(user_id), str(item_id), timestamp=timestamp, duration=duration, cascade_create=True))


@shared_task(ignore_result=True)
def send_purchase(order_id: int):
    order = Order.objects.select_related("user").prefetch_related("lines").get(pk=order_id)
    if not can_personalise(order.user):
        return
    for line in order.lines.all():
        recombee.send(AddPurchase(
            str(order.user_id), str(line.product_id),
            timestamp=order.created_at.isoformat(),
            amount=line.quantity,
            price=float(line.unit_price),
            cascade_create=True,
        ))


@shared_task(ignore_result=True)
def sync_user_properties(user_id: int):
    user = User.objects.get(pk=user_id)
    recombee.send(SetUserValues(str(user.pk), {
        "age": user.age,
        "gender": user.gender,
        "city": user.city,
        "country": user.country,
    }, cascade_create=True))


@shared_task(ignore_result=True)
def sync_personalize_user(user_id: int):
    user = User.objects.get(pk=user_id)
    if not can_personalise(user):
        return
    personalize_events.put_users(
        datasetArn=settings.PERSONALIZE_USERS_DATASET_ARN,
        users=[{
            "userId": str(user.pk),
            "properties": json.dumps({"AGE_BAND": user.age // 10 * 10 if user.age else 0,
                                      "MEMBERSHIP": user.plan}),
        }],
    )


@shared_task(ignore_result=True)
def write_retail_event(user_id: int, visitor_id: str, product_id: int, event_type: str = "detail-page-view"):
    user = User.objects.get(pk=user_id)
    event = retail_v2.UserEvent(
        event_type=event_type,
        visitor_id=visitor_id,
        user_info=retail_v2.UserInfo(user_id=str(user.pk), ip_address=user.last_login_ip or ""),
        product_details=[retail_v2.ProductDetail(product=retail_v2.Product(id=str(product_id)))],
    )
    retail_client.write_user_event(request=retail_v2.WriteUserEventRequest(parent=RETAIL_PARENT, user_event=event))


@receiver(post_save, sender=User)
def _queue_user_sync(sender, instance, created, **kwargs):
    sync_user_properties.delay(instance.pk)
    sync_personalize_user.delay(instance.pk)
