"""One IVR call as the verbs see it: AGI primitives, variables, TTS/STT, and what to store."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dialer.db.types import utcnow
from dialer.pbx.fastagi import AgiReply, AgiSession
from ivr.script import Script, VerbFailed
from ivr.template import MissingVariable, render

if TYPE_CHECKING:
    import aiohttp

    from ivr.stt import Recognizer
    from ivr.tts import Tts

log = logging.getLogger(__name__)

# The sandbox bind-mounts the project's sounds/ at /var/lib/asterisk/sounds/dialer.
ASTERISK_SOUNDS_PREFIX = "dialer"
ASTERISK_BUILTIN = "asterisk:"


@dataclass
class ResultRecord:
    kind: str
    amount: Decimal | None = None
    currency: str | None = None
    promised_date: date | None = None
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)
    saved: bool = False  # already in the database


ResultSink = Callable[[ResultRecord], Awaitable[None]]


@dataclass
class CallServices:
    """What a call needs from the server, passed in explicitly."""

    tts: Tts
    recognizer: Recognizer | None
    sounds_dir: Path
    http: aiohttp.ClientSession | None = None


class Call:
    def __init__(
        self,
        agi: AgiSession,
        script: Script,
        services: CallServices,
        variables: dict[str, Any],
        language: str,
        currency: str,
    ) -> None:
        self.agi = agi
        self.script = script
        self.services = services
        self.vars = variables
        self.language = language
        self.currency = currency
        self.node = script.start
        self.path: list[str] = []
        self.inputs: list[dict[str, Any]] = []
        self.results: list[ResultRecord] = []
        self.result_sink: ResultSink | None = None  # stores a result the moment it is known
        self.answered = False
        self.started_at = utcnow()

    # --- bookkeeping -------------------------------------------------------------------
    def add_input(self, verb: str, **fields: Any) -> None:
        entry = {"node": self.node, "verb": verb, "at": utcnow().isoformat()}
        entry.update({k: _jsonable(v) for k, v in fields.items()})
        self.inputs.append(entry)

    async def add_result(self, result: ResultRecord) -> None:
        """Keep the result, and store it now: a crash later in the call must not lose it."""
        self.results.append(result)
        if self.result_sink is None:
            return
        try:
            await self.result_sink(result)
        except Exception:  # kept in memory: stored again when the session closes
            log.exception("IVR %s: storing a %s result failed", self.script.name, result.kind)

    def render(self, template: str) -> str:
        try:
            return render(template, self.vars, self.language, self.currency)
        except MissingVariable as exc:
            raise VerbFailed(f"no value for variable {exc.args[0]}") from exc

    # --- AGI primitives ------------------------------------------------------------------
    async def command(self, line: str) -> AgiReply:
        return await self.agi.command(line)

    async def answer(self) -> None:
        if not self.answered:
            await self.command("ANSWER")
            self.answered = True

    async def set_channel_var(self, name: str, value: str) -> None:
        await self.command(f'SET VARIABLE {name} "{_quote(value)}"')

    async def get_channel_var(self, name: str) -> str:
        reply = await self.command(f"GET VARIABLE {name}")
        return reply.in_parens if reply.result == "1" else ""

    async def _check_failure(self, what: str) -> None:
        # result=-1 is a hang-up or a missing file; the next command tells which
        # (CallerHungUp is raised from it if the caller is gone).
        await self.command("CHANNEL STATUS")
        raise VerbFailed(f"Asterisk could not {what}")

    def sound_name(self, file: str) -> str:
        """Asterisk's name for a project sound file (`dialer/...`, no extension)."""
        if file.startswith(ASTERISK_BUILTIN):
            return file[len(ASTERISK_BUILTIN) :]
        return f"{ASTERISK_SOUNDS_PREFIX}/{Path(file).with_suffix('').as_posix()}"

    async def stream(self, sound: str, escape: str = "") -> str | None:
        """Play an Asterisk sound name; returns the digit that interrupted it, if any."""
        reply = await self.command(f'STREAM FILE {sound} "{escape}"')
        if reply.result == "-1":
            await self._check_failure(f"play {sound}")
        code = int(reply.result or "0")
        return chr(code) if code > 0 else None

    async def wait_digit(self, timeout_ms: int) -> str | None:
        reply = await self.command(f"WAIT FOR DIGIT {timeout_ms}")
        if reply.result == "-1":
            await self._check_failure("wait for a digit")
        code = int(reply.result or "0")
        return chr(code) if code > 0 else None

    async def say(self, template: str, escape: str = "") -> str | None:
        text = self.render(template)
        sound = await self.services.tts.sound_for(text, self.script.voice or self.language)
        return await self.stream(sound, escape)

    async def play(self, file: str, escape: str = "") -> str | None:
        return await self.stream(self.sound_name(file), escape)

    async def record(
        self, max_s: float, silence_s: float, escape: str = "#", beep: bool = False
    ) -> tuple[Path, str | None]:
        """Record the caller into sounds/cache/rec/; returns (host path, digit that ended it)."""
        name = f"cache/rec/{uuid.uuid4().hex}"
        rec_dir = self.services.sounds_dir / "cache" / "rec"
        rec_dir.mkdir(parents=True, exist_ok=True)
        options = " BEEP" if beep else ""
        if silence_s > 0:
            options += f" s={max(1, round(silence_s))}"
        reply = await self.command(
            f'RECORD FILE {ASTERISK_SOUNDS_PREFIX}/{name} wav "{escape}" '
            f"{int(max_s * 1000)}{options}"
        )
        if reply.result == "-1":
            await self._check_failure("record")
        # result is the key only when Asterisk says "(dtmf)"; after a timeout it is not.
        dtmf = "(dtmf)" in reply.data and reply.result.isdigit()
        digit = chr(int(reply.result)) if dtmf and int(reply.result) > 0 else None
        return self.services.sounds_dir / f"{name}.wav", digit


def _quote(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"')


def _jsonable(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Path):
        return value.as_posix()
    return value
