"""What the hopper reads: the next candidates of one priority class with every fact the
compliance rules need, in a single statement.

Each round trip to PostgreSQL costs a few tenths of a millisecond and a chance to be
descheduled on a busy host, so the candidates (locked on PostgreSQL), their numbers, DNC hits,
recent attempts, promise dates and callback owners come back as one joined result: one row
per number and recent attempt, folded here into `Candidate`s in the scan's order.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from itertools import groupby
from operator import itemgetter
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    bindparam,
    func,
    null,
    or_,
    select,
)
from sqlalchemy.ext.asyncio import AsyncSession

from dialer.campaign.compliance import DebtorFacts, PhoneFacts
from dialer.campaign.recycle import DebtorStatus
from dialer.campaign.settings import ListOrder
from dialer.db.models import Agent, CallAttempt, Debtor, DncEntry, Phone, ScriptResult
from dialer.db.outcomes import ResultKind

# Core tables: the hopper runs every tick, so it skips the ORM's per-row bookkeeping.
D = cast(Table, Debtor.__table__)
P = cast(Table, Phone.__table__)
A = cast(Table, CallAttempt.__table__)
DNC = cast(Table, DncEntry.__table__)
R = cast(Table, ScriptResult.__table__)
AG = cast(Table, Agent.__table__)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Candidate:
    facts: DebtorFacts
    dnc: frozenset[str]  # numbers of this debtor on the DNC list
    agent_login: str | None  # a callback promised by this agent goes to them first


def _order(table: Any, order: ListOrder) -> list[ColumnElement[Any]]:
    if order is ListOrder.PRIORITY:
        # Index order read backwards: highest priority, then the most recently loaded
        # (the freshest debt is the most collectible). Callbacks due are all dialled
        # now, so they walk the same index rather than sort by due time.
        return [table.c.priority.desc(), table.c.id.desc()]
    return [table.c.id.asc()]


def _latest_promise() -> Any:
    return (
        select(func.max(R.c.promised_date))
        .where(R.c.debtor_id == D.c.id, R.c.kind == ResultKind.PROMISE_TO_PAY.value)
        .scalar_subquery()
    )


def _callback_owner() -> Any:
    """Login of the agent named in the debtor's latest callback that names one."""
    return (
        select(AG.c.login)
        .join(R, AG.c.id == R.c.callback_agent_id)
        .where(R.c.debtor_id == D.c.id, R.c.kind == ResultKind.CALLBACK.value)
        .order_by(R.c.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@lru_cache(maxsize=64)
def candidates_query(
    campaign_id: int, status: DebtorStatus, order: ListOrder, lock: bool
) -> Select[Any]:
    """Up to :limit debtors of class `status` due at :now, joined to their numbers, DNC hits
    and (except fresh leads, never dialled) each number's attempts since :since.

    Built once per class: constructing the statement costs more than executing it."""
    fresh, callback = status is DebtorStatus.NEW, status is DebtorStatus.CALLBACK
    due = D.c.next_call_at <= bindparam("now")
    scan = (
        select(
            D.c.id,
            D.c.priority,
            D.c.timezone,
            D.c.do_not_call_until,
            D.c.last_contact_at,
            (null() if fresh else _latest_promise()).label("promise_until"),
            (_callback_owner() if callback else null()).label("agent_login"),
        )
        .where(
            D.c.campaign_id == campaign_id,
            D.c.status == status.value,
            or_(D.c.next_call_at.is_(None), due) if fresh else due,
        )
        .order_by(*_order(D, order))
        # Rendered in the SQL: with LIMIT as a parameter SQLite gives up its early stop and
        # the scan takes 40 times longer.
        .limit(bindparam("limit", type_=Integer, literal_execute=True))
    )
    if lock:
        # NO KEY UPDATE: strong enough to keep other workers off, and it does not block the
        # key-share locks that foreign keys to the debtor take.
        scan = scan.with_for_update(skip_locked=True, key_share=True, of=D)
    c = scan.cte("candidate")
    attempt_at: Any = null()
    joined: Any = c.outerjoin(P, P.c.debtor_id == c.c.id)
    if not fresh:
        attempt_at = A.c.created_at
        recent = and_(A.c.phone_id == P.c.id, A.c.created_at > bindparam("since"))
        joined = joined.outerjoin(A, recent)
    # A scalar subquery is probed per number through the unique index; as EXISTS the planner
    # may hash the whole DNC list instead, which grows with the list, not with the batch.
    dnc_id = select(DNC.c.id).where(DNC.c.number_e164 == P.c.number_e164).scalar_subquery()
    return (
        select(
            c,
            P.c.id.label("phone_id"),
            P.c.number_e164,
            P.c.position,
            P.c.timezone.label("phone_timezone"),
            P.c.bad,
            P.c.right_party_contacts,
            dnc_id.label("dnc_id"),
            attempt_at.label("attempt_at"),
        )
        .select_from(joined)
        .order_by(*_order(c, order), P.c.position)
    )


async def load_candidates(
    session: AsyncSession,
    campaign_id: int,
    status: DebtorStatus,
    limit: int,
    now: datetime,
    order: ListOrder,
) -> Iterator[Candidate]:
    """The candidates in scan order, built as they are asked for (most scans stop early,
    once enough numbers are chosen)."""
    lock = session.get_bind().dialect.name == "postgresql"
    query = candidates_query(campaign_id, status, order, lock)
    params = {"now": now, "since": now - WEEK, "limit": limit}
    rows = (await session.execute(query, params)).all()
    callback_due = status is DebtorStatus.CALLBACK
    # Rows come ordered by debtor, so each debtor's rows are adjacent.
    return (_candidate(list(group), callback_due) for _, group in groupby(rows, itemgetter(0)))


def _candidate(rows: list[Any], callback_due: bool) -> Candidate:
    """One debtor's rows (one per number and recent attempt) folded into its facts."""
    times: dict[int, list[datetime]] = {}
    numbers: dict[int, Any] = {}
    dnc: set[str] = set()
    for row in rows:
        if row.phone_id is None:
            continue  # a debtor without numbers: the rules say NO_PHONE
        numbers.setdefault(row.phone_id, row)
        at = times.setdefault(row.phone_id, [])
        if row.attempt_at is not None:
            at.append(row.attempt_at)
        if row.dnc_id is not None:
            dnc.add(row.number_e164)
    debtor = rows[0]
    phones = tuple(
        PhoneFacts(
            phone_id,
            p.number_e164,
            p.position,
            p.phone_timezone or debtor.timezone,
            bool(p.bad),
            p.right_party_contacts,
            tuple(times[phone_id]),
        )
        for phone_id, p in numbers.items()
    )
    promise: date | None = debtor.promise_until
    facts = DebtorFacts(
        debtor.id,
        debtor.timezone,
        phones,
        debtor.do_not_call_until,
        debtor.last_contact_at,
        promise,
        tuple(at for phone in phones for at in phone.attempts),
        callback_due,
    )
    return Candidate(facts, frozenset(dnc), debtor.agent_login)
