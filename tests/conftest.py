"""Fixtures shared by every test folder: real SQLite files, PostgreSQL, the Asterisk sandbox."""

from __future__ import annotations

import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker

from dialer.db.engine import make_engine, make_sessionmaker
from dialer.db.migrate import upgrade

AMI_ADDRESS = ("127.0.0.1", 5038)


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'dialer.sqlite'}"


@pytest.fixture
async def engine(sqlite_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade(sqlite_url)
    engine = make_engine(sqlite_url)
    yield engine
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[Any]:
    return make_sessionmaker(engine)


def _ami_reachable() -> bool:
    try:
        with socket.create_connection(AMI_ADDRESS, timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def asterisk_sandbox() -> None:
    """The sandbox Asterisk must be up (`asterisk/sandbox start`); under ./dev test it always is."""
    if _ami_reachable():
        return
    message = (
        "Asterisk sandbox is not running: run `asterisk/sandbox setup && asterisk/sandbox start`"
    )
    if os.environ.get("DIALER_REQUIRE_ASTERISK") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def postgres_url() -> str:
    url = os.environ.get("DIALER_TEST_POSTGRES_URL")
    if not url:
        if os.environ.get("DIALER_REQUIRE_ASTERISK") == "1":
            pytest.fail("DIALER_TEST_POSTGRES_URL is not set (./dev test starts PostgreSQL)")
        pytest.skip("no PostgreSQL: set DIALER_TEST_POSTGRES_URL")
    return url
