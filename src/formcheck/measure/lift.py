"""The signal reps are counted on: hip extension, or with a plate the height of the bar.

A plate hides the hip, so its landmark (and a hip placed from the bar) can wander or go missing, and the
knee may be unknown; the bar centre (the plate's centre, resting on the hip crease) stays in view and rises
and falls exactly with the hips. Its height is used only to count reps and place their phases, never
reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from formcheck.body.filters import fill_gaps
from formcheck.body.joints import body_scale
from formcheck.body.keypoints import Keypoints
from formcheck.measure.lockout import MeasureConfig
from formcheck.measure.metrics import Series
from formcheck.measure.reps import RepConfig

# The metric reps are counted on when the hips are seen: rises with them, about 180 at lockout.
LIFT_SIGNAL = "hip_extension_deg"
# The point of the joints that is the bar (the near plate's centre), when a plate is found.
BAR = "bar"
# With a plate, reps are counted on the bar when it was seen in at least this share of frames, with at
# least this median confidence. On rendered clips real plates are found in 59-100% of frames (median
# confidence 0.73-0.97); faint circles found in clips without plates scored 0.56-0.64.
MIN_BAR_SHARE = 0.5
MIN_BAR_CONFIDENCE = 0.6
# Longest stretch without the plate that the bar height is interpolated across.
MAX_BAR_GAP_MS = 1000.0


@dataclass(frozen=True)
class Lift:
    """The per-frame signal reps are counted on, with the thresholds that suit its units."""

    values: np.ndarray  # (frames,), NaN where unknown
    confidence: np.ndarray  # (frames,)
    config: RepConfig
    source: str  # what it is, in words


def bar_height(bar_xy: np.ndarray, shoulder_y: float, scale: float) -> np.ndarray:
    """Height of the bar above the shoulder's usual height `shoulder_y` (px), in % of the body `scale`
    (px): the bar is tracked far more steadily than any landmark, so nothing per-frame is mixed in (the
    shoulder pivots on the bench and can be mislocated behind a plate)."""
    return 100.0 * (shoulder_y - bar_xy[:, 1]) / scale


def usual_size(joints: Keypoints) -> tuple[float, float]:
    """The shoulder's median height (px) and the median body scale (px) of a clip; NaN if never seen."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a clip with no full body gives NaN
        return float(np.nanmedian(joints.xy_of("shoulder")[:, 1])), float(np.nanmedian(body_scale(joints)))


def has_bar(joints: Keypoints) -> bool:
    """The joints carry a bar seen often and clearly enough to count reps on."""
    if BAR not in joints.names or not len(joints):
        return False
    known = joints.known(BAR)
    return bool(known.mean() >= MIN_BAR_SHARE and np.median(joints.conf_of(BAR)[known]) >= MIN_BAR_CONFIDENCE)


def lift_signal(joints: Keypoints, metrics: dict[str, Series], config: MeasureConfig | None = None,
                size: tuple[float, float] | None = None) -> Lift:
    """The signal reps are counted on: hip extension, or the bar's height when `has_bar`. `size` is the
    shoulder height and body scale to measure the bar against (default: the clip's own, `usual_size`)."""
    cfg = config or MeasureConfig()
    values, conf = metrics[LIFT_SIGNAL]
    if not has_bar(joints):
        return Lift(values, conf, cfg.reps, "hip extension")
    known = joints.known(BAR)
    height = np.where(known, bar_height(joints.xy_of(BAR), *(size or usual_size(joints))), np.nan)
    # the plate can be lost for a moment while it moves; a bar does not jump, so short gaps are bridged
    filled, bridged = fill_gaps(joints.t_ms, height, MAX_BAR_GAP_MS)
    conf = np.where(bridged, cfg.filters.gap_confidence, np.where(known, joints.conf_of(BAR), 0.0))
    ok = np.isfinite(filled)
    return Lift(np.where(ok, filled, np.nan), np.where(ok, conf, 0.0), cfg.bar_reps, "bar height")
