"""Simulated agent phones on the real sandbox: SIP ports, registration, RTP ports."""

from __future__ import annotations

import socket

import pytest

from acd import sim_agents
from acd.sim_agents import SimAgentPool, free_udp_ports
from tests.integration.acd.acd_floor import WAIT_S, Floor

pytestmark = pytest.mark.usefixtures("asterisk_sandbox")


def test_free_udp_ports_are_distinct() -> None:
    ports = free_udp_ports(200)
    assert len(set(ports)) == 200


async def test_a_phone_whose_sip_port_was_taken_registers_on_another(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as squatter:
        squatter.bind(("127.0.0.1", 0))
        taken = int(squatter.getsockname()[1])
        real = sim_agents.free_udp_ports
        handed_out: list[list[int]] = []

        def taken_first(count: int) -> list[int]:
            ports = [taken] if not handed_out else real(count)
            handed_out.append(ports)
            return ports

        monkeypatch.setattr(sim_agents, "free_udp_ports", taken_first)
        pool = SimAgentPool(["1029"])
        try:
            await pool.start()
            assert pool["1029"].registered
            assert len(handed_out) == 2 and handed_out[1][0] != taken
        finally:
            await pool.stop()


async def test_a_phone_answers_more_sessions_than_it_has_rtp_ports(floor: Floor) -> None:
    # Ports of ended calls come back to the phone although its calls have no finaliser.
    sessions = sim_agents.RTP_PORTS_PER_PHONE + 2
    for _ in range(sessions):
        await floor.pbx.login("1030")
        await floor.pbx.logout("1030")
        await floor.phones.wait_for("1030", "ended", WAIT_S)
    assert floor.phones["1030"].counters.answered == sessions
