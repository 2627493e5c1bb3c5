"""Consent records for the Flask storefront.

The cookie banner and the account privacy page write ``ConsentGrant`` rows;
``User.consents`` (from ``ConsentMixin``) answers "does this user currently
allow purpose X?".
"""
from __future__ import annotations

import enum
from datetime import datetime, timezone

from sqlalchemy import DateTime, Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from web.db import Base


class Purpose(enum.Enum):
    ANALYTICS = "analytics"
    MARKETING = "marketing"
    ADVERTISING = "advertising"
    PERSONALISATION = "personalisation"
    PROFILING = "profiling"


def _utcnow():
    return datetime.now(timezone.utc)


class ConsentGrant(Base):
    __tablename__ = "consent_grants"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    purpose: Mapped[Purpose] = mapped_column(Enum(Purpose, native_enum=False, length=32))
    source: Mapped[str] = mapped_column(String(32), default="banner")
    granted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class Consents:
    """The set of purposes a user currently allows."""

    def __init__(self, grants):
        self._purposes = {g.purpose for g in grants if g.withdrawn_at is None}

    def allows(self, purpose) -> bool:
        return Purpose(purpose) in self._purposes

    def __iter__(self):
        return iter(sorted(self._purposes, key=lambda p: p.value))

    def __repr__(self):
        return f"Consents({[p.value for p in self]})"


class ConsentMixin:
    """Mixed into ``web.models.User``."""

    @declared_attr
    def consent_grants(cls):
        return relationship(ConsentGrant, lazy="selectin", order_by=ConsentGrant.granted_at)

    @property
    def consents(self) -> Consents:
        return Consents(self.consent_grants)

    def grant(self, purpose, source="banner"):
        purpose = Purpose(purpose)
        if not self.consents.allows(purpose):
            self.consent_grants.append(ConsentGrant(purpose=purpose, source=source))

    def withdraw(self, purpose):
        purpose = Purpose(purpose)
        for g in self.consent_grants:
            if g.purpose is purpose and g.withdrawn_at is None:
                g.withdrawn_at = _utcnow()
