"""ACD: agents, queues and routing of answered calls to agents.

Entry point: `Acd` (agent states, reservations, queues, figures for pacing). The PBX side
is `acd.pbx_link.AcdPbxLink`; simulated agent phones are in `acd.sim_agents`.
"""

from acd.agent_state import AgentEvent, AgentState, StateChange
from acd.errors import (
    AcdError,
    AgentBusyError,
    AlreadyLoggedInError,
    IllegalTransitionError,
    StaleReservationError,
    UnknownAgentError,
    UnknownPauseReasonError,
    UnknownQueueError,
)
from acd.facade import Acd
from acd.queues import QueueConfig, QueuedCall, Treatment
from acd.records import AcdSettings, LostCall, QueueStatus, Reservation
from acd.routing import Requirement, Skills
from acd.store import AgentProfile, PauseReasonInfo

__all__ = [
    "Acd",
    "AcdError",
    "AcdSettings",
    "AgentBusyError",
    "AgentEvent",
    "AgentProfile",
    "AgentState",
    "AlreadyLoggedInError",
    "IllegalTransitionError",
    "LostCall",
    "PauseReasonInfo",
    "QueueConfig",
    "QueueStatus",
    "QueuedCall",
    "Requirement",
    "Reservation",
    "Skills",
    "StaleReservationError",
    "StateChange",
    "Treatment",
    "UnknownAgentError",
    "UnknownPauseReasonError",
    "UnknownQueueError",
]
