"""Scene: camera placement, clothing colours, background, barbell and plates."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.params import BACKGROUNDS, Look, SynthParams
from formcheck.synth.posing import load_body
from formcheck.synth.scene import PLATE_RADIUS, background_image, barbell_meshes, body_colors, place_camera

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
