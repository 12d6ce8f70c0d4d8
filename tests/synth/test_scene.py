"""Scene: camera placement, clothing colours, background, barbell and plates."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.mesh import Mesh
from formcheck.synth.params import BACKGROUNDS, Look, SynthParams
from formcheck.synth.posing import PAD_RADIUS, load_body
from formcheck.synth.scene import (
    COLLAR_X,
    PLATE_GAP,
    PLATE_RADIUS,
    background_image,
    barbell_meshes,
    body_colors,
    build_props,
    place_camera,
    plate_thickness,
)

TARGET = np.array([0.0, 0.4, 0.2])


@pytest.mark.parametrize(("side", "yaw", "sign_x", "sign_z"), [
    ("left", 0.0, 1, 0), ("right", 0.0, -1, 0), ("left", 30.0, 1, 1), ("right", -30.0, -1, -1)])
def test_camera_orbits_to_the_requested_side(side: str, yaw: float, sign_x: int, sign_z: int) -> None:
    camera = place_camera(SynthParams(side=side, yaw_deg=yaw, distance_m=3.0), TARGET)
    offset = camera.position - TARGET
    assert np.linalg.norm(offset) == pytest.approx(3.0)
    assert np.sign(round(offset[0], 9)) == sign_x
    assert np.sign(round(offset[2], 9)) == sign_z


def test_end_on_camera_looks_along_the_body() -> None:
    camera = place_camera(SynthParams(yaw_deg=90.0), TARGET)
    offset = camera.position - TARGET
    assert abs(offset[0]) < 1e-9 and offset[2] > 0


def test_body_wears_shirt_shorts_and_shoes() -> None:
    look = Look()
    colors = body_colors(load_body().skeleton, SynthParams(look=look))
    present = {tuple(c) for c in np.unique(colors, axis=0)}
    for rgb in (look.skin_rgb, look.shirt_rgb, look.shorts_rgb, look.shoes_rgb, look.hair_rgb):
        assert rgb in present


@pytest.mark.parametrize("name", sorted(BACKGROUNDS))
def test_background_is_a_bgr_gradient(name: str) -> None:
    image = background_image(SynthParams(width=80, height=64, look=Look(background=name)))
    top, bottom = BACKGROUNDS[name]
    assert image.shape == (64, 80, 3)
    np.testing.assert_array_equal(image[0, 0], top[::-1])
    np.testing.assert_allclose(image[-1, -1], bottom[::-1], atol=1)


@pytest.mark.parametrize(("plates", "meshes"), [(False, 1), (True, 5)])
def test_plates_are_optional(plates: bool, meshes: int) -> None:
    parts = barbell_meshes(np.zeros(3), plates, (20, 20, 20))
    assert len(parts) == meshes
    reach = max(np.abs(p.vertices[:, 1]).max() for p in parts)
    assert reach == pytest.approx(PLATE_RADIUS if plates else 0.014, rel=0.05)


@pytest.mark.parametrize(("count", "diameter", "style"), [(1, 0.45, "solid"), (3, 0.45, "solid"),
                                                         (2, 0.30, "iron"), (3, 0.38, "iron")])
def test_plates_stack_out_from_the_collars(count: int, diameter: float, style: str) -> None:
    parts = barbell_meshes(np.zeros(3), True, (20, 20, 20), count=count, diameter_m=diameter, style=style)
    assert len(parts) == 1 + 2 * 2 * count  # the bar, then a plate and its hub per plate and side
    plates = parts[1::2]
    assert max(np.abs(p.vertices[:, 1]).max() for p in plates) == pytest.approx(diameter / 2, rel=1e-6)
    thickness = plate_thickness(style, diameter)
    outer = COLLAR_X + count * thickness + (count - 1) * PLATE_GAP
    assert max(p.vertices[:, 0].max() for p in plates) == pytest.approx(outer)
    assert min(p.vertices[:, 0].min() for p in plates) == pytest.approx(-outer)


def test_iron_plates_are_thinner_than_rubber_ones() -> None:
    assert plate_thickness("iron", 0.45) < plate_thickness("solid", 0.45)
    assert plate_thickness("solid", 0.35) < plate_thickness("solid", 0.45)


def test_bar_pad_is_a_fat_cylinder_in_the_middle() -> None:
    parts = barbell_meshes(np.zeros(3), False, (20, 20, 20), pad_rgb=(30, 60, 140))
    assert len(parts) == 2
    pad = parts[1]
    assert np.hypot(pad.vertices[:, 1], pad.vertices[:, 2]).max() == pytest.approx(PAD_RADIUS)
    assert np.abs(pad.vertices[:, 0]).max() < 0.3  # between the hands


@pytest.mark.parametrize("roll", [-3.0, 2.0, 8.0])
def test_roll_tilts_the_horizon_by_that_much(roll: float) -> None:
    camera = place_camera(SynthParams(roll_deg=roll), TARGET)
    along = np.array([0.0, 0.0, 0.5])
    xy, _ = camera.project(np.stack([TARGET - along, TARGET + along]))
    dx, dy = xy[1] - xy[0]
    # The left-side camera sees the feet (+z) to the left. The feet -> head line, with the image's y turned
    # up, leans counter-clockwise by + roll.
    assert np.degrees(np.arctan2(dy, -dx)) == pytest.approx(roll, abs=1e-6)
    assert camera.position == pytest.approx(place_camera(SynthParams(), TARGET).position)


def test_camera_height_is_what_the_params_say() -> None:
    params = SynthParams(elevation_deg=20.0, distance_m=3.5)
    camera = place_camera(params, np.array([0.0, 0.38, 0.2]))
    assert camera.position[1] == pytest.approx(params.camera_height_m)


@pytest.mark.parametrize(("kind", "floor"), [("plain", True), ("textured", False), ("gym", False)])
def test_only_a_plain_scene_keeps_the_chequered_floor(kind: str, floor: bool) -> None:
    props = build_props(SynthParams(background_kind=kind))
    assert (props.floor is not None) == floor
    assert all(isinstance(m, Mesh) for m in props.static())
