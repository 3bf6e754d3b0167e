"""Busy agents' expected time to free: the mean residual of the calls seen so far."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from acd.connect_timer import p95
from acd.stats import DurationWindow

durations = st.lists(st.floats(min_value=0, max_value=3600, allow_nan=False), max_size=60)


@given(samples=durations, elapsed=st.floats(min_value=0, max_value=4000, allow_nan=False))
def test_remaining_is_the_mean_residual_of_longer_calls(
    samples: list[float], elapsed: float
) -> None:
    window = DurationWindow(prior_s=90.0, size=50)
    for s in samples:
        window.add(s)
    kept = samples[-50:]
    longer = [s - elapsed for s in kept if s > elapsed]
    if longer:
        assert window.remaining(elapsed) == pytest.approx(sum(longer) / len(longer), abs=1e-6)
    else:
        assert window.remaining(elapsed) >= 1.0


def test_cold_start_uses_the_prior() -> None:
    window = DurationWindow(prior_s=90.0)
    assert window.mean() == 90.0
    assert window.remaining(30.0) == 60.0


def test_p95_of_a_hundred_values() -> None:
    assert p95([float(n) for n in range(1, 101)]) == 95.0
