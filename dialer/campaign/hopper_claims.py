"""What the hopper writes: the chosen debtors marked DIALING with their attempts inserted,
and the others pushed to when they become callable.

PostgreSQL gets all of it in one statement: arrays in, `unnest` inside, two data-modifying
CTEs and an INSERT ... RETURNING. A per-row executemany of the attempts cost about 90 µs a
row on the server (one executor start and one round of foreign-key triggers per row) and
was the largest part of a claim. SQLite runs in process, so there the same work is a few
plain statements.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, bindparam, func, insert, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from dialer.campaign.attempts import AttemptState
from dialer.campaign.compliance import PhoneFacts
from dialer.campaign.hopper_facts import A, D
from dialer.campaign.recycle import DebtorStatus
from dialer.db.types import utcnow


@dataclass(frozen=True)
class Pick:
    """A debtor chosen for a number, read in priority class `status`."""

    status: DebtorStatus
    debtor_id: int
    phone: PhoneFacts
    action_id: str
    agent_login: str | None = None


@dataclass(frozen=True)
class Deferral:
    """A debtor of class `status` not callable now: look again at `retry_at` (None = never),
    moved to `new_status` if given."""

    status: DebtorStatus
    debtor_id: int
    retry_at: datetime | None
    new_status: DebtorStatus | None = None


# The class guard (status still the one read) keeps a debtor changed meanwhile, e.g. by a
# disposition, from being claimed or deferred on stale facts.
_PG_CLAIM = text("""
WITH deferred AS (
    UPDATE debtor AS d
    SET next_call_at = u.retry_at, status = coalesce(u.new_status, d.status), updated_at = :stamp
    FROM unnest(CAST(:defer_ids AS integer[]), CAST(:defer_classes AS varchar[]),
                CAST(:defer_at AS timestamptz[]), CAST(:defer_statuses AS varchar[]))
         AS u(id, class, retry_at, new_status)
    WHERE d.id = u.id AND d.status = u.class
), claimed AS (
    UPDATE debtor AS d SET status = :dialing, updated_at = :stamp
    FROM unnest(CAST(:ids AS integer[]), CAST(:classes AS varchar[])) AS u(id, class)
    WHERE d.id = u.id AND d.status = u.class
    RETURNING d.id
)
INSERT INTO call_attempt
    (campaign_id, debtor_id, phone_id, number_e164, action_id, state, created_at)
SELECT :campaign_id, u.debtor_id, u.phone_id, u.number_e164, u.action_id, :decided, :now
FROM unnest(CAST(:ids AS integer[]), CAST(:phone_ids AS integer[]),
            CAST(:numbers AS varchar[]), CAST(:action_ids AS varchar[]))
     AS u(debtor_id, phone_id, number_e164, action_id)
JOIN claimed ON claimed.id = u.debtor_id
RETURNING id, debtor_id
""")


async def write_claims(
    session: AsyncSession,
    campaign_id: int,
    picks: list[Pick],
    deferrals: list[Deferral],
    now: datetime,
) -> dict[int, int]:
    """Store picks and deferrals; returns the attempt id of each debtor really claimed."""
    if not picks and not deferrals:
        return {}
    if session.get_bind().dialect.name == "postgresql":
        return await _write_postgres(session, campaign_id, picks, deferrals, now)
    await _defer(session, deferrals)
    return await _claim(session, campaign_id, picks, now)


async def _write_postgres(
    session: AsyncSession,
    campaign_id: int,
    picks: list[Pick],
    deferrals: list[Deferral],
    now: datetime,
) -> dict[int, int]:
    result = await session.execute(
        _PG_CLAIM,
        {
            "defer_ids": [d.debtor_id for d in deferrals],
            "defer_classes": [d.status.value for d in deferrals],
            "defer_at": [d.retry_at for d in deferrals],
            "defer_statuses": [d.new_status and d.new_status.value for d in deferrals],
            "ids": [p.debtor_id for p in picks],
            "classes": [p.status.value for p in picks],
            "phone_ids": [p.phone.id for p in picks],
            "numbers": [p.phone.number_e164 for p in picks],
            "action_ids": [p.action_id for p in picks],
            "campaign_id": campaign_id,
            "dialing": DebtorStatus.DIALING.value,
            "decided": AttemptState.DECIDED.value,
            "now": now,
            "stamp": utcnow(),
        },
    )
    return {debtor_id: attempt_id for attempt_id, debtor_id in result.all()}


async def _defer(session: AsyncSession, deferrals: list[Deferral]) -> None:
    if not deferrals:
        return
    statement = (
        update(D)
        .where(D.c.id == bindparam("b_id"), D.c.status == bindparam("b_class"))
        .values(
            next_call_at=bindparam("b_at", type_=D.c.next_call_at.type),
            status=func.coalesce(bindparam("b_status", type_=String), D.c.status),
        )
    )
    await session.execute(
        statement,
        [
            {
                "b_id": d.debtor_id,
                "b_class": d.status.value,
                "b_at": d.retry_at,
                "b_status": d.new_status and d.new_status.value,
            }
            for d in deferrals
        ],
    )


async def _claim(
    session: AsyncSession, campaign_id: int, picks: list[Pick], now: datetime
) -> dict[int, int]:
    by_class: dict[DebtorStatus, list[int]] = defaultdict(list)
    for pick in picks:
        by_class[pick.status].append(pick.debtor_id)
    won: set[int] = set()
    for status, ids in by_class.items():
        won.update(
            (
                await session.execute(
                    update(D)
                    .where(D.c.id.in_(ids), D.c.status == status.value)
                    .values(status=DebtorStatus.DIALING.value)
                    .returning(D.c.id)
                )
            ).scalars()
        )
    rows: list[dict[str, Any]] = [
        {
            "campaign_id": campaign_id,
            "debtor_id": pick.debtor_id,
            "phone_id": pick.phone.id,
            "number_e164": pick.phone.number_e164,
            "action_id": pick.action_id,
            "state": AttemptState.DECIDED.value,
            "created_at": now,
        }
        for pick in picks
        if pick.debtor_id in won
    ]
    if not rows:
        return {}
    result = await session.execute(insert(A).returning(A.c.id, A.c.debtor_id), rows)
    return {int(debtor_id): int(attempt_id) for attempt_id, debtor_id in result.all()}
