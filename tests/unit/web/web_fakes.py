"""In-memory stand-ins for the campaign runtime and the ACD, as the web app sees them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from dialer.db.models import Agent, ScriptResult
from dialer.db.types import utcnow
from dialer.web.live import LiveHub
from dialer.web.ports import AgentView, ControlError, Disposition, PacingUpdate, PacingView


class FakeControls:
    def __init__(self, campaigns: list[str]) -> None:
        self.calls: list[tuple[str, str]] = []
        self.views = {
            name: PacingView(
                campaign=name,
                status="stopped",
                mode="predictive",
                target_abandon_pct=3.0,
                max_ratio=3.0,
                intensity=1.0,
                ratio=2.2,
                predicted_abandon_pct=2.4,
                abandon_pct=1.9,
                dial=2,
                reason="2 agents free within 8 s",
                at=utcnow(),
            )
            for name in campaigns
        }

    def _view(self, campaign: str) -> PacingView:
        if campaign not in self.views:
            raise ControlError(f"no campaign {campaign}")
        return self.views[campaign]

    async def _set_status(self, action: str, campaign: str, status: str) -> None:
        self.calls.append((action, campaign))
        self.views[campaign] = replace(self._view(campaign), status=status)

    async def start(self, campaign: str) -> None:
        await self._set_status("start", campaign, "running")

    async def pause(self, campaign: str) -> None:
        if self._view(campaign).status != "running":
            raise ControlError("only a running campaign can pause")
        await self._set_status("pause", campaign, "paused")

    async def resume(self, campaign: str) -> None:
        await self._set_status("resume", campaign, "running")

    async def stop(self, campaign: str) -> None:
        await self._set_status("stop", campaign, "stopped")

    async def set_pacing(self, campaign: str, update: PacingUpdate) -> PacingView:
        self.calls.append(("set_pacing", campaign))
        changes = {k: v for k, v in vars(update).items() if v is not None}
        self.views[campaign] = replace(self._view(campaign), **changes)
        return self.views[campaign]

    def pacing(self, campaign: str) -> PacingView | None:
        return self.views.get(campaign)


class FakeDesk:
    """Agents in memory; dispositions stored for real as ScriptResult rows."""

    def __init__(
        self,
        sessions: async_sessionmaker[Any],
        live: LiveHub,
        logins: list[str],
        names: dict[str, str] | None = None,
    ) -> None:
        self.sessions = sessions
        self.live = live
        self.views = {
            login: AgentView(
                login, (names or {}).get(login, f"Agent {login[-4:]}"), "logged_out", utcnow()
            )
            for login in logins
        }
        self.dispositions: list[tuple[str, Disposition]] = []

    def set(self, login: str, state: str, **extra: Any) -> None:
        if login not in self.views:
            raise ControlError(f"unknown agent {login}")
        changes: dict[str, Any] = {"reason": None, **extra}
        view = replace(self.views[login], state=state, since=utcnow(), **changes)
        self.views[login] = view
        self.live.publish({"type": "agent_state", **_plain(view)})

    async def login(self, login: str) -> None:
        self.set(login, "paused", reason="login", allowance_s=None)

    async def ready(self, login: str) -> None:
        self.set(login, "ready")

    async def pause(self, login: str, reason: str) -> None:
        if self.views[login].state == "on_call":
            raise ControlError("finish the call first")
        self.set(login, "paused", reason=reason, allowance_s=600)

    async def logout(self, login: str) -> None:
        self.set(login, "logged_out")

    async def submit_disposition(self, login: str, disposition: Disposition) -> int:
        self.dispositions.append((login, disposition))
        async with self.sessions() as session, session.begin():
            agent_id = await session.scalar(select(Agent.id).where(Agent.login == login))
            result = ScriptResult(
                attempt_id=disposition.attempt_id,
                debtor_id=disposition.debtor_id,
                agent_id=agent_id,
                source="agent",
                kind=disposition.kind.value,
                amount=disposition.amount,
                currency=disposition.currency,
                promised_date=disposition.promised_date,
                callback_at=disposition.callback_at,
                note=disposition.note,
            )
            session.add(result)
            await session.flush()
            return result.id

    def agents(self) -> list[AgentView]:
        return list(self.views.values())


def _plain(view: AgentView) -> dict[str, Any]:
    from dialer.web.cases import agent_view_dict

    return agent_view_dict(view)
