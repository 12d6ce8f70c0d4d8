"""Meshes: validation, colour forms, quad triangulation, outward-facing primitives."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.camera import Camera
from formcheck.synth.mesh import (
    Mesh,
    _frame,
    box_mesh,
    cylinder_mesh,
    holed_plate_mesh,
    plane_mesh,
    plate_mesh,
    sphere_mesh,
    triangulate,
)
from formcheck.synth.raster import mask, render_layers

TRIANGLE = np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])


def test_triangulate_keeps_winding() -> None:
    faces = triangulate(np.array([[0, 1, 2, 3], [4, 5, 6, 7]]))
    np.testing.assert_array_equal(faces, [[0, 1, 2], [0, 2, 3], [4, 5, 6], [4, 6, 7]])


@pytest.mark.parametrize(("colors", "expected_first_corners"), [
    (np.array([10, 20, 30]), [[10, 20, 30]] * 3),
    (np.array([[10, 20, 30]]), [[10, 20, 30]] * 3),  # one face: per face
    (np.array([[1, 2, 3], [4, 5, 6], [7, 8, 9]]), [[1, 2, 3], [4, 5, 6], [7, 8, 9]]),  # per vertex
])
def test_corner_colors_accept_each_form(colors: np.ndarray, expected_first_corners: list[list[int]]) -> None:
    mesh = Mesh(TRIANGLE, np.array([[0, 1, 2]]), colors)
    np.testing.assert_array_equal(mesh.corner_colors()[0], expected_first_corners)


@pytest.mark.parametrize(("vertices", "faces", "colors", "message"), [
    (np.zeros((3, 2)), [[0, 1, 2]], [1, 2, 3], "vertices"),
    (TRIANGLE, [[0, 1, 3]], [1, 2, 3], "indices"),
    (TRIANGLE, [[0.0, 1.0, 2.0]], [1, 2, 3], "integer"),
    (TRIANGLE, [[0, 1, 2]], [[1, 2, 3]] * 2, "colors"),
    (TRIANGLE, [[0, 1, 2]], [1, 2, 300], "0..255"),
])
def test_invalid_meshes_are_refused(vertices: object, faces: object, colors: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Mesh(np.asarray(vertices), np.asarray(faces), np.asarray(colors))


def _outwardness(mesh: Mesh, centre: np.ndarray) -> np.ndarray:
    """For each non-degenerate face: normal . (face centroid - centre), positive when it faces outwards."""
    corners = mesh.vertices[mesh.faces]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    keep = np.linalg.norm(normals, axis=1) > 1e-12
    return np.einsum("fk,fk->f", normals[keep], corners[keep].mean(axis=1) - centre)


@pytest.mark.parametrize(("mesh", "centre", "faces"), [
    (box_mesh([1.0, 2.0, 3.0], [1.0, 0.5, 0.2], (1, 2, 3)), np.array([1.0, 2.0, 3.0]), 12),
    (sphere_mesh([0.0, 1.0, 0.0], 0.3, (1, 2, 3), rings=8, segments=12), np.array([0.0, 1.0, 0.0]), 192),
    (cylinder_mesh([-1.0, 1.0, 0.0], [1.0, 1.0, 0.0], 0.1, (1, 2, 3), segments=10), np.array([0, 1, 0]), 40),
    (plate_mesh([0.0, 0.0, 0.0], [0.0, 0.0, 1.0], 0.2, 0.05, (1, 2, 3), segments=16), np.zeros(3), 64),
])
def test_closed_primitives_face_outwards(mesh: Mesh, centre: np.ndarray, faces: int) -> None:
    assert len(mesh.faces) == faces
    assert np.all(_outwardness(mesh, centre) > 0)


@pytest.mark.parametrize("normal", [(0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1.0, 1.0, 0.0)])
def test_plane_faces_its_normal_and_tiles(normal: tuple[float, float, float]) -> None:
    mesh = plane_mesh([0.0, 0.0, 0.0], (2.0, 3.0), (9, 9, 9), normal=np.array(normal), tiles=(4, 3),
                      color2=(1, 1, 1))
    corners = mesh.vertices[mesh.faces]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    assert len(mesh.faces) == 24
    assert np.all(normals @ np.asarray(normal) > 0)
    assert np.sum(np.linalg.norm(normals, axis=1)) / 2 == pytest.approx(6.0)  # total area 2 x 3
    assert {tuple(c) for c in mesh.colors} == {(9, 9, 9), (1, 1, 1)}


def _plate_camera() -> Camera:
    """Looking at the origin from +x, a plate's face (axis x) fills the middle of the image."""
    return Camera(200, 200, 40.0, np.array([2.0, 0.0, 0.0]), np.zeros(3))


def test_iron_plate_windows_are_see_through_and_the_rest_is_solid() -> None:
    radius = 0.225
    plate = holed_plate_mesh(np.zeros(3), np.array([1.0, 0.0, 0.0]), radius, 0.035, (90, 90, 93),
                             (120, 120, 125))
    camera = _plate_camera()
    covered = mask([plate], camera, 0)
    pu, pv = _frame(np.array([1.0, 0.0, 0.0]))  # the plate's in-plane axes: windows centred at 5°, 125°, 245°
    middle = 0.64 * radius  # half way across the window ring
    centres = [middle * (np.cos(a) * pu + np.sin(a) * pv) for a in np.radians(np.arange(0, 360, 60) + 5.0)]
    xy, _ = camera.project(np.array(centres))
    looks = [bool(covered[int(y), int(x)]) for x, y in xy]
    assert looks == [False, True, False, True, False, True]  # three windows, solid between them
    rim, _ = camera.project(np.array([0.95 * radius * pu]))
    assert covered[int(rim[0, 1]), int(rim[0, 0])]


@pytest.mark.parametrize("view", [[2.0, 0.3, 0.2], [-2.0, -0.3, 0.1], [0.3, 2.0, 0.1]])
def test_iron_plate_faces_point_outward(view: list[float]) -> None:
    plate = holed_plate_mesh(np.zeros(3), np.array([1.0, 0.0, 0.0]), 0.225, 0.035, (90, 90, 93), (1, 1, 1))
    camera = Camera(200, 200, 40.0, np.array(view), np.zeros(3))
    culled = render_layers([plate], camera).mesh_index == 0
    both = render_layers([Mesh(plate.vertices, plate.faces, plate.colors, cull_back=False)],
                         camera).mesh_index == 0
    # A closed surface looks the same with back faces culled: every face turned out is drawn.
    assert abs(int(culled.sum()) - int(both.sum())) <= 0.01 * both.sum()
    assert culled.sum() > 0


def test_holed_plate_refuses_bad_sizes() -> None:
    with pytest.raises(ValueError, match="holed_plate_mesh"):
        holed_plate_mesh(np.zeros(3), np.zeros(3), 0.2, 0.03, (1, 1, 1), (1, 1, 1))
