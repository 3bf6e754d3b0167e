"""The hopper: claims the next numbers to dial, by priority, within the compliance rules.

Callbacks due come first, then fresh leads, then recycled debtors. A claim is one transaction
that marks the debtor DIALING and inserts its CallAttempt (state DECIDED), so the attempt
exists before any Originate and several workers never dial the same debtor:
- PostgreSQL: candidate rows are locked with SELECT ... FOR UPDATE SKIP LOCKED, so concurrent
  workers each get different debtors without waiting;
- SQLite: one writer at a time; the claim is a guarded UPDATE (status unchanged since read)
  in a write transaction, so a row another worker claimed first is simply not ours.
Debtors found not callable now are pushed to the time they become callable, so the next scan
does not read them again.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, func, insert, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.campaign.attempts import AttemptState, new_action_id
from dialer.campaign.compliance import Block, DebtorFacts, PhoneFacts, decide
from dialer.campaign.recycle import HOPPER_CLASSES, DebtorStatus
from dialer.campaign.settings import CampaignSettings, ListOrder
from dialer.db.models import Agent, CallAttempt, Debtor, DncEntry, Phone, ScriptResult
from dialer.db.outcomes import ResultKind
from dialer.db.types import utcnow

log = logging.getLogger(__name__)
# Core tables: the hopper runs every tick, so it skips the ORM's per-row bookkeeping.
D = cast(Table, Debtor.__table__)
P = cast(Table, Phone.__table__)
A = cast(Table, CallAttempt.__table__)
DNC = cast(Table, DncEntry.__table__)
R = cast(Table, ScriptResult.__table__)
WEEK = timedelta(days=7)
# Blocks that never lift by themselves: the debtor leaves the hopper.
_FINAL = {Block.DNC, Block.PHONE_BAD, Block.NO_PHONE}


@dataclass(frozen=True)
class Claim:
    """One number to dial now; its CallAttempt row is already committed (state DECIDED)."""

    attempt_id: int
    action_id: str
    campaign_id: int
    debtor_id: int
    phone_id: int
    number_e164: str
    timezone: str
    agent_login: str | None = None  # a callback promised by this agent goes to them first


async def begin_write(session: AsyncSession) -> None:
    """Take SQLite's write lock first, so a read-then-write transaction cannot hit a stale
    snapshot (SQLITE_BUSY) when another connection wrote meanwhile.

    On PostgreSQL, plan every statement for its actual values: the prepared statements'
    generic plans (status, LIMIT and id lists as unknowns) walk far more rows."""
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        await session.execute(text("UPDATE campaign SET id = id WHERE 0"))
    elif dialect == "postgresql":
        await session.execute(text("SET LOCAL plan_cache_mode = force_custom_plan"))


class Hopper:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        campaign_id: int,
        settings: CampaignSettings,
        scan_factor: int = 2,
    ) -> None:
        self._sessions = sessions
        self.campaign_id = campaign_id
        self.settings = settings
        self._scan_factor = scan_factor
        self.dnc_hits: set[str] = set()

    async def claim(self, count: int, now: datetime | None = None) -> list[Claim]:
        """Claim up to `count` debtors (one number each) and commit their attempts."""
        if count <= 0:
            return []
        now = now or utcnow()
        claims: list[Claim] = []
        async with self._sessions() as session, session.begin():
            await begin_write(session)
            for status in HOPPER_CLASSES:
                need = count - len(claims)
                if need <= 0:
                    break
                claims += await self._claim_class(session, status, need, now)
        if claims:
            log.debug("campaign %s: claimed %d numbers", self.campaign_id, len(claims))
        return claims

    async def _claim_class(
        self, session: AsyncSession, status: DebtorStatus, need: int, now: datetime
    ) -> list[Claim]:
        rows = await self._candidates(session, status, need * self._scan_factor, now)
        if not rows:
            return []
        self.dnc_hits = set()
        facts = await self._facts(session, rows, now, status)
        dnc = self.dnc_hits
        chosen: list[tuple[DebtorFacts, PhoneFacts]] = []
        deferred: dict[int, tuple[DebtorStatus | None, datetime | None]] = {}
        for debtor in facts:
            if len(chosen) >= need:
                break
            verdict = decide(debtor, now, self.settings, dnc)
            if verdict.phone is not None:
                chosen.append((debtor, verdict.phone))
            elif verdict.retry_at is not None:
                deferred[debtor.id] = (None, verdict.retry_at)
            elif set(verdict.blocks) <= _FINAL:
                deferred[debtor.id] = (DebtorStatus.EXHAUSTED, None)
        await self._defer(session, status, deferred)
        return await self._insert_claims(session, status, chosen, now)

    async def _candidates(
        self, session: AsyncSession, status: DebtorStatus, limit: int, now: datetime
    ) -> list[Any]:
        query = select(
            D.c.id,
            D.c.timezone,
            D.c.do_not_call_until,
            D.c.last_contact_at,
        ).where(D.c.campaign_id == self.campaign_id, D.c.status == status.value)
        if status is DebtorStatus.NEW:
            query = query.where(or_(D.c.next_call_at.is_(None), D.c.next_call_at <= now))
        else:
            query = query.where(D.c.next_call_at <= now)
        if self.settings.list_order is ListOrder.PRIORITY:
            # Index order read backwards: highest priority, then the most recently loaded
            # (the freshest debt is the most collectible). Callbacks due are all dialled
            # now, so they walk the same index rather than sort by due time.
            query = query.order_by(D.c.priority.desc(), D.c.id.desc())
        else:
            query = query.order_by(D.c.id)
        query = query.limit(limit)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=D)
        return list((await session.execute(query)).all())

    async def _facts(
        self, session: AsyncSession, rows: list[Any], now: datetime, status: DebtorStatus
    ) -> Iterator[DebtorFacts]:
        """Facts of each candidate, loaded in three queries, built lazily (most scans stop
        early once enough numbers are chosen)."""
        ids = [row.id for row in rows]
        phones: dict[int, list[Any]] = defaultdict(list)
        for phone in await session.execute(
            select(
                P.c.id,
                P.c.debtor_id,
                P.c.number_e164,
                P.c.position,
                P.c.timezone,
                P.c.bad,
                P.c.right_party_contacts,
                DNC.c.id.label("dnc_id"),
            )
            .outerjoin(DNC, DNC.c.number_e164 == P.c.number_e164)
            .where(P.c.debtor_id.in_(ids))
        ):
            phones[phone.debtor_id].append(phone)
            if phone.dnc_id is not None:
                self.dnc_hits.add(phone.number_e164)
        by_phone: dict[int, list[datetime]] = defaultdict(list)
        by_debtor: dict[int, list[datetime]] = defaultdict(list)
        promises: dict[int, date] = {}
        fresh, callback = status is DebtorStatus.NEW, status is DebtorStatus.CALLBACK
        # Fresh leads were never dialled and have no results: two queries saved per tick.
        if not fresh:
            for debtor_id, phone_id, created_at in await session.execute(
                select(A.c.debtor_id, A.c.phone_id, A.c.created_at).where(
                    A.c.debtor_id.in_(ids), A.c.created_at > now - WEEK
                )
            ):
                by_phone[phone_id].append(created_at)
                by_debtor[debtor_id].append(created_at)
            promises = await _promises(session, ids)
        return (
            DebtorFacts(
                row.id,
                row.timezone,
                tuple(
                    PhoneFacts(
                        p.id,
                        p.number_e164,
                        p.position,
                        p.timezone or row.timezone,
                        p.bad,
                        p.right_party_contacts,
                        tuple(by_phone.get(p.id, ())),
                    )
                    for p in phones.get(row.id, ())
                ),
                row.do_not_call_until,
                row.last_contact_at,
                promises.get(row.id),
                tuple(by_debtor.get(row.id, ())),
                callback,
            )
            for row in rows
        )

    async def _defer(
        self,
        session: AsyncSession,
        status: DebtorStatus,
        deferred: dict[int, tuple[DebtorStatus | None, datetime | None]],
    ) -> None:
        for debtor_id, (new_status, retry_at) in deferred.items():
            values: dict[str, Any] = {"next_call_at": retry_at}
            if new_status is not None:
                values["status"] = new_status.value
            elif status is DebtorStatus.NEW:
                # A fresh lead outside its window stays fresh: keep its priority class.
                pass
            await session.execute(
                update(D).where(D.c.id == debtor_id, D.c.status == status.value).values(**values)
            )

    async def _insert_claims(
        self,
        session: AsyncSession,
        status: DebtorStatus,
        chosen: list[tuple[DebtorFacts, PhoneFacts]],
        now: datetime,
    ) -> list[Claim]:
        if not chosen:
            return []
        won = set(
            (
                await session.execute(
                    update(D)
                    .where(
                        D.c.id.in_([debtor.id for debtor, _ in chosen]),
                        D.c.status == status.value,
                    )
                    .values(status=DebtorStatus.DIALING.value)
                    .returning(D.c.id)
                )
            ).scalars()
        )
        rows: list[dict[str, Any]] = [
            {
                "campaign_id": self.campaign_id,
                "debtor_id": debtor.id,
                "phone_id": phone.id,
                "number_e164": phone.number_e164,
                "action_id": new_action_id(self.campaign_id),
                "state": AttemptState.DECIDED.value,
                "created_at": now,
            }
            for debtor, phone in chosen
            if debtor.id in won
        ]
        if not rows:
            return []
        # A plain executemany (pipelined by asyncpg) and one indexed read of the new ids is
        # several times faster than INSERT ... RETURNING with hundreds of parameters.
        await session.execute(insert(A), rows)
        ids = (
            await session.execute(
                select(A.c.id, A.c.action_id).where(
                    A.c.action_id.in_([row["action_id"] for row in rows])
                )
            )
        ).all()
        attempt_ids = {action_id: attempt_id for attempt_id, action_id in ids}
        zones = {debtor.id: phone.timezone for debtor, phone in chosen}
        owners: dict[int, str] = {}
        if status is DebtorStatus.CALLBACK:
            owners = await _callback_agents(session, [row["debtor_id"] for row in rows])
        return [
            Claim(
                attempt_id=attempt_ids[row["action_id"]],
                action_id=row["action_id"],
                campaign_id=self.campaign_id,
                debtor_id=row["debtor_id"],
                phone_id=row["phone_id"],
                number_e164=row["number_e164"],
                timezone=zones[row["debtor_id"]],
                agent_login=owners.get(row["debtor_id"]),
            )
            for row in rows
        ]


async def _promises(session: AsyncSession, debtor_ids: list[int]) -> dict[int, date]:
    result = await session.execute(
        select(R.c.debtor_id, func.max(R.c.promised_date))
        .where(
            R.c.debtor_id.in_(debtor_ids),
            R.c.kind == ResultKind.PROMISE_TO_PAY.value,
            R.c.promised_date.is_not(None),
        )
        .group_by(R.c.debtor_id)
    )
    return {
        debtor_id: promised
        for debtor_id, promised in result.all()
        if debtor_id is not None and promised is not None
    }


async def _callback_agents(session: AsyncSession, debtor_ids: list[int]) -> dict[int, str]:
    """Login of the agent who promised each debtor's latest callback to themself."""
    AG = cast(Table, Agent.__table__)
    rows = await session.execute(
        select(R.c.debtor_id, AG.c.login)
        .join(AG, AG.c.id == R.c.callback_agent_id)
        .where(R.c.debtor_id.in_(debtor_ids), R.c.kind == ResultKind.CALLBACK.value)
        .order_by(R.c.id)
    )
    return {debtor_id: login for debtor_id, login in rows.all()}
