"""The phone-number index around big SQLite imports: set aside, built again, never left out."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from dialer.db.models import Phone
from dialer.lists import import_csv, number_index
from dialer.lists.number_index import worth_rebuilding
from dialer.lists.writer import DebtorWriter
from tests.integration.lists import LOCALE


def debtors_file(path: Path, count: int) -> Path:
    lines = ["account_id,balance,phone1,phone2"]
    lines += [f"N{i:05d},1,+4850{i:07d},+4860{i:07d}" for i in range(count)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def index_sql(engine: AsyncEngine) -> str | None:
    async with engine.connect() as conn:
        found = await conn.scalar(
            text("SELECT sql FROM sqlite_master WHERE name = 'ix_phone_number_e164'")
        )
        return str(found) if found is not None else None


def test_the_index_is_set_aside_only_for_imports_big_against_the_table() -> None:
    assert worth_rebuilding(existing=0, new=4_000_000)
    assert worth_rebuilding(existing=6_000_000, new=4_000_000)
    assert not worth_rebuilding(existing=0, new=1_000)  # small: keeping it up costs little
    assert not worth_rebuilding(existing=20_000_000, new=4_000_000)  # small against the table
    assert not worth_rebuilding(existing=8_000_000, new=8_000_000)  # too long a build


async def test_a_big_import_sets_the_index_aside_and_builds_it_again(
    engine: AsyncEngine,
    sessions: async_sessionmaker[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = await index_sql(engine)
    assert before is not None
    monkeypatch.setattr(number_index, "LEAST_NEW_PHONES", 100)
    seen_during: list[str | None] = []
    write = DebtorWriter.write

    async def spy(self: DebtorWriter, records: list[Any]) -> Any:
        seen_during.append(await index_sql(engine))
        return await write(self, records)

    monkeypatch.setattr(DebtorWriter, "write", spy)
    report = await import_csv(
        sessions, debtors_file(tmp_path / "big.csv", 600), "big", **LOCALE, batch_rows=200
    )
    assert report.new == 600
    assert seen_during == [None, None, None]  # no index while the rows went in
    assert await index_sql(engine) == before  # the same index, as the schema defines it
    async with sessions() as session:
        debtor_id = await session.scalar(
            select(Phone.debtor_id).where(Phone.number_e164 == "+48600000123")
        )
        plan = " ".join(
            str(row)
            for row in await session.execute(
                text("EXPLAIN QUERY PLAN SELECT id FROM phone WHERE number_e164 = '+48600000123'")
            )
        )
    assert debtor_id is not None and "ix_phone_number_e164" in plan


async def test_the_index_is_built_again_when_a_big_import_fails(
    engine: AsyncEngine,
    sessions: async_sessionmaker[Any],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(number_index, "LEAST_NEW_PHONES", 100)
    write = DebtorWriter.write
    calls = 0

    async def failing(self: DebtorWriter, records: list[Any]) -> Any:
        nonlocal calls
        calls += 1
        if calls == 2:
            raise OSError("disk full")
        return await write(self, records)

    monkeypatch.setattr(DebtorWriter, "write", failing)
    with pytest.raises(OSError, match="disk full"):
        await import_csv(
            sessions, debtors_file(tmp_path / "big.csv", 600), "big",
            **LOCALE, batch_rows=200,
        )  # fmt: skip
    assert await index_sql(engine) is not None


async def test_an_index_a_crash_left_out_is_made_again_by_the_next_import(
    engine: AsyncEngine, sessions: async_sessionmaker[Any], tmp_path: Path
) -> None:
    async with engine.begin() as conn:
        await conn.execute(text("DROP INDEX ix_phone_number_e164"))
    await import_csv(sessions, debtors_file(tmp_path / "small.csv", 5), "small", **LOCALE)
    assert await index_sql(engine) is not None
