"""Measuring a set live, one frame of joints at a time: causal filtering, metrics, reps as they happen.

The same metric, rep and lockout code as the offline path (`clip.py`); what differs is only what can be
known at each frame: joints are cleaned by the causal filter, the bar's height is measured against the
running medians of the shoulder's height and the body scale, and a rep is summarised twice: as soon as its
top can be judged (`EventKind.TOP`, the rep so far) and once it is complete (`EventKind.REP`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from formcheck.body.filters import JointsStream
from formcheck.body.joints import body_scale
from formcheck.body.keypoints import Keypoints
from formcheck.measure.clip import series_of
from formcheck.measure.lift import BAR, bar_height, torso_rise
from formcheck.measure.lockout import MeasureConfig, summarise
from formcheck.measure.metrics import compute_metrics
from formcheck.measure.reps import EventKind, RepEvent, RepTracker
from formcheck.records import METRIC_KEYS, FrameSeries, Phase, RepSummary

# The running medians the bar's height is measured against remember this many recent frames.
SIZE_MEMORY = 300


@dataclass(frozen=True)
class FrameUpdate:
    """What one live frame produced: its metrics, the current phase, and any rep judged at it."""

    frame: int  # frames fed so far - 1
    t_ms: int
    values: dict[str, float]  # NaN where unmeasured
    confidence: dict[str, float]
    phase: Phase
    events: tuple[RepEvent, ...]
    tops: tuple[RepSummary, ...]  # reps whose top can be judged now (the rep so far)
    reps: tuple[RepSummary, ...]  # reps completed at this frame
    joints: Keypoints  # this frame's cleaned joints


class Measurer:
    """Measures a set one frame at a time; `finish` returns the clip's `FrameSeries` and its reps.

    `bar=True` counts reps on the bar's height (the joints then carry a "bar" point), as the offline path
    does when a plate was found. No frame rate is needed: all timing comes from the frames' `t_ms`.
    """

    def __init__(self, config: MeasureConfig | None = None, *, bar: bool = False) -> None:
        self.config = config or MeasureConfig()
        self.bar = bar
        self._stream = JointsStream(self.config.filters)
        self._tracker = RepTracker(self.config.bar_reps if bar else self.config.reps)
        self._joints: list[Keypoints] = []
        self._metrics: dict[str, tuple[list[float], list[float]]] = {k: ([], []) for k in METRIC_KEYS}
        self._shoulder_y: list[float] = []
        self._scale: list[float] = []
        self._reps: list[RepSummary] = []

    @property
    def phase(self) -> Phase:
        return self._tracker.phase

    def update(self, frame: Keypoints) -> FrameUpdate:
        """Consume the next frame of joints (one frame, timestamps increasing)."""
        if self._joints and frame.t_ms[0] <= self._joints[-1].t_ms[0]:
            raise ValueError(f"Measurer.update: expected t_ms > {self._joints[-1].t_ms[0]}, "
                             f"got {frame.t_ms[0]}")
        joints = self._stream.update(frame)
        self._joints.append(joints)
        metrics = compute_metrics(joints, neck_offset_deg=self.config.neck_offset_deg,
                                  elevation_deg=self.config.elevation_deg)
        for key, (v, c) in metrics.items():
            self._metrics[key][0].append(float(v[0]))
            self._metrics[key][1].append(float(c[0]))
        signal, confidence = self._signal(joints)
        events = tuple(self._tracker.update(int(joints.t_ms[0]), signal, confidence))
        tops = self._summaries(e for e in events if e.kind is EventKind.TOP)
        done = self._summaries(e for e in events if e.kind is EventKind.REP)
        self._reps += done
        return FrameUpdate(len(self._joints) - 1, int(joints.t_ms[0]),
                           {k: float(v[0]) for k, (v, _) in metrics.items()},
                           {k: float(c[0]) for k, (_, c) in metrics.items()}, self._tracker.phase, events,
                           tops, done, joints)

    def _signal(self, joints: Keypoints) -> tuple[float, float]:
        """This frame's lift signal and its confidence (see `lift.py`)."""
        if not self.bar:
            values, conf = torso_rise(joints)
            return float(values[0]), float(conf[0])
        shoulder, scale = float(joints.xy_of("shoulder")[0, 1]), float(body_scale(joints)[0])
        if math.isfinite(shoulder) and joints.conf_of("shoulder")[0] > 0:
            self._shoulder_y = [*self._shoulder_y[-SIZE_MEMORY + 1:], shoulder]
        if math.isfinite(scale):
            self._scale = [*self._scale[-SIZE_MEMORY + 1:], scale]
        if not (self._shoulder_y and self._scale and joints.known(BAR)[0]):
            return math.nan, 0.0
        usual = float(np.median(self._shoulder_y)), float(np.median(self._scale))
        height = bar_height(joints.xy_of(BAR), *usual)
        return float(height[0]), float(joints.conf_of(BAR)[0])

    def _summaries(self, events: Sequence[RepEvent] | object) -> tuple[RepSummary, ...]:
        segments = [e.rep for e in events if e.rep is not None]  # type: ignore[attr-defined]
        if not segments:
            return ()
        joints = Keypoints.concat(self._joints)
        arrays = {k: (np.array(v, float), np.array(c, float)) for k, (v, c) in self._metrics.items()}
        return tuple(summarise(s, arrays, joints.t_ms, self.config, joints) for s in segments)

    def finish(self) -> tuple[FrameSeries, list[RepSummary]]:
        """The whole set's per-frame series and its reps (a rep whose descent was under way is closed)."""
        self._reps += self._summaries(self._tracker.finish())
        # the tracker drops reps found partial against the whole set at its finish (`RepTracker.finish`)
        kept = {r.lockout_frame: r.index for r in self._tracker.reps}
        reps = [replace(r, index=kept[r.lockout_frame]) for r in self._reps if r.lockout_frame in kept]
        t = np.array([int(j.t_ms[0]) for j in self._joints], np.int64)
        arrays = {k: (np.array(v, float), np.array(c, float)) for k, (v, c) in self._metrics.items()}
        return series_of(t, arrays, self._tracker.reps), reps
