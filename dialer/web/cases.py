"""The debtor's case as an agent sees it, and agent states read back from the database."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import selectinload

from dialer.db.models import (
    Agent,
    AgentStateEvent,
    CallAttempt,
    Campaign,
    Creditor,
    Debtor,
    PauseReason,
    Portfolio,
    ScriptResult,
)
from dialer.web.ports import AgentView

HISTORY_ROWS = 20


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


async def debtor_case(
    sessions: async_sessionmaker[AsyncSession], debtor_id: int
) -> dict[str, Any] | None:
    async with sessions() as session:
        debtor = await session.get(Debtor, debtor_id, options=[selectinload(Debtor.phones)])
        if debtor is None:
            return None
        campaign = await session.get(Campaign, debtor.campaign_id)
        portfolio = (
            await session.get(Portfolio, debtor.portfolio_id) if debtor.portfolio_id else None
        )
        creditor = await session.get(Creditor, portfolio.creditor_id) if portfolio else None
        logins: dict[int, str] = {
            row[0]: row[1] for row in await session.execute(select(Agent.id, Agent.login))
        }
        attempts = (
            await session.execute(
                select(CallAttempt)
                .where(CallAttempt.debtor_id == debtor_id)
                .order_by(CallAttempt.created_at.desc(), CallAttempt.id.desc())
                .limit(HISTORY_ROWS)
            )
        ).scalars()
        results = (
            await session.execute(
                select(ScriptResult)
                .where(ScriptResult.debtor_id == debtor_id)
                .order_by(ScriptResult.created_at.desc(), ScriptResult.id.desc())
                .limit(HISTORY_ROWS)
            )
        ).scalars()
        return {
            "id": debtor.id,
            "account_id": debtor.account_id,
            "name": f"{debtor.first_name} {debtor.last_name}".strip(),
            "balance": f"{debtor.balance:.2f}",
            "currency": debtor.currency,
            "due_date": debtor.due_date.isoformat() if debtor.due_date else None,
            "timezone": debtor.timezone,
            "language": debtor.language,
            "status": debtor.status,
            "campaign": campaign.name if campaign else None,
            "portfolio": portfolio.name if portfolio else None,
            "creditor": creditor.name if creditor else None,
            "extra": debtor.extra,
            "phones": [
                {"position": p.position, "number": p.number_e164, "kind": p.kind, "bad": p.bad}
                for p in debtor.phones
            ],
            "attempts": [
                {
                    "id": a.id,
                    "at": _iso(a.created_at),
                    "number": a.number_e164,
                    "outcome": a.outcome,
                    "agent": logins.get(a.agent_id) if a.agent_id else None,
                }
                for a in attempts
            ],
            "results": [
                {
                    "id": r.id,
                    "at": _iso(r.created_at),
                    "kind": r.kind,
                    "source": r.source,
                    "amount": f"{r.amount:.2f}" if r.amount is not None else None,
                    "currency": r.currency,
                    "promised_date": r.promised_date.isoformat() if r.promised_date else None,
                    "callback_at": _iso(r.callback_at),
                    "agent": logins.get(r.agent_id) if r.agent_id else None,
                    "note": r.note,
                }
                for r in results
            ],
        }


async def stored_agent_states(sessions: async_sessionmaker[AsyncSession]) -> list[AgentView]:
    """Each active agent's latest stored transition; used when no ACD runs in this process."""
    async with sessions() as session:
        latest = (
            select(AgentStateEvent.agent_id, func.max(AgentStateEvent.id).label("last_id"))
            .group_by(AgentStateEvent.agent_id)
            .subquery()
        )
        rows = (
            await session.execute(
                select(Agent, AgentStateEvent)
                .outerjoin(latest, latest.c.agent_id == Agent.id)
                .outerjoin(AgentStateEvent, AgentStateEvent.id == latest.c.last_id)
                .where(Agent.active.is_(True))
                .order_by(Agent.login)
            )
        ).all()
        allowances: dict[str, int] = {
            row[0]: row[1]
            for row in await session.execute(select(PauseReason.code, PauseReason.allowance_s))
        }
    views = []
    for agent, event in rows:
        if event is None:
            continue
        reason = event.reason if event.to_state.lower() == "paused" else None
        views.append(
            AgentView(
                login=agent.login,
                name=agent.name,
                state=event.to_state.lower(),
                since=event.at,
                reason=reason,
                allowance_s=allowances.get(reason) if reason else None,
                attempt_id=event.attempt_id,
            )
        )
    return views


def agent_view_dict(view: AgentView) -> dict[str, Any]:
    return {
        "login": view.login,
        "name": view.name,
        "state": view.state,
        "since": view.since.isoformat(),
        "reason": view.reason,
        "allowance_s": view.allowance_s,
        "attempt_id": view.attempt_id,
        "debtor_id": view.debtor_id,
        "campaign": view.campaign,
    }
