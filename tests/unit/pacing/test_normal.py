"""The normal helpers behind the abandon-risk model."""

from __future__ import annotations

import math

import numpy as np

from dialer.pacing.normal import expected_positive_part


def _binomial_excess(n: int, q: float, agents: int) -> float:
    """Exact E[(B - agents)^+] for B ~ Binomial(n, q): callers left without an agent."""
    return sum(
        (k - agents) * math.comb(n, k) * q**k * (1 - q) ** (n - k) for k in range(agents + 1, n + 1)
    )


def test_skewness_correction_fixes_the_tail_the_normal_misses() -> None:
    n, q = 24, 0.25
    mean, var, k3 = n * q, n * q * (1 - q), n * q * (1 - q) * (1 - 2 * q)
    for agents in (11, 12, 13):  # 2.4 to 3.3 standard deviations of spare agents
        exact = _binomial_excess(n, q, agents)
        m, v, t = (np.array([x]) for x in (mean - agents, var, k3))
        plain = float(expected_positive_part(m, v)[0])
        skewed = float(expected_positive_part(m, v, t)[0])
        assert plain < exact  # the normal under-predicts abandons in the tail
        assert abs(skewed - exact) < abs(plain - exact) / 2


def test_skewness_correction_never_goes_below_the_mean() -> None:
    mean, var = np.array([-3.0, 0.0, 4.0]), np.array([1.0, 1.0, 1.0])
    value = expected_positive_part(mean, var, np.array([-5.0, -5.0, -5.0]))
    assert np.all(value >= np.maximum(mean, 0.0))
