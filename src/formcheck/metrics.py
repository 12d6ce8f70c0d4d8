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

from formcheck import geometry
from formcheck.joints import Joints
from formcheck.records import METRIC_KEYS

# (values, confidence), both (frames,): values in degrees, NaN where unmeasured; confidence 0..1, 0 there.
Series = tuple[np.ndarray, np.ndarray]
# Hook for posterior pelvic tilt: Joints -> (degrees, positive = posterior, NaN where unknown; confidence).
PelvicTiltEstimator = Callable[[Joints], Series]

# The neck: the head's own line, ear -> eye, against the torso line, hip -> shoulder (positive when the
# head turns toward the chest). The ear -> eye line is rigid in the head, so it turns with it; the
# shoulder -> ear line (geometry.head_torso_angle) turns only about half as far, because the ear sits
# near the neck's pivot. Calibrated on 14 rendered clips without plates (true neck -35..+35 degrees,
# several camera distances, looks and both sides), MediaPipe's ear -> eye line reads 77.4 degrees at a
# neutral neck and turns 0.818 degrees per degree of true neck rotation; undoing both, the leave-one-out
# error at lockout is 3.3 degrees (median 1.7; one dark, JPEG-compressed clip reads 14 too far), where
# the shoulder -> ear line gives 4.2 on the first 11. Head line angle = offset + true neck / gain.
NECK_NEUTRAL_OFFSET_DEG = 77.4
NECK_GAIN = 1.22  # 1 / 0.818

# MediaPipe's leg landmarks are not the joint centres: on rendered lifts (whose truth is the rig's joint
# centres) at lockout the knee sits ~1.2 cm toward the calf, the ankle ~1.7 cm up the shin and the hip
# ~2 cm up, which opens the knee angle and tips the shin away from the hips by a steady amount, whatever
# the knee angle (65-120 degrees) or side. Calibrated on 12 renders made for it and NOT in the validation
# grid (seeds 1000-1011, four looks of their own, knee 68-120, yaw -8..+10, camera 0-5 degrees above
# level, 2.5-3.0 m away), the lockout knee reads 5.8 degrees too open (sd 2.1) and the shin 3.4 too far
# out (sd 1.5); the grid's 48 plate-free lockouts show the same (+5.5 and +3.5). Both are subtracted.
# Unverified on real bodies, whose true angles are unknown; it is a property of the landmark model (the
# "full" pose model; other variants were not measured), not of the lifter.
KNEE_LANDMARK_BIAS_DEG = 5.8
SHIN_LANDMARK_BIAS_DEG = 3.4
_BIAS_DEG = {"knee_angle_deg": KNEE_LANDMARK_BIAS_DEG, "shin_from_vertical_deg": SHIN_LANDMARK_BIAS_DEG}

# Why pelvic tilt is null when no estimator is given (reports repeat it).
PELVIC_TILT_UNMEASURED = "pelvic tilt is not measured: no estimator for it from side-view landmarks yet"

# The joints each joint-based metric reads; its confidence is the smallest of theirs.
METRIC_JOINTS: dict[str, tuple[str, ...]] = {
    "knee_angle_deg": ("hip", "knee", "ankle"),
    "shin_from_vertical_deg": ("hip", "knee", "ankle"),
    "hip_extension_deg": ("shoulder", "hip", "knee"),
    "neck_flexion_deg": ("ear", "eye", "shoulder", "hip"),
}

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


def head_line_angle(ear: np.ndarray, eye: np.ndarray, shoulder: np.ndarray, hip: np.ndarray) -> np.ndarray:
    """Angle from the torso line (hip->shoulder) to the head line (ear->eye), in (-180, 180] degrees,
    positive toward the front of the body (the side facing the ceiling in a hip thrust), as in
    `geometry.head_torso_angle`."""
    torso = np.asarray(shoulder, float) - np.asarray(hip, float)
    ccw = geometry.signed_angle(torso, np.asarray(eye, float) - np.asarray(ear, float))
    # x is the same in image and y-up coordinates: a rightward torso has its front counter-clockwise
    return np.where(torso[..., 0] >= 0, ccw, -ccw)


def neck_flexion(joints: Joints, neutral_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG,
                 gain: float = NECK_GAIN) -> np.ndarray:
    """`neck_flexion_deg`: head line against torso line, 0 = neutral, + chin tucked, - chin lifted."""
    raw = head_line_angle(joints.xy["ear"], joints.xy["eye"], joints.xy["shoulder"], joints.xy["hip"])
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
            values = _ANGLES[key](*(joints.xy[n] for n in names)) - _BIAS_DEG.get(key, 0.0)
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
