"""Per-frame metrics from hand-made joints: values, signs, confidence and the pelvic-tilt hook."""

import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES
from formcheck.body.keypoints import Keypoints
from formcheck.measure.metrics import (
    ELEVATION_RANGE_DEG,
    HIP_LANDMARK_BIAS_DEG,
    KNEE_BIAS_PER_ELEVATION_DEG,
    KNEE_LANDMARK_BIAS_DEG,
    METRIC_JOINTS,
    NECK_GAIN,
    NECK_NEUTRAL_OFFSET_DEG,
    SHIN_BIAS_PER_ELEVATION_DEG,
    SHIN_LANDMARK_BIAS_DEG,
    compute_metrics,
    joint_confidence,
    landmark_bias_deg,
)
from formcheck.records import METRIC_KEYS

MID_EAR = np.array([-100.0, 300.0])
# The far ear and far mouth corner sit a little off the near ones (the head is seen nearly side-on).
EAR_SPREAD = np.array([6.0, -4.0])
MOUTH_SPREAD = np.array([-8.0, 3.0])


def head_at(head_deg: float, shift: tuple[float, float] = (0.0, 0.0), ear_spread: np.ndarray = EAR_SPREAD,
            mouth_spread: np.ndarray = MOUTH_SPREAD) -> dict[str, tuple[float, float]]:
    """Both ears and mouth corners with the line from between the ears to between the mouth corners turned
    `head_deg` from the torso line (pointing left, toward -x) toward the ceiling (-y), 40 px long, the
    ears' midpoint at (-100, 300) moved by `shift`; each far point sits `*_spread` px from its near one."""
    a = np.radians(head_deg)
    mid_ear = MID_EAR + np.asarray(shift, float)
    mid_mouth = mid_ear + 40.0 * np.array([-np.cos(a), -np.sin(a)])
    points = {"ear": mid_ear - ear_spread / 2, "far_ear": mid_ear + ear_spread / 2,
              "mouth": mid_mouth - mouth_spread / 2, "far_mouth": mid_mouth + mouth_spread / 2}
    return {name: (float(x), float(y)) for name, (x, y) in points.items()}


# A hip thrust at lockout seen from the right (image px, y down): shoulder on the bench at the left, hips
# level with it, thigh horizontal, shin vertical, head in line with the torso and neutral.
TOP = {
    **head_at(NECK_NEUTRAL_OFFSET_DEG),
    "shoulder": (0.0, 300.0),
    "elbow": (100.0, 260.0),
    "wrist": (200.0, 280.0),
    "hip": (200.0, 300.0),
    "knee": (400.0, 300.0),
    "ankle": (400.0, 500.0),
    "heel": (380.0, 510.0),
    "foot_index": (450.0, 510.0),
}


def make_joints(points: dict[str, tuple[float, float]] | None = None, frames: int = 1,
                conf: dict[str, float] | None = None, mirror: bool = False) -> Keypoints:
    """A clip of `frames` identical frames built from TOP with some points overridden."""
    pts = {**TOP, **(points or {})}
    sign = -1.0 if mirror else 1.0
    xy = np.stack([np.tile([sign * pts[n][0], pts[n][1]], (frames, 1)) for n in JOINT_NAMES], axis=1)
    cf = np.stack([np.full(frames, (conf or {}).get(n, 0.9)) for n in JOINT_NAMES], axis=1)
    return Keypoints(np.arange(frames, dtype=np.int64) * 33, xy, cf, JOINT_NAMES)


def _value(joints: Keypoints, key: str) -> float:
    return float(compute_metrics(joints)[key][0][0])


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(
    ("points", "key", "expected"),
    [
        ({}, "knee_angle_deg", 90.0),
        ({"ankle": (600.0, 500.0)}, "knee_angle_deg", 135.0),  # feet far out
        ({}, "shin_from_vertical_deg", 0.0),
        ({"ankle": (600.0, 500.0)}, "shin_from_vertical_deg", 45.0),  # feet too far: positive
        ({"ankle": (200.0, 500.0)}, "shin_from_vertical_deg", -45.0),  # feet too close: negative
        ({}, "hip_extension_deg", 180.0),
        ({"hip": (200.0, 500.0)}, "hip_extension_deg", 90.0),  # hips sagging well below the line
        ({"hip": (200.0, 100.0)}, "hip_extension_deg", 270.0),  # hips above the line
    ],
)
def test_joint_angles(points, key, expected, mirror):
    # `expected` is the angle drawn by the landmarks; knee, shin and hip report it less the landmark bias
    bias = {"knee_angle_deg": KNEE_LANDMARK_BIAS_DEG, "shin_from_vertical_deg": SHIN_LANDMARK_BIAS_DEG,
            "hip_extension_deg": HIP_LANDMARK_BIAS_DEG}
    assert _value(make_joints(points, mirror=mirror), key) == pytest.approx(expected - bias.get(key, 0.0))


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(("knee_deg", "shin_deg"), [(90.0, 0.0), (65.0, -25.0), (115.0, 25.0)])
@pytest.mark.parametrize("elevation", [0.0, 20.0, -3.0])
def test_landmarks_reading_open_by_the_bias_give_the_true_angles(knee_deg, shin_deg, mirror, elevation):
    # thigh horizontal, knee at (400, 300); landmarks drawn with the knee more open and the shin tipped
    # away from the hips by the biases of a camera `elevation` above, as MediaPipe draws them, read the
    # true angles
    knee_bias = landmark_bias_deg("knee_angle_deg", elevation)
    shin_bias = landmark_bias_deg("shin_from_vertical_deg", elevation)
    tilt = np.radians(shin_deg + shin_bias)
    ankle = (400.0 + 200.0 * np.sin(tilt), 300.0 + 200.0 * np.cos(tilt))
    thigh_tilt = np.radians(knee_deg + knee_bias - 90.0 - shin_deg - shin_bias)
    hip = (400.0 - 200.0 * np.cos(thigh_tilt), 300.0 - 200.0 * np.sin(thigh_tilt))
    joints = make_joints({"hip": hip, "ankle": ankle}, mirror=mirror)
    metrics = compute_metrics(joints, elevation_deg=elevation)
    assert metrics["knee_angle_deg"][0][0] == pytest.approx(knee_deg)
    assert metrics["shin_from_vertical_deg"][0][0] == pytest.approx(shin_deg)


def test_bias_follows_the_camera_elevation_within_the_rendered_range():
    low, high = ELEVATION_RANGE_DEG
    knee = ("knee_angle_deg", KNEE_LANDMARK_BIAS_DEG, KNEE_BIAS_PER_ELEVATION_DEG)
    shin = ("shin_from_vertical_deg", SHIN_LANDMARK_BIAS_DEG, SHIN_BIAS_PER_ELEVATION_DEG)
    for key, level, slope in (knee, shin):
        assert slope <= 0  # seen from above the model tips the shin back (the knee: no trend on tune)
        assert landmark_bias_deg(key) == level
        assert landmark_bias_deg(key, 10.0) == pytest.approx(level + 10.0 * slope)
        assert landmark_bias_deg(key, 90.0) == pytest.approx(level + high * slope)  # clamped
        assert landmark_bias_deg(key, -40.0) == pytest.approx(level + low * slope)
    assert SHIN_BIAS_PER_ELEVATION_DEG < 0
    assert landmark_bias_deg("hip_extension_deg", 30.0) == HIP_LANDMARK_BIAS_DEG  # no trend fitted
    assert landmark_bias_deg("neck_flexion_deg", 30.0) == 0.0


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(
    ("turn", "expected"),
    [
        (0.0, 0.0),  # neutral
        (20.0, 20.0 * NECK_GAIN),  # head turned toward the ceiling (the front of a supine body): tucked
        (-20.0, -20.0 * NECK_GAIN),  # head turned toward the floor: thrown back, chin lifted
        (35.0, 35.0 * NECK_GAIN),
    ],
)
def test_neck_sign_chin_tucked_positive_lifted_negative(turn, expected, mirror):
    joints = make_joints(head_at(NECK_NEUTRAL_OFFSET_DEG + turn), mirror=mirror)
    assert _value(joints, "neck_flexion_deg") == pytest.approx(expected)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize("shift", [(0.0, -20.0), (15.0, 10.0), (-30.0, 0.0), (40.0, -25.0)])
@pytest.mark.parametrize("turn", [0.0, 20.0])
def test_neck_follows_the_head_not_where_it_sits(shift, turn, mirror):
    # the whole head moved off its place on the torso line but not turned: the neck reads the same
    moved = make_joints(head_at(NECK_NEUTRAL_OFFSET_DEG + turn, shift), mirror=mirror)
    assert _value(moved, "neck_flexion_deg") == pytest.approx(turn * NECK_GAIN, abs=1e-9)


@pytest.mark.parametrize(
    ("ear_spread", "mouth_spread"),
    [
        ((0.0, 0.0), (0.0, 0.0)),  # exactly side-on: both sides' points coincide
        ((20.0, -12.0), (-8.0, 3.0)),  # far ear well off the near one (head seen a little from above)
        ((6.0, -4.0), (-24.0, 16.0)),  # far mouth corner well off the near one
    ],
)
def test_neck_reads_the_midpoints_of_both_sides(ear_spread, mouth_spread):
    # the near ear -> near mouth line is turned here, the line between the midpoints is not: neutral
    head = head_at(NECK_NEUTRAL_OFFSET_DEG, ear_spread=np.array(ear_spread),
                   mouth_spread=np.array(mouth_spread))
    assert _value(make_joints(head), "neck_flexion_deg") == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("turn", [-15.0, 10.0])
def test_far_mouth_corner_alone_turns_the_head_line(turn):
    # only the far mouth corner moves, so that the midpoint of the mouth turns by `turn` about the ears
    neutral, turned = head_at(NECK_NEUTRAL_OFFSET_DEG), head_at(NECK_NEUTRAL_OFFSET_DEG + turn)
    mid_mouth = np.add(turned["mouth"], turned["far_mouth"]) / 2
    joints = make_joints({"far_mouth": tuple(2 * mid_mouth - np.array(neutral["mouth"]))})
    assert _value(joints, "neck_flexion_deg") == pytest.approx(turn * NECK_GAIN)


def test_neck_offset_is_subtracted():
    joints = make_joints()
    got = compute_metrics(joints, neck_offset_deg=NECK_NEUTRAL_OFFSET_DEG + 10.0)["neck_flexion_deg"][0][0]
    assert got == pytest.approx(-10.0 * NECK_GAIN)


@pytest.mark.parametrize("name", ["ear", "far_ear", "mouth", "far_mouth", "shoulder", "hip"])
def test_neck_confidence_is_its_weakest_point(name):
    assert name in METRIC_JOINTS["neck_flexion_deg"]
    values, conf = compute_metrics(make_joints(conf={name: 0.65}))["neck_flexion_deg"]
    assert conf[0] == pytest.approx(0.65) and values[0] == pytest.approx(0.0, abs=1e-9)
    if name != "hip":
        values, conf = compute_metrics(make_joints(conf={name: 0.35}))["neck_flexion_deg"]
        assert conf[0] == pytest.approx(0.35)


@pytest.mark.parametrize("hip_confidence", [0.5, 0.35])
def test_neck_needs_a_clear_hip_for_its_torso_line(hip_confidence):
    """A hip read behind a painted-out plate (0.5) or unsure is not enough for the neck: unmeasured."""
    joints = make_joints(conf={"hip": hip_confidence})
    values, conf = compute_metrics(joints)["neck_flexion_deg"]
    assert np.isnan(values[0]) and conf[0] == 0.0
    assert compute_metrics(joints)["knee_angle_deg"][1][0] == pytest.approx(hip_confidence)  # others read it


@pytest.mark.parametrize("key", list(METRIC_JOINTS))
def test_confidence_is_the_weakest_joint(key):
    weakest = METRIC_JOINTS[key][1]
    joints = make_joints(conf={weakest: 0.3})
    assert compute_metrics(joints)[key][1][0] == pytest.approx(0.3)


@pytest.mark.parametrize("key", list(METRIC_JOINTS))
def test_nan_joint_gives_nan_value_and_zero_confidence(key):
    joints = make_joints(frames=3)
    xy = joints.xy_of(METRIC_JOINTS[key][0]).copy()
    xy[1] = np.nan
    joints = joints.with_point(METRIC_JOINTS[key][0], xy, joints.conf_of(METRIC_JOINTS[key][0]))
    values, conf = compute_metrics(joints)[key]
    assert np.isnan(values[1]) and conf[1] == 0.0
    assert np.isfinite(values[[0, 2]]).all() and (conf[[0, 2]] > 0).all()


def test_every_metric_key_in_report_order_and_vectorised():
    out = compute_metrics(make_joints(frames=5))
    assert tuple(out) == METRIC_KEYS
    assert all(v.shape == (5,) and c.shape == (5,) for v, c in out.values())


def test_pelvic_tilt_is_never_measured():
    values, conf = compute_metrics(make_joints(frames=4))["pelvic_tilt_deg"]
    assert np.isnan(values).all() and (conf == 0).all()


def test_joint_confidence_clips_to_unit_range():
    joints = make_joints(conf={"hip": 1.7})
    assert joint_confidence(joints, ("hip",))[0] == 1.0


def test_shin_confidence_ignores_the_hip_which_only_orients_it():
    """A hip placed from the bar under a plate (confidence 0.4) still says which way is forward."""
    values, conf = compute_metrics(make_joints(conf={"hip": 0.4, "knee": 0.9, "ankle": 0.8}))[
        "shin_from_vertical_deg"]
    assert conf[0] == pytest.approx(0.8) and np.isfinite(values[0])
    hip = make_joints(frames=1).xy_of("hip").copy()
    hip[0] = np.nan  # an unknown hip leaves the direction unknown
    joints = make_joints(frames=1)
    shin = compute_metrics(joints.with_point("hip", hip, joints.conf_of("hip")))["shin_from_vertical_deg"]
    values, conf = shin
    assert np.isnan(values[0]) and conf[0] == 0.0
