"""overlay: drawing changes the right pixels, unsure metrics show '?', and it stays fast."""

from __future__ import annotations

import time

import numpy as np
import pytest

from formcheck.pose.landmarks import N_LANDMARKS, SIDE_JOINTS
from formcheck.records import Severity
from formcheck.report.overlay import (
    OverlayState,
    draw_cue_banner,
    draw_overlay,
    draw_skeleton,
    format_metric,
)


def _pose(w: int, h: int) -> tuple[np.ndarray, np.ndarray]:
    xy = np.full((N_LANDMARKS, 2), np.nan)
    vis = np.zeros(N_LANDMARKS)
    joints = {"ear": (0.15, 0.5), "shoulder": (0.23, 0.53), "elbow": (0.36, 0.43), "wrist": (0.5, 0.4),
              "hip": (0.5, 0.45), "knee": (0.7, 0.47), "ankle": (0.71, 0.75), "heel": (0.69, 0.77),
              "foot_index": (0.77, 0.77)}
    for j, (x, y) in joints.items():
        xy[SIDE_JOINTS["left"][j]] = (x * w, y * h)
        vis[SIDE_JOINTS["left"][j]] = 0.9
    return xy, vis


@pytest.mark.parametrize(
    ("value", "confidence", "expected"),
    [(91.6, 0.9, ("92", True)), (91.6, 0.2, ("92?", False)), (None, 0.9, ("?", False)),
     (float("nan"), 0.9, ("?", False))],
)
def test_format_metric(value, confidence, expected):
    assert format_metric(value, confidence) == expected


def test_skeleton_draws_near_side_and_skips_invisible_joints():
    xy, vis = _pose(320, 240)
    image = np.zeros((240, 320, 3), np.uint8)
    draw_skeleton(image, xy, vis, "left")
    hip, knee = xy[SIDE_JOINTS["left"]["hip"]], xy[SIDE_JOINTS["left"]["knee"]]
    mid = np.round((hip + knee) / 2).astype(int)
    assert image[mid[1], mid[0]].any()  # the thigh is drawn
    blank = np.zeros_like(image)
    vis_low = vis.copy()
    vis_low[:] = 0.1
    draw_skeleton(blank, xy, vis_low, "left")
    assert not blank.any()  # nothing visible enough to draw


def test_banner_fits_long_text_and_colours_by_severity():
    image = np.full((240, 320, 3), 200, np.uint8)
    draw_cue_banner(image, "Walk your feet back in until your shins are vertical at the top", Severity.ERROR)
    assert (image[-5, 2] == (60, 60, 230)).all()  # severity stripe
    assert (image[:120] == 200).all()  # the top half is untouched
    assert image[-40:, 20:].min() < 100  # the strip was darkened


def test_overlay_state_rejects_bad_shapes():
    with pytest.raises(ValueError, match="expected xy"):
        OverlayState(np.zeros((17, 2)), np.zeros(N_LANDMARKS))
    with pytest.raises(ValueError, match="expected one of"):
        OverlayState(np.zeros((N_LANDMARKS, 2)), np.zeros(N_LANDMARKS), side="front")


@pytest.mark.parametrize(("w", "h"), [(640, 480), (1280, 720)])
def test_full_overlay_is_fast(w, h):
    xy, vis = _pose(w, h)
    state = OverlayState(xy, vis, "left", {"knee_angle_deg": 91.0, "hip_extension_deg": 176.0},
                         {"knee_angle_deg": 0.9, "hip_extension_deg": 0.3}, rep_count=3, phase="lockout",
                         cue="Drive the hips all the way up and squeeze at the top")
    image = np.full((h, w, 3), 90, np.uint8)
    draw_overlay(image, state)  # warm-up
    start = time.perf_counter()
    for _ in range(20):
        draw_overlay(image, state)
    per_frame_ms = (time.perf_counter() - start) / 20 * 1000
    assert per_frame_ms < 10.0  # measured ~1 ms; the live loop budget is a few ms
