"""The signal reps are counted on: the torso's rise, or with a plate followed the height of the bar.

Without a bar, reps are counted on the slope of the torso (`torso_rise`): it needs only the head, the
shoulder and the hip's height, which the pose model keeps following when a plate covers the hip or the
knee lands on the plate, where the hip extension angle goes null or wild. With a plate found often
enough, the bar centre (the plate's centre, resting on the hip crease) rises and falls exactly with the
hips. Both are used only to count reps and place their phases, never reported.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from formcheck.body.filters import fill_gaps
from formcheck.body.joints import BAR, SEEN_HIP, body_scale
from formcheck.body.keypoints import Keypoints
from formcheck.measure import geometry
from formcheck.measure.lockout import MeasureConfig
from formcheck.measure.metrics import Series
from formcheck.measure.reps import RepConfig

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


def torso_rise(joints: Keypoints) -> Series:
    """How far the hips have risen, in degrees: the slope of the line from the head and shoulder (the
    midpoint of ear and shoulder) to the hip where the pose model put it (`SEEN_HIP`, else "hip"), above
    the horizontal; positive when the hip is above them. With its confidence, the least of the points'.

    The shoulders pivot on the bench (or the floor) while the hips rise, so the slope rises with the hips
    by tens of degrees on any body at any distance, and it needs no knee: a knee landmark that lands on
    the plate does not touch it. A plate often makes the hip's exact place unreliable, but not its rise:
    on the tune renders the model's hip height follows the bar's even where the plate hides the hip. The
    ear is averaged in because it dips as the hips rise (the head tilts back with the torso), which adds
    to the slope's range, while the shoulder keeps a head turn from ruling it alone.
    """
    hip_name = SEEN_HIP if SEEN_HIP in joints.names else "hip"
    upper = (joints.xy_of("ear") + joints.xy_of("shoulder")) / 2.0
    values = geometry.elevation(upper, joints.xy_of(hip_name))
    conf = np.minimum.reduce([joints.conf_of(n) for n in ("ear", "shoulder", hip_name)])
    known = np.isfinite(values)
    return np.where(known, values, np.nan), np.where(known, conf, 0.0)


def lift_signal(joints: Keypoints, config: MeasureConfig | None = None,
                size: tuple[float, float] | None = None) -> Lift:
    """The signal reps are counted on: the torso's rise, or the bar's height when `has_bar`. `size` is the
    shoulder height and body scale to measure the bar against (default: the clip's own, `usual_size`)."""
    cfg = config or MeasureConfig()
    if not has_bar(joints):
        return Lift(*torso_rise(joints), cfg.reps, "torso rise")
    known = joints.known(BAR)
    height = np.where(known, bar_height(joints.xy_of(BAR), *(size or usual_size(joints))), np.nan)
    # the plate can be lost for a moment while it moves; a bar does not jump, so short gaps are bridged
    filled, bridged = fill_gaps(joints.t_ms, height, MAX_BAR_GAP_MS)
    conf = np.where(bridged, cfg.filters.gap_confidence, np.where(known, joints.conf_of(BAR), 0.0))
    ok = np.isfinite(filled)
    return Lift(np.where(ok, filled, np.nan), np.where(ok, conf, 0.0), cfg.bar_reps, "bar height")
