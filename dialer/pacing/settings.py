"""Supervisor-facing pacing settings; validated on every assignment so they can change live."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class PacingMode(StrEnum):
    PREVIEW = "preview"  # agents dial by hand: the engine never places a call
    PROGRESSIVE = "progressive"  # one line per free agent
    PREDICTIVE = "predictive"  # overdial from statistics, within the abandon target
    AGENTLESS = "agentless"  # IVR campaigns: keep a fixed number of lines busy


class PacingSettings(BaseModel):
    """Knobs a supervisor may turn while the campaign runs (validate_assignment keeps them sane)."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid")

    mode: PacingMode = PacingMode.PREDICTIVE
    target_abandon: float = Field(default=0.03, gt=0.0, lt=0.5)
    # Lines ringing per agent that is ready or expected free within the ring horizon.
    max_ratio: float = Field(default=5.0, ge=1.0, le=50.0)
    # Lines in progress (ringing + waiting) per logged-in agent: a trunk/capacity guard.
    max_lines_per_agent: float = Field(default=3.0, ge=1.0, le=50.0)
    # 0.5-1.5: scales how much abandon risk the marginal call may carry (never the target).
    intensity: float = Field(default=1.0, ge=0.1, le=2.0)
    min_agents_predictive: int = Field(default=4, ge=1)
    min_answers_predictive: int = Field(default=30, ge=0)
    connect_window_s: float = Field(default=2.0, gt=0.0, le=30.0)
    # Share of the target kept in reserve against bad luck (aim at target * (1 - margin)) ...
    safety_margin: float = Field(default=0.08, ge=0.0, lt=1.0)
    # ... widened to safety_z standard errors of the abandon rate while few calls are answered
    # (small teams and early in the day, when one unlucky abandon moves the rate most).
    safety_z: float = Field(default=0.7, ge=0.0, le=5.0)
    # Marginal-call abandon allowance as a multiple of the target when the budget is healthy.
    # The budget feedback pulls the campaign back to the target whatever this is.
    aggressiveness: float = Field(default=2.0, gt=0.0, le=20.0)
    # Marginal-call risk still allowed (as a share of the target) when the budget is spent:
    # a call riskier than nothing but safer than the target still pulls the campaign rate down.
    min_allowance: float = Field(default=0.3, ge=0.0, lt=1.0)
    # Budget (in abandons) over which the full allowance applies; below it the allowance shrinks.
    budget_reserve: float = Field(default=4.0, gt=0.0)
    # Short-window guard: the last this-many seconds must keep to the target as well as the
    # campaign (0 = campaign-wide budget only).
    guard_window_s: float = Field(default=3600.0, ge=0.0)
    # Relative spread of an agent's "free in" estimate (talk times are uncertain; 0.35 makes
    # predicted and simulated abandons agree for a 200-agent team at a low target).
    free_in_cv: float = Field(default=0.35, ge=0.0, le=3.0)
    # ... plus this many seconds: even a wrap-up timer's end is uncertain by a few seconds.
    free_in_sd_s: float = Field(default=4.0, ge=0.0, le=60.0)
    # AGENTLESS: lines to keep busy (ringing + in IVR); 0 = one per logged-in agent slot.
    agentless_lines: int = Field(default=0, ge=0)
