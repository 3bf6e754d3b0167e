"""A loopback TCP server playing Asterisk's AMI part from recorded transcripts."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from pathlib import Path

TRANSCRIPTS = Path(__file__).resolve().parent / "transcripts"
EOL2 = b"\r\n\r\n"


def load_transcript(name: str) -> dict[str, list[bytes]]:
    """Sections of a transcript: trigger ('Originate <ActionID>') → frames, wire-ready."""
    sections: dict[str, list[bytes]] = {}
    current: list[bytes] | None = None
    lines: list[str] = []
    text = (TRANSCRIPTS / f"{name}.txt").read_text(encoding="utf-8")
    for line in [*text.splitlines(), ""]:
        if line.startswith("# ") and current is None:
            continue
        if line.startswith(">>> "):
            current = sections.setdefault(line[4:].strip(), [])
        elif line == "":
            if lines and current is not None:
                current.append("\r\n".join(lines).encode() + EOL2)
            lines = []
        else:
            lines.append(line)
    return sections


def frame(**headers: str) -> bytes:
    return "".join(f"{k}: {v}\r\n" for k, v in headers.items()).encode() + b"\r\n"


def parse(raw: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in raw.decode().split("\r\n"):
        key, sep, value = line.partition(": ")
        if sep:
            out.setdefault(key, value)
    return out


@dataclass
class ScriptedAsterisk:
    """Replies to Login, Ping, CoreShowChannels; an Originate plays its recorded section."""

    sections: dict[str, list[bytes]] = field(default_factory=dict)
    secret: str = "dialer-secret"
    channels: list[dict[str, str]] = field(default_factory=list)
    answer_pings: bool = True
    drop_on_originate: bool = False  # cut the connection instead of answering an Originate
    received: list[dict[str, str]] = field(default_factory=list)
    logins: int = 0
    _server: asyncio.Server | None = None
    _writers: list[asyncio.StreamWriter] = field(default_factory=list)
    _tasks: set[asyncio.Task[None]] = field(default_factory=set)

    async def start(self, port: int = 0) -> int:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", port)
        return int(self._server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        self.drop_clients()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    def drop_clients(self) -> None:
        for writer in self._writers:
            writer.close()
        self._writers.clear()

    def send_all(self, data: bytes) -> None:
        for writer in self._writers:
            writer.write(data)

    def originates(self) -> list[str]:
        return [a["ActionID"] for a in self.received if a.get("Action") == "Originate"]

    def _recorded_id(self, action: str) -> str:
        for trigger in self.sections:
            name, _, recorded = trigger.partition(" ")
            if name == action:
                return recorded
        return ""

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        self._writers.append(writer)
        writer.write(b"Asterisk Call Manager/11.0.0\r\n")
        buffer = b""
        try:
            while chunk := await reader.read(65536):
                buffer += chunk
                *frames, buffer = buffer.split(EOL2)
                for raw in frames:
                    self._reply(parse(raw), writer)
        except (ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    def _reply(self, action: dict[str, str], writer: asyncio.StreamWriter) -> None:
        self.received.append(action)
        name, action_id = action.get("Action", ""), action.get("ActionID", "")
        if name == "Login":
            if action.get("Secret") != self.secret:
                writer.write(
                    frame(Response="Error", ActionID=action_id, Message="Authentication failed")
                )
                writer.close()
                return
            self.logins += 1
            writer.write(
                frame(Response="Success", ActionID=action_id, Message="Authentication accepted")
            )
            writer.write(frame(Event="FullyBooted", Privilege="system,all", Status="Fully Booted"))
        elif name == "Ping":
            if self.answer_pings:
                writer.write(frame(Response="Success", ActionID=action_id, Ping="Pong"))
        elif name == "CoreShowChannels":
            writer.write(
                frame(
                    Response="Success",
                    ActionID=action_id,
                    EventList="start",
                    Message="Channels will follow",
                )
            )
            for channel in self.channels:
                writer.write(frame(Event="CoreShowChannel", ActionID=action_id, **channel))
            writer.write(
                frame(
                    Event="CoreShowChannelsComplete",
                    ActionID=action_id,
                    EventList="Complete",
                    ListItems=str(len(self.channels)),
                )
            )
        elif name == "Originate" and self.drop_on_originate:
            writer.close()
        elif f"{name} {action_id}" in self.sections:
            for data in self.sections[f"{name} {action_id}"]:
                writer.write(data)
        elif name != "Originate" and (recorded := self._recorded_id(name)):
            # recorded with another ActionID: replay it as the reply to this one
            for data in self.sections[f"{name} {recorded}"]:
                writer.write(
                    data.replace(
                        f"ActionID: {recorded}\r\n".encode(), f"ActionID: {action_id}\r\n".encode()
                    )
                )
        elif name == "Originate":
            writer.write(
                frame(
                    Response="Success", ActionID=action_id, Message="Originate successfully queued"
                )
            )
        else:
            writer.write(frame(Response="Success", ActionID=action_id, Message="ok"))
