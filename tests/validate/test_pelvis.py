"""Pelvic tilt: the landmark cue, its leave-one-out calibration, and the null when it is not good enough."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.validate.pelvis import NULL_REASON, fit_tilt, hip_line_offset


def _joints(hip_y: list[float], knee_x: float = 400.0) -> Keypoints:
    n = len(hip_y)
    xy = np.stack([np.tile([100.0, 200.0], (n, 1)), np.column_stack([np.full(n, 250.0), hip_y]),
                   np.tile([knee_x, 200.0], (n, 1))], axis=1)
    return Keypoints(np.arange(n) * 33, xy, np.full((n, 3), 0.9), ("shoulder", "hip", "knee"))


@pytest.mark.parametrize("knee_x", [400.0, -200.0])  # lifter facing either way
def test_hip_line_offset_is_positive_above_the_shoulder_knee_line(knee_x: float) -> None:
    got = hip_line_offset(_joints([170.0, 200.0, 230.0], knee_x))
    assert got[0] == pytest.approx(30.0 / 300.0)
    assert got[1] == pytest.approx(0.0)
    assert got[2] == pytest.approx(-30.0 / 300.0)


def test_fit_recovers_a_clean_line_and_accepts_it() -> None:
    x = np.linspace(-0.1, 0.1, 9)
    fit = fit_tilt(x, 100.0 * x + 5.0)
    assert fit.slope == pytest.approx(100.0) and fit.intercept == pytest.approx(5.0)
    assert fit.loo_mae == pytest.approx(0.0, abs=1e-9)
    assert fit.accepted


def test_noise_is_not_accepted() -> None:
    rng = np.random.default_rng(0)
    tilt = rng.choice([-20.0, 0.0, 15.0], size=20)
    fit = fit_tilt(rng.normal(size=20), tilt)
    assert not fit.accepted


def test_too_few_clips_are_not_accepted() -> None:
    assert not fit_tilt(np.array([0.0, 0.1, 0.2]), np.array([0.0, 10.0, 20.0])).accepted
    assert fit_tilt(np.array([1.0]), np.array([3.0])).n == 1


def test_null_reason_says_why() -> None:
    assert "not measured" in NULL_REASON and "5°" in NULL_REASON
