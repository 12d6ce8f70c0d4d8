"""`analysis_factory`: a plausible hand-made `Analysis` (3 reps, a couple of cues, one null metric)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from formcheck.records import (
    Analysis,
    Cue,
    FrameSeries,
    MetricValue,
    Phase,
    RepSummary,
    RepVerdict,
    Severity,
    SourceInfo,
    ViewEstimate,
)

FPS = 30.0
# (start, lockout, end) frames of the three reps; lockout holds for 10 frames.
REP_FRAMES = ((10, 30, 60), (70, 90, 120), (130, 150, 180))
N_FRAMES = 200
NULL_METRIC = "pelvic_tilt_deg"


def _lockout_metrics(rep: int) -> dict[str, MetricValue]:
    values = {"knee_angle_deg": 104.0 + rep, "shin_from_vertical_deg": 9.0 + rep,
              "hip_extension_deg": 176.0 - rep, "neck_flexion_deg": -4.0 + rep}
    out = {k: MetricValue(v, confidence=0.9) for k, v in values.items()}
    out[NULL_METRIC] = MetricValue(None, reason="pelvis landmarks are not reliable enough to see tilt")
    return out


def _series(n: int, reps: int) -> FrameSeries:
    t = np.arange(n)
    phase = np.full(n, str(Phase.SETUP), dtype=object)
    rep = np.zeros(n, dtype=np.int64)
    lift = np.zeros(n)  # 0 = bottom, 1 = top
    for i, (s, lo, e) in enumerate(REP_FRAMES[:reps], start=1):
        rep[s:e + 1] = i
        phase[s:lo] = str(Phase.CONCENTRIC)
        phase[lo:lo + 10] = str(Phase.LOCKOUT)
        phase[lo + 10:e + 1] = str(Phase.ECCENTRIC)
        lift[s:lo] = np.linspace(0, 1, lo - s)
        lift[lo:lo + 10] = 1
        lift[lo + 10:e + 1] = np.linspace(1, 0, e + 1 - lo - 10)
    values = {"knee_angle_deg": 70 + 35 * lift, "shin_from_vertical_deg": -5 + 15 * lift,
              "hip_extension_deg": 110 + 65 * lift, "neck_flexion_deg": 5 - 8 * lift,
              NULL_METRIC: np.full(n, np.nan)}
    values["knee_angle_deg"][5] = np.nan  # one unmeasured frame
    conf = {k: np.where(np.isfinite(v), 0.9, 0.0) for k, v in values.items()}
    return FrameSeries((t * 1000 / FPS).round().astype(np.int64), values, conf,
                       np.array(phase, dtype=str), rep)


def _verdict(i: int, rep_frames: tuple[int, int, int]) -> RepVerdict:
    s, lo, e = rep_frames
    summary = RepSummary(i, s, lo, e, _lockout_metrics(i), concentric_s=(lo - s) / FPS, hold_s=10 / FPS,
                         eccentric_s=(e - lo - 10) / FPS)
    cues = [Cue("feet_too_far", Severity.WARNING, "Walk your feet back in until the shins are vertical.",
                rep=i, metric="knee_angle_deg", value=104.0 + i, primary=True)]
    if i == 3:
        cues.append(Cue("incomplete_lockout", Severity.WARNING, "Drive the hips all the way up.", rep=i,
                        metric="hip_extension_deg", value=176.0 - i))
    return RepVerdict(summary, tuple(cues), score=80 - 5 * (i == 3))


def make_analysis(side_view: bool = True, reps: int = 3, n_frames: int = N_FRAMES) -> Analysis:
    """An `Analysis` of a 200-frame, 30 fps clip; `side_view=False` gives a refused one with no reps."""
    view = ViewEstimate("left", side_view, 0.95 if side_view else 0.8,
                        None if side_view else "the camera faces the lifter: shoulders overlap too little")
    verdicts = tuple(_verdict(i, REP_FRAMES[i - 1]) for i in range(1, reps + 1)) if side_view else ()
    set_cues = (() if side_view else
                (Cue("not_side_view", Severity.ERROR, "Film from the side, level with the hips."),))
    score = (sum(v.score for v in verdicts) // len(verdicts)) if verdicts else None
    series = _series(n_frames, len(verdicts))
    return Analysis(SourceInfo("clip.mp4", FPS, n_frames, 320, 240), view, series, verdicts, set_cues,
                    score, notes=("Pelvic tilt is not measured from 2D landmarks.",))


@pytest.fixture
def analysis_factory() -> Callable[..., Analysis]:
    """Build an `Analysis`: `analysis_factory(side_view=True, reps=3, n_frames=200)`."""
    return make_analysis

