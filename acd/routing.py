"""Skills and the longest-idle routing index of READY agents.

An agent's skills are tags ("language=pl", "portfolio=bank-a") plus a seniority level.
READY agents sit in insertion-ordered dicts — one of all of them and one per tag — so the
first qualified entry of the smallest matching dict is the longest-idle qualified agent:
with 1,000 agents a pick touches a handful of entries, not the whole floor.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, unquote

SENIORITY = "seniority"


def _tags(skills: Mapping[str, Any]) -> frozenset[str]:
    tags: set[str] = set()
    for key, value in skills.items():
        if key == SENIORITY or key == "min_" + SENIORITY or value is None:
            continue
        values = value if isinstance(value, list | tuple | set | frozenset) else [value]
        tags.update(f"{key}={item}" for item in values)
    return frozenset(tags)


@dataclass(frozen=True)
class Skills:
    """What an agent can handle, from Agent.skills JSON: {"language": ["pl", "en"], ...}."""

    tags: frozenset[str] = frozenset()
    seniority: int = 0

    @classmethod
    def from_json(cls, skills: Mapping[str, Any] | None) -> Skills:
        skills = skills or {}
        return cls(_tags(skills), int(skills.get(SENIORITY, 0)))


@dataclass(frozen=True)
class Requirement:
    """What a call needs: every tag, and at least `min_seniority`."""

    tags: frozenset[str] = frozenset()
    min_seniority: int = 0

    @classmethod
    def of(cls, spec: Requirement | Mapping[str, Any] | None = None) -> Requirement:
        """From {"language": "pl", "portfolio": "bank-a", "min_seniority": 2} (or None: any)."""
        if isinstance(spec, Requirement):
            return spec
        spec = spec or {}
        seniority = spec.get("min_" + SENIORITY, spec.get(SENIORITY, 0))
        return cls(_tags(spec), int(seniority or 0))

    def accepts(self, skills: Skills) -> bool:
        return skills.seniority >= self.min_seniority and self.tags <= skills.tags

    def combined(self, other: Requirement) -> Requirement:
        """What a call needs when both its queue and the call itself ask for skills."""
        return Requirement(self.tags | other.tags, max(self.min_seniority, other.min_seniority))

    def encode(self) -> str:
        """One comma-free word for the dialplan: `language=en&portfolio=bank-a&min_seniority=2`.

        Dialplan applications split their arguments on commas (a UserEvent body is a comma
        list of headers) and AMI splits Originate variables on them, so the requirement
        travels through Asterisk URL-quoted, `&`-separated."""
        words = [quote(tag, safe="=") for tag in sorted(self.tags)]
        if self.min_seniority:
            words.append(f"min_{SENIORITY}={self.min_seniority}")
        return "&".join(words)

    @classmethod
    def decode(cls, text: str) -> Requirement:
        """The inverse of `encode`; ValueError on a word that is not `key=value`."""
        tags: set[str] = set()
        seniority = 0
        for word in filter(None, text.strip().split("&")):
            tag = unquote(word)
            key, sep, value = tag.partition("=")
            if not sep or not key or not value:
                raise ValueError(f"skill {tag!r} is not key=value")
            if key in (SENIORITY, "min_" + SENIORITY):
                seniority = max(seniority, int(value))
            else:
                tags.add(tag)
        return cls(frozenset(tags), seniority)


class ReadyIndex:
    """READY agents in the order they became idle, indexed by skill tag."""

    def __init__(self) -> None:
        self._all: dict[str, None] = {}
        self._by_tag: dict[str, dict[str, None]] = {}
        self._skills: dict[str, Skills] = {}

    def __len__(self) -> int:
        return len(self._all)

    def __contains__(self, login: object) -> bool:
        return login in self._all

    def add(self, login: str, skills: Skills) -> None:
        """The agent became idle now: they go to the back of every line they are in."""
        self.remove(login)
        self._all[login] = None
        self._skills[login] = skills
        for tag in skills.tags:
            self._by_tag.setdefault(tag, {})[login] = None

    def remove(self, login: str) -> None:
        skills = self._skills.pop(login, None)
        if skills is None:
            return
        del self._all[login]
        for tag in skills.tags:
            bucket = self._by_tag[tag]
            del bucket[login]
            if not bucket:
                del self._by_tag[tag]

    def pick(self, requirement: Requirement, exclude: Iterable[str] = ()) -> str | None:
        """The longest-idle READY agent who meets `requirement`, or None."""
        candidates: dict[str, None] = self._all
        for tag in requirement.tags:
            bucket = self._by_tag.get(tag)
            if bucket is None:
                return None
            if len(bucket) < len(candidates):
                candidates = bucket
        excluded = set(exclude)
        for login in candidates:
            if login not in excluded and requirement.accepts(self._skills[login]):
                return login
        return None

    def count(self, requirement: Requirement) -> int:
        return sum(1 for login in self._all if requirement.accepts(self._skills[login]))

    def in_idle_order(self) -> list[str]:
        return list(self._all)
