"""Simulated debtors for the demo, tests and benchmarks.

Numbers come from the sandbox's simulated PSTN (dialer.pbx.simnumbers), whose digits carry the
outcome and talk time, so a generated list behaves like a real one with a chosen outcome mix.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from dialer.db.models import Debtor, Phone
from dialer.pbx.simnumbers import SimOutcome, sim_number

FIRST_NAMES = ("Anna", "Piotr", "Maria", "Jan", "Katarzyna", "Tomasz", "Ewa", "Marek", "Olga")
LAST_NAMES = ("Nowak", "Kowalski", "Wiśniewska", "Wójcik", "Kamińska", "Lewandowski", "Zając")


@dataclass(frozen=True)
class OutcomeMix:
    """Shares of simulated outcomes (they need not sum to exactly 1) and talk times."""

    human: float = 0.30
    machine: float = 0.20
    busy: float = 0.15
    no_answer: float = 0.25
    congestion: float = 0.05
    invalid: float = 0.05
    talk_min_s: int = 20
    talk_max_s: int = 90

    def draw(self, rng: random.Random) -> tuple[SimOutcome, int]:
        outcomes = (
            SimOutcome.HUMAN,
            SimOutcome.MACHINE,
            SimOutcome.BUSY,
            SimOutcome.NO_ANSWER,
            SimOutcome.CONGESTION,
            SimOutcome.INVALID,
        )
        weights = (
            self.human,
            self.machine,
            self.busy,
            self.no_answer,
            self.congestion,
            self.invalid,
        )
        outcome = rng.choices(outcomes, weights)[0]
        talk = rng.randint(self.talk_min_s, self.talk_max_s) if outcome is SimOutcome.HUMAN else 0
        return outcome, talk


async def add_sim_debtors(
    sessions: async_sessionmaker[AsyncSession],
    campaign_id: int,
    count: int,
    mix: OutcomeMix = OutcomeMix(),
    seed: int = 1,
    timezone: str = "UTC",
    phones_per_debtor: Sequence[int] = (1, 1, 2),
    serial_base: int = 0,
) -> int:
    """Insert `count` simulated debtors with 1-2 numbers each; returns how many."""
    rng = random.Random(seed)
    async with sessions() as session, session.begin():
        existing = await session.scalar(
            select(Debtor.id).where(Debtor.campaign_id == campaign_id).limit(1)
        )
        offset = 0 if existing is None else 100_000
        debtor_rows = []
        for i in range(count):
            debtor_rows.append(
                {
                    "campaign_id": campaign_id,
                    "account_id": f"SIM-{campaign_id}-{offset + i:06d}",
                    "first_name": rng.choice(FIRST_NAMES),
                    "last_name": rng.choice(LAST_NAMES),
                    "balance": Decimal(rng.randint(5_000, 900_000)) / 100,
                    "currency": "PLN",
                    "due_date": date(2026, 1, 1) + timedelta(days=rng.randint(0, 300)),
                    "timezone": timezone,
                    "language": "pl",
                    "extra": {},
                    "priority": rng.choice((0, 0, 0, 1)),
                    "status": "new",
                }
            )
        ids = (
            (await session.execute(insert(Debtor).returning(Debtor.id), debtor_rows))
            .scalars()
            .all()
        )
        phone_rows = []
        serial = serial_base
        for debtor_id in ids:
            for position in range(1, rng.choice(phones_per_debtor) + 1):
                outcome, talk = mix.draw(rng)
                phone_rows.append(
                    {
                        "debtor_id": debtor_id,
                        "position": position,
                        "number_e164": sim_number(outcome, talk, serial % 1000),
                        "kind": "mobile",
                        "bad": False,
                        "right_party_contacts": 0,
                    }
                )
                serial += 1
        await session.execute(insert(Phone), phone_rows)
    return len(ids)
