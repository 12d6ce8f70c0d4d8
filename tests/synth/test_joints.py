"""Landmark placement on the body: joint centres and the rule-picked ear, heel and toe vertices."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.joints import landmark_map, landmark_names, landmark_positions
from formcheck.synth.posing import load_body


@pytest.fixture(scope="module")
def rest_points() -> dict[str, np.ndarray]:
    body = load_body()
    skeleton = body.skeleton
    matrices = skeleton.skinning_matrices({}, np.zeros(3))
    return landmark_positions(skeleton, landmark_map(skeleton), matrices, skeleton.rest_vertices)


def test_every_landmark_has_a_position(rest_points: dict[str, np.ndarray]) -> None:
    assert list(rest_points) == list(landmark_names())
    assert all(p.shape == (3,) and np.all(np.isfinite(p)) for p in rest_points.values())


@pytest.mark.parametrize("side", ["left", "right"])
def test_standing_landmarks_are_stacked_head_to_toe(rest_points: dict[str, np.ndarray], side: str) -> None:
    order = ("ear", "shoulder", "hip", "knee", "ankle", "heel")
    heights = [rest_points[f"{side}_{j}"][1] for j in order]
    assert heights == sorted(heights, reverse=True)
    sign = 1.0 if side == "left" else -1.0
    assert rest_points[f"{side}_ear"][0] * sign > 0.05  # on the side of the head
    heel, ankle, toe = (rest_points[f"{side}_{j}"][2] for j in ("heel", "ankle", "foot_index"))
    assert heel < ankle < toe


def test_sides_mirror_each_other(rest_points: dict[str, np.ndarray]) -> None:
    for joint in ("ear", "shoulder", "hip", "knee", "ankle", "heel", "foot_index"):
        left, right = rest_points[f"left_{joint}"], rest_points[f"right_{joint}"]
        np.testing.assert_allclose(left * [-1, 1, 1], right, atol=0.01)
