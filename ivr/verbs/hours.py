"""`hours`: branch on working hours, weekends and holidays in a time zone."""

from __future__ import annotations

from pydantic import Field, field_validator

from dialer.db.types import utcnow
from ivr.call import Call
from ivr.script import Verb, VerbArgs
from ivr.timecond import is_open, parse_days, parse_holiday, parse_ranges, zone


class HoursArgs(VerbArgs):
    schedule: dict[str, str | list[str]]
    holidays: list[str] = Field(default_factory=list)
    timezone: str | None = None
    open: str | None = None
    closed: str | None = None

    @field_validator("schedule")
    @classmethod
    def _schedule(cls, value: dict[str, str | list[str]]) -> dict[str, str | list[str]]:
        for days, ranges in value.items():
            parse_days(days)
            parse_ranges(ranges)
        return value

    @field_validator("holidays")
    @classmethod
    def _holidays(cls, value: list[str]) -> list[str]:
        for spec in value:
            parse_holiday(spec)
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str | None) -> str | None:
        if value:
            zone(value)
        return value


class Hours(Verb):
    name = "hours"
    Args = HoursArgs
    args: HoursArgs

    def gotos(self) -> list[tuple[str, str]]:
        pairs = [("open", self.args.open), ("closed", self.args.closed)]
        return [(k, v) for k, v in pairs if v]

    async def run(self, call: Call) -> str | None:
        tz = self.args.timezone or call.script.timezone or "UTC"
        opened = is_open(utcnow(), tz, self.args.schedule, self.args.holidays)
        call.add_input("hours", open=opened, timezone=tz)
        return self.args.open if opened else self.args.closed
