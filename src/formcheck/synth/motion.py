"""Hip-thrust timing: how far the hips have risen (0 = bottom, 1 = lockout) at every frame, and the reps.

A clip is a sequence of segments: setup shuffling at the bottom, then per rep a concentric rise, a hold
at the top, an eccentric descent and a pause at the bottom. Partial reps (rising only part way, no
hold) are slotted in after the first full rep; they are never counted. Rises and descents follow a
cosine ease, so speed is zero at both ends like a real controlled rep. Frame k is at k / fps seconds.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.synth.params import SynthParams

PHASES = ("setup", "bottom", "concentric", "hold", "eccentric", "partial")
SETUP_LIFT = 0.05  # setup shuffling never lifts the hips more than this fraction
MIN_PARTIAL_S = 0.3


@dataclass(frozen=True)
class Segment:
    """A stretch of time with the lift going from `lift_from` to `lift_to` (eased)."""

    phase: str
    duration_s: float
    lift_from: float
    lift_to: float
    rep: int = 0  # 1-based index of the counted rep this belongs to, 0 for none

    def __post_init__(self) -> None:
        if self.phase not in PHASES:
            raise ValueError(f"Segment.phase: expected one of {', '.join(PHASES)}, got {self.phase!r}")
        if not self.duration_s >= 0:
            raise ValueError(f"Segment.duration_s: expected >= 0, got {self.duration_s}")


@dataclass(frozen=True)
class RepFrames:
    """Frame indices of one counted rep: first frame rising, the top, last frame lowering."""

    index: int
    start_frame: int
    lockout_frame: int
    end_frame: int

    def __post_init__(self) -> None:
        if not 0 <= self.start_frame <= self.lockout_frame <= self.end_frame:
            raise ValueError(f"RepFrames: expected start <= lockout <= end, got {self.start_frame}, "
                             f"{self.lockout_frame}, {self.end_frame}")


@dataclass(frozen=True, eq=False)
class Timeline:
    """Per-frame lift fraction, phase name and counted-rep index, plus each counted rep's key frames."""

    fps: float
    lift: np.ndarray  # (N,) in [0, 1]
    phase: tuple[str, ...]
    rep: np.ndarray  # (N,) int, 0 outside counted reps
    reps: tuple[RepFrames, ...]

    def __post_init__(self) -> None:
        n = len(self.lift)
        if len(self.phase) != n or self.rep.shape != (n,):
            raise ValueError(f"Timeline: expected {n} phases and reps, "
                             f"got {len(self.phase)}, {self.rep.shape}")

    @property
    def frames(self) -> int:
        return len(self.lift)


def _ease(u: np.ndarray) -> np.ndarray:
    return 0.5 - 0.5 * np.cos(np.pi * np.clip(u, 0.0, 1.0))


def segments(params: SynthParams) -> list[Segment]:
    """The clip's segments in order (see the module docstring)."""
    tempo = params.tempo
    out = []
    if params.setup_s > 0:
        out.append(Segment("setup", params.setup_s, 0.0, 0.0))
    frac = params.partial_fraction
    partial_rise = max(MIN_PARTIAL_S, tempo.concentric_s * frac)
    partial_fall = max(MIN_PARTIAL_S, tempo.eccentric_s * frac)
    kinds = (["full"] * min(params.reps, 1) + ["partial"] * params.partial_reps
             + ["full"] * max(params.reps - 1, 0))
    counted = 0
    for kind in kinds:
        if kind == "full":
            counted += 1
            out += [Segment("concentric", tempo.concentric_s, 0.0, 1.0, counted),
                    Segment("hold", tempo.hold_s, 1.0, 1.0, counted),
                    Segment("eccentric", tempo.eccentric_s, 1.0, 0.0, counted)]
        else:
            out += [Segment("partial", partial_rise, 0.0, frac), Segment("partial", partial_fall, frac, 0.0)]
        out.append(Segment("bottom", params.bottom_pause_s, 0.0, 0.0))
    return out


def _setup_wiggle(t: np.ndarray, duration: float) -> np.ndarray:
    """Small settling movements of the hips during setup (two shallow bumps)."""
    if duration <= 0:
        return np.zeros_like(t)
    return SETUP_LIFT * np.sin(np.pi * np.clip(t / duration, 0.0, 1.0) * 2.0) ** 2


def build_timeline(params: SynthParams) -> Timeline:
    """Sample the segments at the clip's frame times and find each counted rep's key frames."""
    plan = segments(params)
    starts = np.cumsum([0.0] + [s.duration_s for s in plan])
    total = float(starts[-1])
    n = max(1, math.floor(total * params.fps + 1e-9) + 1)
    times = np.arange(n) / params.fps
    which = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, len(plan) - 1)
    lift = np.zeros(n)
    for i, seg in enumerate(plan):
        mask = which == i
        u = (times[mask] - starts[i]) / seg.duration_s if seg.duration_s > 0 else np.ones(int(mask.sum()))
        lift[mask] = seg.lift_from + (seg.lift_to - seg.lift_from) * _ease(u)
        if seg.phase == "setup":
            lift[mask] = _setup_wiggle(times[mask] - starts[i], seg.duration_s)
    phase = tuple(plan[i].phase for i in which)
    rep = np.array([plan[i].rep for i in which], dtype=np.int64)
    reps = tuple(_rep_frames(k, plan, starts, params.fps, n) for k in range(1, params.reps + 1))
    return Timeline(fps=params.fps, lift=lift, phase=phase, rep=rep, reps=reps)


def _rep_frames(index: int, plan: list[Segment], starts: np.ndarray, fps: float, n: int) -> RepFrames:
    """Key frames of counted rep `index`: start of the rise, middle of the hold, end of the descent."""
    bounds = {seg.phase: (starts[i], starts[i + 1]) for i, seg in enumerate(plan) if seg.rep == index}
    rise_start = bounds["concentric"][0]
    hold_start, hold_end = bounds["hold"]
    fall_end = bounds["eccentric"][1]

    def frame(t: float, rounding: str) -> int:
        k = math.ceil(t * fps - 1e-9) if rounding == "up" else math.floor(t * fps + 1e-9)
        return int(min(max(k, 0), n - 1))

    lockout = frame(0.5 * (hold_start + hold_end), "down")
    if hold_end - hold_start < 1.0 / fps:  # no real hold: the top is the frame nearest the turn-around
        lockout = int(min(round(hold_start * fps), n - 1))
    return RepFrames(index=index, start_frame=frame(rise_start, "up"), lockout_frame=lockout,
                     end_frame=frame(fall_end, "down"))
