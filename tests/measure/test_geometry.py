"""Angles from hand-made landmarks in image pixels (y down), as docs/design.md defines them."""

import numpy as np
import pytest

from formcheck.measure import geometry as g


def _pt(x, y):
    return np.array([x, y], float)


@pytest.mark.parametrize(
    ("hip", "knee", "ankle", "expected"),
    [
        ((0, 0), (100, 0), (100, 100), 90.0),  # thigh horizontal, shin straight down
        ((0, 0), (100, 0), (200, 0), 180.0),  # straight leg
        ((0, 0), (100, 0), (200, 100), 135.0),  # feet out
        ((0, 0), (100, 0), (0, 100), 45.0),  # feet tucked in
    ],
)
def test_knee_angle(hip, knee, ankle, expected):
    assert g.knee_angle(_pt(*hip), _pt(*knee), _pt(*ankle)) == pytest.approx(expected)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(
    ("ankle_dx", "expected"),
    [(0, 0.0), (100, 45.0), (-100, -45.0), (100 * np.tan(np.radians(10)), 10.0)],
)
def test_shin_from_vertical_sign_is_mirror_invariant(ankle_dx, expected, mirror):
    s = -1 if mirror else 1
    hip, knee, ankle = _pt(0, 0), _pt(s * 100, 0), _pt(s * (100 + ankle_dx), 100)
    assert g.shin_from_vertical(hip, knee, ankle) == pytest.approx(expected)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(
    ("hip_y", "expected"),
    [(0, 180.0), (-100, 270.0), (100, 90.0), (-100 * np.tan(np.radians(10)), 200.0)],
)
def test_hip_extension_above_line_is_over_180(hip_y, expected, mirror):
    # shoulder at x=-100, knee at x=+100, hip in between; image y down so negative y is higher.
    s = -1 if mirror else 1
    got = g.hip_extension(_pt(-100 * s, 0), _pt(0, hip_y), _pt(100 * s, 0))
    assert got == pytest.approx(expected)


@pytest.mark.parametrize("mirror", [False, True])
@pytest.mark.parametrize(
    ("ear_dy", "expected"),
    [(0, 0.0), (-50, 26.565), (50, -26.565)],  # ear toward the ceiling = chin toward chest = positive
)
def test_head_torso_angle_sign(ear_dy, expected, mirror):
    # torso horizontal: hip at x=+200, shoulder at 0 (or mirrored), head continues past the shoulder.
    s = -1 if mirror else 1
    hip, shoulder, ear = _pt(200 * s, 0), _pt(0, 0), _pt(-100 * s, ear_dy)
    assert g.head_torso_angle(ear, shoulder, hip) == pytest.approx(expected, abs=1e-3)


def test_functions_broadcast_over_frames_and_propagate_nan():
    hips = np.array([[0, 0], [np.nan, np.nan]])
    knees = np.array([[100, 0], [100, 0]])
    ankles = np.array([[100, 100], [100, 100]])
    out = g.knee_angle(hips, knees, ankles)
    assert out.shape == (2,)
    assert out[0] == pytest.approx(90.0) and np.isnan(out[1])


def test_segment_angle_is_y_up():
    assert g.segment_angle(_pt(0, 0), _pt(100, -100)) == pytest.approx(45.0)


@pytest.mark.parametrize(("b", "expected"), [
    ((10.0, 0.0), 0.0),  # level
    ((10.0, -10.0), 45.0),  # b above a (image y down)
    ((10.0, 10.0), -45.0),  # b below a
    ((0.0, -5.0), 90.0),  # straight up
    ((3.0, -np.sqrt(3.0) * 3.0), 60.0),
])
@pytest.mark.parametrize("mirror", [1.0, -1.0])
def test_elevation_is_the_slope_above_horizontal_whichever_way_it_faces(b, expected, mirror):
    a = np.array([100.0, 200.0])
    other = a + np.array([mirror * b[0], b[1]])
    assert float(g.elevation(a, other)) == pytest.approx(expected)
