"""Which landmarks the near-side joints are, and picking them out of a track."""

import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES, Joints, joint_landmarks
from formcheck.pose.landmarks import N_LANDMARKS, Landmark, PoseFrame, PoseTrack


@pytest.mark.parametrize(
    ("side", "name", "landmark"),
    [
        ("left", "ear", Landmark.LEFT_EAR),
        ("left", "far_ear", Landmark.RIGHT_EAR),
        ("left", "mouth", Landmark.MOUTH_LEFT),
        ("left", "far_mouth", Landmark.MOUTH_RIGHT),
        ("left", "hip", Landmark.LEFT_HIP),
        ("right", "ear", Landmark.RIGHT_EAR),
        ("right", "far_ear", Landmark.LEFT_EAR),
        ("right", "mouth", Landmark.MOUTH_RIGHT),
        ("right", "far_mouth", Landmark.MOUTH_LEFT),
        ("right", "knee", Landmark.RIGHT_KNEE),
    ],
)
def test_joint_landmarks_near_and_far(side, name, landmark):
    assert joint_landmarks(side)[name] == landmark


@pytest.mark.parametrize("side", ["left", "right"])
def test_every_joint_has_its_own_landmark(side):
    idx = joint_landmarks(side)
    assert set(idx) == set(JOINT_NAMES)
    assert len(set(idx.values())) == len(JOINT_NAMES)


def test_unknown_side_lists_the_valid_ones():
    with pytest.raises(ValueError, match=r"expected one of \('left', 'right'\), got 'front'"):
        joint_landmarks("front")


@pytest.mark.parametrize("side", ["left", "right"])
def test_from_track_takes_each_joint_from_its_landmark(side):
    # landmark i sits at (i, 2i) px with visibility i / 100, so each joint shows where it was taken from
    xy = np.stack([np.arange(N_LANDMARKS), 2 * np.arange(N_LANDMARKS)], axis=1).astype(float)
    vis = np.arange(N_LANDMARKS) / 100.0
    frames = [PoseFrame(i, 33 * i, xy, vis, vis.copy(), np.zeros((N_LANDMARKS, 3))) for i in range(3)]
    joints = Joints.from_track(PoseTrack.from_frames(frames, 30.0, 640, 360), side)
    for name, landmark in joint_landmarks(side).items():
        np.testing.assert_allclose(joints.xy[name], np.tile([landmark, 2 * landmark], (3, 1)))
        np.testing.assert_allclose(joints.conf[name], np.full(3, landmark / 100.0), atol=1e-6)


def test_missing_joint_is_named():
    n = 2
    xy = {name: np.zeros((n, 2)) for name in JOINT_NAMES if name != "far_mouth"}
    conf = {name: np.ones(n) for name in JOINT_NAMES if name != "far_mouth"}
    with pytest.raises(ValueError, match="missing joint 'far_mouth'"):
        Joints(np.arange(n, dtype=np.int64), "left", xy, conf)
