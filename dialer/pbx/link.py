"""AmiLink: the dialer's one connection to Asterisk.

- `start()` logs in or raises AmiLoginError (wrong credentials, Asterisk down, no reply
  within `login_timeout_s`) — it never retries silently.
- Once up, the link pings Asterisk; a dead connection is replaced with exponential back-off.
  Subscribers hear LinkDown, then (after the calls in flight are reconciled) LinkUp.
- `originate()` sends an Async Originate whose ActionID is the attempt key. It is sent once:
  an Originate cut off by a disconnect is settled by reconciliation, never re-sent.
- Typed events (events.py) are delivered to subscribers in order, one at a time.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping
from typing import Any

from panoramisk.message import Message

from dialer.config import AsteriskSettings
from dialer.db.types import utcnow
from dialer.pbx import actions
from dialer.pbx.actions import OriginateRequest
from dialer.pbx.calls import CallTracker, TrackedCall
from dialer.pbx.events import CallFailed, FailReason, LinkDown, LinkUp, PbxEvent
from dialer.pbx.reconcile import orphans, reconcile
from dialer.pbx.wire.mapping import EventMapper
from dialer.pbx.wire.protocol import (
    AmiDisconnected,
    AmiError,
    AmiLoginError,
    AmiNotConnected,
    AmiProtocol,
    message_headers,
    open_session,
)

__all__ = [
    "AmiDisconnected",
    "AmiError",
    "AmiLink",
    "AmiLoginError",
    "AmiNotConnected",
    "OriginateRequest",
]

log = logging.getLogger(__name__)

# Events nobody in the dialer reads; Asterisk is asked not to send them to our session
# (AMI Filter with name-based MatchCriteria, Asterisk 20.? and later). Mostly per-call noise:
# a busy call is 14 frames on the wire, 7 with these filtered. subscribe_raw() before
# start() takes a name out of this set.
NOISE_EVENTS = frozenset(
    {
        "NewCallerid",
        "NewConnectedLine",
        "NewAccountCode",
        "DialBegin",
        "DialState",
        "HangupRequest",
        "SoftHangupRequest",
        "Newexten",
        "VarSet",
        "RTCPSent",
        "RTCPReceived",
        "DeviceStateChange",
        "LocalBridge",
        "LocalOptimizationBegin",
        "LocalOptimizationEnd",
        "MusicOnHoldStart",
        "MusicOnHoldStop",
        "BridgeCreate",
        "BridgeDestroy",
        "BridgeLeave",
    }
)

EventHandler = Callable[[PbxEvent], Awaitable[None] | None]
RawHandler = Callable[[Mapping[str, str]], None]


class AmiLink:
    def __init__(
        self,
        settings: AsteriskSettings,
        *,
        ping_interval_s: float = 5.0,
        action_timeout_s: float = 10.0,
        backoff_initial_s: float = 0.5,
        backoff_max_s: float = 15.0,
        exclude_events: Iterable[str] = NOISE_EVENTS,
    ) -> None:
        self.settings = settings
        self.ping_interval_s = ping_interval_s
        self.action_timeout_s = action_timeout_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.tracker = CallTracker()
        self.mapper = EventMapper(self.tracker)
        self.generation = 0  # number of successful logins
        self.reconnects = 0
        self._wanted: set[bytes] = {name.encode() for name in EventMapper.EVENTS}
        self._excluded = set(exclude_events) - EventMapper.EVENTS
        self._protocol: AmiProtocol | None = None
        self._up = False
        self._handlers: list[EventHandler] = []
        self._raw_handlers: dict[str, list[RawHandler]] = {}
        self._queue: asyncio.Queue[PbxEvent] = asyncio.Queue()
        self._tasks: list[asyncio.Task[None]] = []
        self._stopping = False

    # -- lifecycle ----------------------------------------------------------------------

    async def start(self) -> None:
        """Log in (AmiLoginError on failure), then keep the link up until stop()."""
        self._stopping = False
        self._protocol = await self._open()
        self.generation += 1
        self._up = True
        self._tasks = [
            asyncio.create_task(self._dispatch_loop(), name="ami-dispatch"),
            asyncio.create_task(self._supervise(), name="ami-supervise"),
            asyncio.create_task(self._keepalive(), name="ami-keepalive"),
        ]
        self._emit(LinkUp(utcnow()))

    async def stop(self) -> None:
        self._stopping = True
        await self._close_protocol()
        current = asyncio.current_task()
        if current not in self._tasks:  # a subscriber may call stop() from its handler
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._queue.join(), 2.0)  # let subscribers hear the rest
        others = [t for t in self._tasks if t is not current]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        self._tasks = []
        await self._close_protocol()  # in case a reconnect finished meanwhile

    async def _close_protocol(self) -> None:
        protocol, self._protocol, self._up = self._protocol, None, False
        if protocol is not None and not protocol.closed:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(protocol.send(actions.logoff()), 1.0)
            protocol.close()

    @property
    def connected(self) -> bool:
        return self._up and self._protocol is not None and not self._protocol.closed

    @property
    def frames_read(self) -> int:
        return self._protocol.frames if self._protocol else 0

    def health(self) -> dict[str, object]:
        """For a /status page: is the link up, how busy, how often it reconnected."""
        protocol = self._protocol
        return {
            "connected": self.connected,
            "ami": f"{self.settings.ami_host}:{self.settings.ami_port}",
            "ami_protocol": protocol.version if protocol else None,
            "logins": self.generation,
            "reconnects": self.reconnects,
            "calls_in_flight": len(self.tracker),
            "frames_read": self.frames_read,
            "events_queued": self._queue.qsize(),
        }

    async def _open(self) -> AmiProtocol:
        s = self.settings
        protocol = await open_session(
            s.ami_host,
            s.ami_port,
            s.ami_user,
            s.ami_secret,
            s.login_timeout_s,
            self._on_raw_event,
            self._wanted,
        )
        await self._install_filters(protocol)
        return protocol

    async def _install_filters(self, protocol: AmiProtocol) -> None:
        """Ask Asterisk not to send the noise events (best effort: a refusal costs CPU only)."""
        replies = [
            protocol.send(actions.exclude_event(name), as_list=False)
            for name in sorted(self._excluded)
        ]
        try:
            results = await asyncio.wait_for(asyncio.gather(*replies), self.action_timeout_s)
        except (AmiError, TimeoutError) as exc:
            log.warning("AMI event filters not installed: %s", exc)
            return
        refused = [r.get("Message") for r in results if r.get("Response") != "Success"]
        if refused:
            log.info("Asterisk refused %d AMI event filters: %s", len(refused), refused[0])

    async def _supervise(self) -> None:
        while not self._stopping:
            protocol = self._protocol
            assert protocol is not None
            await protocol.closed_future
            if self._stopping:
                return
            self._up = False
            log.error("AMI link to %s:%d lost", self.settings.ami_host, self.settings.ami_port)
            self._emit(LinkDown(utcnow()))
            protocol = await self._reconnect()
            if self._stopping:
                protocol.close()
                return
            self._protocol = protocol
            self.generation += 1
            self.reconnects += 1
            await self._reconcile()
            self._up = True
            self._emit(LinkUp(utcnow()))

    async def _reconnect(self) -> AmiProtocol:
        delay = self.backoff_initial_s
        while True:
            await asyncio.sleep(delay)
            try:
                return await self._open()
            except AmiError as exc:  # wrong credentials are logged every time, never silent
                log.error("AMI reconnect failed, next try in %.1f s: %s", delay, exc)
            except Exception:
                log.exception("AMI reconnect failed, next try in %.1f s", delay)
            delay = min(delay * 2, self.backoff_max_s)

    async def _reconcile(self, calls: list[TrackedCall] | None = None) -> None:
        """Settle `calls` (default: those originated before this login) against Asterisk."""
        calls = self.tracker.older_than(self.generation) if calls is None else calls
        if not calls:
            return
        try:
            channels = await self._channels_on(self._protocol)
        except (AmiError, TimeoutError) as exc:
            log.error("cannot list channels to reconcile calls (will retry): %s", exc)
            return
        try:
            for event in reconcile(self.tracker, channels, calls):
                self._emit(event)
        except Exception:
            log.exception("reconciliation failed")

    async def _keepalive(self) -> None:
        """Ping; a link that does not answer within the action timeout is dropped."""
        while not self._stopping:
            await asyncio.sleep(self.ping_interval_s)
            for event in orphans(self.tracker):
                self._emit(event)
            protocol = self._protocol
            if protocol is None or protocol.closed or not self._up:
                continue
            # A reconciliation that failed earlier, and calls that never showed a channel
            # or an outcome long after their ring timeout (events lost under overload).
            await self._reconcile(self.tracker.older_than(self.generation) + self.tracker.stale())
            try:
                await asyncio.wait_for(protocol.send(actions.ping()), self.action_timeout_s)
            except TimeoutError:
                log.error("AMI ping unanswered for %.0f s: reconnecting", self.action_timeout_s)
                protocol.close()
            except AmiError:
                pass  # the supervisor handles the drop

    # -- events -------------------------------------------------------------------------

    def subscribe(self, handler: EventHandler) -> None:
        """Receive every PbxEvent, in order; async handlers are awaited one at a time."""
        self._handlers.append(handler)

    def subscribe_raw(self, event_names: Iterable[str], handler: RawHandler) -> None:
        """Escape hatch: raw AMI events by name (called synchronously, keep it quick).

        Subscribe before start(): a noise event filtered out of the current session comes
        back only after the next login."""
        for name in event_names:
            if name in self._excluded and self._protocol is not None:
                log.warning("raw AMI %s events are filtered until the next login", name)
            self._excluded.discard(name)
            self._raw_handlers.setdefault(name, []).append(handler)
            self._wanted.add(name.encode())

    def _on_raw_event(self, event: dict[str, str]) -> None:
        raw_handlers = self._raw_handlers.get(event.get("Event", ""))
        if raw_handlers:
            for raw in raw_handlers:
                try:
                    raw(event)
                except Exception:
                    log.exception("raw AMI event handler failed")
        for mapped in self.mapper.map(event):
            self._queue.put_nowait(mapped)

    def _emit(self, event: PbxEvent) -> None:
        self._queue.put_nowait(event)

    async def _dispatch_loop(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                for handler in self._handlers:
                    try:
                        result = handler(event)
                        if inspect.isawaitable(result):
                            await result
                    except Exception:
                        log.exception("PBX event handler failed on %r", event)
            finally:
                self._queue.task_done()

    # -- actions ------------------------------------------------------------------------

    async def action(self, action: Mapping[str, Any], as_list: bool | None = None) -> Any:
        """Send any AMI action and return its reply (a Message, or a list for list actions)."""
        return await self._send_on(self._protocol, action, as_list)

    async def _send_on(
        self, protocol: AmiProtocol | None, action: Mapping[str, Any], as_list: bool | None
    ) -> Any:
        if protocol is None or protocol.closed:
            raise AmiNotConnected(f"AMI link is down: {action.get('Action')} not sent")
        return await asyncio.wait_for(protocol.send(action, as_list), self.action_timeout_s)

    async def originate(self, req: OriginateRequest) -> None:
        """Dial once. Outcome arrives as events; raises only if nothing was sent."""
        action = actions.originate(req)  # ValueError on a bad request
        protocol = self._protocol
        if not self.connected or protocol is None:
            raise AmiNotConnected(f"AMI link is down: {req.action_id} not dialled")
        call = self.tracker.track(req.action_id, self.generation, req.timeout_s)
        future = protocol.send(action, as_list=False)
        try:
            reply = await asyncio.wait_for(asyncio.shield(future), self.action_timeout_s)
        except (TimeoutError, AmiDisconnected) as exc:
            # Asterisk may or may not have it: reconciliation or its events will tell.
            log.warning("originate %s: no reply (%s); not re-sent", req.action_id, exc)
            return
        if reply.get("Response") != "Success":
            log.warning("originate %s rejected: %s", req.action_id, reply.get("Message"))
            self.tracker.resolve(call)
            self._emit(CallFailed(req.action_id, utcnow(), FailReason.FAILED))

    async def redirect(self, channel: str, context: str, exten: str, priority: int = 1) -> None:
        await self._checked(actions.redirect(channel, context, exten, priority))

    async def bridge(self, channel1: str, channel2: str) -> None:
        await self._checked(actions.bridge(channel1, channel2))

    async def hangup(self, channel: str, cause: int = 16) -> None:
        await self._checked(actions.hangup(channel, cause))

    async def play(self, channel: str, sound: str) -> None:
        """Play `sound` to an answered channel parked by the dialer; it then waits again."""
        for step in actions.play(channel, sound):
            await self._checked(step)

    async def set_var(self, channel: str, name: str, value: str) -> None:
        await self._checked(actions.set_var(channel, name, value))

    async def get_var(self, channel: str, name: str) -> str:
        reply = await self._checked(actions.get_var(channel, name))
        return str(reply.get("Value", ""))

    async def queue_status(self) -> list[dict[str, str]]:
        replies = await self.action(actions.queue_status(), as_list=True)
        return [message_headers(m) for m in replies if m.get("Event")]

    async def command(self, cli: str) -> str:
        reply = await self._checked(actions.command(cli))
        output = reply.get("Output")
        if output is None:
            return str(getattr(reply, "content", ""))
        return output if isinstance(output, str) else "\n".join(output)

    async def channels(self) -> list[dict[str, str]]:
        return await self._channels_on(self._protocol)

    async def _channels_on(self, protocol: AmiProtocol | None) -> list[dict[str, str]]:
        replies = await self._send_on(protocol, actions.core_show_channels(), True)
        return [message_headers(m) for m in replies if m.get("Event") == "CoreShowChannel"]

    async def _checked(self, action: Mapping[str, Any]) -> Message:
        reply = await self.action(action)
        if isinstance(reply, list):
            reply = reply[0]
        if reply.get("Response") not in ("Success", "Follows", "Goodbye"):
            raise AmiError(f"{action.get('Action')} failed: {reply.get('Message')}")
        return reply
