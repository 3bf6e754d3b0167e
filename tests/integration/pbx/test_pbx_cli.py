"""`dialer pbx ...` against the sandbox."""

from __future__ import annotations

import pytest

from dialer.cli import main
from dialer.pbx.simnumbers import SimOutcome, sim_number

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")


def test_status_says_up(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pbx", "status"]) == 0
    out = capsys.readouterr().out
    assert "AMI: up" in out and "Asterisk" in out


def test_status_with_a_wrong_secret_says_why(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--set", "asterisk.ami_secret=wrong", "pbx", "status"]) == 1
    assert "refused the login" in capsys.readouterr().out


def test_originate_prints_the_call_until_it_ends(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["pbx", "originate", sim_number(SimOutcome.BUSY, 0, 5)]) == 0
    out = capsys.readouterr().out
    assert "CallRinging" in out and "CallFailed" in out and "reason=BUSY" in out
