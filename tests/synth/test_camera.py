"""Camera projection: image centre, field of view, axes, points behind the camera, validation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.synth.camera import Camera

W, H, FOV = 640, 360, 60.0


def _camera(**changes: object) -> Camera:
    """A camera 5 m in front of the origin (on +z) looking at it."""
    fields = {"width": W, "height": H, "fov_y_deg": FOV, "position": np.array([0.0, 1.0, 5.0]),
              "look_at": np.array([0.0, 1.0, 0.0])}
    fields.update(changes)
    return Camera(**fields)


def test_point_on_optical_axis_projects_to_image_centre() -> None:
    xy, depth = _camera().project(np.array([[0.0, 1.0, 0.0], [0.0, 1.0, 3.0]]))
    np.testing.assert_allclose(xy, [[W / 2, H / 2], [W / 2, H / 2]])
    np.testing.assert_allclose(depth, [5.0, 2.0])


@pytest.mark.parametrize(("point", "expected_xy"), [
    # Half the vertical field of view above the axis lands on the top edge, below it on the bottom edge.
    ([0.0, 1.0 + 5.0 * math.tan(math.radians(FOV / 2)), 0.0], (W / 2, 0.0)),
    ([0.0, 1.0 - 5.0 * math.tan(math.radians(FOV / 2)), 0.0], (W / 2, H)),
    # Square pixels: the same angle to the right lands H/2 pixels right of the centre.
    ([5.0 * math.tan(math.radians(FOV / 2)), 1.0, 0.0], (W / 2 + H / 2, H / 2)),
    ([-5.0 * math.tan(math.radians(FOV / 2)), 1.0, 0.0], (W / 2 - H / 2, H / 2)),
])
def test_field_of_view_and_axes(point: list[float], expected_xy: tuple[float, float]) -> None:
    xy, _ = _camera().project(np.array([point]))
    np.testing.assert_allclose(xy[0], expected_xy, atol=1e-9)


def test_focal_length_follows_vertical_fov() -> None:
    assert _camera(fov_y_deg=90.0).focal_px == pytest.approx(H / 2)


def test_points_behind_camera_have_no_image() -> None:
    xy, depth = _camera().project(np.array([[0.0, 1.0, 6.0], [0.0, 1.0, 5.0]]))
    assert np.all(np.isnan(xy))
    np.testing.assert_allclose(depth, [-1.0, 0.0])


def test_roll_follows_up_vector() -> None:
    # With "up" pointing along world +x, a point above the axis in world x appears at the top of the image.
    xy, _ = _camera(up=np.array([1.0, 0.0, 0.0])).project(np.array([[1.0, 1.0, 0.0]]))
    assert xy[0, 1] < H / 2
    assert xy[0, 0] == pytest.approx(W / 2)


@pytest.mark.parametrize(("changes", "message"), [
    ({"fov_y_deg": 0.0}, "fov_y_deg"),
    ({"fov_y_deg": 180.0}, "fov_y_deg"),
    ({"width": 0}, "size"),
    ({"look_at": np.array([0.0, 1.0, 5.0])}, "look_at"),
    ({"up": np.array([0.0, 0.0, 1.0])}, "up"),
    ({"position": np.array([0.0, np.nan, 1.0])}, "position"),
    ({"near": 0.0}, "near"),
])
def test_invalid_cameras_are_refused(changes: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _camera(**changes)


def test_project_refuses_wrong_shape() -> None:
    with pytest.raises(ValueError, match=r"\(N, 3\)"):
        _camera().project(np.zeros((4, 2)))
