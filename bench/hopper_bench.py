"""Hopper selection time: claim batches of 100 numbers from a list of 1,000,000 debtors.

    .venv/bin/python bench/hopper_bench.py [--debtors 1000000] [--batches 50]
        [--postgres postgresql+asyncpg://dialer:dialer@127.0.0.1:5432/postgres]

Rows are generated inside the database (SQLite: a recursive CTE; PostgreSQL:
generate_series), so a million debtors load in seconds. The mix is realistic: 70 % fresh,
20 % recycled (half due), 5 % callbacks, 5 % done; a third have a second number; debtors in
three time zones (one outside its calling window at the benchmark's clock, so the hopper
also defers); 100,000 earlier attempts; 10,000 DNC numbers. Target: < 20 ms per batch.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from dialer.campaign.hopper import Hopper
from dialer.campaign.settings import CampaignSettings
from dialer.campaign.store import create_campaign
from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade

# Wednesday 11:30 UTC: 13:30 in Warsaw, 12:30 in London, 07:30 in New York (before its window).
NOW = datetime(2026, 6, 3, 11, 30, tzinfo=UTC)

SQLITE_FILL = [
    """WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)
    INSERT INTO debtor (campaign_id, account_id, first_name, last_name, balance, currency,
        timezone, language, extra, priority, status, next_call_at, created_at, updated_at)
    SELECT :cid, 'ACC' || i, 'Jan', 'Nowak', 100 + i % 5000, 'PLN',
        CASE i % 3 WHEN 0 THEN 'Europe/Warsaw' WHEN 1 THEN 'Europe/London'
                   ELSE 'America/New_York' END,
        'pl', '{}', i % 4,
        CASE WHEN i % 20 < 14 THEN 'new' WHEN i % 20 < 18 THEN 'ready'
             WHEN i % 20 = 18 THEN 'callback' ELSE 'done' END,
        CASE WHEN i % 20 < 14 THEN NULL
             WHEN i % 2 = 0 THEN '2026-06-03 09:00:00.000000'
             ELSE '2026-06-04 09:00:00.000000' END,
        '2026-01-01 00:00:00.000000', '2026-01-01 00:00:00.000000'
    FROM n""",
    """INSERT INTO phone (debtor_id, position, number_e164, kind, bad, right_party_contacts)
    SELECT id, 1, '+48' || (500000000 + id), 'mobile', 0, 0 FROM debtor""",
    """INSERT INTO phone (debtor_id, position, number_e164, kind, bad, right_party_contacts)
    SELECT id, 2, '+48' || (600000000 + id), 'home', 0, 0 FROM debtor WHERE id % 3 = 0""",
    """INSERT INTO dnc_entry (number_e164, reason, added_at)
    SELECT '+48' || (500000000 + id), 'asked', '2026-01-01 00:00:00.000000'
    FROM debtor WHERE id % 100 = 7""",
    """INSERT INTO call_attempt (campaign_id, debtor_id, phone_id, number_e164, action_id,
        state, outcome, created_at)
    SELECT :cid, d.id, p.id, p.number_e164, 'old-' || d.id, 'ended', 'no_answer',
        '2026-06-02 10:00:00.000000'
    FROM debtor d JOIN phone p ON p.debtor_id = d.id AND p.position = 1
    WHERE d.status = 'ready' AND d.id % 8 < 4 AND d.id <= :count""",
]
PG_FILL = [
    s.replace(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < :count)", ""
    )
    .replace("FROM n", "FROM generate_series(1, :count) AS n(i)")
    .replace("'{}'", "'{}'::json")
    .replace(".000000'", "+00'::timestamptz")
    .replace("0, 0 FROM", "false, 0 FROM")
    for s in SQLITE_FILL
]


async def fill(url: str, count: int) -> tuple[Any, int]:
    await upgrade(url)
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    campaign_id = await create_campaign(sessions, "bench", CampaignSettings())
    statements = PG_FILL if engine.dialect.name == "postgresql" else SQLITE_FILL
    started = time.perf_counter()
    async with engine.begin() as conn:
        for sql in statements:
            await conn.execute(text(sql), {"count": count, "cid": campaign_id})
    if engine.dialect.name == "postgresql":
        async with engine.connect() as conn:
            await conn.execution_options(isolation_level="AUTOCOMMIT")
            await conn.execute(text("VACUUM ANALYZE"))
    else:
        async with engine.begin() as conn:
            await conn.execute(text("ANALYZE"))
    print(f"  generated {count:,} debtors in {time.perf_counter() - started:.1f} s")
    return engine, campaign_id


async def measure(engine: Any, campaign_id: int, batches: int) -> None:
    hopper = Hopper(make_sessionmaker(engine), campaign_id, CampaignSettings())
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    # Statements per batch: on PostgreSQL each one is a round trip (plus BEGIN and COMMIT).
    event.listen(engine.sync_engine, "before_cursor_execute", count)
    times: list[float] = []
    claimed = 0
    for _ in range(batches):
        started = time.perf_counter()
        claims = await hopper.claim(100, NOW)
        times.append((time.perf_counter() - started) * 1000)
        claimed += len(claims)
    event.remove(engine.sync_engine, "before_cursor_execute", count)
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"  {batches} batches of 100: median {statistics.median(times):.1f} ms, "
        f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms; {claimed} numbers claimed, "
        f"{statements / batches:.1f} statements a batch (target < 20 ms per batch)"
    )


async def run_sqlite(count: int, batches: int) -> None:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{folder}/bench.sqlite"
        print(f"SQLite ({count:,} debtors)")
        engine, campaign_id = await fill(url, count)
        try:
            await measure(engine, campaign_id, batches)
        finally:
            await engine.dispose()


async def run_postgres(admin_url: str, count: int, batches: int) -> None:
    name = f"hopper_bench_{uuid.uuid4().hex[:8]}"
    admin = make_engine(admin_url)
    async with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    print(f"PostgreSQL ({count:,} debtors)")
    try:
        engine, campaign_id = await fill(url, count)
        try:
            await measure(engine, campaign_id, batches)
        finally:
            await engine.dispose()
    finally:
        async with admin.execution_options(isolation_level="AUTOCOMMIT").connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--debtors", type=int, default=1_000_000)
    parser.add_argument("--batches", type=int, default=50)
    parser.add_argument("--postgres", help="admin URL of a PostgreSQL server to bench as well")
    args = parser.parse_args()
    asyncio.run(run_sqlite(args.debtors, args.batches))
    if args.postgres:
        asyncio.run(run_postgres(args.postgres, args.debtors, args.batches))


if __name__ == "__main__":
    main()
