"""Pose adapter: person choice (pure) and real MediaPipe on real clips (slow)."""

from __future__ import annotations

import itertools

import cv2
import numpy as np
import pytest

from formcheck.body.keypoints import load_keypoints, save_keypoints
from formcheck.body.landmarks import Landmark
from formcheck.capture.video import open_video
from formcheck.errors import ModelError
from formcheck.pose.estimator import PoseEstimator, choose_person, track_video


def _body(centre: tuple[float, float], size: float) -> np.ndarray:
    """(33, 2) landmarks spread over a square of `size` px around `centre`, hips at the centre."""
    rng = np.random.default_rng(int(size))
    xy = np.asarray(centre) + rng.uniform(-size / 2, size / 2, (33, 2))
    xy[[0, 1]] = (centre[0] - size / 2, centre[1] - size / 2)
    xy[[2, 3]] = (centre[0] + size / 2, centre[1] + size / 2)
    xy[[Landmark.LEFT_HIP, Landmark.RIGHT_HIP]] = centre
    return xy


@pytest.mark.parametrize(
    ("candidates", "previous", "expected"),
    [
        ([_body((100, 100), 50), _body((400, 300), 200)], None, 1),  # the larger body
        ([_body((100, 100), 180), _body((400, 300), 200)], (110, 95), 0),  # similar size: stay with it
        ([_body((100, 100), 60), _body((400, 300), 200)], (110, 95), 1),  # too small to be the lifter
        ([_body((250, 250), 120)], (0, 0), 0),
    ],
)
def test_choose_person_prefers_large_then_consistent(candidates, previous, expected):
    prev = None if previous is None else np.asarray(previous, float)
    assert choose_person(candidates, prev) == expected


def test_choose_person_needs_a_candidate():
    with pytest.raises(ValueError, match="at least one candidate"):
        choose_person([])


def test_missing_model_is_model_error(tmp_path):
    with pytest.raises(ModelError, match="pose model not found"):
        PoseEstimator(tmp_path / "absent.task")


def test_unloadable_model_is_model_error(tmp_path):
    bogus = tmp_path / "bogus.task"
    bogus.write_bytes(b"not a model bundle")
    with pytest.raises(ModelError, match="cannot load this pose model"):
        PoseEstimator(bogus)


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["bridge_physioplus", "bridge_studio"])
def test_real_clip_person_found_in_almost_every_frame(real_track, real_videos, stem):
    track = real_track(stem)
    info = open_video(real_videos / f"{stem}.mp4").info
    assert len(track) == info.frame_count
    assert track.detection_rate >= 0.95
    assert np.all(np.diff(track.t_ms) > 0)
    found = track.xy[track.found]
    # Landmarks are in original pixels: the body lies within the frame (a little slack for limbs).
    assert np.nanpercentile(found[..., 0], 50) == pytest.approx(info.width / 2, abs=info.width / 3)
    assert np.nanmin(found[..., 1]) > -0.1 * info.height and np.nanmax(found[..., 1]) < 1.1 * info.height
    world = track.world[track.found]
    assert np.nanmax(np.abs(world)) < 2.0  # metres around the hips: a body, not pixels


@pytest.mark.slow
def test_real_track_round_trips_through_npz(real_track, tmp_path):
    track = real_track("bridge_physioplus")
    save_keypoints(tmp_path / "track.npz", track, fps=30.0, width=640, height=480)
    back = load_keypoints(tmp_path / "track.npz")
    np.testing.assert_array_equal(back.keypoints.t_ms, track.t_ms)
    np.testing.assert_allclose(back.keypoints.xy, track.xy, rtol=1e-6)
    np.testing.assert_allclose(back.keypoints.world, track.world, rtol=1e-6)
    assert back.fps == pytest.approx(30.0)


@pytest.mark.slow
def test_downscaled_inference_keeps_original_pixel_coordinates(real_track, real_videos, pose_model):
    full = real_track("bridge_physioplus")  # 640x480, inferred at full size
    small = track_video(real_videos / "bridge_physioplus.mp4", model=pose_model, max_side=320)
    both = full.found & small.found
    torso = [Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER, Landmark.LEFT_HIP, Landmark.RIGHT_HIP]
    gap = np.linalg.norm(full.xy[both][:, torso] - small.xy[both][:, torso], axis=-1)
    assert both.mean() >= 0.95
    assert np.median(gap) < 0.02 * 640  # same place in the 640-px frame, not in a 320-px one


@pytest.mark.slow
def test_with_two_people_the_track_stays_on_the_larger_one(sports2d_segment):
    track = sports2d_segment(120, 160, 2)  # a woman walks past a man standing on a box behind her
    assert track.detection_rate >= 0.95
    hips = track.xy[track.found][:, Landmark.LEFT_HIP]
    steps = np.diff(hips[:, 0])
    assert np.mean(steps < 0) >= 0.9 and hips[0, 0] - hips[-1, 0] > 200  # walking steadily leftwards
    assert np.all(hips[:, 1] > 0.5 * 994)  # never jumps up to the man on the box (the demo is 994 px high)


@pytest.mark.slow
def test_nobody_in_a_colour_card(pose_model, make_video):
    source = open_video(make_video(frames=2))
    with PoseEstimator(pose_model) as estimator:
        poses = [estimator.process(frame) for frame in source]
    assert [bool(p.found[0]) for p in poses] == [False, False]  # nobody in a synthetic colour card
    assert [int(p.t_ms[0]) for p in poses] == [0, 40]


@pytest.mark.slow
def test_phone_rotation_gives_the_same_landmarks_as_upright(real_track, real_videos, pose_model, make_video):
    upright = list(itertools.islice(open_video(real_videos / "bridge_physioplus.mp4"), 20))
    stored_sideways = [cv2.rotate(f.image, cv2.ROTATE_90_CLOCKWISE) for f in upright]
    phone = make_video("phone.mp4", fps=30.0, rotate90=True, images=stored_sideways)
    assert (open_video(phone).info.width, open_video(phone).info.height) == (640, 480)
    track = track_video(phone, model=pose_model)
    reference = real_track("bridge_physioplus")
    gap = np.linalg.norm(track.xy - reference.xy[:20], axis=-1)
    assert track.detection_rate == 1.0
    assert np.median(gap) < 4.0  # px in the 640x480 upright frame (re-encoding blurs a little)
