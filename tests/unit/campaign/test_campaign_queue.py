"""A campaign's queue: the configured one, given the campaign's skills only if it has none."""

from __future__ import annotations

from typing import Any

from acd import Acd, Requirement
from acd.bootstrap import add_configured_queues
from dialer.campaign.service import DialerProcess
from dialer.config import load_settings

PL = {"language": "pl"}
EN = {"language": "en"}


def process(*overrides: str) -> DialerProcess:
    settings = load_settings(overrides=list(overrides), environ={})
    acd = Acd()
    add_configured_queues(acd, settings.acd)
    unused: Any = None  # no PBX, database or desk: only the ACD's queues are looked at
    return DialerProcess(settings, unused, unused, acd, unused, unused, unused)


def test_the_first_campaign_gives_a_configured_queue_without_skills_its_own() -> None:
    dialer = process("acd.queues.collections.max_wait_s=90")
    dialer.open_campaign_queue("collections", PL)
    dialer.open_campaign_queue("collections", EN)
    config = dialer.acd.queues.config("collections")
    assert config.requirement == Requirement.of(PL)
    assert config.max_wait_s == 90


def test_configured_skills_win_over_the_campaigns() -> None:
    dialer = process("acd.queues.collections.skills.portfolio=bank-a")
    dialer.open_campaign_queue("collections", PL)
    assert dialer.acd.queues.config("collections").requirement == Requirement.of(
        {"portfolio": "bank-a"}
    )


def test_a_queue_the_configuration_does_not_list_is_created_with_the_defaults() -> None:
    dialer = process()
    dialer.open_campaign_queue("bank-b", EN)
    config = dialer.acd.queues.config("bank-b")
    assert config.requirement == Requirement.of(EN)
    assert (config.max_wait_s, config.announce_every_s) == (60.0, 30.0)
