"""Working hours and holidays, as a pure function of an aware datetime."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class TimeSpecError(ValueError):
    pass


def parse_days(spec: str) -> set[int]:
    """`mon-fri`, `sat`, `mon,wed,fri` → weekday numbers (Monday = 0)."""
    found: set[int] = set()
    for part in spec.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAYS or (last and last not in DAYS):
            raise TimeSpecError(f"{spec!r}: days are mon..sun, e.g. mon-fri or sat,sun")
        a, b = DAYS.index(first), DAYS.index(last or first)
        found.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
    return found


def parse_ranges(spec: str | Sequence[str]) -> list[tuple[time, time]]:
    """`08:00-20:00` or a list of such ranges."""
    items = [spec] if isinstance(spec, str) else list(spec)
    ranges = []
    for item in items:
        try:
            start, end = (time.fromisoformat(x.strip()) for x in item.split("-"))
        except ValueError as exc:
            raise TimeSpecError(f"{item!r}: a range is HH:MM-HH:MM") from exc
        ranges.append((start, end))
    return ranges


def parse_holiday(spec: str) -> tuple[int | None, int, int]:
    """`2026-12-24` (one day) or `12-24` (every year)."""
    parts = spec.split("-")
    try:
        if len(parts) == 3:
            day = date.fromisoformat(spec)
            return day.year, day.month, day.day
        if len(parts) == 2:
            month, day_of_month = int(parts[0]), int(parts[1])
            date(2024, month, day_of_month)  # validates (2024 has a Feb 29)
            return None, month, day_of_month
    except ValueError:
        pass
    raise TimeSpecError(f"{spec!r}: a holiday is YYYY-MM-DD or MM-DD")


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise TimeSpecError(f"{name!r} is not a known time zone") from exc


def is_open(
    now: datetime,
    timezone: str,
    schedule: Mapping[str, str | Sequence[str]],
    holidays: Sequence[str] = (),
) -> bool:
    local = now.astimezone(zone(timezone))
    for spec in holidays:
        year, month, day = parse_holiday(spec)
        if (year is None or year == local.year) and (month, day) == (local.month, local.day):
            return False
    clock = local.time().replace(tzinfo=None)
    for days, ranges in schedule.items():
        if local.weekday() in parse_days(days) and any(
            start <= clock < end for start, end in parse_ranges(ranges)
        ):
            return True
    return False
