"""`switch`: go to the node named for a variable's value, or `default`."""

from __future__ import annotations

from ivr.call import Call
from ivr.script import Verb, VerbArgs
from ivr.template import lookup_or_none


class SwitchArgs(VerbArgs):
    var: str
    cases: dict[str, str]
    default: str | None = None


class Switch(Verb):
    name = "switch"
    Args = SwitchArgs
    args: SwitchArgs

    def gotos(self) -> list[tuple[str, str]]:
        found = [(f"cases.{k}", v) for k, v in self.args.cases.items()]
        return found + ([("default", self.args.default)] if self.args.default else [])

    def reads(self) -> list[tuple[str, str]]:
        return [("var", self.args.var)]

    async def run(self, call: Call) -> str | None:
        value = lookup_or_none(call.vars, self.args.var)
        key = "" if value is None else str(value)
        return self.args.cases.get(key, self.args.default)
