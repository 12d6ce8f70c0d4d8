"""Hand-made inputs for the report writers: `analysis_factory` (3 reps, a couple of cues, one null
metric), `track_factory` (the body points that move with it: joints, pose, plate radii) and
`clip_factory` (a tiny numbered video)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.body.joints import near_side
from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, N_LANDMARKS, SIDE_JOINTS
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
    values["knee_angle_deg"][5:6] = np.nan  # one unmeasured frame (when the clip has it)
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



# Near-side (left) joints of a lifter on a bench, at the bottom and at the top, in a 320x240 frame.
_BOTTOM = {"ear": (50, 120), "shoulder": (75, 128), "elbow": (115, 100), "wrist": (160, 95),
           "hip": (150, 165), "knee": (225, 115), "ankle": (228, 180), "heel": (220, 186),
           "foot_index": (248, 186)}
_TOP = {**_BOTTOM, "elbow": (115, 102), "wrist": (165, 98), "hip": (165, 108), "knee": (225, 112)}


@dataclass(frozen=True, eq=False)
class Drawn:
    """What pictures of an analysed set draw: the joints the metrics read, the pose, the plate radii."""

    joints: Keypoints
    pose: Keypoints
    plate_radius: np.ndarray


def make_track(analysis: Analysis) -> Drawn:
    """Body points that move with the hand-made series (hip up at each lockout), far side offset a
    little; no plate."""
    n = analysis.source.frames
    lift = (analysis.series.values["hip_extension_deg"] - 110.0) / 65.0
    xy = np.full((n, N_LANDMARKS, 2), np.nan)
    conf = np.zeros((n, N_LANDMARKS))
    for side, offset, vis in (("left", (0.0, 0.0), 0.95), ("right", (5.0, -4.0), 0.4)):
        for joint, index in SIDE_JOINTS[side].items():
            bottom, top = np.array(_BOTTOM[joint], float), np.array(_TOP[joint], float)
            xy[:, index] = bottom + lift[:, None] * (top - bottom) + offset
            conf[:, index] = vis
    pose = Keypoints(analysis.series.t_ms, xy, conf, MEDIAPIPE_NAMES)
    return Drawn(near_side(pose, "left"), pose, np.full(n, np.nan))


def write_clip(path: Path, frames: int, size: tuple[int, int] = (320, 240), fps: float = FPS) -> Path:
    """A tiny mp4v clip whose frame i shows i as text and in binary cells (so a frame can be identified).

    `size` must be at least 320x240."""
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    for i in range(frames):
        image = np.full((size[1], size[0], 3), (70, 90, 100), np.uint8)
        for bit in range(8):  # the index in binary: 8 cells along the bottom, bright where the bit is set
            if i >> bit & 1:
                image[-40:, bit * 40:(bit + 1) * 40] = 230
        cv2.putText(image, str(i), (10, 40), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
        writer.write(image)
    writer.release()
    return path


@pytest.fixture
def track_factory() -> Callable[[Analysis], Drawn]:
    """Build the body points (`Drawn`) matching an `Analysis` from `analysis_factory`."""
    return make_track


@pytest.fixture
def clip_factory() -> Callable[..., Path]:
    """Write a tiny test clip: `clip_factory(path, frames, size=(320, 240), fps=30.0)`."""
    return write_clip
