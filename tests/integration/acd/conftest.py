"""The `floor` fixture of the ACD's integration tests (see acd_floor.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from acd import Skills
from tests.integration.acd.acd_floor import Floor, open_floor


@pytest.fixture
def agent_skills() -> dict[str, Skills]:
    """Skills by login; a test module overrides this fixture to give agents skills."""
    return {}


@pytest.fixture
async def floor(agent_skills: dict[str, Skills]) -> AsyncIterator[Floor]:
    async with open_floor(agent_skills) as opened:
        yield opened
