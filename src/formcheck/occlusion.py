"""Joints a weight plate hides: keep the rep timing, refuse the angles.

A hip thrust's near plate covers the hips for the whole set, and the pose model's hip, knee and even ankle
go wrong around it (on rendered clips: hip extension off by up to 90°, the knee pulled 80 px onto the
plate). What stays visible is the plate's centre — the bar axis, resting on the hip crease — the
shoulders on the bench, and the feet planted on the floor.

Those are enough to follow the lift, but not to measure hip angles to a few degrees: the plate hangs
~0.6 m nearer the camera than the hip joint, so its centre is displaced from the hip by perspective by an
amount that depends on the camera's height, tilt and yaw, which one image does not tell (measured on the
grid: 5-7 px side-on, ~36 px at 15° yaw; see docs/accuracy.md). So, when a plate is found:
- the hip is placed from the bar and the shoulder (torso frame) with `TIMING_ONLY_CONFIDENCE`: good
  enough for counting reps and timing them, below what measuring accepts, so hip-based metrics are null
  with a reason instead of a guess;
- a knee the plate hides or drags (inside the disc, or a shin length that jumps) is rebuilt from the
  planted ankle and the segment lengths of the frames where it was seen, also for timing only;
- an ankle that strays from where the feet are planted is put back there.
Pure numpy; the plate comes from `plates.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.joints import Joints
from formcheck.plates import PlateTrack

# Confidence of joints placed for timing only: at or above the rep tracker's floor (`RepConfig.
# min_confidence`, 0.3), below what a lockout metric accepts (`MeasureConfig.min_confidence`, 0.5).
TIMING_ONLY_CONFIDENCE = 0.4


@dataclass(frozen=True)
class Repair:
    """How joints near a plate are judged and rebuilt.

    `hip_below_bar`: the hip joint centre lies this many shoulder-to-bar lengths below the bar axis,
    square to the shoulder->bar line (about 11-13 cm on an adult torso: half the pelvis' depth under the
    crease plus the bar's radius). `knee_margin`: a knee closer to the plate's centre than (1 + margin)
    radii counts as hidden. `shin_tolerance`: a knee whose knee-ankle distance differs from the clip's
    median by more than this share is misplaced. `ankle_tolerance`: an ankle farther than this share of
    the shin length from where the feet are planted is misplaced.
    """

    hip_below_bar: float = 0.30
    knee_margin: float = 0.1
    shin_tolerance: float = 0.15
    ankle_tolerance: float = 0.25

    def __post_init__(self) -> None:
        if not 0 <= self.hip_below_bar < 0.6:
            raise ValueError(f"Repair.hip_below_bar: expected 0..0.6, got {self.hip_below_bar}")
        if not -0.5 <= self.knee_margin <= 1.0:
            raise ValueError(f"Repair.knee_margin: expected -0.5..1.0 plate radii, got {self.knee_margin}")
        for name in ("shin_tolerance", "ankle_tolerance"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"Repair.{name}: expected 0..1, got {getattr(self, name)}")


def _upward_normal(u: np.ndarray) -> np.ndarray:
    """Unit normals of (n, 2) unit vectors, chosen on the image's upper side (y down, so y <= 0)."""
    m = np.stack([u[:, 1], -u[:, 0]], axis=1)
    return np.where((m[:, 1] > 0)[:, None], -m, m)


def hip_from_bar(bar: np.ndarray, shoulder: np.ndarray, below: float) -> np.ndarray:
    """Hip joint centres (n, 2) px: `below` shoulder-to-bar lengths under the bar, square to that line.

    Image coordinates (y down); NaN where either input is NaN.
    """
    bar, shoulder = np.asarray(bar, float), np.asarray(shoulder, float)
    d = bar - shoulder
    length = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / length[:, None]
    return bar - below * length[:, None] * _upward_normal(u)


def knee_from_lengths(hip: np.ndarray, ankle: np.ndarray, thigh: float, shin: float) -> np.ndarray:
    """Knees (n, 2) px at `thigh` from the hip and `shin` from the ankle, on the ceiling side of the
    ankle->hip line (a hip thrust's knees point up). Where the lengths cannot meet, the knee is put on the
    ankle->hip line at the point that splits the gap in the lengths' ratio. NaN where inputs are NaN."""
    d = np.asarray(hip, float) - np.asarray(ankle, float)
    dist = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / dist[:, None]
        along = (dist**2 + shin**2 - thigh**2) / (2 * dist)
        across = np.sqrt(np.clip(shin**2 - along**2, 0.0, None))
        along = np.where(across > 0, along, dist * shin / (shin + thigh))
    return ankle + along[:, None] * u + across[:, None] * _upward_normal(u)


def planted(points: np.ndarray, usable: np.ndarray) -> np.ndarray:
    """Where a joint that should stay put (the ankle of planted feet) sits: median of usable frames."""
    pts = points[usable & np.isfinite(points).all(axis=1)]
    return np.median(pts, axis=0) if len(pts) else np.full(2, np.nan)


def _median_length(a: np.ndarray, b: np.ndarray, usable: np.ndarray) -> float:
    d = np.linalg.norm(a - b, axis=1)[usable]
    d = d[np.isfinite(d)]
    return float(np.median(d)) if d.size else float("nan")


def _repair_ankle(joints: Joints, shin: float, repair: Repair) -> tuple[np.ndarray, np.ndarray, int]:
    """Ankles put back on the planted spot where they strayed; returns xy, confidence, frames moved."""
    ankle, conf = joints.xy["ankle"].copy(), joints.conf["ankle"].copy()
    spot = planted(ankle, conf >= 0.5)
    strayed = np.linalg.norm(ankle - spot, axis=1) > repair.ankle_tolerance * shin
    strayed |= ~np.isfinite(ankle).all(axis=1)
    if np.isfinite(spot).all():
        ankle[strayed] = spot
        conf[strayed] = TIMING_ONLY_CONFIDENCE
    return ankle, conf, int(strayed.sum())


def repair_joints(joints: Joints, plate: PlateTrack | None,
                  repair: Repair | None = None) -> tuple[Joints, list[str]]:
    """Joints with the plate-hidden hip, knee and ankle placed for timing only, plus notes saying so.

    Without a plate the joints come back unchanged. See the module docstring for what is done and why.
    """
    repair = repair or Repair()
    if plate is None or not plate.present:
        return joints, []
    if len(plate) != len(joints):
        raise ValueError(f"repair_joints: expected a plate track of {len(joints)} frames, got {len(plate)}")
    xy = joints.xy
    hip = hip_from_bar(plate.center, xy["shoulder"], repair.hip_below_bar)
    has_hip = plate.found & (joints.conf["shoulder"] > 0) & np.isfinite(hip).all(axis=1)
    hip_conf = np.where(has_hip, TIMING_ONLY_CONFIDENCE, 0.0)
    hip = np.where(has_hip[:, None], hip, np.nan)

    knee_seen = ~plate.covers(xy["knee"], margin=repair.knee_margin) & (joints.conf["knee"] >= 0.5)
    shin = _median_length(xy["knee"], xy["ankle"], knee_seen & (joints.conf["ankle"] >= 0.5))
    thigh = _median_length(xy["knee"], hip, knee_seen & has_hip)
    shin_now = np.linalg.norm(xy["knee"] - xy["ankle"], axis=1)
    with np.errstate(invalid="ignore"):
        knee_bad = ~knee_seen | (np.abs(shin_now / shin - 1.0) > repair.shin_tolerance)
    notes = [f"hip hidden behind the plate in {int(plate.found.sum())} of {len(joints)} frames: placed "
             "from the bar for rep timing only; hip angles are not measured (the plate's perspective "
             "offset from the hip depends on the camera, which one view cannot tell)"]
    ankle, ankle_conf, moved = _repair_ankle(joints, shin, repair)
    if moved:
        notes.append(f"ankle off its planted spot in {moved} frame(s): put back there")
    knee, knee_conf = xy["knee"].copy(), joints.conf["knee"].copy()
    if np.isfinite(shin) and np.isfinite(thigh):
        rebuilt = knee_from_lengths(hip, ankle, thigh, shin)
        fix = knee_bad & np.isfinite(rebuilt).all(axis=1)
        knee[fix], knee_conf[fix] = rebuilt[fix], np.minimum(knee_conf[fix], TIMING_ONLY_CONFIDENCE)
        knee_conf[knee_bad & ~fix] = 0.0
    else:
        knee_conf[knee_bad] = 0.0
    if knee_bad.any():
        notes.append(f"knee hidden or dragged by the plate in {int(knee_bad.sum())} frame(s): rebuilt from "
                     "the planted ankle and segment lengths, for timing only")
    out = joints.with_joint("hip", hip, hip_conf).with_joint("knee", knee, knee_conf)
    return out.with_joint("ankle", ankle, ankle_conf), notes
