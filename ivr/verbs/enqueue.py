"""`enqueue`: hand the caller to an ACD queue with skills.

The verb sets IVR_ENQUEUE (queue), IVR_ENQUEUE_SKILLS (comma list) and IVR_ENQUEUE_PRIORITY
on the channel and ends the AGI; the `[dialer-ivr]` dialplan then does
`Goto(acd-queue,${IVR_ENQUEUE},1)`, the entry the ACD owns. Keeping the jump in the
dialplan means the IVR needs no knowledge of how the ACD queues calls.
"""

from __future__ import annotations

from pydantic import Field

from ivr.call import Call
from ivr.script import EndCall, Verb, VerbArgs


class EnqueueArgs(VerbArgs):
    queue: str
    skills: list[str] = Field(default_factory=list)
    priority: int = 0


class Enqueue(Verb):
    name = "enqueue"
    Args = EnqueueArgs
    shorthand = "queue"
    args: EnqueueArgs

    async def run(self, call: Call) -> str | None:
        await call.set_channel_var("IVR_ENQUEUE_SKILLS", ",".join(self.args.skills))
        await call.set_channel_var("IVR_ENQUEUE_PRIORITY", str(self.args.priority))
        await call.set_channel_var("IVR_ENQUEUE", self.args.queue)
        call.add_input("enqueue", queue=self.args.queue, skills=self.args.skills)
        raise EndCall("enqueued")
