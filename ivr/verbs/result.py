"""`result`: store a script result (promise to pay, refusal, survey answer) for reporting."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from pydantic import Field

from dialer.db.outcomes import ResultKind
from ivr.call import Call, ResultRecord
from ivr.script import Verb, VerbArgs, VerbFailed
from ivr.template import render_raw


class ResultArgs(VerbArgs):
    kind: ResultKind  # the kinds the results report knows
    amount: str | None = None
    currency: str | None = None
    date: str | None = None
    note: str = ""
    data: dict[str, str | int | float | bool | None] = Field(default_factory=dict)


def _amount(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except InvalidOperation as exc:
        raise VerbFailed(f"result amount {value!r} is not a number") from exc


def _date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise VerbFailed(f"result date {value!r} is not a date") from exc


class Result(Verb):
    name = "result"
    Args = ResultArgs
    shorthand = "kind"
    args: ResultArgs

    def texts(self) -> list[tuple[str, str]]:
        found = [(k, v) for k, v in (("amount", self.args.amount), ("date", self.args.date)) if v]
        found.append(("note", self.args.note))
        found += [(f"data.{k}", v) for k, v in self.args.data.items() if isinstance(v, str)]
        return found

    async def run(self, call: Call) -> str | None:
        def value(template: str | None) -> Any:
            return None if template is None else render_raw(template, call.vars)

        data = {
            k: render_raw(v, call.vars) if isinstance(v, str) else v
            for k, v in self.args.data.items()
        }
        await call.add_result(
            ResultRecord(
                kind=self.args.kind.value,
                amount=_amount(value(self.args.amount)),
                currency=self.args.currency or (call.currency if self.args.amount else None),
                promised_date=_date(value(self.args.date)),
                note=str(value(self.args.note) or ""),
                data={
                    k: v if isinstance(v, int | float | bool | None) else str(v)
                    for k, v in data.items()
                },
            )
        )
        return None
