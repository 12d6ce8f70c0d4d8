"""Shaped bodies: MakeHuman macro weights, the catalogue, and skeletons that follow the shape."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth import bodies
from formcheck.synth.assets import ensure_assets, load_body_assets, load_target
from formcheck.synth.bodies import CATALOGUE, BodyShape, body_shape, target_weights
from formcheck.synth.posing import load_body
from formcheck.synth.target_pins import TARGET_MEMBERS

MACRO = bodies.TARGET_DIR


def _w(shape: BodyShape, name: str) -> float:
    return target_weights(shape).get(MACRO + name, 0.0)


@pytest.mark.parametrize(("shape", "name", "weight"), [
    # A woman at every default: only her race shape and the (empty) average corner.
    (BodyShape(0.0, 0.5, 0.5, 0.5, 0.5, (0, 0, 1)), "caucasian-female-young.target.gz", 1.0),
    (BodyShape(0.0, 0.5, 0.5, 0.5, 0.5, (0, 0, 1)),
     "universal-female-young-averagemuscle-averageweight.target.gz", 1.0),
    (BodyShape(0.0, 0.5, 0.5, 0.5, 0.5, (0, 0, 1)), "caucasian-male-young.target.gz", 0.0),
    # Muscle 0.75 is half way from average to max.
    (BodyShape(1.0, 0.75, 0.5, 0.5, 0.5), "universal-male-young-maxmuscle-averageweight.target.gz", 0.5),
    (BodyShape(1.0, 0.75, 0.5, 0.5, 0.5), "universal-male-young-averagemuscle-averageweight.target.gz", 0.5),
    # Height 0.75 is half of the max-height correction; 0.5 has none.
    (BodyShape(1.0, 0.5, 0.5, 0.75, 0.5), "height/male-young-averagemuscle-averageweight-maxheight.target.gz",
     0.5),
    (BodyShape(1.0, 0.5, 0.5, 0.5, 0.5), "height/male-young-averagemuscle-averageweight-maxheight.target.gz",
     0.0),
    (BodyShape(0.0, 0.5, 0.5, 0.5, 0.0), "proportions/female-young-averagemuscle-averageweight-"
     "uncommonproportions.target.gz", 1.0),
    # Sex 0.5 splits the race shapes; the race mix is normalised.
    (BodyShape(0.5, 0.5, 0.5, 0.5, 0.5, (2, 0, 2)), "african-female-young.target.gz", 0.25),
])
def test_target_weights_follow_makehuman_macro_rules(shape: BodyShape, name: str, weight: float) -> None:
    assert _w(shape, name) == pytest.approx(weight)


@pytest.mark.parametrize("shape", [CATALOGUE[0], CATALOGUE[7], BodyShape(0.3, 0.1, 0.9, 0.2, 0.8)])
def test_every_weighted_target_is_pinned_and_blends_sum_to_one(shape: BodyShape) -> None:
    weights = target_weights(shape)
    assert set(weights) <= set(TARGET_MEMBERS)
    race_total = sum(w for name, w in weights.items() if "/" not in name[len(MACRO):]
                     and not name[len(MACRO):].startswith("universal"))
    corners = sum(w for name, w in weights.items() if name[len(MACRO):].startswith("universal"))
    assert race_total == pytest.approx(1.0)
    assert corners == pytest.approx(1.0)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"sex": 1.5}, "sex: expected 0 <= value <= 1"),
    ({"weight": -0.1}, "weight"),
    ({"race": (0.0, 0.0, 0.0)}, "race"),
    ({"race": (1.0, -1.0, 1.0)}, "race"),
])
def test_invalid_shapes_say_what_was_expected(kwargs: dict, message: str) -> None:
    values = {"sex": 0.0, "muscle": 0.5, "weight": 0.5, "height": 0.5, "proportions": 0.5, **kwargs}
    with pytest.raises(ValueError, match=message):
        BodyShape(**values)


@pytest.mark.parametrize(("shape", "build"), [
    (BodyShape(0, 0.5, 0.9, 0.5, 0.5), "heavy"), (BodyShape(0, 0.9, 0.5, 0.5, 0.5), "muscular"),
    (BodyShape(0, 0.5, 0.1, 0.5, 0.5), "slim"), (BodyShape(1, 0.5, 0.5, 0.5, 0.5), "average")])
def test_build_labels(shape: BodyShape, build: str) -> None:
    assert shape.build == build


def test_catalogue_has_24_distinct_bodies_of_both_sexes() -> None:
    assert len(CATALOGUE) >= 24
    assert len(set(CATALOGUE)) == len(CATALOGUE)
    assert {s.sex_label for s in CATALOGUE} == {"female", "male"}


def test_unknown_body_id_gives_the_valid_range() -> None:
    with pytest.raises(KeyError, match=r"0\.\.23"):
        body_shape(24)


def test_targets_move_the_joint_helpers_too() -> None:
    indices, offsets = load_target(ensure_assets(), MACRO + "height/male-young-averagemuscle-averageweight-"
                                   "maxheight.target.gz")
    n_body = len(load_body_assets().groups["body"])
    assert indices.max() >= n_body  # helper cubes (the rig's joints) are beyond the body's vertices
    assert np.abs(offsets).max() > 0.01


def test_an_empty_target_loads_as_no_offsets() -> None:
    indices, offsets = load_target(ensure_assets(), MACRO + "universal-male-young-averagemuscle-"
                                   "averageweight.target.gz")
    assert indices.shape == (0,) and offsets.shape == (0, 3)


def test_unknown_target_is_refused() -> None:
    with pytest.raises(KeyError, match="pinned"):
        load_target(ensure_assets(), "targets/macrodetails/nope.target.gz")


def _segments(body_id: int | None) -> dict[str, float]:
    skeleton = load_body(body_id).skeleton
    heads = skeleton.heads

    def length(a: str, b: str) -> float:
        return float(np.linalg.norm(heads[skeleton.index(a)] - heads[skeleton.index(b)]))

    rest = skeleton.rest_vertices
    return {"thigh": length("upperleg01.L", "lowerleg01.L"), "shin": length("lowerleg01.L", "foot.L"),
            "trunk": length("upperleg01.L", "upperarm01.L"), "stature": float(np.ptp(rest[:, 1]))}


@pytest.mark.parametrize(("small", "big"), [(2, 3), (12, 13), (22, 23)])
def test_two_bodies_differ_in_joint_positions_and_lengths(small: int, big: int) -> None:
    a, b = _segments(small), _segments(big)
    for key in ("thigh", "shin", "trunk", "stature"):
        assert b[key] > a[key] + 0.02, key  # the taller body's bones are longer, not just its skin
    heads_a, heads_b = load_body(small).skeleton.heads, load_body(big).skeleton.heads
    assert np.abs(heads_a - heads_b).max() > 0.1


@pytest.mark.slow
@pytest.mark.parametrize("body_id", range(len(CATALOGUE)))
def test_every_catalogue_body_is_an_adult(body_id: int) -> None:
    assets = load_body_assets()
    shaped = bodies.shaped_vertices(assets.vertices, CATALOGUE[body_id], ensure_assets())
    stature = float(np.ptp(shaped[assets.groups["body"], 1]))
    assert 1.40 < stature < 2.05
