"""Campaign scenarios for the simulator: agents, list behaviour, call durations (YAML/TOML)."""

from __future__ import annotations

import math
import tomllib
from enum import StrEnum
from pathlib import Path

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dialer.config import PROJECT_ROOT

SCENARIO_DIR = PROJECT_ROOT / "config" / "scenarios"


class Dist(StrEnum):
    LOGNORMAL = "lognormal"
    GAMMA = "gamma"
    FIXED = "fixed"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Duration(_Model):
    dist: Dist = Dist.LOGNORMAL
    mean: float = Field(gt=0)
    cv: float = Field(default=0.5, ge=0)

    def sample(self, rng: np.random.Generator, size: int) -> np.ndarray:
        if self.dist is Dist.FIXED or self.cv == 0:
            return np.full(size, self.mean)
        if self.dist is Dist.GAMMA:
            shape = 1.0 / self.cv**2
            return rng.gamma(shape, self.mean / shape, size)
        sigma2 = math.log1p(self.cv**2)
        return rng.lognormal(math.log(self.mean) - sigma2 / 2, math.sqrt(sigma2), size)


class Drift(_Model):
    """A probability at the start and at the end of the shift, linear in between."""

    start: float = Field(ge=0, le=1)
    end: float = Field(ge=0, le=1)

    def at(self, fraction: float) -> float:
        return self.start + (self.end - self.start) * min(max(fraction, 0.0), 1.0)


class Answer(_Model):
    human: Drift
    machine: Drift
    busy: Drift

    @model_validator(mode="after")
    def _sums(self) -> Answer:
        for end in ("start", "end"):
            total = sum(getattr(getattr(self, k), end) for k in ("human", "machine", "busy"))
            if total > 1.0:
                raise ValueError(f"human + machine + busy at {end} of shift is {total:.2f} > 1")
        return self


class Ring(_Model):
    human: Duration = Duration(mean=8.0, cv=0.6)
    machine: Duration = Duration(mean=9.0, cv=0.5)
    busy: Duration = Duration(dist=Dist.GAMMA, mean=3.0, cv=0.4)
    no_answer_timeout_s: float = Field(default=25.0, gt=0)


class Amd(_Model):
    false_positive: float = Field(default=0.005, ge=0, le=1)  # human called machine: an abandon
    false_negative: float = Field(default=0.05, ge=0, le=1)  # machine sent to an agent


class Agents(_Model):
    count: int = Field(ge=1)
    login_spread_s: float = Field(default=300.0, ge=0)  # agents log in uniformly over this span
    breaks: int = Field(default=1, ge=0)  # per agent, at random times in the shift
    break_s: float = Field(default=900.0, ge=0)


class Scenario(_Model):
    name: str
    description: str = ""
    hours: float = Field(default=4.0, gt=0)
    agents: Agents
    answer: Answer
    ring: Ring = Ring()
    talk: Duration = Duration(mean=180.0, cv=0.8)
    wrap: Duration = Duration(dist=Dist.GAMMA, mean=30.0, cv=0.5)
    machine_talk: Duration = Duration(mean=15.0, cv=0.5)  # an agent's time on an AMD miss
    amd: Amd = Amd()
    connect_window_s: float = Field(default=2.0, gt=0)
    tick_s: float = Field(default=1.0, gt=0)  # how often the pacer is asked


class ScenarioError(ValueError):
    pass


def resolve_scenario_path(name_or_path: str) -> Path:
    path = Path(name_or_path)
    if path.exists():
        return path
    for ext in (".yaml", ".yml", ".toml"):
        candidate = SCENARIO_DIR / f"{name_or_path}{ext}"
        if candidate.exists():
            return candidate
    known = ", ".join(sorted(p.stem for p in SCENARIO_DIR.glob("*.*")))
    raise ScenarioError(f"no scenario {name_or_path!r} (known: {known})")


def load_scenario(name_or_path: str) -> Scenario:
    path = resolve_scenario_path(name_or_path)
    text = path.read_text(encoding="utf-8")
    raw = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    try:
        return Scenario.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ScenarioError(f"{path}: {problems}") from exc
