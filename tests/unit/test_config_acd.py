"""The [acd] section: queues and wrap-up from every configuration layer, bad values named."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from dialer.cli import main
from dialer.config import DEFAULT_CONFIG_FILE, AcdSection, ConfigError, load_settings


def test_the_shipped_file_states_the_defaults_and_the_collections_queue() -> None:
    shipped = tomllib.loads(DEFAULT_CONFIG_FILE.read_text(encoding="utf-8"))["acd"]
    assert AcdSection.model_validate(shipped) == AcdSection()
    queue = AcdSection().queues["collections"]
    assert (queue.max_wait_s, queue.treatment, queue.announce, queue.announce_every_s) == (
        60.0,
        "message",
        True,
        30.0,
    )


def test_file_then_environment_then_flags(tmp_path: Path) -> None:
    file = tmp_path / "dialer.toml"
    file.write_text(
        "[acd]\nwrapup_s = 20\n"
        '[acd.queues.inbound]\nmax_wait_s = 100\ntreatment = "callback"\n'
        'skills = { language = "pl" }\n',
        encoding="utf-8",
    )
    settings = load_settings(
        file,
        ["acd.queues.inbound.max_wait_s=120"],
        {
            "DIALER__ACD__QUEUES__INBOUND__MAX_WAIT_S": "110",
            "DIALER__ACD__QUEUES__INBOUND__ANNOUNCE_EVERY_S": "45",
            "DIALER__ACD__QUEUES__INBOUND__SKILLS__MIN_SENIORITY": "2",
        },
    )
    inbound = settings.acd.queues["inbound"]
    assert settings.acd.wrapup_s == 20
    assert inbound.max_wait_s == 120  # the flag wins over the environment and the file
    assert inbound.announce_every_s == 45
    assert inbound.treatment == "callback"
    assert inbound.skills == {"language": "pl", "min_seniority": 2}


@pytest.mark.parametrize(
    ("override", "key"),
    [
        ("acd.wrapup_s=-1", "acd.wrapup_s"),
        ("acd.reservation_timeout_s=0", "acd.reservation_timeout_s"),
        ("acd.queues.collections.max_wait_s=soon", "acd.queues.collections.max_wait_s"),
        ("acd.queues.collections.max_wait_s=900", "acd.queues.collections.max_wait_s"),
        ("acd.queues.collections.announce_every_s=-5", "acd.queues.collections.announce_every_s"),
        ("acd.queues.collections.announce=sometimes", "acd.queues.collections.announce"),
        ("acd.queues.collections.treatment=hold", "acd.queues.collections.treatment"),
        ("acd.queues.collections.treatment=ivr", "acd.queues.collections.treatment_target"),
        ("acd.queues.collections.priority=100", "acd.queues.collections.priority"),
        ("acd.queues.collections.skills.min_seniority=high", "acd.queues.collections.skills"),
        ("acd.queues.collections.announce_evry_s=10", "acd.queues.collections.announce_evry_s"),
        ("acd.queues.x.priority=1", "acd.queues.x"),
        ("acd.queues.rescue.max_wait_s=30", "acd.queues.rescue"),
    ],
)
def test_a_bad_value_names_its_key(override: str, key: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(overrides=[override], environ={})
    [problem] = caught.value.problems
    assert problem.startswith(f"{key}:") or problem.startswith(f"{key}.[key]:"), problem


def test_check_config_names_the_bad_queue_key(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--set", "acd.queues.inbound.max_wait_s=never", "check-config"]) == 2
    assert "acd.queues.inbound.max_wait_s:" in capsys.readouterr().err


def test_an_ivr_treatment_with_its_script_is_valid() -> None:
    settings = load_settings(
        overrides=[
            "acd.queues.collections.treatment=ivr",
            "acd.queues.collections.treatment_target=payment_reminder",
        ],
        environ={},
    )
    assert settings.acd.queues["collections"].treatment_target == "payment_reminder"
