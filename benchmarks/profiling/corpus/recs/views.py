"""Recommendation endpoints backing the storefront carousels."""
from __future__ import annotations

import analytics  # segment
import boto3
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from app.consent import Purpose, requires_consent
from catalog.models import Product
from catalog.serializers import product_cards

personalize_runtime = boto3.client("personalize-runtime", region_name=settings.AWS_REGION)
personalize_events = boto3.client("personalize-events", region_name=settings.AWS_REGION)


def _products(resp):
    ids = [int(i["itemId"]) for i in resp.get("itemList", [])]
    found = Product.objects.in_bulk(ids)
    return [found[i] for i in ids if i in found]


@login_required
@require_GET
@requires_consent(Purpose.PERSONALISATION)
def recommended_for_you(request):
    resp = personalize_runtime.get_recommendations(
        campaignArn=settings.PERSONALIZE_CAMPAIGN_ARN,
        userId=str(request.user.pk),
        numResults=12,
        context={"DEVICE": request.headers.get("X-Device-Type", "web")},
    )
    return JsonResponse({"items": product_cards(_products(resp))})


@require_GET
def trending(request):
    resp = personalize_runtime.get_recommendations(
        recommenderArn=settings.PERSONALIZE_TRENDING_ARN,
        numResults=20,
    )
    return JsonResponse({"items": product_cards(_products(resp))})


@require_GET
def related_items(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    resp = personalize_runtime.get_recommendations(
        campaignArn=settings.PERSONALIZE_SIMS_CAMPAIGN_ARN,
        itemId=str(product.pk),
        numResults=8,
    )
    return JsonResponse({"items": product_cards(_products(resp))})


@login_required
@require_POST
@requires_consent("analytics")
def product_viewed(request, product_id):
    product = get_object_or_404(Product, pk=product_id)
    analytics.track(str(request.user.pk), "Product Viewed", {
        "product_id": product.pk,
        "category": product.category.slug,
        "price": float(product.price),
    })
    personalize_events.put_events(
        trackingId=settings.PERSONALIZE_TRACKING_ID,
        userId=str(request.user.pk),
        sessionId=request.session.session_key or "anon",
        eventList=[{
            "eventType": "view",
            "itemId": str(product.pk),
            "sentAt": timezone.now(),
        }],
    )
    return JsonResponse({"ok": True})
