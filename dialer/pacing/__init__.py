"""Predictive pacing: the engine (pure numpy), its statistics, the simulator and baselines."""

from dialer.pacing.engine import PacingDecision, PacingEngine, PacingSnapshot
from dialer.pacing.settings import PacingMode, PacingSettings
from dialer.pacing.stats import PacingStats

__all__ = [
    "PacingDecision",
    "PacingEngine",
    "PacingMode",
    "PacingSettings",
    "PacingSnapshot",
    "PacingStats",
]
