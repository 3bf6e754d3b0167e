"""Campaign statistics: outcomes, abandon rates over three windows, penetration, dial ratio.

The abandon rate follows the UK regulator's rule: calls the answering-machine detector
called "machine" but were really people (estimated with a false-positive rate) count as
abandoned, in the numerator and in the live-call denominator.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import CallAttempt, Campaign, Debtor
from dialer.db.outcomes import HUMAN_OUTCOMES, AttemptOutcome
from dialer.db.types import utcnow

DEFAULT_AMD_FALSE_POSITIVE_RATE = 0.0
DEFAULT_BUCKET = timedelta(minutes=15)


class UnknownCampaign(LookupError):
    pass


@dataclass(frozen=True)
class OutcomeCounts:
    dialled: int = 0
    answered: int = 0  # person or machine
    human: int = 0  # every call a person answered (connected, IVR, abandoned, unrefined human)
    connected: int = 0
    ivr: int = 0
    machine: int = 0
    busy: int = 0
    no_answer: int = 0
    congestion: int = 0
    failed: int = 0
    abandoned: int = 0
    lost: int = 0
    pending: int = 0  # no outcome yet

    @classmethod
    def from_counter(cls, by_outcome: Counter[str | None]) -> OutcomeCounts:
        def n(outcome: AttemptOutcome) -> int:
            return by_outcome.get(outcome.value, 0)

        human = sum(n(o) for o in HUMAN_OUTCOMES)
        return cls(
            dialled=sum(by_outcome.values()),
            answered=human + n(AttemptOutcome.MACHINE),
            human=human,
            connected=n(AttemptOutcome.CONNECTED),
            ivr=n(AttemptOutcome.IVR),
            machine=n(AttemptOutcome.MACHINE),
            busy=n(AttemptOutcome.BUSY),
            no_answer=n(AttemptOutcome.NO_ANSWER),
            congestion=n(AttemptOutcome.CONGESTION),
            failed=n(AttemptOutcome.FAILED),
            abandoned=n(AttemptOutcome.ABANDONED),
            lost=n(AttemptOutcome.LOST),
            pending=by_outcome.get(None, 0),
        )


@dataclass(frozen=True)
class AbandonRate:
    window: str  # "campaign", "30d", "24h"
    since: datetime | None
    live_calls: int  # people who answered, plus estimated AMD false positives
    abandoned: int
    amd_false_positives: float  # machines estimated to have been people
    abandon_pct: float  # 0..100

    @classmethod
    def compute(
        cls, window: str, since: datetime | None, counts: OutcomeCounts, fp_rate: float
    ) -> AbandonRate:
        false_positives = counts.machine * fp_rate
        live = counts.human + false_positives
        dropped = counts.abandoned + false_positives
        pct = 100.0 * dropped / live if live > 0 else 0.0
        return cls(window, since, round(live), counts.abandoned, false_positives, pct)


@dataclass(frozen=True)
class RatioBucket:
    start: datetime
    dialled: int
    human: int
    connected: int
    abandoned: int
    abandon_pct: float  # within this bucket
    running_abandon_pct: float  # from the first bucket to the end of this one
    dial_ratio: float | None  # calls dialled per call connected to an agent


@dataclass(frozen=True)
class CampaignStats:
    campaign: str
    status: str
    generated_at: datetime
    counts: OutcomeCounts
    abandon: list[AbandonRate]
    debtors_total: int
    debtors_attempted: int
    penetration_pct: float
    buckets: list[RatioBucket] = field(default_factory=list)

    def rows(self) -> list[dict[str, object]]:
        """Flat name/value rows for the CSV export."""
        rows: list[dict[str, object]] = [
            {"metric": "campaign", "value": self.campaign},
            {"metric": "status", "value": self.status},
            {"metric": "generated_at", "value": self.generated_at.isoformat()},
        ]
        rows += [{"metric": k, "value": v} for k, v in vars(self.counts).items()]
        for rate in self.abandon:
            rows.append(
                {"metric": f"abandon_pct_{rate.window}", "value": f"{rate.abandon_pct:.2f}"}
            )
        rows += [
            {"metric": "debtors_total", "value": self.debtors_total},
            {"metric": "debtors_attempted", "value": self.debtors_attempted},
            {"metric": "penetration_pct", "value": f"{self.penetration_pct:.2f}"},
        ]
        return rows

    def bucket_rows(self) -> list[dict[str, object]]:
        """Dial ratio and abandon rate per time bucket, for the CSV export."""
        return [
            {
                "start": b.start.isoformat(),
                "dialled": b.dialled,
                "human": b.human,
                "connected": b.connected,
                "abandoned": b.abandoned,
                "abandon_pct": f"{b.abandon_pct:.2f}",
                "running_abandon_pct": f"{b.running_abandon_pct:.2f}",
                "dial_ratio": "" if b.dial_ratio is None else f"{b.dial_ratio:.2f}",
            }
            for b in self.buckets
        ]


async def _outcomes(
    session: AsyncSession, campaign_id: int, since: datetime | None, until: datetime
) -> OutcomeCounts:
    query = (
        select(CallAttempt.outcome, func.count())
        .where(CallAttempt.campaign_id == campaign_id, CallAttempt.created_at <= until)
        .group_by(CallAttempt.outcome)
    )
    if since is not None:
        query = query.where(CallAttempt.created_at >= since)
    counter: Counter[str | None] = Counter()
    for outcome, count in (await session.execute(query)).all():
        counter[outcome] += count
    return OutcomeCounts.from_counter(counter)


def bucket_attempts(
    attempts: list[tuple[datetime, str | None]], start: datetime, width: timedelta
) -> list[RatioBucket]:
    """Group (created_at, outcome) pairs into consecutive buckets of `width` from `start`."""
    groups: dict[int, Counter[str | None]] = {}
    for created_at, outcome in attempts:
        index = int((created_at - start) / width)
        groups.setdefault(index, Counter())[outcome] += 1
    buckets = []
    running: Counter[str | None] = Counter()
    for index in sorted(groups):
        running.update(groups[index])
        counts = OutcomeCounts.from_counter(groups[index])
        rate = AbandonRate.compute("bucket", None, counts, 0.0)
        so_far = AbandonRate.compute("running", None, OutcomeCounts.from_counter(running), 0.0)
        ratio = counts.dialled / counts.connected if counts.connected else None
        buckets.append(
            RatioBucket(
                start + index * width,
                counts.dialled,
                counts.human,
                counts.connected,
                counts.abandoned,
                rate.abandon_pct,
                so_far.abandon_pct,
                ratio,
            )
        )
    return buckets


async def campaign_stats(
    sessions: async_sessionmaker[AsyncSession],
    campaign_name: str,
    *,
    now: datetime | None = None,
    amd_false_positive_rate: float = DEFAULT_AMD_FALSE_POSITIVE_RATE,
    bucket: timedelta = DEFAULT_BUCKET,
    buckets_since: datetime | None = None,
) -> CampaignStats:
    """Statistics of one campaign; dial-ratio buckets cover the last 24 h unless told."""
    if not 0.0 <= amd_false_positive_rate <= 1.0:
        raise ValueError("amd_false_positive_rate must be between 0 and 1")
    now = now or utcnow()
    async with sessions() as session:
        campaign = (
            await session.execute(select(Campaign).where(Campaign.name == campaign_name))
        ).scalar_one_or_none()
        if campaign is None:
            raise UnknownCampaign(campaign_name)
        windows = {
            "campaign": None,
            "30d": now - timedelta(days=30),
            "24h": now - timedelta(hours=24),
        }
        totals = {
            name: await _outcomes(session, campaign.id, since, now)
            for name, since in windows.items()
        }
        debtors_total = await session.scalar(
            select(func.count()).select_from(Debtor).where(Debtor.campaign_id == campaign.id)
        )
        debtors_attempted = await session.scalar(
            select(func.count(func.distinct(CallAttempt.debtor_id))).where(
                CallAttempt.campaign_id == campaign.id
            )
        )
        start = buckets_since or now - timedelta(hours=24)
        pairs = (
            await session.execute(
                select(CallAttempt.created_at, CallAttempt.outcome)
                .where(
                    CallAttempt.campaign_id == campaign.id,
                    CallAttempt.created_at >= start,
                    CallAttempt.created_at <= now,
                )
                .order_by(CallAttempt.created_at)
            )
        ).all()
    total = int(debtors_total or 0)
    attempted = int(debtors_attempted or 0)
    return CampaignStats(
        campaign=campaign.name,
        status=campaign.status,
        generated_at=now,
        counts=totals["campaign"],
        abandon=[
            AbandonRate.compute(name, since, totals[name], amd_false_positive_rate)
            for name, since in windows.items()
        ],
        debtors_total=total,
        debtors_attempted=attempted,
        penetration_pct=100.0 * attempted / total if total else 0.0,
        buckets=bucket_attempts([(at, outcome) for at, outcome in pairs], start, bucket),
    )
