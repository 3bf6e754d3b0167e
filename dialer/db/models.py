"""The schema. Every time is a timezone-aware UTC datetime; money is Decimal."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from dialer.db.types import UtcDateTime, utcnow

MONEY = Numeric(14, 2)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UtcDateTime(), dict[str, Any]: JSON}  # noqa: RUF012


class Creditor(Base):
    __tablename__ = "creditor"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    callback_number: Mapped[str | None] = mapped_column(String(32))


class Portfolio(Base):
    __tablename__ = "portfolio"
    __table_args__ = (UniqueConstraint("creditor_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    creditor_id: Mapped[int] = mapped_column(ForeignKey("creditor.id"))
    name: Mapped[str] = mapped_column(String(200))
    creditor: Mapped[Creditor] = relationship()


class Campaign(Base):
    __tablename__ = "campaign"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    creditor_id: Mapped[int | None] = mapped_column(ForeignKey("creditor.id"))
    status: Mapped[str] = mapped_column(String(16), default="stopped")
    # Validated campaign settings (dialer.campaign.settings.CampaignSettings as JSON).
    settings: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Debtor(Base):
    __tablename__ = "debtor"
    __table_args__ = (
        # Also the index for every lookup by campaign.
        UniqueConstraint("campaign_id", "account_id"),
        # The hopper walks this index in priority order per status class. next_call_at is
        # a key column so debtors not yet due are skipped in the index, without reading
        # their rows. On PostgreSQL only the classes the hopper serves are indexed, so a
        # claimed or finished debtor leaves it (SQLite cannot prove `status = 'new'`
        # implies an IN list, so it keeps the whole index).
        Index(
            "ix_debtor_hopper",
            "campaign_id",
            "status",
            "priority",
            "id",
            "next_call_at",
            postgresql_where=text("status IN ('callback', 'new', 'ready', 'promised')"),
        ),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    # No index of its own: each index is one more write on every status change.
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"))
    portfolio_id: Mapped[int | None] = mapped_column(ForeignKey("portfolio.id"))
    account_id: Mapped[str] = mapped_column(String(64))
    first_name: Mapped[str] = mapped_column(String(100), default="")
    last_name: Mapped[str] = mapped_column(String(100), default="")
    balance: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    due_date: Mapped[date | None] = mapped_column(Date)
    timezone: Mapped[str] = mapped_column(String(64))
    postal_code: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="pl")
    extra: Mapped[dict[str, Any]] = mapped_column(default=dict)
    priority: Mapped[int] = mapped_column(Integer, default=0)
    # Dialling state the hopper maintains.
    status: Mapped[str] = mapped_column(String(16), default="new")
    next_call_at: Mapped[datetime | None]
    do_not_call_until: Mapped[datetime | None]
    last_contact_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    phones: Mapped[list[Phone]] = relationship(
        back_populates="debtor", order_by="Phone.position", cascade="all, delete-orphan"
    )


class Phone(Base):
    __tablename__ = "phone"
    __table_args__ = (UniqueConstraint("debtor_id", "position"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # 1..4, dialling order
    number_e164: Mapped[str] = mapped_column(String(20), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="unknown")  # mobile, home, work...
    timezone: Mapped[str | None] = mapped_column(String(64))
    bad: Mapped[bool] = mapped_column(Boolean, default=False)
    right_party_contacts: Mapped[int] = mapped_column(Integer, default=0)
    debtor: Mapped[Debtor] = relationship(back_populates="phones")


class DncEntry(Base):
    __tablename__ = "dnc_entry"
    id: Mapped[int] = mapped_column(primary_key=True)
    number_e164: Mapped[str] = mapped_column(String(20), unique=True)
    reason: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CallAttempt(Base):
    """One dial of one number, stored from the moment it is decided."""

    __tablename__ = "call_attempt"
    __table_args__ = (Index("ix_attempt_phone_time", "phone_id", "created_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(ForeignKey("debtor.id"), index=True)
    phone_id: Mapped[int] = mapped_column(ForeignKey("phone.id"))
    number_e164: Mapped[str] = mapped_column(String(20))
    action_id: Mapped[str] = mapped_column(String(64), unique=True)
    state: Mapped[str] = mapped_column(String(16), default="decided")
    outcome: Mapped[str | None] = mapped_column(String(16), index=True)
    amd_status: Mapped[str | None] = mapped_column(String(16))
    hangup_cause: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str | None] = mapped_column(String(128))
    uniqueid: Mapped[str | None] = mapped_column(String(64))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    originated_at: Mapped[datetime | None]
    answered_at: Mapped[datetime | None]
    bridged_at: Mapped[datetime | None]
    ended_at: Mapped[datetime | None]


class ScriptResult(Base):
    """A disposition or IVR script result: promise to pay, refusal, dispute, callback..."""

    __tablename__ = "script_result"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    debtor_id: Mapped[int | None] = mapped_column(ForeignKey("debtor.id"), index=True)
    campaign_id: Mapped[int | None] = mapped_column(ForeignKey("campaign.id"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    source: Mapped[str] = mapped_column(String(8))  # agent | ivr
    kind: Mapped[str] = mapped_column(String(32))  # promise_to_pay, refusal, dispute, ...
    amount: Mapped[Decimal | None] = mapped_column(MONEY)
    currency: Mapped[str | None] = mapped_column(String(3))
    promised_date: Mapped[date | None] = mapped_column(Date)
    callback_at: Mapped[datetime | None]
    callback_agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.id"))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IvrSession(Base):
    """One caller's way through an IVR script: path, inputs, outcome."""

    __tablename__ = "ivr_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"), index=True)
    script: Mapped[str] = mapped_column(String(100))
    script_version: Mapped[str] = mapped_column(String(64))
    channel: Mapped[str] = mapped_column(String(128), default="")
    path: Mapped[list[str]] = mapped_column(JSON, default=list)
    inputs: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    end_reason: Mapped[str | None] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    ended_at: Mapped[datetime | None]


class Agent(Base):
    __tablename__ = "agent"
    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    endpoint: Mapped[str] = mapped_column(String(64))  # e.g. PJSIP/agent1001
    skills: Mapped[dict[str, Any]] = mapped_column(default=dict)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class PauseReason(Base):
    __tablename__ = "pause_reason"
    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    label: Mapped[str] = mapped_column(String(100))
    allowance_s: Mapped[int] = mapped_column(Integer)  # longer than this is an overrun


class AgentStateEvent(Base):
    """Every agent state transition, for time accounting and audit."""

    __tablename__ = "agent_state_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.id"), index=True)
    from_state: Mapped[str] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    event: Mapped[str] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(32))
    attempt_id: Mapped[int | None] = mapped_column(ForeignKey("call_attempt.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
