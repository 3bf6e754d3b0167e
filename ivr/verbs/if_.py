"""`if`: compare a variable with a value; go to `then` or `else`."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from pydantic import Field

from ivr.call import Call
from ivr.script import Verb, VerbArgs
from ivr.template import lookup_or_none


class Op(StrEnum):
    EQ = "eq"
    NE = "ne"
    GT = "gt"
    GE = "ge"
    LT = "lt"
    LE = "le"
    EMPTY = "empty"
    SET = "set"


class IfArgs(VerbArgs):
    var: str
    op: Op = Op.EQ
    value: str | int | float | bool | None = None
    then: str | None = None
    else_: str | None = Field(None, alias="else")


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def compare(left: Any, op: Op, right: Any) -> bool:
    if op is Op.EMPTY:
        return left in (None, "")
    if op is Op.SET:
        return left not in (None, "")
    a, b = _number(left), _number(right)
    if a is None or b is None:  # text comparison when either side is not a number
        a_text, b_text = str(left), str(right)
        table = {Op.EQ: a_text == b_text, Op.NE: a_text != b_text}
        return table.get(op, False)
    return {
        Op.EQ: a == b,
        Op.NE: a != b,
        Op.GT: a > b,
        Op.GE: a >= b,
        Op.LT: a < b,
        Op.LE: a <= b,
    }[op]


class If(Verb):
    name = "if"
    Args = IfArgs
    args: IfArgs

    def gotos(self) -> list[tuple[str, str]]:
        pairs = [("then", self.args.then), ("else", self.args.else_)]
        return [(k, v) for k, v in pairs if v]

    def reads(self) -> list[tuple[str, str]]:
        return [("var", self.args.var)]

    async def run(self, call: Call) -> str | None:
        value = lookup_or_none(call.vars, self.args.var)
        return self.args.then if compare(value, self.args.op, self.args.value) else self.args.else_
