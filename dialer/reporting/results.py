"""Script results: what debtors declared per creditor and portfolio, and when the list ends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import CallAttempt, Campaign, Creditor, Debtor, Portfolio, ScriptResult
from dialer.db.outcomes import ResultKind
from dialer.db.types import utcnow

# Debtor.status values after which the hopper never dials the debtor again.
FINISHED_DEBTOR_STATUSES = frozenset(
    {"done", "closed", "finished", "paid", "exhausted", "dnc", "invalid", "wrong_party"}
)
PACE_WINDOW = timedelta(days=7)
MIN_PACE_S = 60.0


@dataclass
class ResultGroup:
    creditor: str
    portfolio: str
    currency: str
    promises: int = 0
    promised_amount: Decimal = Decimal("0")
    kinds: Counter[str] = field(default_factory=Counter)

    def row(self) -> dict[str, object]:
        return {
            "creditor": self.creditor,
            "portfolio": self.portfolio,
            "currency": self.currency,
            "promises": self.promises,
            "promised_amount": f"{self.promised_amount:.2f}",
            **{kind.value: self.kinds.get(kind.value, 0) for kind in ResultKind},
            "total": sum(self.kinds.values()),
        }


@dataclass(frozen=True)
class Projection:
    debtors_remaining: int
    attempts_per_debtor: float
    attempts_per_hour: float  # calendar pace over the last seven days (or since the first call)
    hours_left: float | None
    projected_end: datetime | None


@dataclass(frozen=True)
class ScriptResultsReport:
    campaign: str | None
    groups: list[ResultGroup]
    projection: Projection | None

    def rows(self) -> list[dict[str, object]]:
        return [group.row() for group in self.groups]


async def _projection(session: AsyncSession, campaign_id: int, now: datetime) -> Projection:
    remaining = await session.scalar(
        select(func.count())
        .select_from(Debtor)
        .where(Debtor.campaign_id == campaign_id, Debtor.status.not_in(FINISHED_DEBTOR_STATUSES))
    )
    attempts, attempted = (
        await session.execute(
            select(func.count(), func.count(func.distinct(CallAttempt.debtor_id))).where(
                CallAttempt.campaign_id == campaign_id
            )
        )
    ).one()
    recent, first = (
        await session.execute(
            select(func.count(), func.min(CallAttempt.created_at)).where(
                CallAttempt.campaign_id == campaign_id,
                CallAttempt.created_at >= now - PACE_WINDOW,
            )
        )
    ).one()
    per_debtor = max(attempts / attempted, 1.0) if attempted else 1.0
    # Calendar pace (nights and pauses included) since the window's first attempt, so a
    # campaign started an hour ago is not judged over seven days.
    elapsed = max((now - first).total_seconds(), MIN_PACE_S) if first else 0.0
    per_hour = recent * 3600 / elapsed if elapsed else 0.0
    left = int(remaining or 0)
    hours = left * per_debtor / per_hour if per_hour > 0 else None
    end = now + timedelta(hours=hours) if hours is not None else None
    return Projection(left, per_debtor, per_hour, hours, end)


async def script_results(
    sessions: async_sessionmaker[AsyncSession],
    campaign_name: str | None = None,
    *,
    since: datetime | None = None,
    now: datetime | None = None,
) -> ScriptResultsReport:
    """Counts and promised amounts per creditor/portfolio; one campaign or all of them."""
    now = now or utcnow()
    query = (
        select(
            ScriptResult.kind,
            ScriptResult.amount,
            ScriptResult.currency,
            Debtor.currency,
            Portfolio.name,
            Creditor.name,
        )
        .join(Debtor, Debtor.id == ScriptResult.debtor_id, isouter=True)
        .join(Portfolio, Portfolio.id == Debtor.portfolio_id, isouter=True)
        .join(Creditor, Creditor.id == Portfolio.creditor_id, isouter=True)
    )
    if since is not None:
        query = query.where(ScriptResult.created_at >= since)
    async with sessions() as session:
        campaign = None
        if campaign_name is not None:
            campaign = (
                await session.execute(select(Campaign).where(Campaign.name == campaign_name))
            ).scalar_one_or_none()
            if campaign is None:
                raise LookupError(campaign_name)
            query = query.where(ScriptResult.campaign_id == campaign.id)
        rows = (await session.execute(query)).all()
        projection = await _projection(session, campaign.id, now) if campaign else None
    groups: dict[tuple[str, str, str], ResultGroup] = {}
    for kind, amount, result_currency, debtor_currency, portfolio, creditor in rows:
        currency = result_currency or debtor_currency or ""
        key = (creditor or "", portfolio or "", currency)
        group = groups.setdefault(key, ResultGroup(*key))
        group.kinds[kind] += 1
        if kind == ResultKind.PROMISE_TO_PAY:
            group.promises += 1
            group.promised_amount += amount or Decimal("0")
    ordered = [groups[key] for key in sorted(groups)]
    return ScriptResultsReport(campaign_name, ordered, projection)
