"""Names stored in CallAttempt.outcome and ScriptResult.kind, shared by the runtime and reports."""

from __future__ import annotations

from enum import StrEnum


class AttemptOutcome(StrEnum):
    """Final outcome of one call attempt (CallAttempt.outcome)."""

    HUMAN = "human"  # answered by a person; refined to CONNECTED/IVR/ABANDONED when known
    MACHINE = "machine"
    BUSY = "busy"
    NO_ANSWER = "no_answer"
    CONGESTION = "congestion"
    FAILED = "failed"
    ABANDONED = "abandoned"  # a person answered and no agent was free in time
    CONNECTED = "connected"  # a person bridged to an agent
    IVR = "ivr"  # a person sent to an IVR script
    LOST = "lost"  # Asterisk no longer knew the call after a reconnect


# Outcomes where a person answered the phone.
HUMAN_OUTCOMES = frozenset(
    {AttemptOutcome.HUMAN, AttemptOutcome.CONNECTED, AttemptOutcome.IVR, AttemptOutcome.ABANDONED}
)
# Outcomes where the line was answered at all (person or machine).
ANSWERED_OUTCOMES = HUMAN_OUTCOMES | {AttemptOutcome.MACHINE}


class ResultKind(StrEnum):
    """What a debtor declared (ScriptResult.kind), from an agent's form or an IVR script."""

    PROMISE_TO_PAY = "promise_to_pay"
    REFUSAL = "refusal"
    DISPUTE = "dispute"
    WRONG_PARTY = "wrong_party"
    CALLBACK = "callback"
    PAID_ALREADY = "paid_already"
    SURVEY = "survey"
