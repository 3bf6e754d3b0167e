"""Shared set-up for IVR call tests: a server on a free port, a debtor, and its attempt."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.config import Settings
from dialer.db.models import CallAttempt, Campaign, Debtor, Phone
from ivr.server import IvrServer
from ivr.stt import Recognizer

FIXTURES = Path(__file__).with_name("fixtures")


async def add_debtor(sessions: async_sessionmaker[Any], language: str = "en") -> tuple[int, int]:
    """A debtor with one phone and one call attempt; returns (debtor_id, attempt_id)."""
    async with sessions() as db, db.begin():
        campaign = Campaign(name=f"ivr-{language}", settings={})
        db.add(campaign)
        await db.flush()
        debtor = Debtor(
            campaign_id=campaign.id,
            account_id="AC4711",
            first_name="Anna",
            last_name="Nowak",
            balance=Decimal("1234.56"),
            currency="PLN",
            due_date=date(2026, 3, 15),
            timezone="Europe/Warsaw",
            language=language,
        )
        db.add(debtor)
        await db.flush()
        phone = Phone(debtor_id=debtor.id, position=1, number_e164="+48510030001")
        db.add(phone)
        await db.flush()
        attempt = CallAttempt(
            campaign_id=campaign.id,
            debtor_id=debtor.id,
            phone_id=phone.id,
            number_e164=phone.number_e164,
            action_id=f"ivr-test-{debtor.id}",
        )
        db.add(attempt)
        await db.flush()
        return debtor.id, attempt.id


def copy_scripts(tmp_path: Path, *names: str, source: Path = FIXTURES) -> Path:
    scripts = tmp_path / "scripts"
    scripts.mkdir(exist_ok=True)
    for name in names:
        shutil.copy(source / f"{name}.yaml", scripts / f"{name}.yaml")
    return scripts


def sounds_dir(tmp_path: Path) -> Path:
    sounds = tmp_path / "sounds"
    if not sounds.exists():
        shutil.copytree(FIXTURES / "sounds", sounds)
    return sounds


@asynccontextmanager
async def running_server(
    sessions: async_sessionmaker[Any],
    scripts: Path,
    sounds: Path,
    recognizer: Recognizer | None = None,
) -> AsyncIterator[IvrServer]:
    server = IvrServer(
        Settings(),
        sessions,
        scripts,
        host="127.0.0.1",
        port=0,
        recognizer=recognizer,
        sounds_dir=sounds,
    )
    await server.start()
    try:
        yield server
    finally:
        await server.stop()
