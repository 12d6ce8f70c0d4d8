"""Occlusion repair on hand-made joints: a hidden hip is put back from the bar and the knee, or zeroed."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck import geometry
from formcheck.joints import JOINT_NAMES, Joints
from formcheck.occlusion import BarOffset, Repair, hip_from_bar, repair_joints
from formcheck.plates import PlateTrack


def _bar_for(hip: np.ndarray, knee: np.ndarray, offset: BarOffset) -> np.ndarray:
    """Where the bar sits for a known hip and knee (image coordinates, y down): the forward model."""
    t = (hip - knee) / np.linalg.norm(hip - knee, axis=1, keepdims=True)
    n = np.stack([t[:, 1], -t[:, 0]], axis=1)
    n = np.where((n[:, 1] > 0)[:, None], -n, n)  # the front (ceiling) side is up in the image
    length = np.linalg.norm(hip - knee, axis=1, keepdims=True)
    return hip - offset.toward_knee * length * t + offset.above * length * n


def _joints(hip: np.ndarray, knee: np.ndarray, hip_conf: float = 0.9) -> Joints:
    n = len(hip)
    xy = {name: np.tile([300.0, 200.0], (n, 1)) for name in JOINT_NAMES}
    conf = {name: np.full(n, 0.9) for name in JOINT_NAMES}
    xy["hip"], xy["knee"] = hip, knee
    xy["shoulder"] = hip + np.array([-160.0, 10.0])
    xy["ankle"] = knee + np.array([0.0, 130.0])
    conf["hip"] = np.full(n, hip_conf)
    return Joints(np.arange(n, dtype=np.int64) * 33, "left", xy, conf)


@pytest.mark.parametrize("thigh_deg", [-30.0, -10.0, 0.0, 5.0])  # thigh slope, knee relative to hip
@pytest.mark.parametrize("facing", [1.0, -1.0])  # knee to the right or to the left of the hip
@pytest.mark.parametrize("offset", [BarOffset(), BarOffset(0.0, 0.3), BarOffset(0.2, 0.15)])
def test_hip_from_bar_inverts_the_bar_placement(thigh_deg: float, facing: float, offset: BarOffset) -> None:
    hip = np.array([[320.0, 180.0]])
    a = math.radians(thigh_deg)
    knee = hip + 140.0 * np.array([[facing * math.cos(a), math.sin(a)]])
    bar = _bar_for(hip, knee, offset)
    assert np.linalg.norm(hip_from_bar(bar, knee, offset) - hip) < 1e-6


def test_repair_restores_hidden_hip_and_hip_extension() -> None:
    n = 5
    true_hip = np.tile([320.0, 180.0], (n, 1))
    knee = np.tile([460.0, 170.0], (n, 1))
    bar = _bar_for(true_hip, knee, BarOffset())
    wrong_hip = true_hip + np.array([25.0, -40.0])  # the pose model's guess behind the plate
    joints = _joints(wrong_hip, knee)
    plate = PlateTrack(bar, np.full(n, 70.0), np.full(n, 0.8))
    repaired, notes = repair_joints(joints, plate)
    assert np.abs(repaired.xy["hip"] - true_hip).max() < 1e-6
    assert np.allclose(repaired.conf["hip"], 0.8)
    want = geometry.hip_extension(joints.xy["shoulder"] - wrong_hip + true_hip, true_hip, knee)
    got = geometry.hip_extension(joints.xy["shoulder"] - wrong_hip + true_hip, repaired.xy["hip"], knee)
    assert np.allclose(got, want)
    assert any("placed from the bar" in note for note in notes)


def test_without_a_plate_joints_are_unchanged() -> None:
    joints = _joints(np.tile([320.0, 180.0], (3, 1)), np.tile([460.0, 170.0], (3, 1)))
    for plate in (None, PlateTrack.none(3)):
        repaired, notes = repair_joints(joints, plate)
        assert repaired is joints
        assert notes == []


def test_lost_plate_or_hidden_knee_gives_confidence_zero_and_a_reason() -> None:
    n = 4
    hip = np.tile([320.0, 180.0], (n, 1))
    knee = np.tile([460.0, 170.0], (n, 1))
    knee[3] = [330.0, 175.0]  # frame 3: the knee is inside the plate's disc
    bar = _bar_for(hip, np.tile([460.0, 170.0], (n, 1)), BarOffset())
    center = bar.copy()
    center[1] = np.nan  # frame 1: plate lost
    conf = np.array([0.9, 0.0, 0.9, 0.9])
    plate = PlateTrack(center, np.where(conf > 0, 60.0, np.nan), conf)
    repaired, notes = repair_joints(_joints(hip, knee), plate, Repair())
    assert repaired.conf["hip"].tolist() == [0.9, 0.0, 0.9, 0.0]
    assert np.isnan(repaired.xy["hip"][[1, 3]]).all()
    assert repaired.conf["knee"][3] == 0.0
    assert any("not recoverable" in note for note in notes)
    assert any("knee behind the plate" in note for note in notes)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"toward_knee": -0.1}, "toward_knee"),
    ({"above": 0.9}, "above"),
])
def test_bar_offset_rejects_unanatomical_values(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        BarOffset(**kwargs)


def test_plate_track_of_the_wrong_length_is_rejected() -> None:
    joints = _joints(np.tile([320.0, 180.0], (3, 1)), np.tile([460.0, 170.0], (3, 1)))
    plate = PlateTrack(np.zeros((2, 2)), np.full(2, 50.0), np.full(2, 0.9))
    with pytest.raises(ValueError, match="expected a plate track of 3 frames"):
        repair_joints(joints, plate)
