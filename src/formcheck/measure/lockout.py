"""A metric at a rep's lockout: the median of the trusted frames of its hold, or null with the reason.

A value is the median over the frames of the hold within `lockout_window_ms` of the lockout frame, using
only frames whose confidence is at least `min_confidence`; when too few such frames remain it is null, and
the reason names the joint that was missing ("hip hidden or uncertain in 80% of lockout frames"), because
a wrong number is worse than none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from formcheck.body.filters import FilterConfig
from formcheck.body.joints import BAR
from formcheck.body.keypoints import Keypoints
from formcheck.measure.metrics import (
    METRIC_JOINTS,
    NECK_NEUTRAL_OFFSET_DEG,
    NECK_UNDER_PLATE,
    PELVIC_TILT_UNMEASURED,
    Series,
)
from formcheck.measure.reps import RepConfig, RepSegment
from formcheck.records import METRIC_KEYS, MetricValue, RepSummary

# Rep thresholds on the torso's rise (`lift.torso_rise`), in degrees, fitted on the tune renders: their reps
# raise it 16-50°; a rep rises at least 8°. Its top is not checked (`min_peak` is below any reading): where
# the torso ends up depends on the bench, the camera's height and the body, and a floor bridge tops out
# far above a bench thrust. Decisions follow the signal's median over 200 ms, so a few frames of a hip
# landmark thrown off by the plate are not a turn. The slope often overshoots by a few degrees as the
# hips arrive at the top (the head settles after them): phase edges are taken within 10% of the rise
# (5% cut some holds to nothing on the tune renders, which raised false rushed-reps cues).
TORSO_REPS = RepConfig(min_rise=8.0, min_peak=-90.0, start_rise=3.0, turn_drop=2.0, settle_band=1.5,
                       edge_band=0.1, steady_ms=200.0)
# Rep thresholds on the bar's height above the shoulder (`lift.bar_height`), in % of the body scale. Tune
# renders raise the bar 12-40 cm; the bar reps counted there rise 14-28% of it, and 12 cm rises read 13-15%,
# so a rep rises at least 10% (about 12 cm for a 1.75 m lifter). Its top is not checked (`min_peak` is below
# any reading): seen from above the hips, a locked-out bar is drawn 10-20% below the shoulder, and a floor
# for the top lost every rep of such clips (tune split, reps exact 43/50 with a floor of -10%, 47/50
# without).
BAR_REPS = RepConfig(min_rise=10.0, min_peak=-100.0, start_rise=4.0, turn_drop=2.0, settle_band=1.5)


@dataclass(frozen=True)
class MeasureConfig:
    """How to measure: filters, rep thresholds and how a lockout value is taken."""

    filters: FilterConfig = field(default_factory=FilterConfig)
    reps: RepConfig = field(default_factory=lambda: TORSO_REPS)  # on the torso's rise (degrees)
    bar_reps: RepConfig = field(default_factory=lambda: BAR_REPS)  # on the bar height (% body scale)
    lockout_window_ms: float = 250.0  # frames of the hold this close to the lockout frame are used
    min_confidence: float = 0.5  # a frame's metric is trusted at or above this confidence
    min_trusted_share: float = 0.5  # a lockout value needs at least this share of trusted frames
    neck_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG
    # how far the camera looks down on the lifter (`body.view.camera_elevation_deg`); the engine sets it
    # for sets without a plate, and the landmark biases follow it (`metrics.landmark_bias_deg`)
    elevation_deg: float = 0.0

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lockout_window_ms) and self.lockout_window_ms >= 0):
            raise ValueError(f"MeasureConfig.lockout_window_ms: expected >= 0, got {self.lockout_window_ms}")
        if not math.isfinite(self.elevation_deg):
            raise ValueError(f"MeasureConfig.elevation_deg: expected a finite number, "
                             f"got {self.elevation_deg}")
        for name in ("min_confidence", "min_trusted_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"MeasureConfig.{name}: expected 0..1, got {getattr(self, name)}")



def _lockout_frames(t_ms: np.ndarray, rep: RepSegment, window_ms: float) -> np.ndarray:
    """Indices of the hold's frames within `window_ms` of the lockout frame (at least the lockout frame)."""
    hold = np.arange(rep.lockout_start, rep.lockout_end + 1)
    near = np.abs(t_ms[hold] - t_ms[rep.lockout_frame]) <= window_ms
    return hold[near]


def _why_unknown(key: str, joints: Keypoints | None, frames: np.ndarray, untrusted_share: float) -> str:
    """The reason a lockout metric is null, naming its least visible joint."""
    if key == "pelvic_tilt_deg" and key not in METRIC_JOINTS:
        return PELVIC_TILT_UNMEASURED
    share = f"{100 * untrusted_share:.0f}% of lockout frames"
    if joints is None or key not in METRIC_JOINTS:
        return f"uncertain in {share}"
    if key == "neck_flexion_deg" and BAR in joints.names and (joints.conf_of(BAR)[frames] > 0).mean() >= 0.5:
        return NECK_UNDER_PLATE
    names = METRIC_JOINTS[key]
    worst = min(names, key=lambda n: float(np.nanmedian(np.nan_to_num(joints.conf_of(n)[frames]))))
    hint = " (behind a plate?)" if worst in ("hip", "knee") else ""
    return f"{worst} hidden or uncertain in {share}{hint}"


def lockout_value(key: str, series: Series, t_ms: np.ndarray, rep: RepSegment, config: MeasureConfig,
                  joints: Keypoints | None = None) -> MetricValue:
    """One metric at one rep's lockout: the median of trusted frames near the lockout, or null + why."""
    values, conf = series
    frames = _lockout_frames(t_ms, rep, config.lockout_window_ms)
    trusted = frames[(conf[frames] >= config.min_confidence) & np.isfinite(values[frames])]
    share = trusted.size / frames.size
    if trusted.size == 0 or share < config.min_trusted_share:
        if key == "pelvic_tilt_deg" and not np.isfinite(values[frames]).any():
            return MetricValue(None, 0.0, PELVIC_TILT_UNMEASURED)
        return MetricValue(None, float(np.median(conf[frames])), _why_unknown(key, joints, frames, 1 - share))
    return MetricValue(float(np.median(values[trusted])), float(np.median(conf[trusted])))


def summarise(rep: RepSegment, metrics: dict[str, Series], t_ms: np.ndarray, config: MeasureConfig,
              joints: Keypoints | None = None) -> RepSummary:
    """The `RepSummary` of one segmented rep."""
    at_lockout = {key: lockout_value(key, metrics[key], t_ms, rep, config, joints) for key in METRIC_KEYS}
    return RepSummary(index=rep.index, start_frame=rep.start_frame, lockout_frame=rep.lockout_frame,
                      end_frame=rep.end_frame, metrics=at_lockout, concentric_s=rep.concentric_s,
                      hold_s=rep.hold_s, eccentric_s=rep.eccentric_s)


