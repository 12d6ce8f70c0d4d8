"""View estimate: near side and side-on-ness from synthetic 3D bodies seen at known yaws, and real clips."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, N_LANDMARKS, Landmark
from formcheck.body.view import (
    PLATE_SIDE_VIEW_MIN_PRESENCE,
    SIDE_VIEW_MAX_YAW_DEG,
    STEEP_ELEVATION_DEG,
    YAW_ESTIMATE_BIAS_DEG,
    camera_elevation_deg,
    confirm_by_plate,
    elevation_note,
    estimate_view,
    frame_elevation_deg,
    frame_near_side,
    frame_yaw_deg,
)
from formcheck.records import ViewEstimate

# Camera-aligned world axes as MediaPipe uses them: x right, y down, z away from the camera (metres).
# Side-on with the left side nearer: the body's left-right axis points along z, left at -z.
_SEGMENTS_RECLINED = {  # hip thrust at the top: torso and thighs near horizontal, shins vertical
    "SHOULDER": (-0.50, -0.05, 0.18), "ELBOW": (-0.45, 0.20, 0.22), "WRIST": (-0.25, 0.05, 0.24),
    "HIP": (0.0, -0.10, 0.10), "KNEE": (0.42, -0.12, 0.11), "ANKLE": (0.42, 0.30, 0.11),
    "HEEL": (0.38, 0.33, 0.11), "FOOT_INDEX": (0.55, 0.33, 0.11), "EAR": (-0.70, -0.10, 0.07),
}
_SEGMENTS_STANDING = {
    "SHOULDER": (0.0, -0.50, 0.18), "ELBOW": (0.02, -0.22, 0.20), "WRIST": (0.04, 0.02, 0.20),
    "HIP": (0.0, 0.0, 0.10), "KNEE": (0.02, 0.45, 0.10), "ANKLE": (0.0, 0.85, 0.10),
    "HEEL": (-0.05, 0.88, 0.10), "FOOT_INDEX": (0.12, 0.88, 0.10), "EAR": (0.0, -0.70, 0.07),
}


def _body(segments: dict[str, tuple[float, float, float]]) -> np.ndarray:
    """(33, 3) world landmarks: each side's joint at (x, y, -+half_width); face points on the midline."""
    world = np.zeros((N_LANDMARKS, 3))
    world[:] = (segments["EAR"][0], segments["EAR"][1], 0.0)
    for name, (x, y, half_width) in segments.items():
        world[Landmark[f"LEFT_{name}"]] = (x, y, -half_width)
        world[Landmark[f"RIGHT_{name}"]] = (x, y, half_width)
    return world


def _seen_from(world: np.ndarray, yaw_deg: float, frames: int = 30, noise_m: float = 0.01) -> Keypoints:
    """Poses of `world` with the camera swung `yaw_deg` about the vertical axis, pixels by projection."""
    rng = np.random.default_rng([abs(round(yaw_deg * 10)), frames])
    a = np.radians(yaw_deg)
    rotation = np.array([[np.cos(a), 0, np.sin(a)], [0, 1, 0], [-np.sin(a), 0, np.cos(a)]])
    xy, conf = np.zeros((frames, N_LANDMARKS, 2)), np.zeros((frames, N_LANDMARKS))
    metres = np.zeros((frames, N_LANDMARKS, 3))
    for i in range(frames):
        w = (world + rng.normal(0, noise_m, world.shape)) @ rotation.T
        xy[i] = np.stack([640 + 400 * w[:, 0], 360 + 400 * w[:, 1]], axis=1)
        conf[i] = np.where(w[:, 2] <= np.median(w[:, 2]), 0.99, 0.55)  # far limbs half-hidden
        metres[i] = w
    return Keypoints(np.arange(frames, dtype=np.int64) * 33, xy, conf, MEDIAPIPE_NAMES, metres)


def _nobody_in(pose: Keypoints, frames: slice) -> Keypoints:
    """`pose` with nobody found in `frames`."""
    xy, conf, world = pose.xy.copy(), pose.confidence.copy(), pose.world.copy()
    xy[frames], conf[frames], world[frames] = np.nan, 0.0, np.nan
    return Keypoints(pose.t_ms, xy, conf, pose.names, world)


@pytest.mark.parametrize("segments", [_SEGMENTS_RECLINED, _SEGMENTS_STANDING], ids=["reclined", "standing"])
@pytest.mark.parametrize(
    ("yaw", "side", "side_on"),
    [(0, "left", True), (15, "left", True), (-20, "left", True), (180, "right", True), (165, "right", True),
     (50, None, False), (90, None, False), (-70, None, False)],
)
def test_view_from_known_camera_angles(segments, yaw, side, side_on):
    view = estimate_view(_seen_from(_body(segments), yaw))
    assert view.is_side_view is side_on
    if side is not None:
        assert view.side == side
    assert view.confidence >= 0.6
    assert (view.reason is None) is side_on


@pytest.mark.parametrize("yaw", [0, 25, 45, 80])
def test_frame_yaw_tracks_the_camera_angle(yaw):
    measured = np.median(frame_yaw_deg(_seen_from(_body(_SEGMENTS_RECLINED), yaw, noise_m=0.0)))
    assert measured == pytest.approx(yaw, abs=5)


def _looked_down_on(world: np.ndarray, elevation_deg: float, side: str, frames: int = 10) -> Keypoints:
    """Poses of `world` (left side nearer) from a camera raised to look down `elevation_deg`, side `side`
    nearer (the right side nearer: the body turned round, its depth axis flipped)."""
    w = world * np.array([1.0, 1.0, 1.0 if side == "left" else -1.0])
    a = np.radians(elevation_deg)  # the camera pitched down: world points rotate up about the x axis
    rotation = np.array([[1, 0, 0], [0, np.cos(a), -np.sin(a)], [0, np.sin(a), np.cos(a)]])
    w = w @ rotation.T
    xy = np.repeat(np.stack([640 + 400 * w[:, 0], 360 + 400 * w[:, 1]], axis=1)[None], frames, axis=0)
    return Keypoints(np.arange(frames, dtype=np.int64) * 33, xy, np.full((frames, N_LANDMARKS), 0.9),
                     MEDIAPIPE_NAMES, np.repeat(w[None], frames, axis=0))


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("elevation", [-5.0, 0.0, 15.0, 30.0])
def test_elevation_is_read_from_the_far_side_drawn_higher(elevation, side):
    pose = _looked_down_on(_body(_SEGMENTS_RECLINED), elevation, side)
    assert np.allclose(frame_elevation_deg(pose, side), elevation, atol=0.5)
    assert camera_elevation_deg(pose, side) == pytest.approx(elevation, abs=0.5)
    wrong = "right" if side == "left" else "left"  # the wrong near side reads the camera below
    assert camera_elevation_deg(pose, wrong) == pytest.approx(-elevation, abs=0.5)


def test_a_steep_camera_gets_a_note_a_level_one_none():
    assert elevation_note(None) is None  # reps counted on a plate: no estimate
    assert elevation_note(STEEP_ELEVATION_DEG - 0.5) is None
    note = elevation_note(27.4)
    assert note is not None and "about 27°" in note and "level with the hips" in note


def test_elevation_without_world_landmarks_is_level():
    pose = _looked_down_on(_body(_SEGMENTS_RECLINED), 20.0, "left")
    bare = Keypoints(pose.t_ms, pose.xy, pose.confidence, pose.names)
    assert np.isnan(frame_elevation_deg(bare, "left")).all()
    assert camera_elevation_deg(bare, "left") == 0.0
    with pytest.raises(ValueError, match="side"):
        frame_elevation_deg(pose, "front")


def test_borderline_angle_is_not_confident():
    border = SIDE_VIEW_MAX_YAW_DEG + YAW_ESTIMATE_BIAS_DEG  # the estimate, less its bias, at the limit
    view = estimate_view(_seen_from(_body(_SEGMENTS_RECLINED), border, noise_m=0.03))
    assert view.confidence < 0.7


def test_frames_without_a_person_are_ignored():
    track = _nobody_in(_seen_from(_body(_SEGMENTS_RECLINED), 180, frames=20), slice(None, None, 2))
    assert frame_near_side(track)[::2].tolist() == [0] * 10
    assert np.isnan(frame_yaw_deg(track)[::2]).all()
    view = estimate_view(track)
    assert (view.side, view.is_side_view) == ("right", True)


def test_no_person_at_all_is_not_a_side_view():
    track = _nobody_in(_seen_from(_body(_SEGMENTS_RECLINED), 0, frames=5), slice(None))
    view = estimate_view(track)
    assert (view.is_side_view, view.confidence) == (False, 0.0)
    assert "no person" in view.reason


def test_few_frames_lower_the_confidence():
    assert estimate_view(_seen_from(_body(_SEGMENTS_RECLINED), 0, frames=3)).confidence <= 0.3


@pytest.mark.slow
@pytest.mark.parametrize(("stem", "side"), [("bridge_physioplus", "right"), ("bridge_studio", "left")])
def test_real_clips_side_as_documented(real_track, stem, side):
    view = estimate_view(real_track(stem))
    assert (view.side, view.is_side_view) == (side, True)
    assert view.confidence >= 0.8


@pytest.mark.slow
def test_real_footage_facing_the_camera_is_not_side_on(sports2d_segment):
    view = estimate_view(sports2d_segment(15, 50, 1))  # a man on a box, facing the camera
    assert view.is_side_view is False
    assert view.confidence >= 0.8
    assert "off side-on" in view.reason


@pytest.mark.slow
def test_real_footage_walking_past_is_side_on(sports2d_segment):
    view = estimate_view(sports2d_segment(120, 160, 2))  # a woman walking right to left
    assert (view.side, view.is_side_view) == ("left", True)
    assert view.confidence >= 0.8


_REFUSED = ViewEstimate("right", False, 0.8, "the camera looks about 50° off side-on")
_ACCEPTED = ViewEstimate("left", True, 0.9)


@pytest.mark.parametrize(("view", "presence", "side_on", "confidence"), [
    (_REFUSED, 1.0, True, 0.6),  # a plate round on the hips all set long outvotes disturbed landmarks
    (_REFUSED, PLATE_SIDE_VIEW_MIN_PRESENCE, True, 0.6),
    (_REFUSED, PLATE_SIDE_VIEW_MIN_PRESENCE - 0.01, False, 0.8),  # a far plate glimpsed now and then
    (_REFUSED, 0.0, False, 0.8),  # no plate: the landmarks decide
    (_ACCEPTED, 0.0, True, 0.9),  # never turns an accepted view down
    (_ACCEPTED, 1.0, True, 0.9),
])
def test_a_plate_on_the_hips_vouches_for_a_side_view(view, presence, side_on, confidence):
    confirmed = confirm_by_plate(view, presence)
    assert (confirmed.is_side_view, confirmed.confidence, confirmed.side) == (side_on, confidence, view.side)
    if side_on and not view.is_side_view:
        assert "plate" in confirmed.reason


@pytest.mark.parametrize("presence", [-0.1, 1.5])
def test_plate_presence_outside_0_1_is_refused(presence):
    with pytest.raises(ValueError, match="plate_presence"):
        confirm_by_plate(_ACCEPTED, presence)
