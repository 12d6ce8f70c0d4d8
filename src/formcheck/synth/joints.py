"""Where each ground-truth landmark sits on the MakeHuman body: a rig joint centre or a chosen skin vertex.

Joint centres are bone heads (their rig joint cubes' vertex means): shoulder = upperarm01, elbow =
lowerarm01, wrist = wrist, hip = upperleg01, knee = lowerleg01, ankle = foot. There is no ear, heel or toe
joint, so those are skin vertices picked from the rest mesh by rule, not by hard-coded index:
- ear: the most lateral vertex of the head (largest |x| among vertices weighted mostly to `head`), which
  lies on the outer ear, close to where MediaPipe puts its ear landmark;
- heel: the most posterior vertex (smallest z) of the foot and toes;
- foot_index: the most anterior vertex (largest z) of the foot and toes, the tip of the big toe.
Names follow MediaPipe's (`left_hip`, ...); "left" is the body's left, +x in the rest pose.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.synth.skeleton import Skeleton

JOINTS = ("ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index")
SIDES = ("left", "right")
BONE_OF = {"shoulder": "upperarm01", "elbow": "lowerarm01", "wrist": "wrist", "hip": "upperleg01",
           "knee": "lowerleg01", "ankle": "foot"}
SIDE_SUFFIX = {"left": ".L", "right": ".R"}


def landmark_names() -> tuple[str, ...]:
    """All stored landmark names: `left_ear`, `left_shoulder`, ..., `right_foot_index`."""
    return tuple(f"{side}_{joint}" for side in SIDES for joint in JOINTS)


def _dominant_bone(skeleton: Skeleton) -> np.ndarray:
    """Per body vertex, the index of the bone with the largest skinning weight."""
    return np.asarray(skeleton.weights.argmax(axis=1)).ravel()


def _vertex_landmarks(skeleton: Skeleton, side: str) -> dict[str, int]:
    """The ear, heel and toe-tip vertex indices of one side, chosen by the rules in the module docstring."""
    dominant = _dominant_bone(skeleton)
    rest = skeleton.rest_vertices
    sign = 1.0 if side == "left" else -1.0
    suffix = SIDE_SUFFIX[side]
    on_side = rest[:, 0] * sign > 0
    head = np.where((dominant == skeleton.index("head")) & on_side)[0]
    foot_bones = [i for i, b in enumerate(skeleton.bones)
                  if b == f"foot{suffix}" or (b.startswith("toe") and b.endswith(suffix))]
    foot = np.where(np.isin(dominant, foot_bones))[0]
    return {"ear": int(head[np.argmax(rest[head, 0] * sign)]),
            "heel": int(foot[np.argmin(rest[foot, 2])]),
            "foot_index": int(foot[np.argmax(rest[foot, 2])])}


@dataclass(frozen=True)
class LandmarkMap:
    """For each landmark name, either a bone (its head is the point) or a body vertex index."""

    bones: dict[str, int]
    vertices: dict[str, int]

    def __post_init__(self) -> None:
        missing = set(landmark_names()) - set(self.bones) - set(self.vertices)
        if missing:
            raise ValueError(f"LandmarkMap: expected every landmark, missing {sorted(missing)}")


def landmark_map(skeleton: Skeleton) -> LandmarkMap:
    """Resolve every landmark name to a bone index or a vertex index of this skeleton."""
    bones: dict[str, int] = {}
    vertices: dict[str, int] = {}
    for side in SIDES:
        for joint, bone in BONE_OF.items():
            bones[f"{side}_{joint}"] = skeleton.index(bone + SIDE_SUFFIX[side])
        for joint, index in _vertex_landmarks(skeleton, side).items():
            vertices[f"{side}_{joint}"] = index
    return LandmarkMap(bones=bones, vertices=vertices)


def landmark_positions(skeleton: Skeleton, mapping: LandmarkMap, matrices: np.ndarray,
                       posed_vertices: np.ndarray) -> dict[str, np.ndarray]:
    """World (3,) position of every landmark for one posed frame."""
    heads = skeleton.posed_heads(matrices)
    out = {name: heads[i] for name, i in mapping.bones.items()}
    out.update({name: posed_vertices[i] for name, i in mapping.vertices.items()})
    return {name: out[name] for name in landmark_names()}
