"""Errors of the ACD: each names the agent and what was refused, so the caller can act on it."""

from __future__ import annotations


class AcdError(Exception):
    """Base class of every error the ACD raises."""


class UnknownAgentError(AcdError):
    def __init__(self, login: str) -> None:
        super().__init__(f"unknown agent {login!r}: add it to the ACD (Agent table) first")
        self.login = login


class AlreadyLoggedInError(AcdError):
    def __init__(self, login: str, state: str) -> None:
        super().__init__(f"agent {login!r} is already logged in (state {state})")
        self.login = login
        self.state = state


class UnknownPauseReasonError(AcdError):
    def __init__(self, code: str, known: list[str]) -> None:
        super().__init__(f"pause reason {code!r} does not exist; known reasons: {', '.join(known)}")
        self.code = code


class IllegalTransitionError(AcdError):
    """An event that the agent's current state does not accept; nothing was changed."""

    def __init__(self, login: str, state: str, event: str) -> None:
        super().__init__(f"agent {login!r}: event {event!r} is not allowed in state {state}")
        self.login = login
        self.state = state
        self.event = event


class AgentBusyError(AcdError):
    """The agent has a call (reserved, on call): the operation would lose it."""

    def __init__(self, login: str, state: str, operation: str) -> None:
        super().__init__(
            f"agent {login!r} is {state}: cannot {operation} now; "
            "end or release the call first (the call is kept)"
        )
        self.login = login
        self.state = state


class UnknownQueueError(AcdError):
    def __init__(self, name: str) -> None:
        super().__init__(f"unknown queue {name!r}")
        self.name = name


class StaleReservationError(AcdError):
    """A reservation that was released, expired or belongs to another call."""

    def __init__(self, login: str, token: int) -> None:
        super().__init__(f"reservation {token} of agent {login!r} is no longer valid")
        self.login = login
        self.token = token


class PauseReasonRequiredError(AcdError):
    def __init__(self, login: str) -> None:
        super().__init__(f"agent {login!r}: a pause needs a reason code")
        self.login = login
