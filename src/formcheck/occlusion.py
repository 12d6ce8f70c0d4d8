"""Repair joints that a weight plate hides, from what the camera can still see.

A hip thrust's near plate covers the hips for the whole set, so the pose model's hip landmark is a guess
(on a rendered clip it put the hip ~96 degrees of hip extension off). What stays visible is the plate's
centre — the bar axis, which rests on the hip crease — and the knee. The hip joint centre sits at a fixed
place relative to the bar in the thigh's own frame (a little toward the hip end, a thigh's half depth
below the bar), so knee + bar + that offset put the hip back, scale-free. When there is nothing to
infer from (no plate in that frame, no knee), the hip gets confidence 0 so the metrics are null rather
than guessed. Pure numpy; the plate comes from `plates.py`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.joints import Joints
from formcheck.plates import PlateTrack


@dataclass(frozen=True)
class BarOffset:
    """Where the bar axis sits relative to the hip joint centre, in thigh lengths (hip->knee distance).

    `toward_knee`: how far the bar lies from the hip along the thigh, toward the knee (the bar rests on
    the upper thigh just below the crease). `above`: how far it lies off the thigh axis on the front
    (ceiling) side: half the thigh's depth at the groin plus the bar's radius and any pad. Defaults are
    adult anthropometry: thigh ~0.43 m, bar ~0.04 m along it and ~0.11 m above the joint centre.
    """

    toward_knee: float = 0.09
    above: float = 0.25

    def __post_init__(self) -> None:
        if not 0 <= self.toward_knee < 0.5:
            raise ValueError(f"BarOffset.toward_knee: expected 0..0.5 thigh lengths, got {self.toward_knee}")
        if not 0 <= self.above < 0.6:
            raise ValueError(f"BarOffset.above: expected 0..0.6 thigh lengths, got {self.above}")

    @property
    def bar_from_knee(self) -> float:
        """Distance knee -> bar in thigh lengths."""
        return math.hypot(1.0 - self.toward_knee, self.above)

    @property
    def angle_rad(self) -> float:
        """Angle between the knee->bar and knee->hip directions."""
        return math.atan2(self.above, 1.0 - self.toward_knee)


@dataclass(frozen=True)
class Repair:
    """How to repair: the bar offset, and how far (in plate radii beyond the rim) a knee counts as hidden."""

    bar: BarOffset = BarOffset()
    knee_margin: float = 0.05

    def __post_init__(self) -> None:
        if not -0.5 <= self.knee_margin <= 1.0:
            raise ValueError(f"Repair.knee_margin: expected -0.5..1.0 plate radii, got {self.knee_margin}")


def _upward_normal(u: np.ndarray) -> np.ndarray:
    """Unit normals of (n, 2) unit vectors, chosen on the image's upper side (y down, so y <= 0)."""
    m = np.stack([u[:, 1], -u[:, 0]], axis=1)
    return np.where((m[:, 1] > 0)[:, None], -m, m)


def hip_from_bar(bar: np.ndarray, knee: np.ndarray, offset: BarOffset) -> np.ndarray:
    """Hip joint centres (n, 2) px from bar axes and knees (n, 2) px, in image coordinates (y down).

    The bar is `offset` away from the hip in the thigh's frame, so the knee->bar ray is the thigh turned
    by `offset.angle_rad` toward the front: turn it back and walk a thigh length from the knee.
    NaN where either input is NaN.
    """
    bar, knee = np.asarray(bar, float), np.asarray(knee, float)
    d = bar - knee
    dist = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / dist[:, None]
    phi = offset.angle_rad
    thigh_dir = math.cos(phi) * u - math.sin(phi) * _upward_normal(u)
    thigh_len = dist / offset.bar_from_knee
    return knee + thigh_dir * thigh_len[:, None]


def repair_joints(joints: Joints, plate: PlateTrack | None,
                  repair: Repair | None = None) -> tuple[Joints, list[str]]:
    """Joints with the plate-hidden hip (and knee) replaced or zeroed, plus notes saying what was done.

    Without a plate the joints come back unchanged. With one, in every frame the hip is placed from the
    bar and the knee, with confidence min(plate rim support, knee confidence); in frames where the plate
    was lost or the knee is hidden too, the hip (and that knee) get confidence 0 — unknown, not guessed.
    """
    repair = repair or Repair()
    if plate is None or not plate.present:
        return joints, []
    if len(plate) != len(joints):
        raise ValueError(f"repair_joints: expected a plate track of {len(joints)} frames, got {len(plate)}")
    notes: list[str] = []
    knee_xy, knee_conf = joints.xy["knee"], joints.conf["knee"].copy()
    knee_hidden = plate.covers(knee_xy, margin=repair.knee_margin)
    if knee_hidden.any():
        knee_conf[knee_hidden] = 0.0
        notes.append(f"knee behind the plate in {int(knee_hidden.sum())} frame(s): knee unknown there")
    hip = hip_from_bar(plate.center, knee_xy, repair.bar)
    usable = plate.found & (knee_conf > 0) & np.isfinite(hip).all(axis=1)
    hip_conf = np.where(usable, np.minimum(plate.confidence, knee_conf), 0.0)
    hip = np.where(usable[:, None], hip, np.nan)
    notes.append(f"hip behind the plate: placed from the bar centre and the knee in {int(usable.sum())} "
                 f"of {len(joints)} frame(s)")
    lost = int((~usable).sum())
    if lost:
        notes.append(f"hip hidden and not recoverable in {lost} frame(s) (plate or knee not seen): "
                     "hip metrics are null there")
    repaired = joints.with_joint("knee", knee_xy, knee_conf).with_joint("hip", hip, hip_conf)
    return repaired, notes
