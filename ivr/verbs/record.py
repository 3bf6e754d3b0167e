"""`record`: record the caller (a message, a dispute) into sounds/cache/rec/."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb, VerbArgs


class RecordArgs(VerbArgs):
    into: str = "recording"
    max_s: float = 30.0
    silence_s: float = 3.0
    terminator: str = "#"
    beep: bool = True


class Record(Verb):
    name = "record"
    Args = RecordArgs
    args: RecordArgs

    def defines(self) -> list[str]:
        return [self.args.into]

    async def run(self, call: Call) -> str | None:
        path, _digit = await call.record(
            self.args.max_s, self.args.silence_s, self.args.terminator, self.args.beep
        )
        relative = path.relative_to(call.services.sounds_dir).as_posix()
        call.vars[self.args.into] = relative
        call.add_input("record", file=relative)
        return None
