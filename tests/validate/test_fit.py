"""Fitting the landmark biases and the neck line on synthetic tune lockouts, with leave-one-body-out."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.measure import metrics
from formcheck.validate.fit import (
    Lockouts,
    fit_bias,
    fit_constants,
    fit_document,
    fit_elevation_slope,
    fit_neck,
)
from validate_factory import scored


def _lockouts(reported: np.ndarray, truth: np.ndarray, bodies: int = 4) -> Lockouts:
    body = np.array([str(i % bodies) for i in range(reported.size)])
    return Lockouts(reported, truth, body, np.full(reported.size, "level"), np.full(reported.size, np.nan))


@pytest.mark.parametrize(("current", "raw_bias"), [(5.8, 5.8), (5.8, 7.0), (3.4, 1.0)])
def test_bias_is_the_median_of_raw_minus_truth(current: float, raw_bias: float) -> None:
    rng = np.random.default_rng(1)
    truth = rng.uniform(80, 100, 40)
    raw = truth + raw_bias + rng.normal(0, 0.5, 40)
    raw[0] += 40.0  # one wild lockout does not move a median
    fit = fit_bias(_lockouts(raw - current, truth), "KNEE_LANDMARK_BIAS_DEG", current)
    assert fit is not None
    assert fit.fitted == pytest.approx(raw_bias, abs=0.3)
    assert fit.n == 40 and fit.mad < 1.0 and fit.iqr[0] < fit.fitted < fit.iqr[1]
    assert fit.held_out.mae < 2.0 and set(fit.held_out.per_body) == {"0", "1", "2", "3"}
    assert fit.mae_fitted <= fit.mae_current + 1e-9
    assert abs(fit.per_degree) < 0.1  # a constant bias does not grow with the angle


def test_bias_held_out_shows_a_body_that_differs() -> None:
    truth = np.full(40, 90.0)
    raw = truth + 5.0
    raw[::4] += 4.0  # body 0 reads 4° more open
    fit = fit_bias(_lockouts(raw - 5.0, truth), "KNEE_LANDMARK_BIAS_DEG", 5.0)
    assert fit is not None
    assert fit.held_out.per_body["0"] == pytest.approx(4.0)
    assert fit.held_out.per_body["1"] == pytest.approx(0.0)


@pytest.mark.parametrize(("current", "true_slope"), [(0.0, -0.3), (-0.24, -0.24), (-0.5, 0.1)])
def test_elevation_slope_recovers_the_trend(current: float, true_slope: float) -> None:
    rng = np.random.default_rng(2)
    elevation = rng.uniform(0, 30, 60)
    truth = rng.uniform(80, 100, 60)
    error = true_slope * elevation + rng.normal(0, 0.3, 60)  # what the level bias alone leaves
    error[0] += 30.0  # a wild lockout barely moves a least-absolute fit
    reported = truth + error - current * elevation  # the code took `current` x elevation off already
    data = Lockouts(reported, truth, np.array([str(i % 4) for i in range(60)]), np.full(60, "raised"),
                    elevation)
    fit = fit_elevation_slope(data, "KNEE_BIAS_PER_ELEVATION_DEG", "knee_angle_deg", current)
    assert fit is not None and fit.n == 60
    assert fit.fitted == pytest.approx(true_slope, abs=0.03)
    assert fit.mae_fitted <= min(fit.mae_current, fit.mae_level) + 1e-9
    assert fit.held_out.mae < 1.5 and set(fit.held_out.per_body) == {"0", "1", "2", "3"}
    unknown = Lockouts(reported, truth, data.body, data.elevation, np.full(60, np.nan))  # plated: no estimate
    assert fit_elevation_slope(unknown, "X", "knee_angle_deg", current) is None


def test_too_few_lockouts_fit_nothing() -> None:
    assert fit_bias(_lockouts(np.ones(3), np.ones(3)), "X", 0.0) is None
    assert fit_neck(_lockouts(np.ones(20), np.full(20, 30.0)), 130.0, 1.3) is None  # no spread of necks


@pytest.mark.parametrize(("offset", "gain"), [(132.4, 1.27), (120.0, 1.0), (140.0, 1.6)])
def test_neck_line_recovers_offset_and_gain(offset: float, gain: float) -> None:
    rng = np.random.default_rng(2)
    truth = rng.uniform(-40, 92, 60)
    raw = offset + truth / gain + rng.normal(0, 0.3, 60)
    raw[:3] += 30.0  # a few wild head lines do not tilt a Theil-Sen line
    current_offset, current_gain = 132.4, 1.27
    reported = current_gain * (raw - current_offset)
    fit = fit_neck(_lockouts(reported, truth), current_offset, current_gain)
    assert fit is not None
    assert fit.offset == pytest.approx(offset, abs=0.5) and fit.gain == pytest.approx(gain, rel=0.02)
    assert fit.held_out.mae < 3.0 and fit.truth_range[0] < -30 and fit.truth_range[1] > 80
    assert fit.correlation > 0.9 and fit.baseline_mae > 10 * fit.held_out.mae


def test_a_head_line_that_does_not_follow_the_neck_loses_to_a_guess() -> None:
    rng = np.random.default_rng(3)
    truth = rng.uniform(15, 60, 60)
    raw = 130.0 + 0.1 * truth + rng.normal(0, 4.0, 60)  # mostly noise
    fit = fit_neck(_lockouts(1.27 * (raw - 132.4), truth), 132.4, 1.27)
    assert fit is not None and fit.gain > 3.0
    assert fit.held_out.mae > fit.baseline_mae

def test_fit_constants_reads_tune_clips_only_and_writes_every_constant() -> None:
    clips = [scored(f"t{i}", tags={"split": "tune", "body": str(i % 4), "elevation": "level"},
                    outcome={"knee": 92.0 + 0.1 * i, "shin": 11.0, "neck": 10.0 + i, "elevation": 2.0 * i})
             for i in range(8)]
    fit = fit_constants(clips)
    assert fit.knee is not None and fit.knee.fitted == pytest.approx(
        metrics.KNEE_LANDMARK_BIAS_DEG + 2.35, abs=0.01)  # reported - truth = 2.0 .. 2.7
    doc = fit_document(fit, {"split": "tune", "clips": 8})
    assert set(doc["constants"]) == {"KNEE_LANDMARK_BIAS_DEG", "SHIN_LANDMARK_BIAS_DEG",
                                     "HIP_LANDMARK_BIAS_DEG", "KNEE_BIAS_PER_ELEVATION_DEG",
                                     "SHIN_BIAS_PER_ELEVATION_DEG"}  # no neck spread
    assert doc["fits"]["shin_elevation"]["n"] == 16
    assert doc["constants"]["HIP_LANDMARK_BIAS_DEG"]["fitted"] == pytest.approx(
        metrics.HIP_LANDMARK_BIAS_DEG + 1.0, abs=0.01)  # the factory reports 11 against a truth of 10
    assert doc["constants"]["SHIN_LANDMARK_BIAS_DEG"]["n"] == 16
    with pytest.raises(ValueError, match="tune split only"):
        fit_constants([*clips, scored("c", tags={"split": "check"})])
