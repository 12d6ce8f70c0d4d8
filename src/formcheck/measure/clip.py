"""Measuring a set: joints -> per-frame metrics -> reps -> metrics at each rep's lockout.

One engine for files and live sessions (DESIGN.md "Data flow"):
- `measure_clip(joints)` measures a whole clip of (already cleaned, possibly plate-repaired) joints;
- `Measurer` takes one `PoseFrame` at a time; live it filters causally and reports each rep as soon as
  its descent ends; with `offline=True` it buffers the frames and runs the zero-phase path at `finish`.
Both count reps with the same `RepTracker` on the hip extension angle (or, when a plate hides the hips,
on the bar's height: see `lift_signal`).

A metric at lockout is the median over the frames of the hold within `lockout_window_ms` of the lockout
frame, using only frames whose confidence is at least `min_confidence`; when too few such frames remain
it is null, and the reason names the joint that was missing ("hip hidden or uncertain in 80% of lockout
frames"), because a wrong number is worse than none.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from formcheck.body.filters import FilterConfig, JointsStream, fill_gaps, filter_joints, frame_scale
from formcheck.body.joints import JOINT_NAMES, Joints, joint_landmarks
from formcheck.measure.metrics import (
    METRIC_JOINTS,
    NECK_NEUTRAL_OFFSET_DEG,
    PELVIC_TILT_UNMEASURED,
    PelvicTiltEstimator,
    Series,
    compute_metrics,
)
from formcheck.measure.reps import (
    EventKind,
    RepConfig,
    RepEvent,
    RepSegment,
    RepTracker,
    phases_of,
    segment_reps,
)
from formcheck.pose.landmarks import SIDE_JOINTS, PoseFrame
from formcheck.records import METRIC_KEYS, FrameSeries, MetricValue, Phase, RepSummary

# The per-frame signal the rep tracker follows: rises with the hips, about 180 at lockout.
LIFT_SIGNAL = "hip_extension_deg"
# A point that rises with the hips and stays in view (the bar): xy (frames, 2) px, confidence (frames,).
Bar = tuple[np.ndarray, np.ndarray]
# With a plate, reps are counted on the bar when it was seen in at least this share of frames, with at
# least this median confidence. On rendered clips real plates are found in 59-100% of frames (median
# confidence 0.73-0.97); faint circles that an earlier plate finder reported in clips without plates
# scored 0.56-0.64 and must not take over the counting.
MIN_BAR_SHARE = 0.5
MIN_BAR_CONFIDENCE = 0.6
# Longest stretch without the plate that the bar height is interpolated across.
MAX_BAR_GAP_MS = 1000.0
# Rep thresholds on the bar's height above the shoulder (`bar_height`), in % of the body scale. Rendered
# lifts raise the bar 27-32% of it, from 16-27% below the shoulder to 4-12% above; a rep rises at least
# 15% (about 18 cm for a 1.75 m lifter) and its top is no lower than 10% below the shoulder.
BAR_REPS = RepConfig(min_rise=15.0, min_peak=-10.0, start_rise=4.0, turn_drop=2.0)


@dataclass(frozen=True)
class MeasureConfig:
    """How to measure: filters, rep thresholds and how a lockout value is taken."""

    filters: FilterConfig = field(default_factory=FilterConfig)
    reps: RepConfig = field(default_factory=RepConfig)  # on the hip extension angle (degrees)
    bar_reps: RepConfig = field(default_factory=lambda: BAR_REPS)  # on the bar height (% body scale)
    lockout_window_ms: float = 250.0  # frames of the hold this close to the lockout frame are used
    min_confidence: float = 0.5  # a frame's metric is trusted at or above this confidence
    min_trusted_share: float = 0.5  # a lockout value needs at least this share of trusted frames
    neck_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lockout_window_ms) and self.lockout_window_ms >= 0):
            raise ValueError(f"MeasureConfig.lockout_window_ms: expected >= 0, got {self.lockout_window_ms}")
        for name in ("min_confidence", "min_trusted_share"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"MeasureConfig.{name}: expected 0..1, got {getattr(self, name)}")


# ---- metrics at lockout -------------------------------------------------------------------------------

def _lockout_frames(t_ms: np.ndarray, rep: RepSegment, window_ms: float) -> np.ndarray:
    """Indices of the hold's frames within `window_ms` of the lockout frame (at least the lockout frame)."""
    hold = np.arange(rep.lockout_start, rep.lockout_end + 1)
    near = np.abs(t_ms[hold] - t_ms[rep.lockout_frame]) <= window_ms
    return hold[near]


def _why_unknown(key: str, joints: Joints | None, frames: np.ndarray, untrusted_share: float) -> str:
    """The reason a lockout metric is null, naming its least visible joint."""
    if key == "pelvic_tilt_deg" and key not in METRIC_JOINTS:
        return PELVIC_TILT_UNMEASURED
    share = f"{100 * untrusted_share:.0f}% of lockout frames"
    if joints is None or key not in METRIC_JOINTS:
        return f"uncertain in {share}"
    names = METRIC_JOINTS[key]
    worst = min(names, key=lambda n: float(np.nanmedian(np.nan_to_num(joints.conf[n][frames]))))
    hint = " (behind a plate?)" if worst in ("hip", "knee") else ""
    return f"{worst} hidden or uncertain in {share}{hint}"


def lockout_value(key: str, series: Series, t_ms: np.ndarray, rep: RepSegment, config: MeasureConfig,
                  joints: Joints | None = None) -> MetricValue:
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
              joints: Joints | None = None) -> RepSummary:
    """The `RepSummary` of one segmented rep."""
    at_lockout = {key: lockout_value(key, metrics[key], t_ms, rep, config, joints) for key in METRIC_KEYS}
    return RepSummary(index=rep.index, start_frame=rep.start_frame, lockout_frame=rep.lockout_frame,
                      end_frame=rep.end_frame, metrics=at_lockout, concentric_s=rep.concentric_s,
                      hold_s=rep.hold_s, eccentric_s=rep.eccentric_s)


def _series(t_ms: np.ndarray, metrics: dict[str, Series], reps: Sequence[RepSegment]) -> FrameSeries:
    phase, rep = phases_of(t_ms.shape[0], reps)
    return FrameSeries(t_ms=t_ms, values={k: v for k, (v, _) in metrics.items()},
                       confidence={k: c for k, (_, c) in metrics.items()}, phase=phase, rep=rep)


@dataclass(frozen=True)
class Lift:
    """The per-frame signal reps are counted on, with the thresholds that suit its units."""

    values: np.ndarray  # (frames,), NaN where unknown
    confidence: np.ndarray  # (frames,)
    config: RepConfig
    source: str  # what it is, in words


def bar_height(joints: Joints, bar_xy: np.ndarray) -> np.ndarray:
    """Height of the bar above the shoulder's usual height, in % of the body scale (shoulder->knee->ankle,
    px), both the clip's medians: the bar is tracked far more steadily than any landmark, so nothing
    per-frame is mixed in (the shoulder pivots on the bench and can be mislocated behind a plate)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a clip with no full body gives NaN
        scale = float(np.nanmedian(frame_scale(joints.xy)))
        shoulder_y = float(np.nanmedian(joints.xy["shoulder"][:, 1]))
    return 100.0 * (shoulder_y - bar_xy[:, 1]) / scale


def lift_signal(joints: Joints, metrics: dict[str, Series], bar: Bar | None = None,
                config: MeasureConfig | None = None) -> Lift:
    """The signal reps are counted on: hip extension, or with a plate the height of the bar.

    A plate hides the hip, so its landmark (and a hip rebuilt from it) can wander or go missing, and the
    pose model's knee drifts toward the plate; the bar centre (the plate's centre, resting on the hip
    crease) stays in view and rises and falls exactly with the hips. Its height (`bar_height`) is used
    only to count reps and place their phases, never reported.
    """
    cfg = config or MeasureConfig()
    values, conf = metrics[LIFT_SIGNAL]
    hip = Lift(values, conf, cfg.reps, "hip extension")
    if bar is None:
        return hip
    bar_xy, bar_conf = bar
    if bar_xy.shape != (len(joints), 2) or bar_conf.shape != (len(joints),):
        raise ValueError(f"bar: expected ({len(joints)}, 2) and ({len(joints)},) arrays, got "
                         f"{bar_xy.shape} and {bar_conf.shape}")
    known = (bar_conf > 0) & np.isfinite(bar_xy).all(axis=1)
    if known.mean() < MIN_BAR_SHARE or np.median(bar_conf[known]) < MIN_BAR_CONFIDENCE:
        return hip
    height = np.where(known, bar_height(joints, bar_xy), np.nan)
    # the plate finder can lose the plate while it moves; a bar does not jump, so short gaps are bridged
    filled, bridged = fill_gaps(joints.t_ms, height, MAX_BAR_GAP_MS)
    conf = np.where(bridged, cfg.filters.gap_confidence, np.where(known, bar_conf, 0.0))
    ok = np.isfinite(filled)
    return Lift(np.where(ok, filled, np.nan), np.where(ok, conf, 0.0), cfg.bar_reps, "bar height")


def measure_clip(joints: Joints, *, config: MeasureConfig | None = None,
                 pelvic_tilt: PelvicTiltEstimator | None = None, bar: Bar | None = None,
                 clean: bool = False) -> tuple[FrameSeries, list[RepSummary]]:
    """Per-frame metrics and counted reps of a whole clip.

    `joints` are expected cleaned already (`filter_joints`, then any plate repair); `clean=True` runs the
    zero-phase filter here first. `bar` is the plate centre track (xy (frames, 2) px, confidence
    (frames,)) when the lifter uses plates: reps are then counted on it (see `lift_signal`).
    """
    cfg = config or MeasureConfig()
    if clean:
        joints = filter_joints(joints, cfg.filters, offline=True)
    metrics = compute_metrics(joints, pelvic_tilt=pelvic_tilt, neck_offset_deg=cfg.neck_offset_deg)
    lift = lift_signal(joints, metrics, bar, cfg)
    segments, _ = segment_reps(joints.t_ms, lift.values, lift.confidence, lift.config)
    reps = [summarise(r, metrics, joints.t_ms, cfg, joints) for r in segments]
    return _series(joints.t_ms, metrics, segments), reps


# ---- frame by frame ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class FrameUpdate:
    """What one live frame produced: its metrics, the current phase, events and any finished rep."""

    frame: int
    t_ms: int
    values: dict[str, float]  # NaN where unmeasured
    confidence: dict[str, float]
    phase: Phase
    events: tuple[RepEvent, ...]
    reps: tuple[RepSummary, ...]  # reps completed at this frame (live mode only)


def near_side(frame: PoseFrame, side: str) -> tuple[dict[str, np.ndarray], dict[str, float]]:
    """The near-side joints of one frame, as `Joints.from_track` would pick them."""
    idx = joint_landmarks(side)
    xy = {name: frame.xy[idx[name]].astype(float) for name in JOINT_NAMES}
    conf = {name: float(np.nan_to_num(frame.visibility[idx[name]])) for name in JOINT_NAMES}
    return xy, conf


class Measurer:
    """Measures a set one `PoseFrame` at a time; `finish` returns the clip's `FrameSeries` and reps.

    Live (`offline=False`): causal filtering, a rep is reported by `update` as soon as its descent ends.
    Offline: frames are buffered and `finish` runs the zero-phase filter, so `update` reports nothing.
    No frame rate is needed: all timing comes from the frames' `t_ms`.
    """

    def __init__(self, side: str, *, offline: bool = False, config: MeasureConfig | None = None,
                 pelvic_tilt: PelvicTiltEstimator | None = None) -> None:
        if side not in SIDE_JOINTS:
            raise ValueError(f"Measurer.side: expected one of {tuple(SIDE_JOINTS)}, got {side!r}")
        self.side, self.offline = side, offline
        self.config = config or MeasureConfig()
        self.pelvic_tilt = pelvic_tilt
        self._stream = JointsStream(self.config.filters)
        self._tracker = RepTracker(self.config.reps)
        self._t: list[int] = []
        self._xy: dict[str, list[np.ndarray]] = {name: [] for name in JOINT_NAMES}
        self._conf: dict[str, list[float]] = {name: [] for name in JOINT_NAMES}
        self._metrics: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in METRIC_KEYS}
        self._reps: list[RepSummary] = []

    @property
    def top_hold_s(self) -> float:
        """Hold (s) of the rep top the lift has just left, known as its descent starts; NaN before."""
        return self._tracker.last_top_hold_s

    def update(self, frame: PoseFrame) -> FrameUpdate:
        """Consume the next frame (timestamps must increase)."""
        if self._t and frame.t_ms <= self._t[-1]:
            raise ValueError(f"Measurer.update: expected t_ms > {self._t[-1]}, got {frame.t_ms}")
        xy, conf = near_side(frame, self.side)
        if not self.offline:
            xy, conf = self._stream.update(frame.t_ms, xy, conf)
        self._t.append(int(frame.t_ms))
        for name in JOINT_NAMES:
            self._xy[name].append(xy[name])
            self._conf[name].append(conf[name])
        if self.offline:
            return FrameUpdate(len(self._t) - 1, frame.t_ms, {}, {}, Phase.SETUP, (), ())
        return self._live_step(frame.t_ms, xy, conf)

    def _live_step(self, t_ms: int, xy: dict[str, np.ndarray], conf: dict[str, float]) -> FrameUpdate:
        one = Joints(np.array([t_ms], np.int64), self.side, {n: xy[n][None, :] for n in JOINT_NAMES},
                     {n: np.array([conf[n]]) for n in JOINT_NAMES})
        metrics = compute_metrics(one, pelvic_tilt=self.pelvic_tilt,
                                  neck_offset_deg=self.config.neck_offset_deg)
        for key, (v, c) in metrics.items():
            self._metrics[key][0].append(float(v[0]))
            self._metrics[key][1].append(float(c[0]))
        signal, signal_conf = metrics[LIFT_SIGNAL]
        events = self._tracker.update(t_ms, float(signal[0]), float(signal_conf[0]))
        finished = self._summaries(events)
        return FrameUpdate(len(self._t) - 1, t_ms, {k: float(v[0]) for k, (v, _) in metrics.items()},
                           {k: float(c[0]) for k, (_, c) in metrics.items()}, self._tracker.phase,
                           tuple(events), finished)

    def _summaries(self, events: Sequence[RepEvent]) -> tuple[RepSummary, ...]:
        done = [e.rep for e in events if e.kind is EventKind.REP and e.rep is not None]
        if not done:
            return ()
        arrays = self._metric_arrays()
        t = np.array(self._t, np.int64)
        joints = self._joints()
        out = tuple(summarise(r, arrays, t, self.config, joints) for r in done)
        self._reps += out
        return out

    def provisional(self, segment: RepSegment) -> RepSummary:
        """A rep's summary from the frames seen so far, e.g. as soon as its lockout ends (live cues).

        The segment's frame indices count the frames given to `update`; its end may still be ahead.
        """
        t = np.array(self._t, np.int64)
        return summarise(segment, self._metric_arrays(), t, self.config, self._joints())

    def _metric_arrays(self) -> dict[str, Series]:
        return {k: (np.array(v, float), np.array(c, float)) for k, (v, c) in self._metrics.items()}

    def _joints(self) -> Joints:
        return Joints(np.array(self._t, np.int64), self.side,
                      {n: np.array(self._xy[n], float).reshape(-1, 2) for n in JOINT_NAMES},
                      {n: np.array(self._conf[n], float) for n in JOINT_NAMES})

    def finish(self) -> tuple[FrameSeries, list[RepSummary]]:
        """The whole clip's per-frame series and its reps."""
        joints = self._joints()
        if self.offline:
            return measure_clip(joints, config=self.config, pelvic_tilt=self.pelvic_tilt, clean=True)
        events = self._tracker.finish()
        self._summaries(events)
        return _series(joints.t_ms, self._metric_arrays(), self._tracker.reps), list(self._reps)
