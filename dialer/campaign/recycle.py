"""Recycle rules: what an attempt's outcome means for the debtor's next call (pure).

The hopper reads Debtor.status and Debtor.next_call_at; this module decides both after each
attempt. A miss on one number moves on to the debtor's next number soon, and the outcome's
own delay applies once every usable number was tried today.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from dialer.campaign.compliance import local_day_start, next_window_start
from dialer.campaign.settings import CampaignSettings, RecycleAction
from dialer.db.outcomes import HUMAN_OUTCOMES, AttemptOutcome


class DebtorStatus(StrEnum):
    NEW = "new"  # never dialled: a fresh lead
    READY = "ready"  # recycled, callable from next_call_at
    CALLBACK = "callback"  # a callback is due at next_call_at (dialled first)
    DIALING = "dialing"  # claimed by a worker, an attempt is in flight
    PROMISED = "promised"  # promise to pay: callable again after the promised date
    DONE = "done"  # paid already, or stopped by a rule
    DISPUTED = "disputed"  # account disputed: not dialled until a supervisor releases it
    EXHAUSTED = "exhausted"  # no usable number left


# Classes the hopper serves, in priority order (callbacks due, fresh leads, recycled).
HOPPER_CLASSES = (
    DebtorStatus.CALLBACK,
    DebtorStatus.NEW,
    DebtorStatus.READY,
    DebtorStatus.PROMISED,
)


@dataclass(frozen=True)
class RecycleDecision:
    status: DebtorStatus
    next_call_at: datetime | None
    phone_bad: bool = False
    right_party: bool = False


def recycle(
    outcome: AttemptOutcome,
    now: datetime,
    tz: str,
    rules: CampaignSettings,
    other_numbers_untried_today: bool,
    phone_attempts_total: int,
) -> RecycleDecision:
    """Next status and call time of a debtor after an attempt ended with `outcome`."""
    rule = rules.recycle_rule(outcome.value)
    human = outcome in HUMAN_OUTCOMES
    phone_bad = rule.action is RecycleAction.PHONE_BAD or (
        not human and phone_attempts_total >= rules.max_attempts_per_phone
    )
    if rule.action is RecycleAction.STOP:
        return RecycleDecision(DebtorStatus.DONE, None, phone_bad, human)
    if not human and other_numbers_untried_today:
        soon = now + timedelta(seconds=rules.caps.next_number_delay_s)
        return RecycleDecision(DebtorStatus.READY, soon, phone_bad, False)
    if rule.action is RecycleAction.RETRY_AFTER:
        at: datetime | None = now + timedelta(seconds=rule.delay_s)
    else:  # NEXT_DAY, or a bad phone: look again when tomorrow's window opens
        at = next_window_start(
            local_day_start(now, tz, 1), tz, rules.calling_window, rules.holidays
        )
    return RecycleDecision(DebtorStatus.READY, at, phone_bad, human)
