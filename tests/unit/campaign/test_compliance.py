"""Compliance rules as properties: never outside the local window, never over a cap, never DNC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dialer.campaign.compliance import (
    Block,
    DebtorFacts,
    PhoneFacts,
    attempts_today,
    decide,
    in_window,
    local,
    next_window_start,
)
from dialer.campaign.settings import CallingWindow, CampaignSettings

ZONES = [
    "Europe/Warsaw",
    "Europe/London",
    "America/New_York",
    "America/Chicago",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Pacific/Chatham",
    "UTC",
]
RULES = CampaignSettings()

instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
# Instants packed around the DST changes of 2026, where window bugs hide.
dst_edges = st.sampled_from(
    [
        datetime(2026, 3, 29, 1, tzinfo=UTC),
        datetime(2026, 10, 25, 1, tzinfo=UTC),
        datetime(2026, 3, 8, 7, tzinfo=UTC),
        datetime(2026, 11, 1, 6, tzinfo=UTC),
        datetime(2026, 4, 5, 16, tzinfo=UTC),
    ]
).flatmap(lambda edge: st.integers(-36 * 60, 36 * 60).map(lambda m: edge + timedelta(minutes=m)))
any_instant = st.one_of(instants, dst_edges)


def phone(pid: int, tz: str, attempts: tuple[datetime, ...] = (), number: str = "") -> PhoneFacts:
    return PhoneFacts(pid, number or f"+4851000000{pid}", pid, tz, attempts=attempts)


@settings(deadline=None, max_examples=150)
@given(now=any_instant, tz=st.sampled_from(ZONES))
def test_decided_calls_are_inside_the_local_window(now: datetime, tz: str) -> None:
    debtor = DebtorFacts(1, tz, (phone(1, tz),))
    verdict = decide(debtor, now, RULES, set())
    if verdict.phone is not None:
        here = local(now, tz)
        assert time(8) <= here.time() < time(21)
        assert here.weekday() in RULES.calling_window.weekdays
    else:
        assert verdict.blocks == (Block.OUTSIDE_WINDOW,)
        assert verdict.retry_at is not None and verdict.retry_at > now


@settings(deadline=None, max_examples=150)
@given(now=any_instant, tz=st.sampled_from(ZONES), holidays=st.lists(st.dates(), max_size=5))
def test_next_window_start_is_inside_the_window(
    now: datetime, tz: str, holidays: list[date]
) -> None:
    window = CallingWindow()
    start = next_window_start(now, tz, window, holidays)
    assert start is not None and start >= now
    assert in_window(start, tz, window, holidays)
    # Nothing earlier within the hour before it is callable (it is the first instant).
    if start > now:
        assert not in_window(max(now, start - timedelta(minutes=1)), tz, window, holidays)


@settings(deadline=None, max_examples=150)
@given(now=any_instant, tz=st.sampled_from(ZONES))
def test_holidays_are_never_called(now: datetime, tz: str) -> None:
    rules = CampaignSettings(holidays=[local(now, tz).date()])
    assert decide(DebtorFacts(1, tz, (phone(1, tz),)), now, rules, set()).phone is None


@settings(deadline=None, max_examples=150)
@given(
    now=any_instant,
    tz=st.sampled_from(ZONES),
    offsets=st.lists(st.integers(1, 7 * 24 * 60), max_size=12),
    dnc=st.sets(st.integers(1, 4), max_size=4),
)
def test_never_over_a_cap_never_dnc(
    now: datetime, tz: str, offsets: list[int], dnc: set[int]
) -> None:
    history = tuple(now - timedelta(minutes=m) for m in offsets)
    phones = tuple(phone(i, tz, attempts=history[i - 1 :: 4]) for i in range(1, 5))
    debtor = DebtorFacts(1, tz, phones, attempts_7d=history)
    dnc_numbers = {phones[i - 1].number_e164 for i in dnc}
    verdict = decide(debtor, now, RULES, dnc_numbers)
    if verdict.phone is None:
        return
    chosen = verdict.phone
    assert chosen.number_e164 not in dnc_numbers
    in_last_week = [at for at in history if now - at < timedelta(days=7)]
    assert len(in_last_week) < RULES.caps.per_debtor_7_days
    assert attempts_today(chosen.attempts, now, tz) < RULES.caps.per_number_per_day
    assert all(
        now - at >= timedelta(seconds=RULES.caps.min_retry_interval_s) for at in chosen.attempts
    )


@settings(deadline=None, max_examples=150)
@given(now=any_instant)
def test_locks_after_conversation_abandon_and_promise(now: datetime) -> None:
    tz = "UTC"
    base = DebtorFacts(1, tz, (phone(1, tz),))
    talked = DebtorFacts(1, tz, base.phones, last_contact_at=now - timedelta(days=6, hours=23))
    abandoned = DebtorFacts(1, tz, base.phones, do_not_call_until=now + timedelta(hours=1))
    promised = DebtorFacts(1, tz, base.phones, promise_until=now.date())
    assert Block.CONVERSATION_LOCK in decide(talked, now, RULES, set()).blocks
    assert Block.DO_NOT_CALL_UNTIL in decide(abandoned, now, RULES, set()).blocks
    assert Block.PROMISE in decide(promised, now, RULES, set()).blocks


def test_right_party_number_is_dialled_first() -> None:
    now = datetime(2026, 6, 3, 10, tzinfo=UTC)
    phones = (
        PhoneFacts(1, "+48510000001", 1, "UTC"),
        PhoneFacts(2, "+48510000002", 2, "UTC", right_party_contacts=2),
    )
    verdict = decide(DebtorFacts(1, "UTC", phones), now, RULES, set())
    assert verdict.phone is not None and verdict.phone.id == 2


def test_numbers_are_tried_in_turn() -> None:
    now = datetime(2026, 6, 3, 10, tzinfo=UTC)
    earlier = (now - timedelta(hours=1),)
    phones = (
        PhoneFacts(1, "+48510000001", 1, "UTC", attempts=earlier),
        PhoneFacts(2, "+48510000002", 2, "UTC"),
    )
    verdict = decide(DebtorFacts(1, "UTC", phones, attempts_7d=earlier), now, RULES, set())
    assert verdict.phone is not None and verdict.phone.id == 2


def test_every_number_dnc_or_bad_leaves_the_hopper() -> None:
    now = datetime(2026, 6, 3, 10, tzinfo=UTC)
    phones = (
        PhoneFacts(1, "+48510000001", 1, "UTC", bad=True),
        PhoneFacts(2, "+48510000002", 2, "UTC"),
    )
    verdict = decide(DebtorFacts(1, "UTC", phones), now, RULES, {"+48510000002"})
    assert verdict.phone is None and verdict.retry_at is None
    assert set(verdict.blocks) == {Block.PHONE_BAD, Block.DNC}


def test_a_callback_the_debtor_asked_for_lifts_the_conversation_lock() -> None:
    now = datetime(2026, 6, 3, 10, tzinfo=UTC)
    phones = (PhoneFacts(1, "+48510000001", 1, "UTC"),)
    talked = now - timedelta(hours=2)
    locked = DebtorFacts(1, "UTC", phones, last_contact_at=talked)
    asked = DebtorFacts(1, "UTC", phones, last_contact_at=talked, callback_due=True)
    assert decide(locked, now, RULES, set()).phone is None
    assert decide(asked, now, RULES, set()).phone is not None
