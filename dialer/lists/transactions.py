"""Where a batch's transaction runs: the import's own SQLite thread, or the async session.

The writer's batch code is plain synchronous SQLAlchemy Core on a `Connection`. On a SQLite
file it runs in one worker thread on a connection of its own: the sqlite3 module releases
the GIL while SQLite works, so the next batch is parsed meanwhile, and the whole batch is
one call instead of a hop to the driver's thread per statement. Elsewhere (PostgreSQL, an
in-memory SQLite database) the same code runs through `AsyncConnection.run_sync`.

Either way one call is one transaction: committed whole or rolled back whole.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Concatenate, ParamSpec, Protocol, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, async_sessionmaker
from sqlalchemy.pool import NullPool

from dialer.db.engine import sqlite_pragmas

P = ParamSpec("P")
T = TypeVar("T")
BatchWork = Callable[Concatenate[Connection, P], T]

# The import's connection only: SQLite's default 2 MB page cache thrashes on the
# phone-number index of a big list; 64 MB keeps the pages a batch touches in memory.
IMPORT_CACHE_KIB = 65_536


class TransactionRunner(Protocol):
    async def run(self, work: BatchWork[P, T], *args: P.args, **kwargs: P.kwargs) -> T: ...

    def interrupt(self) -> None: ...

    async def close(self) -> None: ...


class SessionTransactions:
    """Each call in its own session transaction, on the event loop (through run_sync)."""

    def __init__(self, sessions: async_sessionmaker[Any]) -> None:
        self.sessions = sessions

    async def run(self, work: BatchWork[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        async with self.sessions() as session, session.begin():
            conn: AsyncConnection = await session.connection()
            return await conn.run_sync(work, *args, **kwargs)

    def interrupt(self) -> None:
        """Nothing to do: cancelling the awaiting task rolls the transaction back."""

    async def close(self) -> None:
        return None


class SqliteThreadTransactions:
    """Each call in a `BEGIN IMMEDIATE` transaction on a private connection in one thread.

    IMMEDIATE takes the write lock at the start, so the batch sees no other writer between
    its reads and its inserts (the writer relies on that to number new debtors).
    """

    def __init__(self, url: URL) -> None:
        self._engine = _thread_engine(url)
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="list-import-sqlite")
        self._conn: Connection | None = None
        self._dbapi: sqlite3.Connection | None = None
        self._busy = threading.Lock()  # held while a batch is in the thread

    async def run(self, work: BatchWork[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, lambda: self._run(work, args, kwargs))

    def _run(self, work: BatchWork[..., T], args: Any, kwargs: Any) -> T:
        with self._busy:
            if self._conn is None:
                self._conn = self._engine.connect()
                self._dbapi = self._conn.connection.driver_connection
            with self._conn.begin():
                return work(self._conn, *args, **kwargs)

    def interrupt(self) -> None:
        """Abort the statement in flight: its batch fails and rolls back (safe from any thread)."""
        if self._dbapi is not None and self._busy.locked():
            self._dbapi.interrupt()

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, self._close)
        self._executor.shutdown(wait=True)
        self._engine.dispose()

    def _close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = self._dbapi = None


def _thread_engine(url: URL) -> Engine:
    engine = create_engine(url.set(drivername="sqlite+pysqlite"), poolclass=NullPool)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: Any) -> None:
        sqlite_pragmas(dbapi_connection, record)
        dbapi_connection.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
        # Every id the import writes it has just read or made in the same transaction
        # (campaign, creditor, portfolio, debtor; a phone is deleted only after checking no
        # call attempt points at it), and nothing deletes those rows: checking them again
        # was a quarter to a third of SQLite's work for a big list.
        dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        # The driver's own transaction handling would begin lazily (after our first
        # SELECT); with it off, the "begin" hook below says exactly when and how.
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def transactions_for(sessions: async_sessionmaker[Any], *, dry_run: bool) -> TransactionRunner:
    """The import's own SQLite thread when the sessions use a SQLite file and it writes."""
    bind = sessions.kw.get("bind")
    if not dry_run and isinstance(bind, AsyncEngine) and bind.dialect.name == "sqlite":
        database = bind.url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            return SqliteThreadTransactions(bind.url)
    return SessionTransactions(sessions)
