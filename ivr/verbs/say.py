"""`say`: speak a template with TTS ("Your balance is {debtor.balance}")."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb, VerbArgs


class SayArgs(VerbArgs):
    text: str


class Say(Verb):
    name = "say"
    Args = SayArgs
    shorthand = "text"
    args: SayArgs

    def texts(self) -> list[tuple[str, str]]:
        return [("text", self.args.text)]

    def tts_texts(self) -> list[tuple[str, str]]:
        return self.texts()

    async def run(self, call: Call) -> str | None:
        await call.say(self.args.text)
        return None
