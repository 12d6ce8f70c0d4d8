"""Key frames: picked by index from a video, drawn and encoded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.report.keyframes import KeyFrame, body_box, lockout_keyframes, pick_frames, render_keyframe


def _frame_number(image: np.ndarray) -> int:
    """Read back the index the test clip wrote in binary cells along the bottom."""
    return sum(1 << bit for bit in range(8) if image[-20, bit * 40 + 20].mean() > 160)


@pytest.mark.parametrize("indices", [[30, 90, 150], [0], [90, 30, 30], [5, 500]])
def test_pick_frames_returns_exact_frames(tmp_path, clip_factory, indices):
    clip = clip_factory(tmp_path / "in.mp4", 200)
    picked = pick_frames(clip, indices)
    assert sorted(picked) == sorted({i for i in indices if i < 200})
    for i, image in picked.items():
        assert image.shape == (240, 320, 3)
        assert _frame_number(image) == i


def test_pick_frames_bad_path(tmp_path):
    with pytest.raises(InputError, match="cannot open"):
        pick_frames(tmp_path / "missing.mp4", [1])


def test_lockout_keyframes_render_as_jpeg(tmp_path, analysis_factory, track_factory, clip_factory):
    analysis = analysis_factory()
    track = track_factory(analysis)
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    frames = lockout_keyframes(analysis, track, pick_frames(clip, [30, 90, 150]))
    assert [(k.rep, k.pose.index) for k in frames] == [(1, 30), (2, 90), (3, 150)]
    jpeg = render_keyframe(frames[0], "left", max_width=400)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[1] == 400 and image.shape[0] == pytest.approx(300, abs=2)  # 4:3 crop of the body


@pytest.mark.parametrize(
    ("points", "expected"),
    [([(100, 100), (140, 130)], (89, 92, 151, 138)),  # 40x30 box + 25 % a side = 61x46, 4:3, centred
     ([(0, 0), (319, 10)], (0, 0, 320, 240)),  # wider than the image: clamped to it
     ([], (0, 0, 320, 240))],  # nobody visible: the whole frame
)
def test_body_box(points, expected):
    xy = np.full((33, 2), np.nan)
    vis = np.zeros(33)
    for i, p in enumerate(points):
        xy[i], vis[i] = p, 1.0
    box = body_box(xy, vis, (240, 320, 3))
    assert box == pytest.approx(expected, abs=1)


def test_keyframe_rejects_grey_image(analysis_factory, track_factory):
    track = track_factory(analysis_factory())
    with pytest.raises(ValueError, match="expected a \\(h, w, 3\\) uint8 BGR image"):
        KeyFrame(1, np.zeros((10, 10), np.uint8), track.frame(0))


@pytest.mark.parametrize(("conf", "moved"), [(0.9, True), (0.0, False)])
def test_keyframe_draws_the_leg_the_metrics_read(analysis_factory, track_factory, conf, moved):
    """Under a plate the knee and ankle measured come from the second look, not the model's first reading."""
    from formcheck.body.joints import Joints, joint_landmarks
    from formcheck.report.keyframes import _with_measured_leg

    analysis = analysis_factory()
    track = track_factory(analysis)
    frame = analysis.reps[0].rep.lockout_frame
    joints = Joints.from_track(track, "left")
    knee = joints.xy["knee"].copy()
    knee[frame] += (40.0, -25.0)
    joints = joints.with_joint("knee", knee, np.full(len(joints), conf))
    pose = _with_measured_leg(track.frame(frame), joints, frame)
    index = joint_landmarks("left")["knee"]
    assert np.allclose(pose.xy[index], knee[frame]) is moved
    assert np.allclose(pose.xy[index], track.frame(frame).xy[index]) is not moved
