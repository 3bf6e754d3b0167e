"""`play`: play a sound file from the project's sounds/ folder (or `asterisk:<name>`)."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb, VerbArgs


class PlayArgs(VerbArgs):
    file: str


class Play(Verb):
    name = "play"
    Args = PlayArgs
    shorthand = "file"
    args: PlayArgs

    def sounds(self) -> list[tuple[str, str]]:
        return [("file", self.args.file)]

    async def run(self, call: Call) -> str | None:
        await call.play(self.args.file)
        return None
