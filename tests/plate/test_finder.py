"""Finding the plate in one frame: discs of a plate's size on light and dark walls, sub-pixel centres."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.plate.finder import PlateSearch, find_circles, search_box


def _disc(centre=(300.0, 205.0), radius=62.0, colour=(30, 30, 30)) -> np.ndarray:
    image = np.random.default_rng(0).integers(150, 200, (360, 640, 3), dtype=np.uint8)
    cv2.circle(image, (round(centre[0] * 16), round(centre[1] * 16)), round(radius * 16), colour, -1,
               cv2.LINE_AA, shift=4)
    return image


BRICK = (60, 45, 40)  # a dark wall behind a black plate


def _textured(background, rng_seed=0) -> np.ndarray:
    rng = np.random.default_rng(rng_seed)
    base = np.array(background, np.int16)
    return np.clip(base + rng.integers(-12, 13, (360, 640, 3)), 0, 255).astype(np.uint8)


@pytest.mark.parametrize(("colour", "background"), [
    ((30, 30, 30), (175, 175, 175)),  # black plate, light wall
    ((40, 40, 200), (175, 175, 175)),  # red bumper
    ((30, 30, 30), BRICK),  # black plate on a dark wall: a few grey levels apart
    ((60, 140, 60), (50, 90, 140)),  # green bumper on brown wood: about as bright, another hue
])
def test_a_disc_is_found_within_a_pixel(colour, background):
    image = _textured(background)
    cv2.circle(image, (300 * 16, 205 * 16), 62 * 16, colour, -1, cv2.LINE_AA, shift=4)
    fits = find_circles(image, (150, 60, 450, 350), (40.0, 100.0), PlateSearch())
    plates = [f for f in fits if PlateSearch().finds(f)]
    assert plates, f"no plate among {fits}"
    best = max(plates, key=lambda f: f.support)
    assert np.hypot(best.x - 300.0, best.y - 205.0) < 1.0 and abs(best.radius - 62.0) < 1.5


def test_nothing_round_gives_no_plate():
    fits = find_circles(_textured((180, 180, 180)), (150, 60, 450, 350), (40.0, 100.0), PlateSearch())
    assert not [f for f in fits if PlateSearch().finds(f)]


def test_a_box_too_small_for_the_radius_is_not_searched():
    assert find_circles(_disc(), (290, 200, 310, 210), (40.0, 100.0), PlateSearch()) == []


def test_candidates_are_kept_only_where_told():
    everywhere = find_circles(_disc(), (150, 60, 450, 350), (40.0, 100.0), PlateSearch())
    right = find_circles(_disc(), (150, 60, 450, 350), (40.0, 100.0), PlateSearch(),
                         where=lambda c: c[0] > 400)
    assert any(abs(f.x - 300.0) < 2 for f in everywhere)
    assert all(f.x > 400 for f in right)


@pytest.mark.parametrize(("points", "pad", "box"), [
    ([[10.0, 20.0], [30.0, 5.0]], 5.0, (5, 0, 35, 25)),
    ([[10.0, 20.0], [np.nan, np.nan], [30.0, 5.0]], 0.0, (10, 5, 30, 20)),
    ([[10.0, 20.0], [np.nan, np.nan]], 5.0, None),
])
def test_search_box_grows_around_known_points(points, pad, box):
    assert search_box(np.array(points), pad) == box


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"min_radius": 0.3, "max_radius": 0.2}, "min_radius"),
    ({"min_support": 0.0}, "min_support"),
    ({"min_uniformity": 1.5}, "min_uniformity"),
    ({"reach": 0.0}, "reach"),
    ({"max_gap": -1}, "max_gap"),
])
def test_plate_search_rejects_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        PlateSearch(**kwargs)
