"""Key frames: picked by index from a video, drawn and encoded."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.report.annotators import FrameView
from formcheck.report.keyframes import (
    KeyFrame,
    KeyFrameEncoder,
    body_box,
    iter_frames,
    lockout_keyframes,
    pick_frames,
    render_keyframe,
)


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
    drawn = track_factory(analysis)
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    frames = lockout_keyframes(analysis, drawn.joints, drawn.pose, drawn.plate_radius,
                               pick_frames(clip, [30, 90, 150]))
    assert [(k.rep, k.frame) for k in frames] == [(1, 30), (2, 90), (3, 150)]
    assert frames[0].view.metrics["knee_angle_deg"] == analysis.reps[0].rep.metrics["knee_angle_deg"].value
    jpeg = render_keyframe(frames[0], max_width=400)
    image = cv2.imdecode(np.frombuffer(jpeg, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[1] == 400 and image.shape[0] == pytest.approx(300, abs=2)  # 4:3 crop of the body


@pytest.mark.parametrize(
    ("points", "expected"),
    [([(100, 100), (140, 130)], (89, 92, 151, 138)),  # 40x30 box + 25 % a side = 61x46, 4:3, centred
     ([(0, 0), (319, 10)], (0, 0, 320, 240)),  # wider than the image: clamped to it
     ([], (0, 0, 320, 240))],  # nobody visible: the whole frame
)
def test_body_box(points, expected):
    box = body_box(np.array(points, float).reshape(-1, 2), (240, 320, 3))
    assert box == pytest.approx(expected, abs=1)


def test_keyframe_rejects_grey_image():
    with pytest.raises(ValueError, match="expected a \\(h, w, 3\\) uint8 BGR image"):
        KeyFrame(1, 0, np.zeros((10, 10), np.uint8), FrameView(None))


def test_encoder_keeps_only_each_reps_jpeg_whatever_order_the_frames_come_in(tmp_path, analysis_factory,
                                                                             track_factory, clip_factory):
    analysis = analysis_factory()
    drawn = track_factory(analysis)
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    encoder = KeyFrameEncoder(analysis, drawn.joints, drawn.pose, drawn.plate_radius)
    assert encoder.wanted == [30, 90, 150]
    streamed = list(iter_frames(clip, [150, 10, 30, 90]))
    assert [i for i, _ in streamed] == [10, 30, 90, 150]  # in decode order, one at a time
    for index, image in reversed(streamed):
        encoder.take(index, image)  # frame 10 is no rep's lockout: ignored
    whole = lockout_keyframes(analysis, drawn.joints, drawn.pose, drawn.plate_radius, dict(streamed))
    assert [(k.rep, k.frame) for k in encoder.frames] == [(1, 30), (2, 90), (3, 150)]
    assert [k.jpeg for k in encoder.frames] == [render_keyframe(k) for k in whole]


def test_keyframe_draws_the_plate_and_the_hip_placed_from_it(tmp_path, analysis_factory, track_factory,
                                                            clip_factory):
    """Under a plate the key frame shows how the hidden hip was placed: the plate's rim, the bar at its
    centre and the placed hip."""
    analysis = analysis_factory()
    drawn = track_factory(analysis)
    clip = clip_factory(tmp_path / "in.mp4", analysis.source.frames)
    images = pick_frames(clip, [30])
    bare = lockout_keyframes(analysis, drawn.joints, drawn.pose, drawn.plate_radius, images)[0]
    bar = drawn.joints.xy_of("hip") + np.array([0.0, -12.0])
    plated = drawn.joints.with_point("bar", bar, np.full(len(bar), 0.9))
    with_plate = lockout_keyframes(analysis, plated, drawn.pose, np.full(len(bar), 30.0), images)[0]
    a = cv2.imdecode(np.frombuffer(render_keyframe(bare), np.uint8), cv2.IMREAD_COLOR).astype(int)
    b = cv2.imdecode(np.frombuffer(render_keyframe(with_plate), np.uint8), cv2.IMREAD_COLOR).astype(int)
    changed = np.abs(a - b).max(axis=2) > 60
    assert changed.sum() > 200  # a 30 px rim scaled up to the key frame's size
