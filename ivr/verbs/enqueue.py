"""`enqueue`: hand the caller to an ACD queue with skills and a priority.

```yaml
- enqueue: {queue: collections, skills: {language: en, portfolio: bank-a}, priority: 2}
```

`skills` is what an agent must have (agents' skills are `{"language": ["en"], ...}`):
a mapping of skill → value (or list of values, all needed; `min_seniority: 2`), or a
list of `key=value` words. The verb sets IVR_ENQUEUE (queue), IVR_ENQUEUE_SKILLS (the
ACD's comma-free `Requirement.encode()` form, e.g. `language=en&portfolio=bank-a`) and
IVR_ENQUEUE_PRIORITY on the channel and ends the AGI; the `[dialer-ivr]` dialplan hands
them to the ACD's queue entry `[acd-queue]` as ACD_SKILLS and ACD_PRIORITY. Commas would
not survive: `[acd-queue]` reports the call in a UserEvent whose body is a comma list.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, field_validator

from acd import Requirement
from ivr.call import Call
from ivr.script import EndCall, Verb, VerbArgs

SkillValue = str | int | list[str]


class EnqueueArgs(VerbArgs):
    # an extension of [acd-queue] (two characters at least): letters, digits, - and _
    queue: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]+$")
    skills: dict[str, SkillValue] | list[str] = Field(default_factory=dict)
    priority: int = 0

    @field_validator("skills")
    @classmethod
    def _readable(cls, skills: dict[str, SkillValue] | list[str]) -> Any:
        for word in skills if isinstance(skills, list) else []:
            key, sep, value = word.partition("=")
            if not (key and sep and value):
                raise ValueError(f"skill {word!r} must be key=value, e.g. language={word}")
        try:
            _requirement(skills)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"skills {skills!r}: {exc}") from exc
        return skills

    def requirement(self) -> Requirement:
        return _requirement(self.skills)


def _requirement(skills: dict[str, SkillValue] | list[str]) -> Requirement:
    if isinstance(skills, dict):
        return Requirement.of(skills)
    grouped: dict[str, list[str]] = {}
    for word in skills:
        key, _, value = word.partition("=")
        grouped.setdefault(key, []).append(value)
    return Requirement.of({k: v[0] if len(v) == 1 else v for k, v in grouped.items()})


class Enqueue(Verb):
    name = "enqueue"
    Args = EnqueueArgs
    shorthand = "queue"
    args: EnqueueArgs

    async def run(self, call: Call) -> str | None:
        skills = self.args.requirement().encode()
        await call.set_channel_var("IVR_ENQUEUE_SKILLS", skills)
        await call.set_channel_var("IVR_ENQUEUE_PRIORITY", str(self.args.priority))
        await call.set_channel_var("IVR_ENQUEUE", self.args.queue)
        call.add_input("enqueue", queue=self.args.queue, skills=skills, priority=self.args.priority)
        raise EndCall("enqueued")
