"""Finding the plate in one frame: circles of a plate's size near the hips, with sub-pixel centres."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.plate.finder import PlateSearch, find_circles, fit_centre, search_box


def _disc(centre=(300.0, 205.0), radius=62.0, colour=(30, 30, 30)) -> np.ndarray:
    image = np.random.default_rng(0).integers(150, 200, (360, 640, 3), dtype=np.uint8)
    cv2.circle(image, (round(centre[0] * 16), round(centre[1] * 16)), round(radius * 16), colour, -1,
               cv2.LINE_AA, shift=4)
    return image


@pytest.mark.parametrize("colour", [(30, 30, 30), (40, 40, 200), (200, 60, 20)])
def test_a_disc_is_found_within_a_pixel(colour):
    candidates, edges = find_circles(_disc(colour=colour), (150, 60, 450, 350), (40.0, 100.0), PlateSearch())
    best = candidates[np.argmax(candidates[:, 3])]
    assert np.hypot(best[0] - 300.0, best[1] - 205.0) < 1.0 and abs(best[2] - 62.0) < 1.5
    assert best[3] > 0.6 and len(edges) > 100


def test_nothing_round_gives_no_candidates():
    image = np.full((360, 640, 3), 180, np.uint8)
    candidates, _ = find_circles(image, (150, 60, 450, 350), (40.0, 100.0), PlateSearch())
    assert len(candidates) == 0


def test_a_box_too_small_for_the_radius_is_not_searched():
    candidates, edges = find_circles(_disc(), (290, 200, 310, 210), (40.0, 100.0), PlateSearch())
    assert candidates.shape == (0, 4) and edges.shape == (0, 2)


def test_centre_refit_with_a_known_radius_ignores_a_hidden_half():
    theta = np.linspace(0, np.pi, 200)  # only the upper half of the rim shows
    points = np.column_stack([300 + 60 * np.cos(theta), 200 - 60 * np.sin(theta)])
    centre = fit_centre(points, np.array([302.0, 198.5]), 60.0)  # from a rough centre
    assert np.hypot(*(centre - [300.0, 200.0])) < 0.5


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
    ({"max_gap": -1}, "max_gap"),
])
def test_plate_search_rejects_bad_settings(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        PlateSearch(**kwargs)
