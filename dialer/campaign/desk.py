"""The web's AgentDesk, implemented over the ACD (and its PBX link when agents have phones)."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from acd import Acd, AcdError, AgentState
from dialer.campaign.dispositions import agent_id_for, record_disposition
from dialer.db.types import utcnow
from dialer.web.ports import AgentView, ControlError, Disposition

log = logging.getLogger(__name__)


class AgentSessions(Protocol):
    """AcdPbxLink's agent side: call the agent's phone into their session."""

    async def login(self, login: str, *, ready: bool = False) -> None: ...

    async def logout(self, login: str) -> None: ...


class CampaignAgentDesk:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        acd: Acd,
        phones: AgentSessions | None = None,
    ) -> None:
        self._sessions = sessions
        self.acd = acd
        self.phones = phones
        self.dispositions = 0

    async def login(self, login: str) -> None:
        try:
            if self.phones is not None:
                await self.phones.login(login)
            else:
                self.acd.login(login)
        except AcdError as exc:
            raise ControlError(str(exc)) from exc

    async def ready(self, login: str) -> None:
        self._acd(lambda: self.acd.ready(login))

    async def pause(self, login: str, reason: str) -> None:
        self._acd(lambda: self.acd.pause(login, reason))

    async def logout(self, login: str) -> None:
        try:
            if self.phones is not None:
                await self.phones.logout(login)
            else:
                self.acd.logout(login)
        except AcdError as exc:
            raise ControlError(str(exc)) from exc

    async def submit_disposition(self, login: str, disposition: Disposition) -> int:
        """Store the result, drive the debtor's next step, end the agent's wrap-up."""
        agent_id = self._agent_id(login) or await agent_id_for(self._sessions, login)
        result_id = await record_disposition(self._sessions, disposition, agent_id)
        self.dispositions += 1
        try:
            if self.acd.state_of(login) is AgentState.WRAP_UP:
                self.acd.wrapup_done(login)
        except AcdError as exc:
            log.info("disposition of %s: %s", login, exc)
        return result_id

    def agents(self) -> list[AgentView]:
        return [_view(row) for row in self.acd.agent_states()]

    def _agent_id(self, login: str) -> int | None:
        try:
            return self.acd.profile(login).agent_id
        except AcdError:
            return None

    @staticmethod
    def _acd(operation: Any) -> None:
        try:
            operation()
        except AcdError as exc:
            raise ControlError(str(exc)) from exc


def _view(row: dict[str, Any]) -> AgentView:
    since = row.get("since")
    return AgentView(
        login=str(row["login"]),
        name=str(row.get("name") or row["login"]),
        state=str(row["state"]),
        since=datetime.fromisoformat(since) if since else utcnow(),
        reason=row.get("reason"),
        attempt_id=row.get("attempt_id"),
        debtor_id=row.get("debtor_id"),
    )
