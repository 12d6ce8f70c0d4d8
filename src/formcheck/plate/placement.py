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
- a knee landmark on the plate's disc is unknown (confidence 0): the model drags it there when the plate
  hides the thigh. For rep timing only it is held still (a hip thrust's knee hardly moves): at its median
  clear position, or, when it is never clear, a shin's length above the feet. Rebuilding it frame by frame
  from the ankle and segment lengths was tried and dropped: with a plate the model's ankle wanders too
  (60 px off its planted spot on the grid), so there is nothing to build on.
Pure numpy; the plate comes from `plates.py`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.body.joints import Joints
from formcheck.plate.finder import PlateTrack

# Confidence of joints placed for timing only: at or above the rep tracker's floor (`RepConfig.
# min_confidence`, 0.3), below what a lockout metric accepts (`MeasureConfig.min_confidence`, 0.5).
TIMING_ONLY_CONFIDENCE = 0.4


@dataclass(frozen=True)
class Repair:
    """How joints near a plate are judged and placed.

    `hip_below_bar`: the hip joint centre lies this many shoulder-to-bar lengths below the bar axis,
    square to the shoulder->bar line (about 11-13 cm on an adult torso: half the pelvis' depth under the
    crease plus the bar's radius). `knee_margin`: a knee closer to the plate's centre than (1 + margin)
    radii counts as hidden.
    """

    hip_below_bar: float = 0.30
    knee_margin: float = 0.1

    def __post_init__(self) -> None:
        if not 0 <= self.hip_below_bar < 0.6:
            raise ValueError(f"Repair.hip_below_bar: expected 0..0.6, got {self.hip_below_bar}")
        if not -0.5 <= self.knee_margin <= 1.0:
            raise ValueError(f"Repair.knee_margin: expected -0.5..1.0 plate radii, got {self.knee_margin}")


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


def _still_knee(joints: Joints, hip: np.ndarray, on_plate: np.ndarray) -> np.ndarray:
    """Where to hold a hidden knee for rep timing: its median clear position, else a shin above the feet
    (shin ~0.85 of the shoulder-hip length, Winter's segment table)."""
    knee, ankle = joints.xy["knee"], joints.xy["ankle"]
    clear = knee[~on_plate & (joints.conf["knee"] >= 0.5) & np.isfinite(knee).all(axis=1)]
    if len(clear):
        return np.median(clear, axis=0)
    torso = np.nanmedian(np.linalg.norm(joints.xy["shoulder"] - hip, axis=1))
    feet = np.nanmedian(ankle[joints.conf["ankle"] > 0], axis=0) if (joints.conf["ankle"] > 0).any() \
        else np.full(2, np.nan)
    return feet - np.array([0.0, 0.85 * torso])


def repair_joints(joints: Joints, plate: PlateTrack | None,
                  repair: Repair | None = None) -> tuple[Joints, list[str]]:
    """Joints with the plate-hidden hip placed for timing only and a knee on the plate made unknown, plus
    notes saying so. Without a plate the joints come back unchanged (see the module docstring)."""
    repair = repair or Repair()
    if plate is None or not plate.present:
        return joints, []
    if len(plate) != len(joints):
        raise ValueError(f"repair_joints: expected a plate track of {len(joints)} frames, got {len(plate)}")
    hip = hip_from_bar(plate.center, joints.xy["shoulder"], repair.hip_below_bar)
    has_hip = plate.found & (joints.conf["shoulder"] > 0) & np.isfinite(hip).all(axis=1)
    hip = np.where(has_hip[:, None], hip, np.nan)
    notes = [f"hip hidden behind the plate in {int(plate.found.sum())} of {len(joints)} frames: placed "
             "from the bar for rep timing only; hip angles are not measured (the plate's perspective "
             "offset from the hip depends on the camera, which one view cannot tell)"]
    on_plate = plate.covers(joints.xy["knee"], margin=repair.knee_margin)
    knee, knee_conf = joints.xy["knee"].copy(), np.where(on_plate, 0.0, joints.conf["knee"])
    if on_plate.any():
        notes.append(f"knee landmark on the plate in {int(on_plate.sum())} frame(s): unknown there")
        knee[on_plate] = _still_knee(joints, hip, on_plate)
    out = joints.with_joint("hip", hip, np.where(has_hip, TIMING_ONLY_CONFIDENCE, 0.0))
    return out.with_joint("knee", knee, knee_conf), notes
