"""Skeleton: rest joints, forward kinematics, linear blend skinning."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.assets import load_body_assets
from formcheck.synth.skeleton import Skeleton, angle_about_x, build_skeleton, rot_x


@pytest.fixture(scope="module")
def skeleton() -> Skeleton:
    return build_skeleton(load_body_assets())


@pytest.mark.parametrize("deg", [-170.0, -90.0, 0.0, 33.0, 179.0])
def test_rot_x_round_trips(deg: float) -> None:
    assert angle_about_x(rot_x(deg)) == pytest.approx(deg)


def test_rot_x_turns_up_toward_the_front() -> None:
    np.testing.assert_allclose(rot_x(90.0) @ [0.0, 1.0, 0.0], [0.0, 0.0, 1.0], atol=1e-12)


def test_rest_pose_skins_to_the_rest_mesh(skeleton: Skeleton) -> None:
    matrices = skeleton.skinning_matrices({}, np.zeros(3))
    np.testing.assert_allclose(skeleton.skin(matrices), skeleton.rest_vertices, atol=1e-12)


def test_weights_are_normalised(skeleton: Skeleton) -> None:
    np.testing.assert_allclose(np.asarray(skeleton.weights.sum(axis=1)).ravel(), 1.0, atol=1e-9)


def test_parents_come_first(skeleton: Skeleton) -> None:
    assert all(p < i for i, p in enumerate(skeleton.parent_index))
    assert skeleton.parent_index[skeleton.index("root")] == -1


@pytest.mark.parametrize(("bone", "cube"), [("lowerleg01.L", "joint-l-knee"), ("foot.R", "joint-r-ankle"),
                                            ("upperarm01.L", "joint-l-shoulder")])
def test_heads_are_joint_cube_centres(skeleton: Skeleton, bone: str, cube: str) -> None:
    body = load_body_assets()
    expected = body.vertices[body.groups[cube]].mean(axis=0)
    np.testing.assert_allclose(skeleton.heads[skeleton.index(bone)], expected)


def test_translation_moves_everything(skeleton: Skeleton) -> None:
    shift = np.array([0.1, -0.2, 0.3])
    posed = skeleton.skin(skeleton.skinning_matrices({}, shift))
    np.testing.assert_allclose(posed, skeleton.rest_vertices + shift, atol=1e-12)


def test_bending_the_knee_moves_the_ankle_not_the_hip(skeleton: Skeleton) -> None:
    matrices = skeleton.skinning_matrices({"lowerleg01.L": rot_x(90.0)}, np.zeros(3))
    heads = skeleton.posed_heads(matrices)
    knee, ankle, hip = (skeleton.index(b) for b in ("lowerleg01.L", "foot.L", "upperleg01.L"))
    np.testing.assert_allclose(heads[hip], skeleton.heads[hip])
    shin = heads[ankle] - heads[knee]
    rest_shin = skeleton.heads[ankle] - skeleton.heads[knee]
    assert np.linalg.norm(shin) == pytest.approx(np.linalg.norm(rest_shin))
    assert shin[2] < -0.3  # flexed knee: the ankle swings behind the knee
    right = skeleton.index("foot.R")
    np.testing.assert_allclose(heads[right], skeleton.heads[right])


def test_unknown_bone_lists_valid_names(skeleton: Skeleton) -> None:
    with pytest.raises(KeyError, match="expected one of"):
        skeleton.index("femur")
