"""AcdPbxLink: the ACD's side of Asterisk, through the PBX seam (dialer.pbx.link.AmiLink).

- login: originate the agent's phone into their own ConfBridge `agent-<login>`
  ([acd-agent-session]); the phone stays there between calls (nailed-up session).
- connect: AMI Redirect of an answered debtor channel to [acd-agent] exten <login>: it joins
  the agent's bridge without ringing. The time from answer (and from redirect) to the
  debtor's ConfbridgeJoin is measured (`connect_stats`).
- The debtor leaving ends the call for the agent; the agent stays in the bridge.
- The agent's phone leaving (they hung up, or it failed) is `phone_lost`: the agent is
  LOGGED_OUT. A debtor still in the bridge is never dropped: `QueueLink.rescue` puts them
  through to another agent or into the high-priority `rescue` queue.
- Callers waiting in [acd-queue] (inbound, IVR "enqueue", rescued) are `acd.queue_link`'s:
  this link only puts them through once the ACD has an agent for them.

Calls of a campaign are connected with `connect` only: the campaign runtime owns their
ACD state (acd.connect / call_ended). Calls this link routes itself (inbound, rescued,
`route_answered`) have their ACD state kept here.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from acd.announcer import QueueAnnouncer
from acd.connect_timer import ConnectStats, ConnectTimer
from acd.errors import AcdError
from acd.facade import Acd
from acd.queue_link import QueueLink
from acd.records import Reservation
from acd.routing import Requirement
from acd.tasks import Tasks, quietly
from dialer.db.types import utcnow
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.events import CallAnswered, CallBridged, CallFailed, CallHungUp, CallLost, PbxEvent
from dialer.pbx.link import AmiLink

log = logging.getLogger(__name__)

SESSION_CONTEXT = "acd-agent-session"
AGENT_CONTEXT = "acd-agent"
NO_SESSION_EVENT = "AcdNoAgentSession"
REDIRECT_TRIES = 3


class AgentPhoneError(AcdError):
    """The agent's phone did not answer or join its session."""


class NoAgentSessionError(AgentPhoneError):
    """The debtor reached [acd-agent] but the agent's bridge was empty: it was abandoned."""


@dataclass
class _Session:
    login: str
    action_id: str
    joined: asyncio.Future[None]
    channel: str = ""


@dataclass(frozen=True)
class ConnectResult:
    login: str
    channel: str
    answer_to_bridge_s: float | None  # None: the join was not seen in time
    redirect_to_bridge_s: float | None


class AcdPbxLink:
    def __init__(
        self,
        link: AmiLink,
        acd: Acd,
        *,
        login_timeout_s: float = 20.0,
        bridge_timeout_s: float = 10.0,
        abandon_context: str = "dialer-abandon",
        announcer: QueueAnnouncer | None = None,
    ) -> None:
        self.link = link
        self.acd = acd
        self.announcer = announcer or QueueAnnouncer(acd, link)
        self.login_timeout_s = login_timeout_s
        self.bridge_timeout_s = bridge_timeout_s
        self.abandon_context = abandon_context
        self.abandoned = 0
        self.timer = ConnectTimer()
        self.tasks = Tasks()
        self.queue_link = QueueLink(link, acd, self.announcer, self.tasks, self._put_through)
        self._sessions: dict[str, _Session] = {}  # by login
        self._by_action: dict[str, _Session] = {}
        self._owned: dict[str, str] = {}  # channel -> login, calls whose ACD state we keep
        self._running = False

    @property
    def rescued(self) -> int:
        """Debtors whose agent's phone dropped mid-call, rescued so far."""
        return self.queue_link.rescued

    # ----- life cycle ------------------------------------------------------------------
    async def start(self) -> None:
        """Listen to the PBX; take over the ACD's queue assignments and treatments."""
        self._running = True
        self.link.subscribe(self._on_event)
        self.link.subscribe_raw(
            ["ConfbridgeJoin", "ConfbridgeLeave", "UserEvent", "Hangup"], self._on_raw
        )
        self.queue_link.start()

    async def stop(self, *, hang_up_sessions: bool = True) -> None:
        """Stop reacting; by default end every session this link opened."""
        self._running = False
        if hang_up_sessions:
            for session in list(self._sessions.values()):
                self._forget(session)
                self.acd.phone_lost(session.login)  # recorded: the agent is gone
                if session.channel:
                    await quietly(self.link.hangup(session.channel))
        await self.tasks.cancel_all()
        await self.queue_link.close()

    # ----- agents ----------------------------------------------------------------------
    async def login(self, login: str, *, ready: bool = False) -> None:
        """Call the agent's phone into their session; AgentPhoneError if it does not join."""
        profile = self.acd.profile(login)
        self.acd.login(login)  # AlreadyLoggedInError before anything is dialled
        loop = asyncio.get_running_loop()
        action_id = f"acd-{login}-{uuid.uuid4().hex[:12]}"
        session = _Session(login, action_id, loop.create_future())
        self._sessions[login] = self._by_action[action_id] = session
        request = OriginateRequest(
            action_id,
            profile.phone,
            SESSION_CONTEXT,
            login,
            caller_id=f'"ACD session" <{login}>',
            timeout_s=self.login_timeout_s,
        )
        try:
            await self.link.originate(request)
            await asyncio.wait_for(asyncio.shield(session.joined), self.login_timeout_s)
        except (Exception, asyncio.CancelledError) as exc:
            self._forget(session)
            self.acd.phone_lost(login)
            if session.channel:
                await quietly(self.link.hangup(session.channel))
            if isinstance(exc, asyncio.CancelledError):
                raise
            raise AgentPhoneError(
                f"agent {login}: phone {profile.phone} did not join: {exc}"
            ) from exc
        if ready:
            self.acd.ready(login)

    async def logout(self, login: str) -> None:
        """Log out (refused while on a call) and end the phone's session."""
        self.acd.logout(login)
        session = self._sessions.get(login)
        if session is not None:
            self._forget(session)
            if session.channel:
                await quietly(self.link.hangup(session.channel))

    def session_channel(self, login: str) -> str | None:
        session = self._sessions.get(login)
        return session.channel if session is not None and session.channel else None

    # ----- calls -----------------------------------------------------------------------
    async def connect(
        self, debtor_channel: str, agent_login: str, *, answered_at: datetime | None = None
    ) -> ConnectResult:
        """Move an answered debtor into the agent's bridge and wait (bounded) for the join."""
        waiter = self.timer.expect(debtor_channel, agent_login, answered_at or utcnow())
        try:
            await self.link.redirect(debtor_channel, AGENT_CONTEXT, agent_login)
        except BaseException:
            self.timer.cancel(debtor_channel)
            raise
        try:
            measured = await asyncio.wait_for(asyncio.shield(waiter), self.bridge_timeout_s)
        except TimeoutError:
            # Slow PBX: still measured if the join comes later (forgotten at hang-up).
            log.warning("no ConfbridgeJoin of %s into agent-%s yet", debtor_channel, agent_login)
            return ConnectResult(agent_login, debtor_channel, None, None)
        return ConnectResult(agent_login, debtor_channel, *measured)

    async def route_answered(
        self,
        channel: str,
        *,
        skills: Requirement | Mapping[str, object] | None = None,
        attempt_id: int | None = None,
        debtor_id: int | None = None,
        answered_at: datetime | None = None,
    ) -> str | None:
        """Connect an answered call to the longest-idle agent, or abandon it. Returns the login."""
        reservation = self.acd.reserve(skills, call_id=channel)
        if reservation is None:
            await self.abandon(channel)
            return None
        await self._put_through(reservation, channel, attempt_id, debtor_id, answered_at)
        return reservation.login

    async def abandon(self, channel: str) -> None:
        """No agent in time: the abandon message ([dialer-abandon]); counted."""
        self.abandoned += 1
        self.acd.publish({"type": "call_abandoned", "channel": channel})
        await quietly(self.link.redirect(channel, self.abandon_context, "s"))

    def connect_stats(self) -> ConnectStats:
        return self.timer.stats()

    # ----- internals: routing done here ------------------------------------------------
    async def _put_through(
        self,
        reservation: Reservation,
        channel: str,
        attempt_id: int | None,
        debtor_id: int | None,
        answered_at: datetime | None,
    ) -> None:
        self.acd.connect(reservation, attempt_id=attempt_id, debtor_id=debtor_id, channel=channel)
        self._owned[channel] = reservation.login
        for attempt in range(REDIRECT_TRIES):
            try:
                await self.connect(channel, reservation.login, answered_at=answered_at)
                return
            except NoAgentSessionError:
                break  # the dialplan played the abandon message: nothing to retry
            except Exception as exc:
                # A channel still being moved by an earlier Redirect refuses a new one.
                log.warning(
                    "redirect of %s to agent %s failed (%s)", channel, reservation.login, exc
                )
                if attempt + 1 < REDIRECT_TRIES and channel in self._owned:
                    await asyncio.sleep(0.2)
        if self._owned.pop(channel, None) is not None:
            self._ended(reservation.login)

    def _phone_lost(self, session: _Session) -> None:
        self._forget(session)
        lost = self.acd.phone_lost(session.login)
        if lost is None or not lost.channel:
            return
        self._owned.pop(lost.channel, None)
        self.queue_link.rescue(lost)

    # ----- events ----------------------------------------------------------------------
    def _on_event(self, event: PbxEvent) -> None:
        if not self._running:
            return
        session = self._by_action.get(getattr(event, "action_id", ""))
        if session is None:
            return
        if isinstance(event, CallAnswered):
            session.channel = event.channel
        elif isinstance(event, CallBridged) and event.target == f"agent-{session.login}":
            session.channel = session.channel or event.channel
            if not session.joined.done():
                session.joined.set_result(None)
        elif isinstance(event, CallFailed | CallHungUp | CallLost):
            if not session.joined.done():
                session.joined.set_exception(AgentPhoneError(f"session call ended: {event}"))
            else:
                self._phone_lost(session)

    def _on_raw(self, event: Mapping[str, str]) -> None:
        if not self._running:
            return
        name = event.get("Event")
        channel = event.get("Channel", "")
        if name == "ConfbridgeJoin":
            self.timer.joined(channel, event.get("Conference", ""))
        elif name == "ConfbridgeLeave":
            login = self._owned.get(channel)
            if login is not None and event.get("Conference") == f"agent-{login}":
                del self._owned[channel]
                self._ended(login)
        elif name == "Hangup":
            self.queue_link.hung_up(event.get("Uniqueid", ""), channel)
            self.timer.cancel(channel)
            login = self._owned.pop(channel, None)
            if login is not None:  # gone before (or without) leaving the bridge
                self._ended(login)
        elif name == "UserEvent":
            self._user_event(event)

    def _user_event(self, event: Mapping[str, str]) -> None:
        if event.get("UserEvent") == NO_SESSION_EVENT:
            self._no_agent_session(event)
        else:
            self.queue_link.user_event(event)

    def _no_agent_session(self, event: Mapping[str, str]) -> None:
        login, channel = event.get("Login", ""), event.get("Channel", "")
        log.error("debtor %s sent to agent %s, whose bridge was empty", channel, login)
        self.abandoned += 1
        self.acd.publish({"type": "call_abandoned", "channel": channel, "login": login})
        self.timer.fail(channel, NoAgentSessionError(f"agent {login} has no session"))

    def _ended(self, login: str) -> None:
        try:
            self.acd.call_ended(login)
        except AcdError as exc:
            log.warning("call end for agent %s: %s", login, exc)

    def _forget(self, session: _Session) -> None:
        self._by_action.pop(session.action_id, None)
        if self._sessions.get(session.login) is session:
            del self._sessions[session.login]


__all__ = ["AcdPbxLink", "AgentPhoneError", "ConnectResult", "ConnectStats", "NoAgentSessionError"]
