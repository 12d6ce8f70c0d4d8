"""Measuring a whole recorded set at once: per-frame metrics -> reps -> metrics at each rep's lockout.

The offline path of the engine (`flows/engine.py`), run at the end of a set on joints already cleaned with
the zero-phase filter and, under a plate, repaired (`plate/placement.py`). Reps are counted by the same
`RepTracker` the live path feeds frame by frame (`stream.py`), so both count the same reps.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.measure.lift import lift_signal
from formcheck.measure.lockout import MeasureConfig, summarise
from formcheck.measure.metrics import Series, compute_metrics
from formcheck.measure.reps import RepSegment, phases_of, segment_reps
from formcheck.records import FrameSeries, RepSummary


def series_of(t_ms: np.ndarray, metrics: dict[str, Series], reps: Sequence[RepSegment]) -> FrameSeries:
    """The per-frame `FrameSeries` of a clip: metric values, confidence, phase and rep of every frame."""
    phase, rep = phases_of(t_ms.shape[0], reps)
    return FrameSeries(t_ms=t_ms, values={k: v for k, (v, _) in metrics.items()},
                       confidence={k: c for k, (_, c) in metrics.items()}, phase=phase, rep=rep)


def measure_clip(joints: Keypoints, config: MeasureConfig | None = None
                 ) -> tuple[FrameSeries, list[RepSummary]]:
    """Per-frame metrics and counted reps of a whole clip of cleaned joints (with a "bar" point when a
    plate was found: reps are then counted on it, see `lift.py`)."""
    cfg = config or MeasureConfig()
    metrics = compute_metrics(joints, neck_offset_deg=cfg.neck_offset_deg, elevation_deg=cfg.elevation_deg)
    lift = lift_signal(joints, cfg)
    segments, _ = segment_reps(joints.t_ms, lift.values, lift.confidence, lift.config)
    reps = [summarise(r, metrics, joints.t_ms, cfg, joints) for r in segments]
    return series_of(joints.t_ms, metrics, segments), reps
