"""Annotators: drawing changes the right pixels, unsure metrics show '?', and it stays fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.records import Severity
from formcheck.report.annotators import FrameView, cue_banner, draw_frame, format_metric, plate, skeleton

_AT = {"ear": (0.15, 0.5), "shoulder": (0.23, 0.53), "elbow": (0.36, 0.43), "wrist": (0.5, 0.4),
       "hip": (0.5, 0.45), "knee": (0.7, 0.47), "ankle": (0.71, 0.75), "heel": (0.69, 0.77),
       "foot_index": (0.77, 0.77)}


def _joints(w: int, h: int, conf: float = 0.9) -> Keypoints:
    """One frame of near-side joints of a lifter at the top, in a w x h image."""
    xy = np.array([[(x * w, y * h) for x, y in _AT.values()]])
    return Keypoints([0], xy, np.full((1, len(_AT)), conf), tuple(_AT))


@pytest.mark.parametrize(
    ("value", "confidence", "expected"),
    [(91.6, 0.9, ("92", True)), (91.6, 0.2, ("92?", False)), (None, 0.9, ("?", False)),
     (float("nan"), 0.9, ("?", False))],
)
def test_format_metric(value, confidence, expected):
    assert format_metric(value, confidence) == expected


def test_skeleton_draws_the_bones_and_skips_unsure_joints():
    joints = _joints(320, 240)
    image = np.zeros((240, 320, 3), np.uint8)
    skeleton(image, joints)
    mid = np.round((joints.xy_of("hip")[0] + joints.xy_of("knee")[0]) / 2).astype(int)
    assert image[mid[1], mid[0]].any()  # the thigh is drawn
    blank = np.zeros_like(image)
    skeleton(blank, _joints(320, 240, conf=0.1))
    assert not blank.any()  # nothing sure enough to draw


def test_plate_draws_the_rim_the_bar_and_the_placed_hip():
    joints = _joints(320, 240)
    bar = joints.xy_of("hip") + np.array([0.0, -15.0])
    image = np.zeros((240, 320, 3), np.uint8)
    plate(image, joints, 40.0)
    assert not image.any()  # no bar point: nothing to draw
    plate(image, joints.with_point("bar", bar, np.array([0.9])), 40.0)
    rim = np.round(bar[0] + [40.0, 0.0]).astype(int)
    assert image[rim[1], rim[0]].any() and image[int(bar[0, 1]), int(bar[0, 0])].any()


def test_banner_fits_long_text_and_colours_by_severity():
    image = np.full((240, 320, 3), 200, np.uint8)
    cue_banner(image, "Walk your feet back in until your shins are vertical at the top", Severity.ERROR)
    assert (image[-5, 2] == (60, 60, 230)).all()  # severity stripe
    assert (image[:120] == 200).all()  # the top half is untouched
    assert image[-40:, 20:].min() < 100  # the strip was darkened


def test_frame_view_takes_one_frame():
    two = Keypoints([0, 33], np.zeros((2, 1, 2)), np.ones((2, 1)), ("hip",))
    with pytest.raises(ValueError, match=r"FrameView\.joints: expected one frame, got 2"):
        FrameView(two)


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 720)])
def test_full_overlay_is_fast(w, h):
    joints = _joints(w, h)
    view = FrameView(joints, joints, {"knee_angle_deg": 91.0, "hip_extension_deg": 176.0},
                     {"knee_angle_deg": 0.9, "hip_extension_deg": 0.3}, rep_count=3, phase="lockout",
                     cue="Drive the hips all the way up and squeeze at the top")
    image = np.full((h, w, 3), 90, np.uint8)
    draw_frame(image, view)  # warm-up
    start = time.perf_counter()
    for _ in range(20):
        draw_frame(image, view)
    per_frame_ms = (time.perf_counter() - start) / 20 * 1000
    assert per_frame_ms < 10.0  # measured ~1 ms; the live loop budget is a few ms
