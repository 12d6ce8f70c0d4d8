"""Plate-hidden joints on hand-made tracks: placed for timing only, never passed off as measured."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES, SEEN_HIP
from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.measure.lockout import MeasureConfig
from formcheck.measure.reps import RepConfig
from formcheck.plate.placement import (
    PAINTED_HIP_CONFIDENCE,
    TIMING_ONLY_CONFIDENCE,
    Repair,
    hip_from_bar,
    repair_joints,
    visible_leg,
)
from formcheck.plate.track import PlateTrack

SHOULDER, HIP, KNEE, ANKLE = (np.array(p) for p in ([160.0, 170.0], [300.0, 168.0], [400.0, 165.0],
                                                     [402.0, 255.0]))


BAR = HIP + np.array([5.0, -30.0])


def _hip(bar: np.ndarray = BAR) -> np.ndarray:
    return hip_from_bar(bar[None], SHOULDER[None], Repair().hip_below_bar)[0]


def _joints(n: int, knee: np.ndarray | None = None, ankle: np.ndarray | None = None) -> Keypoints:
    xy = {name: np.tile([230.0, 120.0], (n, 1)) for name in JOINT_NAMES}
    xy["shoulder"], xy["hip"] = np.tile(SHOULDER, (n, 1)), np.tile(HIP + np.array([6.0, -30.0]), (n, 1))
    xy["knee"] = np.tile(KNEE, (n, 1)) if knee is None else knee
    xy["ankle"] = np.tile(ANKLE, (n, 1)) if ankle is None else ankle
    points = np.stack([xy[name] for name in JOINT_NAMES], axis=1)
    return Keypoints(np.arange(n, dtype=np.int64) * 33, points, np.full(points.shape[:2], 0.9), JOINT_NAMES)


def _plate(n: int, bar: np.ndarray, radius: float = 60.0) -> PlateTrack:
    return PlateTrack(np.tile(bar, (n, 1)), np.full(n, radius), np.full(n, 0.9))


def test_timing_only_confidence_counts_reps_but_not_lockout_metrics() -> None:
    assert RepConfig().min_confidence <= TIMING_ONLY_CONFIDENCE < MeasureConfig().min_confidence


@pytest.mark.parametrize("tilt_deg", [-20.0, 0.0, 15.0, 160.0])
@pytest.mark.parametrize("below", [0.2, 0.3])
def test_hip_from_bar_lies_square_below_the_shoulder_bar_line(tilt_deg: float, below: float) -> None:
    a = math.radians(tilt_deg)
    bar = SHOULDER + 140.0 * np.array([math.cos(a), math.sin(a)])
    hip = hip_from_bar(bar[None], SHOULDER[None], below)[0]
    assert np.dot(hip - bar, bar - SHOULDER) == pytest.approx(0.0, abs=1e-9)
    assert np.linalg.norm(hip - bar) == pytest.approx(below * 140.0)
    assert hip[1] > bar[1]  # below the bar in the image (y down)


def test_plate_hides_the_hip_for_angles_but_keeps_it_for_timing() -> None:
    n = 4
    repaired, notes = repair_joints(_joints(n), _plate(n, BAR))
    assert np.abs(repaired.xy_of("hip") - _hip()).max() < 1e-6
    assert np.allclose(repaired.conf_of("hip"), TIMING_ONLY_CONFIDENCE)
    assert np.allclose(repaired.xy_of("knee"), KNEE) and np.allclose(repaired.conf_of("knee"), 0.9)
    assert any("timing only" in note and "not measured" in note for note in notes)


def test_a_hip_read_on_painted_frames_is_measured_where_it_lies_behind_the_plate() -> None:
    n = 4
    joints = _joints(n)
    seen = np.tile(HIP, (n, 1))
    seen[3] = BAR + np.array([0.0, -150.0])  # drawn 2.5 radii off the plate: not found there
    conf = np.array([0.9, 0.9, 0.3, 0.9])  # frame 2: the model was unsure
    joints = joints.with_point(SEEN_HIP, seen, conf)
    painted = np.array([True, False, True, True])  # frame 1: the model saw the plate itself
    repaired, notes = repair_joints(joints, _plate(n, BAR), painted=painted)
    assert repaired.conf_of("hip").tolist() == [PAINTED_HIP_CONFIDENCE] + [TIMING_ONLY_CONFIDENCE] * 3
    assert np.allclose(repaired.xy_of("hip")[0], HIP)
    assert np.allclose(repaired.xy_of("hip")[1:], _hip())
    assert MeasureConfig().min_confidence <= PAINTED_HIP_CONFIDENCE
    assert any("painted out in 1 of them" in note for note in notes)
    # without the painted frames nothing is read
    unread, _ = repair_joints(joints, _plate(n, BAR))
    assert np.allclose(unread.conf_of("hip"), TIMING_ONLY_CONFIDENCE)


def test_knee_dragged_onto_the_plate_is_unknown_there() -> None:
    n = 6
    knee = np.tile(KNEE, (n, 1))
    knee[4:] = HIP + np.array([20.0, 5.0])  # the pose model pulled the knee onto the plate
    repaired, notes = repair_joints(_joints(n, knee=knee), _plate(n, BAR))
    assert repaired.conf_of("knee").tolist() == [0.9] * 4 + [0.0] * 2
    assert np.allclose(repaired.xy_of("knee"), KNEE)  # held where it was clear, for timing only
    assert any("knee landmark on the plate in 2 frame(s)" in note for note in notes)


def test_frames_without_the_plate_have_no_hip() -> None:
    n = 3
    plate = PlateTrack(np.array([BAR, [np.nan, np.nan], BAR]), np.array([60.0, np.nan, 60.0]),
                       np.array([0.9, 0.0, 0.9]))
    repaired, _ = repair_joints(_joints(n), plate)
    assert repaired.conf_of("hip").tolist() == [TIMING_ONLY_CONFIDENCE, 0.0, TIMING_ONLY_CONFIDENCE]
    assert np.isnan(repaired.xy_of("hip")[1]).all()


def test_without_a_plate_joints_are_unchanged() -> None:
    joints = _joints(3)
    for plate in (None, PlateTrack.none(3)):
        repaired, notes = repair_joints(joints, plate)
        assert repaired is joints
        assert notes == []


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"hip_below_bar": -0.1}, "hip_below_bar"),
    ({"knee_margin": 2.0}, "knee_margin"),
])
def test_repair_rejects_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Repair(**kwargs)


def test_plate_track_of_the_wrong_length_is_rejected() -> None:
    plate = PlateTrack(np.zeros((2, 2)), np.full(2, 50.0), np.full(2, 0.9))
    with pytest.raises(ValueError, match="expected a plate track of 3 frames"):
        repair_joints(_joints(3), plate)


def test_knee_never_clear_of_the_plate_is_held_a_shin_above_the_feet() -> None:
    n = 3
    knee = np.tile(HIP + np.array([20.0, 5.0]), (n, 1))  # on the plate in every frame
    repaired, _ = repair_joints(_joints(n, knee=knee), _plate(n, BAR))
    torso = np.linalg.norm(SHOULDER - _hip())
    assert np.allclose(repaired.xy_of("knee"), ANKLE - np.array([0.0, 0.85 * torso]))
    assert repaired.conf_of("knee").tolist() == [0.0] * n


def test_visible_leg_swaps_the_labels_where_the_near_knee_was_drawn_on_the_plate():
    n = 3
    xy = np.zeros((n, len(MEDIAPIPE_NAMES), 2))
    left, right = MEDIAPIPE_NAMES.index("left_knee"), MEDIAPIPE_NAMES.index("right_knee")
    xy[:, left] = BAR + np.array([10.0, 5.0])  # the near (left) knee folded onto the plate ...
    xy[:, right] = KNEE  # ... while the leg drawn clear of it is labelled the far one
    xy[1, left], xy[1, right] = KNEE, BAR  # in frame 1 the labels are right
    pose = Keypoints(np.arange(n) * 33, xy, np.ones((n, len(MEDIAPIPE_NAMES))), MEDIAPIPE_NAMES)
    fixed = visible_leg(pose, _plate(n, BAR), "left")
    assert np.allclose(fixed.xy_of("left_knee"), KNEE)
    assert np.allclose(fixed.xy_of("right_knee")[[0, 2]], BAR + np.array([10.0, 5.0]))
    assert visible_leg(pose, PlateTrack.none(n), "left") is pose  # no plate: nothing to swap
