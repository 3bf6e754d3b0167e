"""A scripted Asterisk for FastAGI tests: connects like Asterisk, answers each command.

The caller is simulated by `digits` (DTMF pressed, consumed by STREAM FILE with escape
digits and by WAIT FOR DIGIT), `recordings` (files copied in for RECORD FILE), and
`hangup_on` (the caller hangs up while that command, the n-th of its kind, is running).
`freeze_on` stops answering at that command (the call stays up until the peer is cancelled),
so a test can look at what the server stored while a call is still running.
"""

from __future__ import annotations

import asyncio
import shutil
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class AgiPeer:
    port: int
    script: str
    variables: dict[str, str] = field(default_factory=dict)
    digits: str = ""
    recordings: list[Path] = field(default_factory=list)
    sounds_dir: Path | None = None
    hangup_on: str | None = None  # command prefix, e.g. "STREAM FILE"
    hangup_nth: int = 1
    freeze_on: str | None = None
    frozen: asyncio.Event = field(default_factory=asyncio.Event)
    commands: list[str] = field(default_factory=list)
    set_vars: dict[str, str] = field(default_factory=dict)
    hung_up: bool = False

    async def run(self, timeout_s: float = 30.0) -> None:
        await asyncio.wait_for(self._run(), timeout_s)

    async def _run(self) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        env = {
            "agi_network": "yes",
            "agi_network_script": self.script,
            "agi_channel": "Local/test-00000001;1",
            "agi_callerid": "48510000001",
            "agi_uniqueid": "1700000000.1",
        }
        writer.write("".join(f"{k}: {v}\n" for k, v in env.items()).encode() + b"\n")
        await writer.drain()
        seen: dict[str, int] = {}
        try:
            while True:
                raw = await reader.readline()
                if not raw:
                    return
                line = raw.decode().strip()
                self.commands.append(line)
                if self.hung_up:
                    writer.write(b"511 Command Not Permitted on a dead channel\n")
                    await writer.drain()
                    continue
                if self.freeze_on and line.startswith(self.freeze_on):
                    self.frozen.set()
                    await asyncio.Event().wait()  # until cancelled
                if self.hangup_on and line.startswith(self.hangup_on):
                    seen[self.hangup_on] = seen.get(self.hangup_on, 0) + 1
                    if seen[self.hangup_on] == self.hangup_nth:
                        self.hung_up = True
                        # As Asterisk does: HANGUP out of band, then the pending reply.
                        writer.write(b"HANGUP\n200 result=-1 endpos=0\n")
                        await writer.drain()
                        continue
                writer.write((self.reply(line) + "\n").encode())
                await writer.drain()
        finally:
            writer.close()

    def _digit(self, allowed: str) -> str | None:
        if self.digits and self.digits[0] in allowed:
            digit, self.digits = self.digits[0], self.digits[1:]
            return digit
        return None

    def reply(self, line: str) -> str:
        words = line.split()
        verb = " ".join(words[:2]).upper()
        if verb == "GET VARIABLE":
            value = self.variables.get(words[2])
            return f"200 result=1 ({value})" if value is not None else "200 result=0"
        if verb == "SET VARIABLE":
            self.set_vars[words[2]] = line.split(" ", 3)[3].strip('"')
            return "200 result=1"
        if verb == "STREAM FILE":
            escape = words[3].strip('"') if len(words) > 3 else ""
            digit = self._digit(escape)
            return f"200 result={ord(digit) if digit else 0} endpos=8000"
        if verb == "WAIT FOR":
            digit = self._digit("0123456789*#")
            return f"200 result={ord(digit) if digit else 0}"
        if verb == "RECORD FILE":
            if self.recordings and self.sounds_dir is not None:
                target = self.sounds_dir / (words[2].removeprefix("dialer/") + ".wav")
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy(self.recordings.pop(0), target)
            digit = self._digit(words[4].strip('"'))
            if digit:
                return f"200 result={ord(digit)} (dtmf) endpos=100"
            return "200 result=0 (timeout) endpos=16000"
        if verb == "CHANNEL STATUS":
            return "200 result=6"
        if words[0].upper() == "HANGUP":
            self.hung_up = True
            return "200 result=1"
        return "200 result=0"
