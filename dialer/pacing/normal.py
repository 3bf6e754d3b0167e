"""Vectorised normal-distribution helpers (numpy only; no scipy in the dependencies)."""

from __future__ import annotations

import numpy as np

from dialer.pacing.stats import FloatArray

_SQRT2 = float(np.sqrt(2.0))
_INV_SQRT_2PI = float(1.0 / np.sqrt(2.0 * np.pi))


def _erf(x: FloatArray) -> FloatArray:
    # Abramowitz & Stegun 7.1.26, |error| < 1.5e-7: plenty for pacing probabilities.
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (
        0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))
    )
    return np.asarray(sign * (1.0 - poly * np.exp(-a * a)), dtype=np.float64)


def normal_cdf(z: FloatArray) -> FloatArray:
    return np.asarray(0.5 * (1.0 + _erf(z / _SQRT2)), dtype=np.float64)


def expected_positive_part(
    mean: FloatArray, var: FloatArray, third: FloatArray | None = None
) -> FloatArray:
    """E[max(X, 0)] for X ~ N(mean, var), or with `third` (its third cumulant) the first-order
    Edgeworth correction for skewness: sums of a few Bernoulli trials have a heavier right tail
    than the normal, and that tail is where abandons live. The correction in closed form is
    k3 / (6 var) * (-z) * pdf(z); the result never falls below E[X]^+ (Jensen)."""
    sd = np.sqrt(var)
    z = mean / sd
    pdf = _INV_SQRT_2PI * np.exp(-0.5 * z * z)
    value = mean * normal_cdf(z) + sd * pdf
    if third is not None:
        value = np.maximum(value - third / (6.0 * var) * z * pdf, np.maximum(mean, 0.0))
    return np.asarray(value, dtype=np.float64)
