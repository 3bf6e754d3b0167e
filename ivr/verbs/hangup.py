"""`hangup`: end the call."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import EndCall, Verb


class Hangup(Verb):
    name = "hangup"

    async def run(self, call: Call) -> str | None:
        await call.command("HANGUP")
        raise EndCall("hangup")
