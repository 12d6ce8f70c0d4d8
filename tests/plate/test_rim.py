"""Measuring a circle as a plate: rim support, an even face, roundness, and the plate around a hub."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.plate.rim import RimFit, colour_gradient, hub_support, measure_rim, outer_radius

CENTRE = (320.0, 180.0)


def _scene(radius: float = 60.0, hub: float = 0.0, axes: tuple[float, float] | None = None,
           plate=(30, 30, 30), hub_colour=(200, 200, 200)) -> np.ndarray:
    """A plate (a disc, or an ellipse of `axes`) on a grainy grey wall, with a hub of `hub` px radius."""
    image = np.random.default_rng(0).integers(165, 186, (360, 640, 3), dtype=np.uint8)
    c = (round(CENTRE[0] * 16), round(CENTRE[1] * 16))
    a, b = axes or (radius, radius)
    cv2.ellipse(image, c, (round(a * 16), round(b * 16)), 0, 0, 360, plate, -1, cv2.LINE_AA, shift=4)
    if hub:
        cv2.circle(image, c, round(hub * 16), hub_colour, -1, cv2.LINE_AA, shift=4)
    return image


@pytest.mark.parametrize(("start", "radius"), [
    ((320.0, 180.0), 60.0),  # where it is
    ((324.0, 177.0), 55.0),  # from a rough circle a few px off
])
def test_a_plate_measures_round_even_and_backed_all_round(start, radius):
    fit = measure_rim(_scene(), start, radius, slack=6.0)
    assert np.hypot(fit.x - 320.0, fit.y - 180.0) < 0.7 and abs(fit.radius - 60.0) < 1.0
    assert fit.support > 0.95 and fit.uniformity > 0.95 and fit.axis_ratio > 0.95


def test_a_plate_seen_obliquely_is_an_ellipse_measured_by_its_long_axis():
    fit = measure_rim(_scene(axes=(48.0, 60.0)), CENTRE, 55.0, slack=6.0)
    assert abs(fit.radius - 60.0) < 2.0 and fit.axis_ratio == pytest.approx(0.8, abs=0.05)


def test_a_circle_on_a_bare_wall_has_no_support():
    fit = measure_rim(np.full((360, 640, 3), 175, np.uint8), CENTRE, 60.0)
    assert fit.support == 0.0


@pytest.mark.parametrize(("hub", "max_scale", "expected"), [
    (12.0, 6.0, 60.0),  # a hub a fifth of the plate: the plate around it
    (20.0, 5.0, 60.0),
    (12.0, 3.0, None),  # the plate is farther out than asked
])
def test_the_plate_around_a_hub(hub, max_scale, expected):
    found = outer_radius(_scene(hub=hub), CENTRE, hub, max_scale, 0.75)
    if expected is None:
        assert found is None
    else:
        assert found is not None and abs(found - expected) < 0.06 * expected


@pytest.mark.parametrize(("hub", "hub_colour", "least", "most"), [
    (12.0, (200, 200, 200), 0.9, 1.0),  # a bright sleeve end, a fifth of the plate
    (10.0, (90, 90, 90), 0.9, 1.0),  # a smaller, dimmer one
    (0.0, (0, 0, 0), 0.0, 0.1),  # none: an even disc
])
def test_the_hub_at_a_plates_centre(hub, hub_colour, least, most):
    image = _scene(hub=hub, hub_colour=hub_colour)
    plate = measure_rim(image, CENTRE, 60.0)
    assert least <= hub_support(image, plate, 0.2) <= most


def _argmax_gradient(image: np.ndarray, blur: float) -> tuple[np.ndarray, np.ndarray]:
    """The colour gradient written the plain way: int16 Sobel, the strongest channel by `argmax`."""
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    dx = cv2.Sobel(image, cv2.CV_16S, 1, 0, ksize=3).astype(np.float32)
    dy = cv2.Sobel(image, cv2.CV_16S, 0, 1, ksize=3).astype(np.float32)
    pick = np.argmax(dx * dx + dy * dy, axis=2)[..., None]
    return np.take_along_axis(dx, pick, 2)[..., 0] / 8.0, np.take_along_axis(dy, pick, 2)[..., 0] / 8.0


@pytest.mark.parametrize("blur", [0.0, 1.0])
@pytest.mark.parametrize("levels", [256, 3])  # every grey level, or three: many channels tie
def test_the_colour_gradient_is_the_plain_one_number_for_number(blur, levels):
    image = (np.random.default_rng(levels).integers(0, levels, (90, 120, 3)) * (255 // (levels - 1))
             ).astype(np.uint8)
    image[:, :, 2] = 255 - image[:, :, 0]  # the same strength, the opposite sign: the first wins a tie
    got, expected = colour_gradient(image, blur), _argmax_gradient(image, blur)
    for g, e in zip(got, expected, strict=True):
        assert g.dtype == e.dtype == np.float32 and np.array_equal(g, e)


@pytest.mark.parametrize(("image", "sees_face"), [
    (_scene(), True),  # a plate: the rim is backed all round, so the face is measured
    (np.full((360, 640, 3), 175, np.uint8), False),  # a bare wall: no rim, the face is not looked at
])
def test_the_face_is_measured_only_on_a_rim_backed_enough(image, sees_face):
    full = measure_rim(image, CENTRE, 60.0)
    rim_only = measure_rim(image, CENTRE, 60.0, min_support=0.75)
    assert (rim_only.x, rim_only.y, rim_only.radius, rim_only.support, rim_only.axis_ratio) == \
        (full.x, full.y, full.radius, full.support, full.axis_ratio)
    assert rim_only.uniformity == (full.uniformity if sees_face else 0.0)
    assert (full.uniformity > 0.9) if sees_face else True


def test_a_lone_disc_has_nothing_around_it():
    assert outer_radius(_scene(), CENTRE, 60.0, 3.0, 0.75) is None


@pytest.mark.parametrize(("fields", "match"), [
    ((1.0, 2.0, 0.0, 0.5, 0.5), "radius > 0"),
    ((1.0, 2.0, 5.0, 1.5, 0.5), "support"),
    ((1.0, 2.0, 5.0, 0.5, -0.1), "uniformity"),
])
def test_rim_fit_is_validated(fields, match):
    with pytest.raises(ValueError, match=match):
        RimFit(*fields)
