"""Per-frame metrics of DESIGN.md ("Metric conventions") from near-side `Joints`, each with a confidence.

Pure, vectorised numpy over the frames of a clip (a single live frame is a clip of one). Angles come from
`geometry.py`, which owns the sign conventions; this module picks the joints, subtracts the neck's neutral
offset and the knee and shin landmark bias, and attaches a confidence to every value: the smallest
confidence of the joints the metric reads, and 0 wherever the value is NaN. Pelvic tilt cannot be seen
from the joints alone; it is NaN unless the caller passes an estimator (the hook for the pelvic-tilt work
of issue 4, item 5).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from formcheck.body.joints import Joints
from formcheck.measure import geometry
from formcheck.records import METRIC_KEYS

# (values, confidence), both (frames,): values in degrees, NaN where unmeasured; confidence 0..1, 0 there.
Series = tuple[np.ndarray, np.ndarray]
# Hook for posterior pelvic tilt: Joints -> (degrees, positive = posterior, NaN where unknown; confidence).
PelvicTiltEstimator = Callable[[Joints], Series]

# The neck: the head's own line against the torso line, hip -> shoulder (positive when the head turns
# toward the chest). The head line runs from between the ears to between the mouth corners: it is rigid in
# the head, so it turns with it, where the shoulder -> ear line (geometry.head_torso_angle) turns only about
# half as far because the ear sits near the neck's pivot; averaging both sides' landmarks steadies it.
# Calibrated by `python benchmarks/calibrate_neck.py` on 24 renders made for it and NOT in the validation
# grid (seeds 2000-2023, four looks of their own, true neck -35..+35, both sides, 2.3-3.3 m, yaw -10..+15,
# camera 0-5 degrees up, hip extension 170-205, knee 80-115; one clip left out, where the face landmarks
# sit on the chest), this line reads 132.4 degrees at a neutral neck and turns 0.79 degrees per degree of
# neck. Leave-one-clip-out error at lockout over 38 lockouts: MAE 5.8, median 4.8, worst 18.4 (a lifted
# chin whose face MediaPipe turned back to front). Other lines on the same clips (MAE / worst): near ear ->
# eye (formcheck's earlier line) 6.7 / 23.8, mean ears -> mean eyes 6.1 / 22.7, near ear -> mouth corner
# 6.6 / 17.7, mean ears -> nose 5.9 / 20.3, a Procrustes fit of all 11 face landmarks 5.6 / 15.0 (no
# clearer than this line, clip by clip, for 7 more landmarks and a fitted template). The hip -> shoulder
# line also turns against the thorax when the lower back arches, which reads as a lifted chin (clips with
# hip extension 200-205 mostly read low, by up to 13); that is left in. On the validation grid's 48
# plate-free lockouts this line gives MAE 3.7, worst 13.1 (ear -> eye: 5.1, worst 22.0, three false chin
# cues; now none). Head line angle = offset + true neck / gain.
NECK_NEUTRAL_OFFSET_DEG = 132.4
NECK_GAIN = 1.27  # 1 / 0.79
# The head line's ends: the mean of each pair of landmarks.
HEAD_LINE_FROM = ("ear", "far_ear")
HEAD_LINE_TO = ("mouth", "far_mouth")

# MediaPipe's leg landmarks are not the joint centres: on rendered lifts (whose truth is the rig's joint
# centres) at lockout the knee sits ~1.2 cm toward the calf, the ankle ~1.7 cm up the shin and the hip
# ~2 cm up, which opens the knee angle and tips the shin away from the hips by a steady amount, whatever
# the knee angle (65-120 degrees) or side. The constants are for a camera level with the hips, as README
# asks users to film: `python benchmarks/calibrate_knee_shin.py --elevation 0` (12 renders outside the
# validation grid, seeds 1000-1011, looks of their own) reads the knee +5.4 (sd 1.6) and the shin +2.8
# (sd 1.6), the grid's 48 plate-free lockouts (all level) +5.5 and +3.5. The bias grows as the camera
# rises: about +1 degree of knee and +0.7 of shin per degree the camera looks down (+9.1 / +4.9 at 5
# degrees; `--elevation 5`), so a camera above hip height reads the knee a little open. Unverified on real
# bodies, whose true angles are unknown; it is a property of the landmark model (the "full" pose model;
# other variants were not measured), not of the lifter.
KNEE_LANDMARK_BIAS_DEG = 5.8
SHIN_LANDMARK_BIAS_DEG = 3.4
_BIAS_DEG = {"knee_angle_deg": KNEE_LANDMARK_BIAS_DEG, "shin_from_vertical_deg": SHIN_LANDMARK_BIAS_DEG}

# Why pelvic tilt is null when no estimator is given (reports repeat it).
PELVIC_TILT_UNMEASURED = "pelvic tilt is not measured: no estimator for it from side-view landmarks yet"

# The joints each joint-based metric reads; its confidence is the smallest of theirs.
METRIC_JOINTS: dict[str, tuple[str, ...]] = {
    "knee_angle_deg": ("hip", "knee", "ankle"),
    # the hip only says which way is forward (`geometry.shin_from_vertical`): it must be known, but even a
    # hip placed from the bar under a plate is on the right side of the knee, so it does not lower the
    # shin's confidence
    "shin_from_vertical_deg": ("knee", "ankle"),
    "hip_extension_deg": ("shoulder", "hip", "knee"),
    "neck_flexion_deg": (*HEAD_LINE_FROM, *HEAD_LINE_TO, "shoulder", "hip"),
}

# The joints an angle is computed from, where they differ from the ones its confidence comes from.
_ANGLE_JOINTS: dict[str, tuple[str, ...]] = {"shin_from_vertical_deg": ("hip", "knee", "ankle")}
_ANGLES: dict[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]] = {
    "knee_angle_deg": geometry.knee_angle,
    "shin_from_vertical_deg": geometry.shin_from_vertical,
    "hip_extension_deg": geometry.hip_extension,
}


def joint_confidence(joints: Joints, names: tuple[str, ...]) -> np.ndarray:
    """Per-frame confidence of a set of joints: the smallest of theirs, 0 where any position is NaN."""
    conf = np.min(np.stack([joints.conf[n] for n in names]), axis=0)
    finite = np.all(np.stack([np.isfinite(joints.xy[n]).all(axis=1) for n in names]), axis=0)
    return np.where(finite, np.clip(conf, 0.0, 1.0), 0.0)


def _with_confidence(values: np.ndarray, conf: np.ndarray) -> Series:
    """Pair values with confidence, forcing confidence 0 (and the value NaN) where either is unusable."""
    values = np.asarray(values, dtype=float)
    known = np.isfinite(values) & (conf > 0)
    return np.where(known, values, np.nan), np.where(known, conf, 0.0)


def head_line_angle(start: np.ndarray, end: np.ndarray, shoulder: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """Angle from the torso line (hip->shoulder) to a head line (start->end), in (-180, 180] degrees,
    positive toward the front of the body (the side facing the ceiling in a hip thrust), as in
    `geometry.head_torso_angle`."""
    torso = np.asarray(shoulder, float) - np.asarray(hip, float)
    ccw = geometry.signed_angle(torso, np.asarray(end, float) - np.asarray(start, float))
    # x is the same in image and y-up coordinates: a rightward torso has its front counter-clockwise
    return np.where(torso[..., 0] >= 0, ccw, -ccw)


def _mean_point(joints: Joints, names: tuple[str, ...]) -> np.ndarray:
    """(frames, 2) mean position of some joints, NaN where any of them is unknown."""
    return np.mean(np.stack([joints.xy[n] for n in names]), axis=0)


def neck_flexion(joints: Joints, neutral_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG,
                 gain: float = NECK_GAIN) -> np.ndarray:
    """`neck_flexion_deg`: head line against torso line, 0 = neutral, + chin tucked, - chin lifted."""
    raw = head_line_angle(_mean_point(joints, HEAD_LINE_FROM), _mean_point(joints, HEAD_LINE_TO),
                          joints.xy["shoulder"], joints.xy["hip"])
    return gain * ((raw - neutral_offset_deg + 180.0) % 360.0 - 180.0)


def compute_metrics(joints: Joints, *, pelvic_tilt: PelvicTiltEstimator | None = None,
                    neck_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG) -> dict[str, Series]:
    """Every key of `METRIC_KEYS` -> (values, confidence) per frame."""
    out: dict[str, Series] = {}
    for key, names in METRIC_JOINTS.items():
        conf = joint_confidence(joints, names)
        if key == "neck_flexion_deg":
            values = neck_flexion(joints, neck_offset_deg)
        else:
            inputs = (joints.xy[n] for n in _ANGLE_JOINTS.get(key, names))
            values = _ANGLES[key](*inputs) - _BIAS_DEG.get(key, 0.0)
        out[key] = _with_confidence(values, conf)
    if pelvic_tilt is None:
        n = len(joints)
        out["pelvic_tilt_deg"] = (np.full(n, np.nan), np.zeros(n))
    else:
        values, conf = (np.asarray(a, dtype=float) for a in pelvic_tilt(joints))
        if values.shape != (len(joints),) or conf.shape != (len(joints),):
            raise ValueError(f"pelvic_tilt estimator: expected two ({len(joints)},) arrays, "
                             f"got {values.shape} and {conf.shape}")
        out["pelvic_tilt_deg"] = _with_confidence(values, conf)
    return {key: out[key] for key in METRIC_KEYS}
