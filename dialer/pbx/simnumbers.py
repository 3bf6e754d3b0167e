"""Numbers of the simulated PSTN: the outcome and talk time are written into the digits.

A simulated debtor's number is a valid Polish mobile number, +48 51O TTT SSS:
O is the outcome code, TTT the talk time in seconds, SSS a serial. The sandbox's
[sim-pstn] context reads the same digits, so a list of thousands of simulated debtors
behaves like a real list with the outcome mix the generator chose.
"""

from __future__ import annotations

from enum import IntEnum

PREFIX = "+4851"


class SimOutcome(IntEnum):
    HUMAN = 0
    MACHINE = 1
    BUSY = 2
    NO_ANSWER = 3
    CONGESTION = 4
    INVALID = 5


def sim_number(outcome: SimOutcome, talk_s: int, serial: int) -> str:
    """E.164 number of a simulated debtor who behaves as `outcome` and talks `talk_s` s."""
    if not 0 <= talk_s <= 999:
        raise ValueError(f"talk_s {talk_s} must be within 0..999")
    if not 0 <= serial <= 999:
        raise ValueError(f"serial {serial} must be within 0..999")
    return f"{PREFIX}{int(outcome)}{talk_s:03d}{serial:03d}"


def decode(number_e164: str) -> tuple[SimOutcome, int]:
    """Outcome and talk time of a simulated number; ValueError if it is not one."""
    if not (
        number_e164.startswith(PREFIX) and len(number_e164) == 12 and number_e164[1:].isdigit()
    ):
        raise ValueError(f"{number_e164!r} is not a simulated PSTN number")
    return SimOutcome(int(number_e164[5])), int(number_e164[6:9])


def dial_string(number_e164: str) -> str:
    """The Local channel that reaches a number on the simulated PSTN."""
    return f"Local/{number_e164.lstrip('+')}@sim-pstn"
