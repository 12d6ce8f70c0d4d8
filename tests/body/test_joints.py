"""Which landmarks the near-side joints are, and picking them out of a pose."""

import numpy as np
import pytest

from formcheck.body.joints import JOINT_NAMES, joint_landmarks, near_side
from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, N_LANDMARKS, Landmark


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
def test_near_side_takes_each_joint_from_its_landmark(side):
    # landmark i sits at (i, 2i) px with confidence i / 100, so each joint shows where it was taken from
    xy = np.stack([np.arange(N_LANDMARKS), 2 * np.arange(N_LANDMARKS)], axis=1).astype(float)
    conf = np.arange(N_LANDMARKS) / 100.0
    pose = Keypoints(np.arange(3) * 33, np.tile(xy, (3, 1, 1)), np.tile(conf, (3, 1)), MEDIAPIPE_NAMES)
    joints = near_side(pose, side)
    assert joints.names == JOINT_NAMES
    for name, landmark in joint_landmarks(side).items():
        np.testing.assert_allclose(joints.xy_of(name), np.tile([landmark, 2 * landmark], (3, 1)))
        np.testing.assert_allclose(joints.conf_of(name), np.full(3, landmark / 100.0), atol=1e-6)


def test_near_side_needs_a_mediapipe_pose():
    joints = Keypoints(np.arange(2), np.zeros((2, 3, 2)), np.ones((2, 3)), ("a", "b", "c"))
    with pytest.raises(ValueError, match="expected a pose with MediaPipe's 33 points, got 3 points"):
        near_side(joints, "left")
