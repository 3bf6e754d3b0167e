"""Pure compliance rules: may this debtor, on this number, be called now? If not, when?

No I/O here: the hopper loads the facts (phones, recent attempts, DNC hits) and asks these
functions, so the rules are property-tested on their own (tests/unit/campaign).
Every "day" is the debtor's local calendar day in the number's time zone.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from dialer.campaign.settings import CallingWindow, CampaignSettings

WEEK = timedelta(days=7)


class Block(StrEnum):
    """Why a debtor or a number may not be dialled now."""

    DNC = "dnc"
    PHONE_BAD = "phone_bad"
    OUTSIDE_WINDOW = "outside_window"
    NUMBER_DAILY_CAP = "number_daily_cap"
    DEBTOR_WEEKLY_CAP = "debtor_weekly_cap"
    RETRY_INTERVAL = "retry_interval"
    CONVERSATION_LOCK = "conversation_lock"
    DO_NOT_CALL_UNTIL = "do_not_call_until"  # abandon lock-out, or set by a supervisor
    PROMISE = "promise"
    NO_PHONE = "no_phone"


@lru_cache(maxsize=512)
def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


class PhoneFacts(NamedTuple):
    id: int
    number_e164: str
    position: int
    timezone: str  # the number's zone, or the debtor's when the number has none
    bad: bool = False
    right_party_contacts: int = 0
    attempts: tuple[datetime, ...] = ()  # creation times of this number's recent attempts


class DebtorFacts(NamedTuple):
    id: int
    timezone: str
    phones: tuple[PhoneFacts, ...]
    do_not_call_until: datetime | None = None
    last_contact_at: datetime | None = None
    promise_until: date | None = None  # no dialling up to and including this local date
    attempts_7d: tuple[datetime, ...] = ()  # every attempt to this debtor in the last 7 days
    # The debtor asked to be called back now: that consent lifts the conversation lock.
    callback_due: bool = False


@dataclass(frozen=True)
class Verdict:
    phone: PhoneFacts | None  # the number to dial now, or None
    blocks: tuple[Block, ...] = ()
    retry_at: datetime | None = None  # earliest time the debtor may become callable
    per_phone: dict[int, Block] = field(default_factory=dict)


def local(now: datetime, tz: str) -> datetime:
    return now.astimezone(zone(tz))


def in_window(now: datetime, tz: str, window: CallingWindow, holidays: Collection[date]) -> bool:
    """True when `now` falls inside the calling window in zone `tz` on a working day."""
    here = local(now, tz)
    if here.weekday() not in window.weekdays or here.date() in holidays:
        return False
    return window.start <= here.time() < window.end


def next_window_start(
    now: datetime, tz: str, window: CallingWindow, holidays: Collection[date]
) -> datetime | None:
    """The first instant at or after `now` inside the window (UTC); None if none in 60 days."""
    if in_window(now, tz, window, holidays):
        return now
    here = local(now, tz)
    for offset in range(61):
        day = here.date() + timedelta(days=offset)
        if day.weekday() not in window.weekdays or day in holidays:
            continue
        start = datetime.combine(day, window.start, tzinfo=zone(tz)).astimezone(UTC)
        # A start inside a DST gap does not exist locally: step until the clock shows it.
        for _ in range(3):
            if start >= now and in_window(start, tz, window, holidays):
                return start
            start += timedelta(hours=1)
    return None


def local_day_start(now: datetime, tz: str, days_ahead: int = 0) -> datetime:
    day = local(now, tz).date() + timedelta(days=days_ahead)
    return datetime.combine(day, datetime.min.time(), tzinfo=zone(tz)).astimezone(UTC)


def attempts_today(times: Sequence[datetime], now: datetime, tz: str) -> int:
    today = local(now, tz).date()
    return sum(1 for at in times if local(at, tz).date() == today)


def debtor_blocks(d: DebtorFacts, now: datetime, rules: CampaignSettings) -> dict[Block, datetime]:
    """Every debtor-wide reason not to call now, each with the time it lifts (UTC)."""
    blocks: dict[Block, datetime] = {}
    if d.do_not_call_until is not None and d.do_not_call_until > now:
        blocks[Block.DO_NOT_CALL_UNTIL] = d.do_not_call_until
    if d.last_contact_at is not None and not d.callback_due:
        lock_days = rules.caps.conversation_lock_days
        # Reached today (even with a 0-day lock): not again before tomorrow.
        until = max(
            d.last_contact_at + timedelta(days=lock_days),
            local_day_start(d.last_contact_at, d.timezone, 1),
        )
        if until > now:
            blocks[Block.CONVERSATION_LOCK] = until
    if d.promise_until is not None and local(now, d.timezone).date() <= d.promise_until:
        blocks[Block.PROMISE] = datetime.combine(
            d.promise_until + timedelta(days=1), datetime.min.time(), tzinfo=zone(d.timezone)
        ).astimezone(UTC)
    recent = sorted(at for at in d.attempts_7d if at > now - WEEK)
    cap = rules.caps.per_debtor_7_days
    if len(recent) >= cap:
        # The window slides: a slot frees when the oldest counted attempt is 7 days old.
        blocks[Block.DEBTOR_WEEKLY_CAP] = recent[len(recent) - cap] + WEEK
    return blocks


def phone_block(
    p: PhoneFacts, now: datetime, rules: CampaignSettings, dnc: Collection[str]
) -> tuple[Block, datetime | None] | None:
    """Why this number may not be dialled now and when that lifts (None = never), or None."""
    if p.bad:
        return Block.PHONE_BAD, None
    if p.number_e164 in dnc:
        return Block.DNC, None
    if not in_window(now, p.timezone, rules.calling_window, rules.holidays):
        return Block.OUTSIDE_WINDOW, next_window_start(
            now, p.timezone, rules.calling_window, rules.holidays
        )
    if attempts_today(p.attempts, now, p.timezone) >= rules.caps.per_number_per_day:
        tomorrow = local_day_start(now, p.timezone, 1)
        return Block.NUMBER_DAILY_CAP, next_window_start(
            tomorrow, p.timezone, rules.calling_window, rules.holidays
        )
    if p.attempts:
        ready = max(p.attempts) + timedelta(seconds=rules.caps.min_retry_interval_s)
        if ready > now:
            return Block.RETRY_INTERVAL, ready
    return None


def dialling_order(phones: Sequence[PhoneFacts]) -> list[PhoneFacts]:
    """Numbers that reached the right party before come first, then the list's order."""
    return sorted(phones, key=lambda p: (-p.right_party_contacts, p.position))


def decide(d: DebtorFacts, now: datetime, rules: CampaignSettings, dnc: Collection[str]) -> Verdict:
    """Pick the number to dial now for debtor `d`, or say why not and when to look again."""
    blocks = debtor_blocks(d, now, rules)
    if blocks:
        return Verdict(None, tuple(blocks), max(blocks.values()))
    per_phone: dict[int, Block] = {}
    lifts: list[datetime] = []
    ordered = dialling_order(d.phones)
    # Fewest attempts today first, so the four numbers are tried in turn within a day.
    ordered.sort(key=lambda p: attempts_today(p.attempts, now, p.timezone))
    for phone in ordered:
        blocked = phone_block(phone, now, rules, dnc)
        if blocked is None:
            return Verdict(phone, (), None, per_phone)
        per_phone[phone.id] = blocked[0]
        if blocked[1] is not None:
            lifts.append(blocked[1])
    reasons = tuple(dict.fromkeys(per_phone.values())) or (Block.NO_PHONE,)
    return Verdict(None, reasons, min(lifts) if lifts else None, per_phone)
