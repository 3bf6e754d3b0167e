"""`goto`: continue at another node."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb, VerbArgs


class GotoArgs(VerbArgs):
    node: str


class Goto(Verb):
    name = "goto"
    Args = GotoArgs
    shorthand = "node"
    args: GotoArgs

    def gotos(self) -> list[tuple[str, str]]:
        return [("node", self.args.node)]

    async def run(self, call: Call) -> str | None:
        return self.args.node
