"""Per-frame metrics (docs/design.md, "Metric conventions") of the near side's joints, each with a confidence.

Pure, vectorised numpy over the frames of a clip (a single live frame is a clip of one). Angles come from
`geometry.py`, which owns the sign conventions; this module picks the joints, subtracts the neck's neutral
offset and the knee and shin landmark bias, and attaches a confidence to every value: the smallest
confidence of the joints the metric reads, and 0 wherever the value is NaN. Pelvic tilt cannot be seen
from a side camera's landmarks to the accuracy its cue needs (docs/accuracy.md): it is always NaN, and
the lockout value says why.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from formcheck.body.joints import BAR
from formcheck.body.keypoints import Keypoints
from formcheck.measure import geometry
from formcheck.records import METRIC_KEYS, TRUSTED_CONFIDENCE

# (values, confidence), both (frames,): values in degrees, NaN where unmeasured; confidence 0..1, 0 there.
Series = tuple[np.ndarray, np.ndarray]

# The neck: the head's own line against the torso line, hip -> shoulder (positive when the head turns
# toward the chest). The head line runs from between the ears to between the mouth corners: it is rigid in
# the head, so it turns with it, where the shoulder -> ear line turns only about half as far because the ear
# sits near the neck's pivot; averaging both sides' landmarks steadies it. The offset and gain map that line
# to the neck angle (head line angle = offset + true neck / gain); they are fitted on renders that share no
# seed or body with the check split (`python benchmarks/calibrate_neck.py`; the lines compared are in
# benchmarks/README.md). The tune split's refit (`formcheck validate --split tune --fit ...`) does worse held
# out than these values (docs/accuracy.md, "Fitted constants"), so they stay.
NECK_NEUTRAL_OFFSET_DEG = 132.4
NECK_GAIN = 1.27  # 1 / 0.79
# The head line's ends: the mean of each pair of landmarks.
HEAD_LINE_FROM = ("ear", "far_ear")
HEAD_LINE_TO = ("mouth", "far_mouth")

# MediaPipe's leg landmarks are not the joint centres: at lockout its knee sits ~1 cm toward the calf and its
# ankle ~2 cm up the shin, which opens the knee angle and tips the shin away from the hips by a steady
# amount, whatever the knee angle or side. The constants are that offset for a camera level with the hips,
# fitted on renders that share no seed or body with the check split (`python benchmarks/calibrate_knee_shin.py
# --elevation 0`); it changes with the camera's elevation (docs/accuracy.md). The tune split's refit does not
# beat these values held out (leave one body out: knee 4.4° vs 4.2°, shin 3.4° vs 3.2°), so they stay.
# A property of the "full" pose model, not of the lifter.
KNEE_LANDMARK_BIAS_DEG = 5.8
SHIN_LANDMARK_BIAS_DEG = 3.4
# Shoulder-hip-knee reads over-extended at lockout: the median offset on the tune split (`formcheck validate
# --fit`). It moves with the camera (from +2° below the hips to +11° level with them) and grows with the
# angle, so one constant leaves errors of a few degrees, but held out (leave one body out) it takes the MAE
# from 8.3° to 5.6°, and the check split's from 9.8° to 6.7°, with the same cues (the hip rules' thresholds
# moved with it).
HIP_LANDMARK_BIAS_DEG = 7.57
_BIAS_DEG = {"knee_angle_deg": KNEE_LANDMARK_BIAS_DEG, "shin_from_vertical_deg": SHIN_LANDMARK_BIAS_DEG,
             "hip_extension_deg": HIP_LANDMARK_BIAS_DEG}
# Seen from above, the model tips the shin back: per degree the camera looks down on the lifter
# (`body.view.camera_elevation_deg`), plate-free lockouts on the tune split read this much lower. Each is the
# slope through zero that minimises their mean absolute error (`formcheck validate --split tune --fit`, 120
# clips; docs/accuracy.md "Fitted constants"); the level-camera biases above stay as fitted. The shin's holds
# (-0.28 on the first 60 tune clips, -0.26 on 120; held out by body its MAE 3.50 -> 2.23). The knee's does
# not: -0.24 on the first 60 clips but -0.07 on 120, and held out worse than none (3.40 against 3.28), so 0.
# Applied to sets without a plate only: with one, the estimate is poor and the shin is read another way (the
# tune split's plated lockouts show no such trend). The estimate is clamped to the elevations rendered.
KNEE_BIAS_PER_ELEVATION_DEG = 0.0
SHIN_BIAS_PER_ELEVATION_DEG = -0.26
BIAS_PER_ELEVATION_DEG = {"knee_angle_deg": KNEE_BIAS_PER_ELEVATION_DEG,
                          "shin_from_vertical_deg": SHIN_BIAS_PER_ELEVATION_DEG}
ELEVATION_RANGE_DEG = (-5.0, 35.0)

# Why pelvic tilt is null (reports repeat it).
PELVIC_TILT_UNMEASURED = ("pelvic tilt is not measured: a side camera's landmarks do not show it to the "
                          "few degrees its cue needs")

# Why the neck is null under a plate (reports repeat it; see `compute_metrics`).
NECK_UNDER_PLATE = ("neck not measured under a plate: its torso line runs to the hip, which the plate hides "
                    "or crowds (read there, the neck was off by about 20°)")

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


def joint_confidence(joints: Keypoints, names: tuple[str, ...]) -> np.ndarray:
    """Per-frame confidence of a set of joints: the smallest of theirs, 0 where any position is NaN."""
    conf = np.min(np.stack([joints.conf_of(n) for n in names]), axis=0)
    finite = np.all(np.stack([np.isfinite(joints.xy_of(n)).all(axis=1) for n in names]), axis=0)
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


def _mean_point(joints: Keypoints, names: tuple[str, ...]) -> np.ndarray:
    """(frames, 2) mean position of some joints, NaN where any of them is unknown."""
    return np.mean(np.stack([joints.xy_of(n) for n in names]), axis=0)


def neck_flexion(joints: Keypoints, neutral_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG,
                 gain: float = NECK_GAIN) -> np.ndarray:
    """`neck_flexion_deg`: head line against torso line, 0 = neutral, + chin tucked, - chin lifted."""
    raw = head_line_angle(_mean_point(joints, HEAD_LINE_FROM), _mean_point(joints, HEAD_LINE_TO),
                          joints.xy_of("shoulder"), joints.xy_of("hip"))
    return gain * ((raw - neutral_offset_deg + 180.0) % 360.0 - 180.0)


def landmark_bias_deg(key: str, elevation_deg: float = 0.0) -> float:
    """What the pose model's landmarks add to metric `key` with the camera `elevation_deg` above the lifter
    (0 for metrics read without a bias)."""
    low, high = ELEVATION_RANGE_DEG
    return _BIAS_DEG.get(key, 0.0) + BIAS_PER_ELEVATION_DEG.get(key, 0.0) * min(max(elevation_deg, low), high)


def compute_metrics(joints: Keypoints, *, neck_offset_deg: float = NECK_NEUTRAL_OFFSET_DEG,
                    elevation_deg: float = 0.0) -> dict[str, Series]:
    """Every key of `METRIC_KEYS` -> (values, confidence) per frame (pelvic tilt always unknown), with the
    landmark biases of a camera `elevation_deg` above the lifter taken off."""
    out: dict[str, Series] = {}
    for key, names in METRIC_JOINTS.items():
        conf = joint_confidence(joints, names)
        if key == "neck_flexion_deg":
            values = neck_flexion(joints, neck_offset_deg)
            # not under a plate: against a hip read behind the painted-out plate the neck read 17° low on
            # the tune split's plated lockouts (MAE 20°), and against one the model found clear beside the
            # plate still 20° low (MAE 22°); its torso line needs a clear hip and an unpainted torso
            conf = np.where(joints.conf_of("hip") >= TRUSTED_CONFIDENCE, conf, 0.0)
            if BAR in joints.names:
                conf = np.where(joints.conf_of(BAR) > 0, 0.0, conf)
        else:
            inputs = (joints.xy_of(n) for n in _ANGLE_JOINTS.get(key, names))
            values = _ANGLES[key](*inputs) - landmark_bias_deg(key, elevation_deg)
        out[key] = _with_confidence(values, conf)
    n = len(joints)
    out["pelvic_tilt_deg"] = (np.full(n, np.nan), np.zeros(n))
    return {key: out[key] for key in METRIC_KEYS}
