"""A small asyncio FastAGI server.

Asterisk connects per call, sends its `agi_*` environment, then we send one command per line
and read one reply per command. Written here rather than taken from panoramisk because its
FastAGI reads Asterisk's out-of-band `HANGUP` line as the next reply, shifting every later
reply by one. Here `HANGUP`, a 511 reply (dead channel) and EOF all mean the caller is gone:
`CallerHungUp` is raised from the pending or next command.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

log = logging.getLogger(__name__)

ENV_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
_REPLY = re.compile(r"^(\d{3})(?:[ -](?:result=(\S*))?\s*(.*))?$")


class CallerHungUp(Exception):
    """The caller hung up (or Asterisk closed the AGI connection)."""


class AgiError(Exception):
    """Asterisk rejected a command (5xx other than a dead channel)."""


@dataclass(frozen=True, slots=True)
class AgiReply:
    code: int
    result: str
    data: str

    @property
    def in_parens(self) -> str:
        """The `(...)` part of a reply, e.g. a variable's value or `timeout`."""
        match = re.search(r"\((.*)\)", self.data)
        return match.group(1) if match else ""


Handler = Callable[["AgiSession"], Awaitable[None]]


class AgiSession:
    """One call's AGI conversation; use `command` one at a time (a lock guards it)."""

    def __init__(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, env: dict[str, str]
    ) -> None:
        self.env = env
        self.hung_up = False
        self._reader = reader
        self._writer = writer
        self._lock = asyncio.Lock()
        script = env.get("agi_network_script", "").lstrip("/")
        self.script, _, query = script.partition("?")
        self.args: dict[str, str] = dict(parse_qsl(query))

    async def command(self, line: str) -> AgiReply:
        async with self._lock:
            if self.hung_up:
                raise CallerHungUp(line)
            try:
                self._writer.write(line.encode() + b"\n")
                await self._writer.drain()
                return await self._read_reply(line)
            except (ConnectionError, asyncio.IncompleteReadError) as exc:
                self.hung_up = True
                raise CallerHungUp(line) from exc

    async def _read_reply(self, line: str) -> AgiReply:
        while True:
            raw = await self._reader.readline()
            if not raw:
                self.hung_up = True
                raise CallerHungUp(line)
            text = raw.decode(errors="replace").rstrip("\r\n")
            if text == "HANGUP":
                # Out of band: the reply to `line` may still follow, but nothing useful can
                # be done on the call any more, so stop here.
                self.hung_up = True
                raise CallerHungUp(line)
            match = _REPLY.match(text)
            if not match:
                log.debug("ignoring unexpected AGI line %r", text)
                continue
            code = int(match.group(1))
            if text[3:4] == "-":  # multi-line reply (520 usage): read to its last line
                await self._skip_to_end(match.group(1))
            if code == 511:
                self.hung_up = True
                raise CallerHungUp(line)
            if code >= 500:
                raise AgiError(f"{line!r}: {text}")
            return AgiReply(code, match.group(2) or "", (match.group(3) or "").strip())

    async def _skip_to_end(self, code: str) -> None:
        while True:
            raw = await self._reader.readline()
            if not raw or raw.decode(errors="replace").startswith(code + " "):
                return

    async def close(self) -> None:
        with contextlib.suppress(Exception):
            self._writer.close()
            await self._writer.wait_closed()


async def _read_env(reader: asyncio.StreamReader) -> dict[str, str]:
    env: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            raise ConnectionError("connection closed before the AGI environment ended")
        text = raw.decode(errors="replace").rstrip("\r\n")
        if not text:
            return env
        key, _, value = text.partition(":")
        env[key.strip()] = value.strip()


class FastAgiServer:
    """Routes each connection by `agi_network_script` (path before `?`) to a handler."""

    def __init__(self, host: str, port: int, router: Mapping[str, Handler]) -> None:
        self.host = host
        self._port = port
        self.router = router
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closing = False

    @property
    def port(self) -> int:
        if self._server is None or not self._server.sockets:
            return self._port
        return int(self._server.sockets[0].getsockname()[1])

    @property
    def active_sessions(self) -> int:
        return len(self._tasks)

    async def start(self) -> None:
        self._closing = False
        self._server = await asyncio.start_server(
            self._on_connect, self.host, self._port, backlog=1024
        )
        log.info("FastAGI listening on %s:%d", self.host, self.port)

    async def stop(self) -> None:
        self._closing = True
        if self._server is not None:
            self._server.close()
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        if tasks:
            _, stuck = await asyncio.wait(tasks, timeout=STOP_TIMEOUT_S)
            if stuck:
                log.warning("%d FastAGI sessions did not end on stop", len(stuck))
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def _on_connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        session: AgiSession | None = None
        try:
            # asyncio.timeout, not wait_for: 3.11's wait_for can swallow a cancellation
            # that arrives as the read completes, and stop() would wait for ever.
            async with asyncio.timeout(ENV_TIMEOUT_S):
                env = await _read_env(reader)
            if self._closing:
                return
            session = AgiSession(reader, writer, env)
            handler = self.router.get(session.script)
            if handler is None:
                log.warning("no FastAGI route for script %r", session.script)
                return
            await handler(session)
        except CallerHungUp:
            log.debug("caller hung up, script %s", session.script if session else "?")
        except (ConnectionError, TimeoutError, asyncio.IncompleteReadError) as exc:
            log.info("FastAGI connection dropped: %s", exc)
        except asyncio.CancelledError:
            pass
        except Exception:
            log.exception("FastAGI handler failed")
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()
