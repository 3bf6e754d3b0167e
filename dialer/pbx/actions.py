"""AMI action dictionaries: every action the dialer sends is built here.

Pure functions, so the exact wire form of each action is testable without a connection.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

# Our ActionID doubles as the channel's Uniqueid (Originate `ChannelId`), so every event of
# the call carries it; Asterisk limits a uniqueid to 149 characters.
_ACTION_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,120}$")
_VAR_NAME = re.compile(r"^_{0,2}[A-Za-z][A-Za-z0-9_]*$")
OTHER_LEG_SUFFIX = "-2"  # uniqueid of a Local channel's second half (;2)
ACTION_ID_VARIABLE = "DIALER_ACTION_ID"


@dataclass(frozen=True, slots=True)
class OriginateRequest:
    """One outbound call: dial `channel`, and once answered run context/exten/priority."""

    action_id: str
    channel: str  # e.g. "Local/48510030001@sim-pstn" or "PJSIP/48123456789@trunk"
    context: str
    exten: str
    priority: int = 1
    caller_id: str = ""  # e.g. '"Collections" <48221234567>'
    timeout_s: float = 30
    variables: dict[str, str] = field(default_factory=dict)


def check_variable(name: str, value: str) -> None:
    """AMI splits Originate variables on commas, so a comma would silently cut a value."""
    if not _VAR_NAME.match(name):
        raise ValueError(f"channel variable name {name!r} is not a valid Asterisk name")
    if any(ch in value for ch in ",\r\n"):
        raise ValueError(f"channel variable {name}={value!r}: no commas or line breaks allowed")


def originate(req: OriginateRequest) -> dict[str, str | list[str]]:
    """The Async Originate for `req`; its events carry Uniqueid == req.action_id."""
    if not _ACTION_ID.match(req.action_id):
        raise ValueError(
            f"action_id {req.action_id!r}: use 1-120 characters among A-Z a-z 0-9 . _ : @ -"
        )
    if req.timeout_s <= 0:
        raise ValueError(f"timeout_s {req.timeout_s} must be positive")
    variables = {**req.variables, ACTION_ID_VARIABLE: req.action_id}
    for name, value in variables.items():
        check_variable(name, value)
    action: dict[str, str | list[str]] = {
        "Action": "Originate",
        "ActionID": req.action_id,
        "Channel": req.channel,
        "Context": req.context,
        "Exten": req.exten,
        "Priority": str(req.priority),
        "Timeout": str(int(req.timeout_s * 1000)),
        "Async": "true",
        "ChannelId": req.action_id,
        "OtherChannelId": req.action_id + OTHER_LEG_SUFFIX,
        "Variable": [f"{name}={value}" for name, value in variables.items()],
    }
    if req.caller_id:
        action["CallerID"] = req.caller_id
    return action


def redirect(channel: str, context: str, exten: str, priority: int = 1) -> dict[str, str]:
    return {
        "Action": "Redirect",
        "Channel": channel,
        "Context": context,
        "Exten": exten,
        "Priority": str(priority),
    }


def bridge(channel1: str, channel2: str) -> dict[str, str]:
    return {"Action": "Bridge", "Channel1": channel1, "Channel2": channel2, "Tone": "no"}


def hangup(channel: str, cause: int = 16) -> dict[str, str]:
    return {"Action": "Hangup", "Channel": channel, "Cause": str(cause)}


def play(channel: str, sound: str) -> list[dict[str, str]]:
    """AMI has no Playback action: set the sound, then send the channel to [dialer-play],
    which plays it and waits (silence) for the dialer's next redirect."""
    return [set_var(channel, "DIALER_SOUND", sound), redirect(channel, "dialer-play", "s")]


def set_var(channel: str, name: str, value: str) -> dict[str, str]:
    check_variable(name, value)
    return {"Action": "Setvar", "Channel": channel, "Variable": name, "Value": value}


def get_var(channel: str, name: str) -> dict[str, str]:
    return {"Action": "Getvar", "Channel": channel, "Variable": name}


def command(cli: str) -> dict[str, str]:
    return {"Action": "Command", "Command": cli}


def core_show_channels() -> dict[str, str]:
    return {"Action": "CoreShowChannels"}


def queue_status() -> dict[str, str]:
    return {"Action": "QueueStatus"}


def ping() -> dict[str, str]:
    return {"Action": "Ping"}


def login(username: str, secret: str) -> dict[str, str]:
    return {"Action": "Login", "Username": username, "Secret": secret, "Events": "on"}


def exclude_event(name: str) -> dict[str, str]:
    """A session filter: Asterisk stops sending events called `name` to this session."""
    return {
        "Action": "Filter",
        "Operation": "Add",
        "MatchCriteria": f"action(exclude),name({name})",
        "Filter": "",
    }


def logoff() -> dict[str, str]:
    return {"Action": "Logoff"}
