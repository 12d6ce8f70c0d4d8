"""Rooms around the lifter: reproducible from the seed, behind the lifter, never in the lifter's way."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth import backdrop
from formcheck.synth.params import SynthParams


def _all_vertices(params: SynthParams) -> np.ndarray:
    return np.concatenate([m.vertices for m in backdrop.backdrop_meshes(params)])


def test_a_plain_scene_has_no_room() -> None:
    assert backdrop.backdrop_meshes(SynthParams()) == []


@pytest.mark.parametrize("kind", ["textured", "gym"])
def test_the_room_is_reproducible_from_the_seed(kind: str) -> None:
    same = _all_vertices(SynthParams(background_kind=kind, seed=3))
    np.testing.assert_array_equal(same, _all_vertices(SynthParams(background_kind=kind, seed=3)))
    other = _all_vertices(SynthParams(background_kind=kind, seed=4))
    assert other.shape != same.shape or not np.array_equal(other, same)


@pytest.mark.parametrize(("side", "away"), [("left", -1.0), ("right", 1.0)])
@pytest.mark.parametrize("seed", range(4))
def test_the_wall_stands_behind_the_lifter_facing_the_camera(side: str, away: float, seed: int) -> None:
    rng = np.random.default_rng(seed)
    mortar, blocks, _ = backdrop.wall_meshes(SynthParams(side=side), rng)
    assert np.all(mortar.vertices[:, 0] * away > 2.5)
    corners = blocks.vertices[blocks.faces[0]]
    normal = np.cross(corners[1] - corners[0], corners[2] - corners[0])
    assert np.sign(normal[0]) == -away  # its front faces the lifter and the camera
    assert np.all(blocks.vertices[:, 0] * away < mortar.vertices[0, 0] * away)  # blocks stand proud


@pytest.mark.parametrize("seed", range(6))
def test_floor_tiles_face_up_and_cover_the_floor(seed: int) -> None:
    grout, tiles = backdrop.floor_meshes(SynthParams(), np.random.default_rng(seed))
    corners = tiles.vertices[tiles.faces[:, :3]]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    assert np.all(normals[:, 1] > 0)
    assert np.allclose(tiles.vertices[:, 1], 0.0) and np.all(grout.vertices[:, 1] < 0)
    assert np.ptp(tiles.vertices[:, 0]) > 13.0 and np.ptp(tiles.vertices[:, 2]) > 13.0


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("seed", range(8))
def test_gym_clutter_keeps_clear_of_the_lifter_and_the_camera(side: str, seed: int) -> None:
    params = SynthParams(background_kind="gym", side=side, seed=seed)
    textured = len(backdrop.backdrop_meshes(SynthParams(background_kind="textured", side=side, seed=seed)))
    clutter = backdrop.backdrop_meshes(params)[textured:]
    away = -1.0 if side == "left" else 1.0
    for mesh in clutter:
        x, z = mesh.vertices[:, 0], mesh.vertices[:, 2]
        assert np.all(x * away > 0.0)  # on the far side: never between the camera and the lifter
        beside = (z > backdrop.KEEP_OUT_Z[0]) & (z < backdrop.KEEP_OUT_Z[1])
        assert np.all(np.abs(x[beside]) >= backdrop.KEEP_OUT_X - 1e-9)


def test_a_gym_has_equipment() -> None:
    counts = [len(backdrop.backdrop_meshes(SynthParams(background_kind="gym", seed=s)))
              - len(backdrop.backdrop_meshes(SynthParams(background_kind="textured", seed=s)))
              for s in range(5)]
    assert min(counts) > 5
