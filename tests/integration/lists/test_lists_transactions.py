"""Where an import's batches run: the SQLite thread commits or rolls back each one whole."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from dialer.db.engine import make_engine, make_sessionmaker
from dialer.lists.transactions import (
    SessionTransactions,
    SqliteThreadTransactions,
    transactions_for,
)


@pytest.fixture
async def thread_tx(engine: AsyncEngine) -> AsyncIterator[SqliteThreadTransactions]:
    transactions = SqliteThreadTransactions(engine.url)
    try:
        yield transactions
    finally:
        await transactions.close()


def _add_creditor(conn: Connection, name: str) -> str:
    conn.execute(text("INSERT INTO creditor (name) VALUES (:name)"), {"name": name})
    return threading.current_thread().name


def _add_then_fail(conn: Connection, name: str) -> None:
    _add_creditor(conn, name)
    raise RuntimeError("the batch fails half-way")


def _creditors(conn: Connection) -> list[str]:
    return list(conn.execute(text("SELECT name FROM creditor ORDER BY name")).scalars())


async def test_a_batch_runs_in_the_import_thread_and_commits(
    thread_tx: SqliteThreadTransactions, engine: AsyncEngine
) -> None:
    thread = await thread_tx.run(_add_creditor, "Bank A")
    assert thread.startswith("list-import-sqlite")
    async with engine.connect() as conn:  # another connection sees the committed row
        assert (await conn.execute(text("SELECT name FROM creditor"))).scalars().all() == ["Bank A"]


async def test_a_failing_batch_leaves_nothing(thread_tx: SqliteThreadTransactions) -> None:
    await thread_tx.run(_add_creditor, "Bank A")
    with pytest.raises(RuntimeError, match="half-way"):
        await thread_tx.run(_add_then_fail, "Bank B")
    assert await thread_tx.run(_creditors) == ["Bank A"]


def _add_then_run_long(conn: Connection, started: threading.Event) -> None:
    _add_creditor(conn, "Bank C")
    started.set()
    # A query that runs for minutes: only an interrupt ends it within the test's wait.
    conn.exec_driver_sql(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000000000) "
        "SELECT count(*) FROM n"
    )


async def test_an_interrupted_batch_rolls_back(thread_tx: SqliteThreadTransactions) -> None:
    started = threading.Event()
    pending = asyncio.create_task(thread_tx.run(_add_then_run_long, started))
    while not started.is_set():
        await asyncio.sleep(0.01)
    thread_tx.interrupt()
    with pytest.raises(OperationalError, match="interrupted"):
        await asyncio.wait_for(pending, 30)
    assert await thread_tx.run(_creditors) == []


async def test_sqlite_files_get_the_thread_other_databases_the_session(
    engine: AsyncEngine, tmp_path: Path
) -> None:
    sessions = make_sessionmaker(engine)
    writing = transactions_for(sessions, dry_run=False)
    assert isinstance(writing, SqliteThreadTransactions)
    await writing.close()
    assert isinstance(transactions_for(sessions, dry_run=True), SessionTransactions)
    memory = make_engine("sqlite+aiosqlite:///:memory:")
    try:
        runner: Any = transactions_for(make_sessionmaker(memory), dry_run=False)
        assert isinstance(runner, SessionTransactions)
    finally:
        await memory.dispose()
