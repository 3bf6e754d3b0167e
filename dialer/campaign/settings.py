"""Campaign settings: how a campaign dials, when, how often, and what it does with outcomes.

Stored as JSON in Campaign.settings and validated here; a commented sample lives in
config/campaigns/demo.toml. Defaults follow common collection-industry rules: a calling window
of 08:00-21:00 in the debtor's local time, at most 7 calls to a debtor in 7 days and a 7-day
pause after a conversation (US Regulation F), 72 hours of peace after an abandoned call (UK
Ofcom), and recycle delays per outcome.
"""

from __future__ import annotations

import tomllib
from datetime import date, time
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class DialMode(StrEnum):
    PREVIEW = "preview"  # the agent sees the case first and clicks to dial
    PROGRESSIVE = "progressive"  # one line per free agent
    PREDICTIVE = "predictive"  # adaptive overdial
    AGENTLESS = "agentless"  # IVR message, "press 1" for an agent


class ListOrder(StrEnum):
    """Order of debtors inside one priority class (callbacks, fresh, recycled)."""

    PRIORITY = "priority"  # Debtor.priority, highest first, then the newest row
    OLDEST_FIRST = "oldest_first"  # list order


class MachineAction(StrEnum):
    HANGUP = "hangup"
    LEAVE_MESSAGE = "leave_message"


class RecycleAction(StrEnum):
    RETRY_AFTER = "retry_after"  # call again after delay_s
    NEXT_DAY = "next_day"  # call again when tomorrow's window opens
    PHONE_BAD = "phone_bad"  # never dial this number again
    STOP = "stop"  # stop dialling the debtor


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CallingWindow(_Model):
    """Hours in the debtor's local time when calls are allowed, per weekday (0 = Monday)."""

    start: time = time(8, 0)
    end: time = time(21, 0)
    weekdays: list[int] = Field(default_factory=lambda: [0, 1, 2, 3, 4, 5])

    @model_validator(mode="after")
    def _check(self) -> CallingWindow:
        if self.end <= self.start:
            raise ValueError("calling window end must be after its start")
        if any(not 0 <= day <= 6 for day in self.weekdays):
            raise ValueError("weekdays are 0 (Monday) .. 6 (Sunday)")
        return self


class AttemptCaps(_Model):
    per_number_per_day: int = Field(default=3, ge=1)
    per_debtor_7_days: int = Field(default=7, ge=1)  # Regulation F: 7 calls in 7 consecutive days
    conversation_lock_days: int = Field(
        default=7, ge=0
    )  # Regulation F: 7 days after a conversation
    abandon_lockout_hours: int = Field(
        default=72, ge=0
    )  # Ofcom: no repeat call for 72 h after abandon
    min_retry_interval_s: int = Field(default=300, ge=0)  # between two dials of the same number
    next_number_delay_s: int = Field(
        default=30, ge=0
    )  # after a miss, before the debtor's next number


class RecycleRule(_Model):
    action: RecycleAction
    delay_s: int = Field(default=0, ge=0)


def _default_recycle() -> dict[str, RecycleRule]:
    return {
        "busy": RecycleRule(action=RecycleAction.RETRY_AFTER, delay_s=600),
        "no_answer": RecycleRule(action=RecycleAction.RETRY_AFTER, delay_s=7200),
        "machine": RecycleRule(action=RecycleAction.NEXT_DAY),
        "congestion": RecycleRule(action=RecycleAction.RETRY_AFTER, delay_s=300),
        "failed": RecycleRule(action=RecycleAction.PHONE_BAD),
        "lost": RecycleRule(action=RecycleAction.NEXT_DAY),
        "abandoned": RecycleRule(action=RecycleAction.NEXT_DAY),
        "human": RecycleRule(action=RecycleAction.NEXT_DAY),
        "connected": RecycleRule(action=RecycleAction.NEXT_DAY),
        "ivr": RecycleRule(action=RecycleAction.NEXT_DAY),
        "wrong_party": RecycleRule(action=RecycleAction.PHONE_BAD),
    }


class CampaignSettings(_Model):
    dial_mode: DialMode = DialMode.PREDICTIVE
    list_order: ListOrder = ListOrder.PRIORITY
    # Passed to dialer.pacing.PacingSettings (target abandon rate, ratio bounds...).
    pacing: dict[str, Any] = Field(default_factory=dict)
    caller_id: str = ""
    # {digits} = number without '+', {prefix} = dial_prefix, {number} = E.164 number.
    dial_string: str = "Local/{digits}@sim-pstn"
    dial_prefix: str = ""
    ring_timeout_s: int = Field(default=25, ge=15, le=120)
    amd: bool = True
    machine_action: MachineAction = MachineAction.HANGUP
    machine_message: str = "dialer-machine-message"
    abandon_message: str = "dialer-abandon-message"
    callback_number: str = ""  # named in the abandon message; empty = the creditor's
    # Spoken (TTS) abandon message; {creditor} and {callback_number} are filled in. Empty =
    # play abandon_message as it is.
    abandon_text: str = (
        "This is a call from {creditor}. Sorry, we could not connect you. "
        "Please call us back on {callback_number}."
    )
    abandon_voice: str = "en"
    ivr_script: str = "press_one"  # agentless campaigns: [dialer-ivr] exten (config/ivr)
    # Extra channel variables on every originate (no commas), e.g. trunk options; on the
    # sandbox {"__SIM_DTMF" = "1"} makes simulated people press 1.
    variables: dict[str, str] = Field(default_factory=dict)
    acd_queue: str = "collections"
    # What an agent needs to take this campaign's calls, e.g. {"language": "pl"}.
    skills: dict[str, Any] = Field(default_factory=dict)
    connect_timeout_s: float = Field(default=2.0, gt=0, le=10)  # answer -> agent, else abandon
    calling_window: CallingWindow = Field(default_factory=lambda: CallingWindow())
    holidays: list[date] = Field(default_factory=list)
    caps: AttemptCaps = Field(default_factory=lambda: AttemptCaps())
    recycle: dict[str, RecycleRule] = Field(default_factory=_default_recycle)
    max_attempts_per_phone: int = Field(
        default=30, ge=1
    )  # over the campaign, then the phone is bad
    tick_s: float = Field(default=0.5, gt=0, le=10)
    # Estimated share of AMD "machine" verdicts that were really people: counted as abandons
    # (UK counting) in reports and in the rate pacing keeps under its target.
    amd_false_positive_rate: float = Field(default=0.0, ge=0, le=1)

    @field_validator("dial_string")
    @classmethod
    def _dial_string_has_number(cls, value: str) -> str:
        if "{digits}" not in value and "{number}" not in value:
            raise ValueError("dial_string must contain {digits} or {number}")
        return value

    @field_validator("recycle")
    @classmethod
    def _complete_recycle(cls, value: dict[str, RecycleRule]) -> dict[str, RecycleRule]:
        return {**_default_recycle(), **value}

    def recycle_rule(self, outcome: str) -> RecycleRule:
        return self.recycle.get(outcome, RecycleRule(action=RecycleAction.NEXT_DAY))

    def dial_channel(self, number_e164: str) -> str:
        digits = number_e164.lstrip("+")
        return self.dial_string.format(digits=digits, prefix=self.dial_prefix, number=number_e164)


def load_campaign_file(path: Path) -> tuple[str, CampaignSettings]:
    """Read a campaign TOML file: top-level `name` plus a [settings] table."""
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    name = str(data.get("name") or path.stem)
    return name, CampaignSettings.model_validate(data.get("settings", {}))
