"""`hangup`: end the call."""

from __future__ import annotations

import contextlib

from dialer.pbx.fastagi import CallerHungUp
from ivr.call import Call
from ivr.script import EndCall, Verb


class Hangup(Verb):
    name = "hangup"

    async def run(self, call: Call) -> str | None:
        # Asterisk may report the hang-up we asked for before its reply: same outcome.
        with contextlib.suppress(CallerHungUp):
            await call.command("HANGUP")
        raise EndCall("hangup")
