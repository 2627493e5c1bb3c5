"""Mentor matching: members describe themselves and we suggest mentors with
similar backgrounds.  Profiles and interests are embedded and kept in Chroma."""
from __future__ import annotations

import os

import chromadb
from fastapi import APIRouter, Depends, HTTPException, status
from pydantic import BaseModel, Field
from sentence_transformers import SentenceTransformer
from sqlalchemy.orm import Session

from members.auth import current_member
from members.db import Member, get_db

router = APIRouter(prefix="/members", tags=["matching"])

chroma = chromadb.HttpClient(host=os.environ.get("CHROMA_HOST", "chroma"), port=8000)
profiles = chroma.get_or_create_collection("member_profiles", metadata={"hnsw:space": "cosine"})
interests = chroma.get_or_create_collection("member_interests", metadata={"hnsw:space": "cosine"})
encoder = SentenceTransformer("all-MiniLM-L6-v2")


def consent_required(purpose: str):
    """Route dependency: 403 unless the current member has an active grant for ``purpose``."""
    def checker(member: Member = Depends(current_member)) -> Member:
        granted = {c.purpose for c in member.consents if c.withdrawn_at is None}
        if purpose not in granted:
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"{purpose} consent required")
        return member
    return checker


class ProfileUpdate(BaseModel):
    headline: str = Field(max_length=140)
    bio: str = Field(max_length=4000)
    city: str | None = None
    employer: str | None = None
    years_experience: int | None = None


class InterestsUpdate(BaseModel):
    topics: list[str] = Field(min_length=1, max_length=30)


@router.put("/me/profile")
def update_profile(
    body: ProfileUpdate,
    member: Member = Depends(current_member),
    db: Session = Depends(get_db),
):
    for field, value in body.model_dump(exclude_unset=True).items():
        setattr(member, field, value)
    db.commit()

    text = f"{member.headline}\n{member.bio}\n{member.employer or ''}"
    profiles.upsert(
        ids=[str(member.id)],
        embeddings=[encoder.encode(text).tolist()],
        metadatas=[{
            "city": member.city or "",
            "email": member.email,
            "years_experience": member.years_experience or 0,
        }],
        documents=[member.bio],
    )
    return {"ok": True}


@router.put("/me/interests", dependencies=[Depends(consent_required("personalisation"))])
def update_interests(
    body: InterestsUpdate,
    member: Member = Depends(current_member),
    db: Session = Depends(get_db),
):
    new_topics = [t for t in body.topics if t not in (member.topics or [])]
    member.topics = body.topics
    db.commit()
    if new_topics:
        interests.add(
            ids=[f"{member.id}:{t}" for t in new_topics],
            embeddings=encoder.encode(new_topics).tolist(),
            metadatas=[{"member_id": member.id, "topic": t} for t in new_topics],
            documents=new_topics,
        )
    return {"ok": True, "topics": len(body.topics)}
