"""The MakeHuman rig as a posable skeleton: rest joints, forward kinematics and linear blend skinning.

Rest pose: base.obj in metres, y up, the body facing +z with its left side toward +x (see `assets`).
A pose gives each bone a rotation (3x3, in the rest frame's axes) about its own head; a bone's skinning
matrix is its parent's times that rotation about the head, so children follow their parents. The root
also carries a translation that places the body in the world. Hip-thrust posing only needs rotations
about the lateral x axis (`rot_x`), the body's sagittal plane being the y-z plane.

Sign of `rot_x(deg)`: positive turns +y toward +z — the head toward the front (neck flexion), the
shin toward the back (knee flexion), the trunk forward over the pelvis (lumbar flexion); a negative angle
turns a hanging thigh forward (hip flexion) and tips the standing body onto its back (-90 = supine).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import scipy.sparse

from formcheck.synth.assets import BODY_GROUP, BodyAssets


def rot_x(deg: float) -> np.ndarray:
    """Rotation matrix about +x by `deg` degrees (right-handed: +y turns toward +z)."""
    c, s = np.cos(np.radians(deg)), np.sin(np.radians(deg))
    return np.array([[1.0, 0.0, 0.0], [0.0, c, -s], [0.0, s, c]])


def angle_about_x(rotation: np.ndarray) -> float:
    """The angle (degrees) of a rotation about +x, read back from its matrix (inverse of `rot_x`)."""
    return float(np.degrees(np.arctan2(rotation[2, 1], rotation[1, 1])))


def _end_position(end: Mapping[str, object], vertices: np.ndarray,
                  groups: Mapping[str, np.ndarray]) -> np.ndarray:
    """A bone head or tail from its rig strategy: a joint cube's centre, one vertex, or a vertex mean."""
    strategy = end["strategy"]
    if strategy == "CUBE":
        return vertices[groups[str(end["cube_name"])]].mean(axis=0)
    if strategy == "VERTEX":
        return vertices[int(end["vertex_index"])]  # type: ignore[call-overload]
    if strategy == "MEAN":
        return vertices[np.asarray(end["vertex_indices"], dtype=np.int64)].mean(axis=0)
    raise ValueError(f"rig end strategy: expected CUBE, VERTEX or MEAN, got {strategy!r}")


def _topological(parents: Mapping[str, str]) -> list[str]:
    """Bone names ordered so that every parent precedes its children."""
    order: list[str] = []
    placed: set[str] = set()
    pending = sorted(parents)
    while pending:
        ready = [b for b in pending if not parents[b] or parents[b] in placed]
        if not ready:
            raise ValueError(f"rig: expected a tree of bones, got a cycle among {pending[:5]}")
        order.extend(ready)
        placed.update(ready)
        pending = [b for b in pending if b not in placed]
    return order


@dataclass(frozen=True, eq=False)
class Skeleton:
    """Bones in parent-first order with rest heads/tails, and the skin: body vertices and their weights.

    `weights` is a sparse (V, B) matrix over the `body` vertices whose rows sum to 1, so LBS is one
    sparse product per frame.
    """

    bones: tuple[str, ...]
    parent_index: np.ndarray  # (B,) int, -1 for the root
    heads: np.ndarray  # (B, 3) rest head positions, metres
    tails: np.ndarray  # (B, 3)
    rest_vertices: np.ndarray  # (V, 3) the body's vertices at rest
    faces: np.ndarray  # (F, 3) triangles over rest_vertices
    weights: scipy.sparse.csr_matrix  # (V, B)

    def __post_init__(self) -> None:
        b = len(self.bones)
        for name, shape in (("parent_index", (b,)), ("heads", (b, 3)), ("tails", (b, 3))):
            if getattr(self, name).shape != shape:
                raise ValueError(f"Skeleton.{name}: expected shape {shape}, got {getattr(self, name).shape}")
        if self.weights.shape != (len(self.rest_vertices), b):
            raise ValueError(f"Skeleton.weights: expected shape {(len(self.rest_vertices), b)}, "
                             f"got {self.weights.shape}")
        if any(p >= i for i, p in enumerate(self.parent_index)):
            raise ValueError("Skeleton.parent_index: expected every parent before its child")

    def index(self, bone: str) -> int:
        """Position of a bone; unknown names fail with a few valid ones."""
        try:
            return self.bones.index(bone)
        except ValueError:
            valid = ", ".join(self.bones[:12])
            raise KeyError(f"unknown bone {bone!r}; expected one of {valid}, …") from None

    def skinning_matrices(self, rotations: Mapping[str, np.ndarray], translation: np.ndarray) -> np.ndarray:
        """(B, 4, 4) rest -> posed transforms: each bone rotated about its head, children following.

        `rotations` maps bone names to 3x3 rotations (missing bones keep their rest orientation);
        `translation` moves the root (and so the whole body).
        """
        unknown = set(rotations) - set(self.bones)
        if unknown:
            raise KeyError(f"unknown bones in pose: {sorted(unknown)}")
        out = np.empty((len(self.bones), 4, 4))
        for i, (bone, parent) in enumerate(zip(self.bones, self.parent_index, strict=True)):
            local = np.eye(4)
            rotation = rotations.get(bone)
            if rotation is not None:
                local[:3, :3] = rotation
                local[:3, 3] = self.heads[i] - rotation @ self.heads[i]
            if parent < 0:
                local[:3, 3] += np.asarray(translation, dtype=float)
                out[i] = local
            else:
                out[i] = out[parent] @ local
        return out

    def skin(self, matrices: np.ndarray) -> np.ndarray:
        """Linear blend skinning: posed (V, 3) body vertices from (B, 4, 4) skinning matrices."""
        blended = self.weights @ matrices[:, :3, :].reshape(len(self.bones), 12)  # (V, 12)
        blended = blended.reshape(-1, 3, 4)
        return np.einsum("vij,vj->vi", blended[:, :, :3], self.rest_vertices) + blended[:, :, 3]

    def posed_heads(self, matrices: np.ndarray) -> np.ndarray:
        """(B, 3) posed bone heads (joint centres)."""
        return np.einsum("bij,bj->bi", matrices[:, :3, :3], self.heads) + matrices[:, :3, 3]

    def transform(self, bone: str, matrices: np.ndarray, points: np.ndarray) -> np.ndarray:
        """Rest-frame points rigidly attached to `bone`, moved into the pose."""
        m = matrices[self.index(bone)]
        return np.asarray(points, dtype=float) @ m[:3, :3].T + m[:3, 3]


def build_skeleton(assets: BodyAssets) -> Skeleton:
    """The skeleton of rig.default.json over the `body` group, with weights normalised per vertex."""
    rig = assets.rig
    bones = _topological({name: str(bone["parent"]) for name, bone in rig.items()})
    position = {name: i for i, name in enumerate(bones)}
    parent_index = np.array([position[rig[b]["parent"]] if rig[b]["parent"] else -1 for b in bones])
    heads = np.array([_end_position(rig[b]["head"], assets.vertices, assets.groups) for b in bones])
    tails = np.array([_end_position(rig[b]["tail"], assets.vertices, assets.groups) for b in bones])
    body = assets.groups[BODY_GROUP]
    n_body = int(body.max()) + 1
    if not np.array_equal(body, np.arange(n_body)):
        raise ValueError(f"expected the {BODY_GROUP!r} group to be vertices 0..N-1, got another layout")
    rows, cols, values = [], [], []
    for bone, (indices, w) in assets.weights.items():
        keep = indices < n_body
        rows.append(indices[keep])
        cols.append(np.full(int(keep.sum()), position[bone]))
        values.append(w[keep])
    weights = scipy.sparse.csr_matrix(
        (np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(n_body, len(bones)))
    totals = np.asarray(weights.sum(axis=1)).ravel()
    if np.any(totals <= 0):
        missing = int((totals <= 0).sum())
        raise ValueError(f"expected every body vertex to have skinning weights, {missing} have none")
    weights = scipy.sparse.diags(1.0 / totals) @ weights
    quads = assets.faces
    triangles = np.concatenate([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]])
    return Skeleton(bones=tuple(bones), parent_index=parent_index, heads=heads, tails=tails,
                    rest_vertices=assets.vertices[:n_body].copy(), faces=triangles,
                    weights=scipy.sparse.csr_matrix(weights))
