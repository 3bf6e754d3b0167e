from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.cli import main
from dialer.db.outcomes import AttemptOutcome
from dialer.db.types import utcnow
from tests.unit.reporting.reporting_rows import add_attempt, make_campaign


async def test_report_commands_write_csv(
    sessions: async_sessionmaker[Any], sqlite_url: str, tmp_path: Path
) -> None:
    campaign_id, debtors, _ = await make_campaign(sessions)
    at = utcnow() - timedelta(hours=1)
    for outcome in (AttemptOutcome.CONNECTED, AttemptOutcome.ABANDONED):
        await add_attempt(sessions, campaign_id, debtors[0], outcome, at)
    db = ["--set", f"database.url={sqlite_url}"]
    out = tmp_path / "campaign.csv"
    assert (
        await asyncio.to_thread(main, [*db, "report", "campaign", "spring", "--csv", str(out)]) == 0
    )
    assert "abandon_pct_24h,50.00" in out.read_text()
    for kind in (["agents"], ["results", "--campaign", "spring"]):
        target = tmp_path / f"{kind[0]}.csv"
        assert await asyncio.to_thread(main, [*db, "report", *kind, "--csv", str(target)]) == 0
        assert target.exists()
    assert await asyncio.to_thread(main, [*db, "report", "campaign", "nope"]) == 1
