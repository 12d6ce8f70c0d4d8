"""Posterior pelvic tilt from a side camera: what the landmarks can tell, checked against rendered tilt.

A posterior tilt ("tuck the butt under" at the top) turns the pelvis under the bar while the shoulders,
hip joints and knees can stay where they were, so the angles of DESIGN.md do not see it. The one landmark
cue a side camera has is how far the pose model puts its hip above or below the shoulder-knee line at
lockout (`hip_line_offset`): if the model's hip follows the buttocks, a tuck should move it. This module
measures that cue and calibrates it against the renderer's true tilt with leave-one-out, and ships an
estimator only when the calibrated error beats `ACCEPT_MAE_DEG` and clearly beats guessing the average;
otherwise `pelvic_tilt_deg` stays null with `NULL_REASON`. The validation grid reports the numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.body.keypoints import Keypoints

ACCEPT_MAE_DEG = 5.0  # the cue needs pelvic tilt within 5 degrees; otherwise it is an honest null
MIN_GAIN = 0.7  # the estimate's error must be below this share of the error of always guessing the mean
MIN_CLIPS = 6

NULL_REASON = ("posterior pelvic tilt is not measured: from a single side camera the pose landmarks do not "
               "show it to within 5° (checked on rendered tilts; see docs/accuracy.md)")


def hip_line_offset(joints: Keypoints) -> np.ndarray:
    """Per frame, the hip's signed distance from the shoulder-knee line in shoulder-knee lengths.

    Positive when the hip lies on the ceiling side of the line (image y down), NaN where a joint is unknown.
    """
    s, h, k = (joints.xy_of(n) for n in ("shoulder", "hip", "knee"))
    d = k - s
    length = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        cross = (d[:, 0] * (h - s)[:, 1] - d[:, 1] * (h - s)[:, 0]) / length**2
    up = np.where(d[:, 0] >= 0, -1.0, 1.0)  # y down: for a rightward line, "above" has negative cross
    return cross * up


@dataclass(frozen=True)
class TiltFit:
    """A straight-line calibration feature -> tilt (degrees), judged by leave-one-out."""

    slope: float
    intercept: float
    loo_mae: float  # mean absolute leave-one-out error, degrees
    baseline_mae: float  # the same for always predicting the mean tilt of the others
    n: int

    @property
    def accepted(self) -> bool:
        """Good enough to report: within the target and clearly better than guessing."""
        return (self.n >= MIN_CLIPS and self.loo_mae <= ACCEPT_MAE_DEG
                and self.loo_mae <= MIN_GAIN * self.baseline_mae)


def fit_tilt(feature: np.ndarray, tilt: np.ndarray) -> TiltFit:
    """Least-squares line through (feature, tilt) pairs, with leave-one-out errors."""
    x, y = np.asarray(feature, float), np.asarray(tilt, float)
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    n = int(x.size)
    if n < 3 or np.ptp(x) == 0:
        return TiltFit(0.0, float(np.mean(y)) if n else 0.0, float("inf"), float("inf"), n)
    errors, baseline = [], []
    for i in range(n):
        rest = np.arange(n) != i
        slope, intercept = np.polyfit(x[rest], y[rest], 1) if np.ptp(x[rest]) > 0 else (0.0, y[rest].mean())
        errors.append(abs(slope * x[i] + intercept - y[i]))
        baseline.append(abs(y[rest].mean() - y[i]))
    slope, intercept = np.polyfit(x, y, 1)
    return TiltFit(float(slope), float(intercept), float(np.mean(errors)), float(np.mean(baseline)), n)
