"""One AMI connection: panoramisk's protocol with a faster reader and no re-sending.

Why not panoramisk's `Manager` as is (version 1.4):
- with wrong credentials it reconnects every 2 s forever and never says so;
- after a reconnect it re-sends actions that had no reply, which could dial a debtor twice;
- every event is parsed into a case-insensitive dict and matched against regexes, ~46 µs
  an event, and most of Asterisk's events are of no interest to a dialer.
So this keeps panoramisk's `Action` (ActionIDs, list responses) and `Message`, reads the
stream itself, parses only the events someone wants, and fails every pending action with
`AmiDisconnected` when the connection drops. Reconnecting is the link's job (link.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import Any

from panoramisk import actions as pk_actions
from panoramisk.ami_protocol import AMIProtocol
from panoramisk.message import Message

from dialer.pbx import actions

log = logging.getLogger(__name__)

EOL2 = b"\r\n\r\n"
BANNER = b"Asterisk Call Manager/"


class AmiError(Exception):
    """Base of the PBX seam's errors."""


class AmiLoginError(AmiError):
    """Could not log in to AMI: Asterisk unreachable, wrong credentials, or no reply."""


class AmiNotConnected(AmiError):
    """The AMI link is down: nothing was sent."""


class AmiDisconnected(AmiError):
    """The AMI link dropped before Asterisk replied to an action."""


def parse_event(frame: bytes) -> dict[str, str]:
    """One AMI frame's headers (a repeated header keeps its last value)."""
    headers: dict[str, str] = {}
    for line in frame.decode("utf-8", "replace").split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            headers[key] = value
        elif line.endswith(":"):
            headers[line[:-1]] = ""
    return headers


def message_headers(message: Mapping[str, Any]) -> dict[str, str]:
    return {k: (v if isinstance(v, str) else str(v[-1])) for k, v in message.items()}


class AmiProtocol(AMIProtocol):  # type: ignore[misc]
    """Reads frames; events named in `wanted` go to `on_event` as plain dicts."""

    closed: bool

    def __init__(
        self,
        on_event: Callable[[dict[str, str]], None],
        wanted: set[bytes],
    ) -> None:
        self.on_event = on_event
        self.wanted = wanted
        self.closed_future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.frames = 0  # every frame read, for status and the benchmark
        self._buffer = b""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        self.encoding = "utf-8"
        self.log = log

    def send(self, data: Mapping[str, Any], as_list: bool | None = None) -> asyncio.Future[Any]:
        """Send an action; the future gets its reply (or a list for list actions)."""
        if self.closed:
            raise AmiNotConnected("AMI connection is closed")
        action = pk_actions.Action(dict(data), as_list=as_list)
        return super().send(action, as_list=as_list)  # type: ignore[no-any-return]

    def data_received(self, data: bytes) -> None:
        if self._buffer:
            data = self._buffer + data
        frames = data.split(EOL2)
        self._buffer = frames.pop()
        self.frames += len(frames)
        for frame in frames:
            try:
                self._frame(frame)
            except Exception:  # one odd frame must not take the connection down
                log.exception("cannot handle AMI frame %r", frame[:200])

    def _frame(self, frame: bytes) -> None:
        if frame.startswith(b"Event: "):
            end = frame.find(b"\r\n")
            name = frame[7:end] if end >= 0 else frame[7:]
            # A frame with our ActionID may belong to a pending list action (CoreShowChannels).
            if self.responses and b"\r\nActionID: " in frame:
                self._slow(frame)
            elif name in self.wanted:
                self.on_event(parse_event(frame))
            elif name == b"Shutdown":
                log.warning("Asterisk is shutting down")
                self.close()
            return
        if frame.startswith(BANNER):
            banner, _, frame = frame.partition(b"\r\n")
            self.version = banner[len(BANNER) :].decode(errors="replace")
            if not frame:
                return
        self._slow(frame)

    def _slow(self, frame: bytes) -> None:
        message = Message.from_line(frame.decode("utf-8", "replace").strip())
        if message is None:
            log.debug("ignoring AMI frame %r", frame[:200])
            return
        self.handle_message(message)

    def handle_message(self, message: Message) -> None:
        response = self.responses.get(message.id)
        if response is None and message.action_id:
            response = self.responses.get(message.action_id)
        if response is not None:
            if response.add_message(message):
                self.responses.pop(response.id, None)
                if response.action_id:
                    self.responses.pop(response.action_id, None)
            return
        name = str(message.get("Event", ""))
        if name and name.encode() in self.wanted:
            self.on_event(message_headers(message))

    def connection_lost(self, exc: Exception | None) -> None:
        self.close()

    def close(self) -> None:
        """Fail every action still waiting for a reply; never queue them for re-sending."""
        pending = list(self.responses.values())
        self.responses.clear()
        for action in pending:
            if not action.future.done():
                action.future.set_exception(
                    AmiDisconnected(f"AMI link dropped before the reply to {action['Action']}")
                )
                # Nobody may be awaiting it (e.g. a Ping): mark the exception as retrieved.
                action.future.exception()
        if not self.closed:
            self.closed = True
            with contextlib.suppress(Exception):
                self.transport.close()
        if not self.closed_future.done():
            self.closed_future.set_result(None)


async def open_session(
    host: str,
    port: int,
    username: str,
    secret: str,
    timeout_s: float,
    on_event: Callable[[dict[str, str]], None],
    wanted: set[bytes],
) -> AmiProtocol:
    """Connect and log in within `timeout_s`; AmiLoginError says clearly what went wrong."""
    loop = asyncio.get_running_loop()
    where = f"Asterisk AMI at {host}:{port}"
    try:
        _, protocol = await asyncio.wait_for(
            loop.create_connection(lambda: AmiProtocol(on_event, wanted), host, port), timeout_s
        )
    except TimeoutError as exc:
        raise AmiLoginError(f"cannot reach {where}: no connection within {timeout_s:g} s") from exc
    except OSError as exc:
        raise AmiLoginError(
            f"cannot reach {where}: {exc.strerror or exc} (is Asterisk running?)"
        ) from exc
    assert isinstance(protocol, AmiProtocol)
    try:
        reply = await asyncio.wait_for(protocol.send(actions.login(username, secret)), timeout_s)
    except (TimeoutError, AmiDisconnected) as exc:
        protocol.close()
        raise AmiLoginError(f"{where} did not answer the login within {timeout_s:g} s") from exc
    if reply.get("Response") != "Success":
        protocol.close()
        raise AmiLoginError(
            f"{where} refused the login of user {username!r}: "
            f"{reply.get('Message') or 'no reason given'} (check asterisk.ami_user/ami_secret)"
        )
    log.info("logged in to %s as %s (AMI %s)", where, username, protocol.version)
    return protocol
