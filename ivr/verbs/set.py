"""`set`: assign script variables, `{name: value-or-template}`."""

from __future__ import annotations

from typing import Any

from pydantic import RootModel

from ivr.call import Call
from ivr.script import Verb
from ivr.template import render_raw


class SetArgs(RootModel[dict[str, str | int | float | bool | None]]):
    pass


class Set(Verb):
    name = "set"
    Args = SetArgs  # type: ignore[assignment]
    args: SetArgs

    def texts(self) -> list[tuple[str, str]]:
        return [(k, v) for k, v in self.args.root.items() if isinstance(v, str)]

    def defines(self) -> list[str]:
        return list(self.args.root)

    async def run(self, call: Call) -> str | None:
        for name, value in self.args.root.items():
            resolved: Any = value
            if isinstance(value, str):
                resolved = render_raw(value, call.vars)
            call.vars[name] = resolved
        return None
