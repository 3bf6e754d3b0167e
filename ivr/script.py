"""What a loaded IVR script is: named nodes holding lists of verbs, plus the verb base class."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel, ConfigDict

from ivr.template import placeholders

if TYPE_CHECKING:
    from ivr.call import Call


class ScriptError(Exception):
    """A problem in a script, naming the node and the key (e.g. `menu`, `[2].gather.on.1`)."""

    def __init__(self, node: str, key: str, message: str) -> None:
        super().__init__(f"{node or '<script>'}: {key or '-'}: {message}")
        self.node = node
        self.key = key
        self.message = message
        self.problems: list[ScriptError] = [self]


class EndCall(Exception):
    """A verb ended the IVR session on purpose (hangup, enqueue)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class VerbFailed(Exception):
    """A run-time failure (http timeout, missing value): the script's fallback node takes over."""


class VerbArgs(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class NoArgs(VerbArgs):
    pass


class Verb(ABC):
    """One step of a node. Subclasses declare `name`, `Args` and optionally `shorthand`."""

    name: ClassVar[str]
    Args: ClassVar[type[VerbArgs]] = NoArgs
    shorthand: ClassVar[str | None] = None  # argument filled by `verb: scalar`

    def __init__(self, args: Any) -> None:
        self.args = args

    # Static facts the loader checks; keys are relative to the verb (e.g. "on.1").
    def gotos(self) -> list[tuple[str, str]]:
        return []

    def texts(self) -> list[tuple[str, str]]:
        """Templates this verb renders: (key, template)."""
        return []

    def reads(self) -> list[tuple[str, str]]:
        """Variables read directly (not through a template): (key, variable)."""
        return [(key, var) for key, text in self.texts() for var, _ in placeholders(text)]

    def defines(self) -> list[str]:
        return []

    def sounds(self) -> list[tuple[str, str]]:
        return []

    def prompts(self) -> list[str]:
        """TTS texts that do not depend on the call: rendered at load."""
        return [text for _, text in self.tts_texts() if not placeholders(text)]

    def tts_texts(self) -> list[tuple[str, str]]:
        return []

    @abstractmethod
    async def run(self, call: Call) -> str | None:
        """Do the step; return the next node's name, or None to go on with the next verb."""


@dataclass
class Script:
    name: str
    path: Path
    version: str  # content hash: stored with each session
    language: str
    voice: str | None
    start: str
    fallback: str | None
    timezone: str | None
    currency: str | None
    nodes: dict[str, list[Verb]]
    mtime_ns: int = 0
    meta: dict[str, Any] = field(default_factory=dict)

    def prompts(self) -> list[str]:
        return sorted(
            {p for verbs in self.nodes.values() for verb in verbs for p in verb.prompts()}
        )
