"""`answer`: answer the channel (outbound calls arrive answered; this is for inbound)."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb


class Answer(Verb):
    name = "answer"

    async def run(self, call: Call) -> str | None:
        await call.answer()
        return None
