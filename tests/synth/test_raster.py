"""Rasteriser: coverage, depth order, culling, near-plane clipping, lighting, masks and silhouette areas."""

from __future__ import annotations

import math

import cv2
import numpy as np
import pytest

from formcheck.synth.camera import Camera
from formcheck.synth.mesh import Mesh, box_mesh, plane_mesh, sphere_mesh
from formcheck.synth.raster import mask, render, render_layers

W, H = 160, 120
BACKGROUND = (200, 200, 200)
RED, GREEN, BLUE = (255, 0, 0), (0, 255, 0), (0, 0, 255)
FRONT_LIGHT = (0.0, 0.0, 1.0)  # towards the camera below: faces turned to the camera get their full colour


@pytest.fixture
def camera() -> Camera:
    """Camera on +z looking at the origin: world x is image right, world y is image up."""
    return Camera(W, H, 60.0, np.array([0.0, 0.0, 4.0]), np.zeros(3))


def _triangle(points: list[list[float]], color: tuple[int, int, int], **flags: bool) -> Mesh:
    return Mesh(np.array(points, dtype=float), np.array([[0, 1, 2]]), np.array(color), smooth=False, **flags)


def _drawn(image: np.ndarray) -> np.ndarray:
    return np.any(image != BACKGROUND[0], axis=2)


@pytest.mark.parametrize("points", [
    [[-1.0, -0.8, 0.0], [1.2, -0.5, 0.0], [0.1, 1.0, 0.0]],
    [[-1.5, 0.2, 0.5], [0.3, -1.1, -0.5], [1.1, 0.9, 0.0]],  # slanted in depth
    [[-3.0, -3.0, 0.0], [3.0, -2.0, 0.0], [0.0, 3.0, 0.0]],  # larger than the image
])
def test_single_triangle_covers_what_fillpoly_covers(camera: Camera, points: list[list[float]]) -> None:
    image = render([_triangle(points, RED)], camera, background=BACKGROUND, light_dir=FRONT_LIGHT)
    xy, _ = camera.project(np.array(points))
    # cv2 puts pixel centres on integers; ours are at +0.5.
    expected = np.zeros((H, W), np.uint8)
    cv2.fillPoly(expected, [np.round((xy - 0.5) * 16).astype(np.int32)], 1, lineType=cv2.LINE_8, shift=4)
    kernel = np.ones((3, 3), np.uint8)
    boundary = cv2.dilate(expected, kernel).astype(bool) & ~cv2.erode(expected, kernel).astype(bool)
    drawn = _drawn(image)
    assert expected.sum() > 500
    assert not np.any((drawn != expected.astype(bool)) & ~boundary)


@pytest.mark.parametrize("near_first", [True, False])
def test_nearer_triangle_wins_regardless_of_order(camera: Camera, near_first: bool) -> None:
    near = _triangle([[-1.0, -1.0, 1.0], [1.0, -1.0, 1.0], [0.0, 1.0, 1.0]], RED)
    far = _triangle([[-1.0, 1.0, -1.0], [0.0, -1.5, -1.0], [1.0, 1.0, -1.0]], BLUE)
    meshes = [near, far] if near_first else [far, near]
    layers = render_layers(meshes, camera, light_dir=FRONT_LIGHT)
    centre = (H // 2, W // 2)
    assert tuple(layers.image[centre]) == (0, 0, 255)  # BGR red
    assert layers.mesh_index[centre] == meshes.index(near)
    assert layers.depth[centre] == pytest.approx(3.0)
    assert layers.depth[0, 0] == np.inf and layers.mesh_index[0, 0] == -1
    assert np.all(layers.image[layers.mesh_index == meshes.index(far)] == (255, 0, 0))


def test_intersecting_triangles_split_where_they_cross(camera: Camera) -> None:
    # Red leans towards the camera on the right, blue on the left: each wins on its own side.
    red = _triangle([[-1.0, -1.0, -0.5], [1.0, -1.0, 0.5], [0.0, 1.0, 0.0]], RED)
    blue = _triangle([[-1.0, -1.0, 0.5], [1.0, -1.0, -0.5], [0.0, 1.0, 0.0]], BLUE)
    ids = render_layers([red, blue], camera, light_dir=FRONT_LIGHT).mesh_index
    row = ids[H // 2 + 10]
    assert set(row[W // 2 + 3: W // 2 + 12]) == {0}
    assert set(row[W // 2 - 12: W // 2 - 3]) == {1}


@pytest.mark.parametrize(("cull_back", "expected_pixels"), [(True, False), (False, True)])
def test_back_faces_are_culled_on_request(camera: Camera, cull_back: bool, expected_pixels: bool) -> None:
    # Clockwise seen from the camera: the back of the triangle faces it.
    back = _triangle([[-1.0, -1.0, 0.0], [0.0, 1.0, 0.0], [1.0, -1.0, 0.0]], RED, cull_back=cull_back)
    front = _triangle([[-1.0, -1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.0]], RED, cull_back=True)
    assert _drawn(render([back], camera)).any() == expected_pixels
    assert _drawn(render([front], camera)).any()


@pytest.mark.parametrize("position", [[0.5, 1.5, 4.0], [-3.0, 0.5, 1.0], [0.0, -3.0, 0.5]])
def test_culling_closed_meshes_changes_nothing(position: list[float]) -> None:
    # Z-buffering alone already hides the far side of closed meshes; culling only saves work.
    camera = Camera(W, H, 50.0, np.array(position), np.zeros(3))
    closed = [sphere_mesh([0.2, 0.0, 0.3], 0.5, RED), box_mesh([-0.3, 0.1, -0.2], [0.8, 0.6, 0.9], GREEN)]
    open_ = [Mesh(m.vertices, m.faces, m.colors, smooth=m.smooth, cull_back=False) for m in closed]
    culled, drawn = render_layers(closed, camera), render_layers(open_, camera)
    assert np.sum(culled.mesh_index >= 0) > 1000
    np.testing.assert_array_equal(culled.image, drawn.image)
    np.testing.assert_array_equal(culled.mesh_index, drawn.mesh_index)


def test_triangle_behind_camera_is_not_drawn(camera: Camera) -> None:
    behind = _triangle([[-1.0, -1.0, 6.0], [1.0, -1.0, 6.0], [0.0, 1.0, 6.0]], RED)
    mirrored = _triangle([[-1.0, -1.0, 6.0], [0.0, 1.0, 6.0], [1.0, -1.0, 6.0]], RED)
    assert not _drawn(render([behind, mirrored], camera)).any()


def test_floor_reaching_behind_camera_is_clipped_not_lost(camera: Camera) -> None:
    # One big floor quad from far in front to far behind the camera, 1 m below it.
    floor = plane_mesh([0.0, -1.0, 0.0], (40.0, 40.0), (100, 100, 100))
    drawn = render_layers([floor], camera).mesh_index == 0
    # Its far edge (24 m away) lies 1 m x f / 24 ~ 4 px below the horizon (the centre row); the floor fills
    # everything nearer, down to the bottom edge, and nothing above the horizon.
    assert drawn[H // 2 + 6:].all()
    assert not drawn[: H // 2].any()


def test_lambert_and_ambient_scale_the_colour(camera: Camera) -> None:
    quad = plane_mesh([0.0, 0.0, 0.0], (2.0, 2.0), (200, 100, 50), normal=np.array([0.0, 0.0, 1.0]))
    centre = (H // 2, W // 2)
    lit = render([quad], camera, light_dir=(0.0, 0.0, 1.0), ambient=0.2)[centre]
    away = render([quad], camera, light_dir=(0.0, 0.0, -1.0), ambient=0.2)[centre]
    half = render([quad], camera, light_dir=(0.0, 1.0, 1.0), ambient=0.2)[centre]
    np.testing.assert_array_equal(lit, [50, 100, 200])
    np.testing.assert_array_equal(away, [10, 20, 40])
    np.testing.assert_allclose(half, np.array([50, 100, 200]) * (0.2 + 0.8 / math.sqrt(2)), atol=1)


def test_vertex_colours_are_interpolated(camera: Camera) -> None:
    tri = Mesh(np.array([[-1.0, -1.0, 0.0], [1.0, -1.0, 0.0], [0.0, 1.0, 0.0]]), np.array([[0, 1, 2]]),
               np.array([RED, GREEN, BLUE]), smooth=False)
    image = render([tri], camera, light_dir=FRONT_LIGHT)
    xy, _ = camera.project(tri.vertices)
    near_red = image[int(xy[0, 1]) - 2, int(xy[0, 0]) + 3]
    centre = image[int(xy[:, 1].mean()), int(xy[:, 0].mean())]
    assert near_red[2] > 200 and near_red[0] < 50
    np.testing.assert_allclose(centre, [85, 85, 85], atol=12)


@pytest.mark.parametrize(("radius", "distance"), [(0.5, 4.0), (1.0, 3.0)])
def test_sphere_silhouette_has_the_projected_area(radius: float, distance: float) -> None:
    camera = Camera(W, H, 60.0, np.array([0.0, 0.0, distance]), np.zeros(3))
    ids = render_layers([sphere_mesh(np.zeros(3), radius, RED, rings=48, segments=96)], camera).mesh_index
    # The silhouette of a sphere seen head-on is a circle of angular radius asin(r / d).
    r_px = camera.focal_px * math.tan(math.asin(radius / distance))
    assert np.sum(ids == 0) == pytest.approx(math.pi * r_px**2, rel=0.03)


def test_box_silhouette_is_its_front_face(camera: Camera) -> None:
    box = box_mesh([0.0, 0.0, 0.0], [1.2, 0.8, 0.6], GREEN)
    area = np.sum(mask([box], camera, 0))
    expected = (camera.focal_px * 1.2 / 3.7) * (camera.focal_px * 0.8 / 3.7)
    assert area == pytest.approx(expected, rel=0.05)


def test_mask_marks_the_frontmost_mesh(camera: Camera) -> None:
    ball = sphere_mesh([0.0, 0.0, 1.0], 0.3, RED)
    wall = plane_mesh([0.0, 0.0, 0.0], (3.0, 3.0), BLUE, normal=np.array([0.0, 0.0, 1.0]))
    ball_mask, wall_mask = mask([wall, ball], camera, 1), mask([wall, ball], camera, 0)
    assert ball_mask[H // 2, W // 2] and not wall_mask[H // 2, W // 2]
    assert not np.any(ball_mask & wall_mask)
    assert wall_mask.sum() > ball_mask.sum() > 0


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"background": (1, 2)}, "background"),
    ({"background": np.zeros((H, W + 1, 3), np.uint8)}, "background"),
    ({"ambient": 1.5}, "ambient"),
    ({"light_dir": (0.0, 0.0, 0.0)}, "light_dir"),
])
def test_invalid_render_options_are_refused(camera: Camera, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render([], camera, **kwargs)


def test_background_colour_is_rgb_and_image_is_kept(camera: Camera) -> None:
    assert tuple(render([], camera, background=(10, 20, 30))[0, 0]) == (30, 20, 10)
    backdrop = np.random.default_rng(0).integers(0, 256, (H, W, 3), dtype=np.uint8)
    np.testing.assert_array_equal(render([], camera, background=backdrop), backdrop)


def test_mask_refuses_unknown_mesh(camera: Camera) -> None:
    with pytest.raises(ValueError, match="which"):
        mask([box_mesh(np.zeros(3), np.ones(3), RED)], camera, 1)


@pytest.mark.parametrize("moving_in_front", [True, False])
def test_drawing_over_static_layers_equals_drawing_everything(camera: Camera, moving_in_front: bool) -> None:
    wall = plane_mesh([0.0, 0.0, 0.0], (3.0, 3.0), BLUE, normal=np.array([0.0, 0.0, 1.0]))
    ball = sphere_mesh([0.3, 0.1, 0.8 if moving_in_front else -0.8], 0.5, RED)
    floor = box_mesh([0.0, -1.0, 0.5], [2.0, 0.2, 2.0], GREEN)
    everything = render_layers([ball, wall, floor], camera, light_dir=FRONT_LIGHT)
    static = render_layers([wall, floor], camera, light_dir=FRONT_LIGHT, first_index=1)
    layered = render_layers([ball], camera, light_dir=FRONT_LIGHT, base=static)
    np.testing.assert_array_equal(layered.image, everything.image)
    np.testing.assert_array_equal(layered.mesh_index, everything.mesh_index)
    np.testing.assert_array_equal(layered.inverse_depth, everything.inverse_depth)
    assert static.mesh_index.max() == 2  # the static meshes were numbered from first_index
    assert np.any(layered.mesh_index == 0) == moving_in_front


def test_base_layers_must_match_the_camera(camera: Camera) -> None:
    small = render_layers([], Camera(W // 2, H, 60.0, np.array([0.0, 0.0, 4.0]), np.zeros(3)))
    with pytest.raises(ValueError, match="base"):
        render_layers([], camera, base=small)
