"""Painting the plate out of a frame, so the pose model sees the legs (the shin this gives back on the
plated sample clips is checked against their ground truth in tests/measure/test_clip_synth.py)."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.plate.paint import paint_out, paint_plate
from formcheck.plate.track import PlateReading


def _disc_scene(size: int, centre: tuple[int, int], radius: int) -> np.ndarray:
    """A grey-gradient frame with a black disc on it (the plate)."""
    ramp = np.linspace(60, 200, size, dtype=np.float32)
    image = np.repeat(np.repeat(ramp[None, :, None], size, axis=0), 3, axis=2).astype(np.uint8)
    yy, xx = np.mgrid[:size, :size]
    image[(xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius**2] = 0
    return image


@pytest.mark.parametrize(("size", "radius"), [(200, 30), (900, 200)])  # painted at full and reduced scale
def test_paint_out_fills_the_disc_from_its_surroundings_and_leaves_the_rest(size, radius):
    centre = (size // 2, size // 2)
    image = _disc_scene(size, centre, radius)
    painted = paint_out(image, np.array(centre, float), float(radius))
    yy, xx = np.mgrid[:size, :size]
    dist = np.hypot(xx - centre[0], yy - centre[1])
    inside, outside = dist <= radius * 0.9, dist > radius * 1.2
    assert painted[inside].min() > 40  # no black left
    assert abs(float(painted[inside].mean()) - float(image[outside].mean())) < 40
    assert np.array_equal(painted[outside], image[outside])
    assert image[inside].max() == 0  # the input is not modified


def test_paint_plate_paints_the_reading():
    image = _disc_scene(200, (100, 90), 30)
    painted = paint_plate(image, PlateReading(100.0, 90.0, 30.0, 0.9))
    assert painted[90, 100].min() > 40
