"""Pelvic tilt: the landmark cue, its leave-one-out calibration, and the null when it is not good enough."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES, Joints
from formcheck.measure.metrics import compute_metrics
from formcheck.validate.pelvis import NULL_REASON, TiltFit, estimator, fit_tilt, hip_line_offset


def _joints(hip_y: list[float], knee_x: float = 400.0) -> Joints:
    n = len(hip_y)
    xy = {name: np.tile([250.0, 100.0], (n, 1)) for name in JOINT_NAMES}
    xy["shoulder"] = np.tile([100.0, 200.0], (n, 1))
    xy["knee"] = np.tile([knee_x, 200.0], (n, 1))
    xy["hip"] = np.column_stack([np.full(n, 250.0), hip_y])
    conf = {name: np.full(n, 0.9) for name in JOINT_NAMES}
    return Joints(np.arange(n, dtype=np.int64) * 33, "left", xy, conf)


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
    assert estimator(fit) is None


def test_too_few_clips_are_not_accepted() -> None:
    assert not fit_tilt(np.array([0.0, 0.1, 0.2]), np.array([0.0, 10.0, 20.0])).accepted
    assert fit_tilt(np.array([1.0]), np.array([3.0])).n == 1


def test_accepted_estimator_plugs_into_the_metrics_hook() -> None:
    fit = TiltFit(slope=100.0, intercept=0.0, loo_mae=1.0, baseline_mae=10.0, n=10)
    values, conf = compute_metrics(_joints([190.0, 200.0]), pelvic_tilt=estimator(fit))["pelvic_tilt_deg"]
    assert values == pytest.approx([10.0 / 3.0, 0.0])
    assert conf.tolist() == [0.9, 0.9]


def test_null_reason_says_why() -> None:
    assert "not measured" in NULL_REASON and "5°" in NULL_REASON
