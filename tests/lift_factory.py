"""Hand-made hip-thrust joint tracks for the measuring tests: a lift profile in time -> joints (`Keypoints`).

The body is seen from the right in image pixels (y down): shoulder on the bench, knee and ankle fixed, and
the hip moving between a sagged bottom and the shoulder-knee line at lockout, where the knee is at 90 deg
and the hip at 180 deg.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.body.joints import JOINT_NAMES
from formcheck.body.keypoints import Keypoints
from formcheck.measure.metrics import NECK_NEUTRAL_OFFSET_DEG

SHOULDER = np.array([0.0, 300.0])
HIP_TOP = np.array([200.0, 300.0])
HIP_BOTTOM = np.array([185.0, 420.0])
KNEE = np.array([400.0, 300.0])
ANKLE = np.array([400.0, 500.0])
EAR = SHOULDER + np.array([-100.0, 0.0])
FAR_EAR = EAR + np.array([4.0, -2.0])
# A neutral head at lockout: the line from between the ears to between the mouth corners turned
# NECK_NEUTRAL_OFFSET_DEG from the (leftward) torso line toward the ceiling.
_HEAD = np.radians(NECK_NEUTRAL_OFFSET_DEG)
_MOUTH = (EAR + FAR_EAR) / 2 + 50.0 * np.array([-np.cos(_HEAD), -np.sin(_HEAD)])
MOUTH, FAR_MOUTH = _MOUTH + np.array([-3.0, 1.0]), _MOUTH - np.array([-3.0, 1.0])


@dataclass(frozen=True)
class Rep:
    """One movement of the hips: rise to `height` (1 = lockout) over `up_s`, hold, lower over `down_s`."""

    up_s: float = 0.8
    hold_s: float = 0.6
    down_s: float = 1.0
    rest_s: float = 0.6
    height: float = 1.0


def lift_profile(reps: list[Rep], fps: float, lead_s: float = 1.0, tail_s: float = 0.8,
                 shuffle: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """(t_ms, lift 0..1): smooth rises and descents; `shuffle` adds small irregular setup wiggles."""
    pieces: list[tuple[float, float, float]] = [(lead_s, 0.0, 0.0)]  # (duration, from, to)
    for rep in reps:
        pieces += [(rep.up_s, 0.0, rep.height), (rep.hold_s, rep.height, rep.height),
                   (rep.down_s, rep.height, 0.0), (rep.rest_s, 0.0, 0.0)]
    pieces.append((tail_s, 0.0, 0.0))
    total = sum(p[0] for p in pieces)
    t_ms = np.round(np.arange(0.0, total, 1.0 / fps) * 1000.0).astype(np.int64)
    t = t_ms / 1000.0
    lift = np.zeros(t.size)
    start = 0.0
    for duration, a, b in pieces:
        inside = (t >= start) & (t < start + duration)
        u = (t[inside] - start) / duration
        lift[inside] = a + (b - a) * (1 - np.cos(np.pi * u)) / 2  # smooth start and stop
        start += duration
    if shuffle:
        setup = t < lead_s
        wiggle = np.sin(2 * np.pi * 1.7 * t[setup]) * np.sin(2 * np.pi * 0.6 * t[setup])
        lift[setup] += shuffle * np.abs(wiggle)
    return t_ms, lift


def lift_joints(t_ms: np.ndarray, lift: np.ndarray, noise_px: float = 0.0, seed: int = 0,
                conf: float = 0.95) -> Keypoints:
    """Joints whose hip follows `lift` (0 bottom, 1 lockout); other joints still, plus optional noise."""
    n = t_ms.size
    rng = np.random.default_rng(seed)
    hip = HIP_BOTTOM + (HIP_TOP - HIP_BOTTOM) * lift[:, None]
    fixed = {"ear": EAR, "far_ear": FAR_EAR, "mouth": MOUTH, "far_mouth": FAR_MOUTH, "shoulder": SHOULDER,
             "elbow": SHOULDER + np.array([100.0, -40.0]), "knee": KNEE, "ankle": ANKLE,
             "heel": ANKLE + np.array([-20.0, 10.0]), "foot_index": ANKLE + np.array([50.0, 10.0])}
    xy = {name: np.tile(p, (n, 1)) for name, p in fixed.items()}
    xy["hip"] = hip
    xy["wrist"] = hip + np.array([0.0, -20.0])
    xy = {name: xy[name] + rng.normal(0.0, noise_px, (n, 2)) for name in JOINT_NAMES}
    points = np.stack([xy[name] for name in JOINT_NAMES], axis=1)
    return Keypoints(t_ms, points, np.full((n, len(JOINT_NAMES)), conf), JOINT_NAMES)
