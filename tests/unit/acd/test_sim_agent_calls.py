"""The simulated phones' calls leave pyVoIP's thread bookkeeping alone when finalised."""

from __future__ import annotations

import gc

from acd.sim_agents import _SessionCall


class _PortsRecorder:
    def __init__(self) -> None:
        self.released: list[object] = []

    def release_ports(self, call: object = None) -> None:
        self.released.append(call)


def test_a_finalised_call_does_not_release_ports_from_the_garbage_collector() -> None:
    # pyVoIP's own finaliser would: that asks threads whether they are alive, which deadlocks
    # when the collector runs inside threading's bookkeeping.
    phone = _PortsRecorder()
    call = _SessionCall.__new__(_SessionCall)
    call.phone = phone  # type: ignore[assignment]
    del call
    gc.collect()
    assert phone.released == []
