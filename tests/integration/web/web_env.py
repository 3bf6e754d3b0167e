"""A running web app on 127.0.0.1 over a real SQLite database with realistic rows."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from aiohttp import encode_basic_auth, web
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.config import WebSettings
from dialer.db.models import (
    Agent,
    AgentStateEvent,
    CallAttempt,
    Campaign,
    Creditor,
    Debtor,
    PauseReason,
    Phone,
    Portfolio,
    ScriptResult,
)
from dialer.db.outcomes import AttemptOutcome as O
from dialer.db.types import utcnow
from dialer.web.app import create_app
from dialer.web.live import LiveHub
from tests.unit.web.web_fakes import FakeControls, FakeDesk

CAMPAIGN = "cards-2026-11"
# ACD logins are the digits; the SIP endpoint (and demo web user) is agentNNNN.
AGENTS = [f"10{n:02d}" for n in range(1, 9)]
FIRST = ["Jan", "Anna", "Piotr", "Maria", "Tomasz", "Katarzyna", "Paweł", "Agnieszka"]
LAST = ["Kowalski", "Nowak", "Wiśniewski", "Wójcik", "Kamińska", "Lewandowska", "Zieliński"]
OUTCOMES = [O.CONNECTED] * 60 + [O.MACHINE] * 28 + [O.NO_ANSWER] * 60 + [O.BUSY] * 20
OUTCOMES += [O.ABANDONED] * 1 + [O.CONGESTION] * 4 + [O.FAILED] * 2 + [O.IVR] * 6


def basic(name: str, password: str) -> dict[str, str]:
    """Headers that sign in with HTTP basic authentication."""
    return {"Authorization": encode_basic_auth(name, password)}


@dataclass
class Seeded:
    campaign_id: int
    debtor_ids: list[int]
    agent_ids: dict[str, int]
    agent_names: dict[str, str]


async def seed(sessions: async_sessionmaker[Any], debtors: int = 60) -> Seeded:
    """A campaign with debtors, phones, six hours of attempts, agents and results."""
    rng = random.Random(7)
    now = utcnow()
    async with sessions() as session, session.begin():
        creditor = Creditor(name="Bank Północny")
        portfolio = Portfolio(creditor=creditor, name="Credit cards 2024")
        campaign = Campaign(name=CAMPAIGN, status="running")
        session.add_all([creditor, portfolio, campaign])
        session.add_all(
            [
                PauseReason(code="break", label="Short break", allowance_s=600),
                PauseReason(code="lunch", label="Lunch", allowance_s=1800),
                PauseReason(code="training", label="Training", allowance_s=3600),
            ]
        )
        agents = {
            login: Agent(
                login=login,
                name=f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                endpoint=f"PJSIP/agent{login}",
            )
            for login in AGENTS
        }
        session.add_all(agents.values())
        await session.flush()
        rows = []
        for n in range(debtors):
            debtor = Debtor(
                campaign_id=campaign.id,
                portfolio_id=portfolio.id,
                account_id=f"PL-{40210 + n}",
                first_name=rng.choice(FIRST),
                last_name=rng.choice(LAST),
                balance=Decimal(rng.randrange(20000, 900000)) / 100,
                currency="PLN",
                due_date=date(2026, 9, 1) + timedelta(days=rng.randrange(60)),
                timezone="Europe/Warsaw",
                phones=[
                    Phone(position=1, number_e164=f"+4860{1000000 + n:07d}", kind="mobile"),
                    Phone(position=2, number_e164=f"+4822{5000000 + n:07d}", kind="home"),
                ],
            )
            session.add(debtor)
            rows.append(debtor)
        await session.flush()
        serial = 0
        for minutes_ago in range(360, 0, -3):
            for _ in range(rng.randrange(2, 7)):
                debtor = rng.choice(rows[: debtors * 3 // 4])
                serial += 1
                outcome = rng.choice(OUTCOMES)
                session.add(
                    CallAttempt(
                        campaign_id=campaign.id,
                        debtor_id=debtor.id,
                        phone_id=debtor.phones[0].id,
                        number_e164=debtor.phones[0].number_e164,
                        action_id=f"seed-{serial}",
                        state="ended",
                        outcome=outcome.value,
                        agent_id=agents[rng.choice(AGENTS)].id if outcome == O.CONNECTED else None,
                        created_at=now - timedelta(minutes=minutes_ago, seconds=rng.randrange(170)),
                    )
                )
        for debtor in rows[:12]:
            promise = rng.random() < 0.6
            session.add(
                ScriptResult(
                    debtor_id=debtor.id,
                    campaign_id=campaign.id,
                    agent_id=agents[rng.choice(AGENTS)].id,
                    source="agent",
                    kind="promise_to_pay" if promise else rng.choice(["refusal", "dispute"]),
                    amount=Decimal(rng.randrange(100, 2000)) if promise else None,
                    currency="PLN" if promise else None,
                    promised_date=date(2026, 12, rng.randrange(1, 28)) if promise else None,
                    created_at=now - timedelta(hours=rng.randrange(1, 6)),
                )
            )
        for agent in agents.values():
            session.add(
                AgentStateEvent(
                    agent_id=agent.id,
                    from_state="logged_out",
                    to_state="ready",
                    event="login",
                    at=now - timedelta(hours=6),
                )
            )
        return Seeded(
            campaign.id,
            [d.id for d in rows],
            {k: a.id for k, a in agents.items()},
            {k: a.name for k, a in agents.items()},
        )


@dataclass
class RunningApp:
    url: str
    live: LiveHub
    controls: FakeControls
    desk: FakeDesk
    seeded: Seeded


@asynccontextmanager
async def running_app(
    sessions: async_sessionmaker[Any], *, live_parts: bool = True
) -> AsyncIterator[RunningApp]:
    seeded = await seed(sessions)
    live = LiveHub()
    controls = FakeControls([CAMPAIGN])
    desk = FakeDesk(sessions, live, AGENTS, names=seeded.agent_names)
    app = create_app(
        sessions,
        live=live,
        controls=controls if live_parts else None,
        acd=desk if live_parts else None,
        auth=WebSettings.model_validate({"secret": "test-secret"}),
    )
    runner = web.AppRunner(app)  # default shutdown: open event streams must end by themselves
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield RunningApp(f"http://127.0.0.1:{port}", live, controls, desk, seeded)
    finally:
        await runner.cleanup()
