"""Member profile embeddings.

Two member indexes are kept:
  * Pinecone ``members`` namespace, used by the "people like you" carousel;
  * Qdrant ``member_profiles``, used by the "members near you" suggestions.
Product embeddings for semantic search also live in Qdrant.
"""
from __future__ import annotations

import os

from django.db.models.signals import post_save
from django.dispatch import receiver
from pinecone import Pinecone
from qdrant_client import QdrantClient
from qdrant_client.models import PointStruct
from sentence_transformers import SentenceTransformer

from app.consent import Purpose, can_personalise, has_consent
from app.models import User
from catalog.models import Product

encoder = SentenceTransformer("all-MiniLM-L6-v2")
pc = Pinecone(api_key=os.environ["PINECONE_API_KEY"])
members_index = pc.Index("members")
qdrant = QdrantClient(url=os.environ.get("QDRANT_URL", "http://qdrant:6333"))


def age_band(age):
    if age is None:
        return "unknown"
    lo = (age // 10) * 10
    return f"{lo}-{lo + 9}"


def profile_text(user) -> str:
    interests = ", ".join(user.interests.values_list("name", flat=True))
    return f"{user.bio}\nInterests: {interests}\nLives in {user.city}, {user.country}"


def embed(text: str) -> list[float]:
    return encoder.encode(text, normalize_embeddings=True).tolist()


def index_people_like_you(user) -> None:
    if not can_personalise(user):
        return
    members_index.upsert(
        vectors=[{
            "id": f"user-{user.pk}",
            "values": embed(profile_text(user)),
            "metadata": {"city": user.city, "age_band": age_band(user.age)},
        }],
        namespace="members",
    )


def index_members_near_you(user) -> None:
    if not has_consent(user, Purpose.ANALYTICS):
        return
    qdrant.upsert(
        collection_name="member_profiles",
        points=[PointStruct(
            id=user.pk,
            vector=embed(profile_text(user)),
            payload={"city": user.city, "postcode": user.postcode, "gender": user.gender, "age": user.age},
        )],
    )


def index_product(product) -> None:
    text = f"{product.title}\n{product.description}\nCategory: {product.category.name}"
    qdrant.upsert(
        collection_name="products",
        points=[PointStruct(
            id=product.pk,
            vector=embed(text),
            payload={"title": product.title, "category": product.category.slug, "price": float(product.price)},
        )],
    )


@receiver(post_save, sender=User)
def _user_saved(sender, instance, **kwargs):
    index_people_like_you(instance)
    index_members_near_you(instance)


@receiver(post_save, sender=Product)
def _product_saved(sender, instance, **kwargs):
    index_product(instance)
