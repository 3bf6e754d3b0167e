"""The wire form of the actions the dialer sends."""

from __future__ import annotations

import pytest

from dialer.pbx import actions
from dialer.pbx.actions import OriginateRequest


def test_originate_is_async_with_our_ids_and_variables() -> None:
    req = OriginateRequest(
        action_id="att-42",
        channel="Local/48510001001@sim-pstn",
        context="dialer-outbound",
        exten="s",
        caller_id='"Collections" <48221234567>',
        timeout_s=25,
        variables={"ATTEMPT_ID": "42", "CAMPAIGN_ID": "7", "__SIM_DTMF": "1"},
    )
    action = actions.originate(req)
    assert action["Action"] == "Originate"
    assert action["Async"] == "true"
    assert action["ActionID"] == action["ChannelId"] == "att-42"
    assert action["OtherChannelId"] == "att-42" + actions.OTHER_LEG_SUFFIX
    assert action["Timeout"] == "25000"
    assert action["CallerID"] == '"Collections" <48221234567>'
    assert action["Variable"] == [
        "ATTEMPT_ID=42",
        "CAMPAIGN_ID=7",
        "__SIM_DTMF=1",
        "DIALER_ACTION_ID=att-42",
    ]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"NAME": "Doe, John"}, "no commas"),
        ({"NOTE": "a\nb"}, "no commas or line breaks"),
        ({"bad name": "x"}, "not a valid Asterisk name"),
    ],
)
def test_originate_refuses_values_ami_would_mangle(variables: dict[str, str], message: str) -> None:
    req = OriginateRequest("a1", "Local/1@x", "c", "s", variables=variables)
    with pytest.raises(ValueError, match=message):
        actions.originate(req)


@pytest.mark.parametrize("action_id", ["", "has space", "semi;colon", "x" * 121])
def test_originate_refuses_action_ids_unfit_for_a_uniqueid(action_id: str) -> None:
    with pytest.raises(ValueError, match="action_id"):
        actions.originate(OriginateRequest(action_id, "Local/1@x", "c", "s"))


def test_play_sets_the_sound_then_redirects_to_dialer_play() -> None:
    steps = actions.play("Local/1@x-1;1", "dialer/prompts/abandon")
    assert steps[0] == {
        "Action": "Setvar",
        "Channel": "Local/1@x-1;1",
        "Variable": "DIALER_SOUND",
        "Value": "dialer/prompts/abandon",
    }
    assert steps[1]["Action"] == "Redirect" and steps[1]["Context"] == "dialer-play"


def test_hangup_and_redirect() -> None:
    assert actions.hangup("C", 17) == {"Action": "Hangup", "Channel": "C", "Cause": "17"}
    assert actions.redirect("C", "acd-agent", "1011")["Exten"] == "1011"
