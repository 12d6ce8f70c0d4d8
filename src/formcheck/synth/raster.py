"""Z-buffered software rasteriser for the synthetic renderer: meshes + camera -> BGR image and masks.

Why a rasteriser of our own: the ground-truth renderer needs a posed body (~28k triangles) plus props at
>= 10 fps on one core with exact visibility; a per-triangle OpenCV painter's loop gets ~3-4 fps and
mis-orders self-occlusions. The inner loop is compiled with numba (the `synth` extra).

Lighting is Lambert with ambient: each colour is scaled by `ambient + (1 - ambient) * max(0, n . l)`, with
`l` the world direction towards the light, so a surface facing the light shows its full colour. Triangles
are clipped against the camera's near plane; pixels whose centre lies inside a triangle are drawn
(see `camera.py` for the pixel convention); depth is resolved per pixel, nearest wins, ties go to the
earlier mesh in the list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.mesh import Mesh

try:
    import numba
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError("formcheck.synth.raster needs numba: pip install 'formcheck[synth]'") from exc

__all__ = ["Camera", "Layers", "Mesh", "mask", "render", "render_layers"]


@dataclass(frozen=True, eq=False)
class Layers:
    """One rendered frame: the BGR image, which mesh is frontmost per pixel (-1 = background) and its depth.

    `depth` is the distance along the optical axis in metres (inf on background pixels).
    """

    image: np.ndarray
    mesh_index: np.ndarray
    depth: np.ndarray

    def __post_init__(self) -> None:
        height, width = self.mesh_index.shape
        if self.image.shape != (height, width, 3) or self.depth.shape != (height, width):
            raise ValueError(f"Layers: expected image (H,W,3) and depth (H,W) for H,W={height},{width}, "
                             f"got {self.image.shape} and {self.depth.shape}")


@numba.njit(cache=True)
def _vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:  # pragma: no cover - jitted
    """Area-weighted unit normals per vertex (sum of the adjacent faces' cross products)."""
    normals = np.zeros_like(vertices)
    for f in range(faces.shape[0]):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        e1 = vertices[b] - vertices[a]
        e2 = vertices[c] - vertices[a]
        n = np.cross(e1, e2)
        for k in (a, b, c):
            normals[k] += n
    for v in range(normals.shape[0]):
        length = np.sqrt(np.sum(normals[v] ** 2))
        if length > 0.0:
            normals[v] /= length
    return normals


def _face_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:
    """Unit normals per face (zero for degenerate faces)."""
    corners = vertices[faces]
    normals = np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0])
    length = np.linalg.norm(normals, axis=1, keepdims=True)
    return np.divide(normals, length, out=np.zeros_like(normals), where=length > 0)


def _lit_corner_colors(mesh: Mesh, light: np.ndarray, ambient: float) -> np.ndarray:
    """(F,3,3) float32 RGB per triangle corner after Lambert + ambient lighting."""
    if mesh.smooth:
        lambert = _vertex_normals(mesh.vertices, mesh.faces) @ light
        intensity = ambient + (1.0 - ambient) * np.maximum(lambert, 0.0)[mesh.faces]
    else:
        lambert = _face_normals(mesh.vertices, mesh.faces) @ light
        intensity = np.repeat((ambient + (1.0 - ambient) * np.maximum(lambert, 0.0))[:, None], 3, axis=1)
    return mesh.corner_colors() * intensity[:, :, None].astype(np.float32)


@numba.njit(cache=True)
def _draw_triangle(p: np.ndarray, c: np.ndarray, mesh_id: int, cull: bool, focal: float,
                   image: np.ndarray, inv_depth: np.ndarray, ids: np.ndarray) -> None:  # pragma: no cover
    """Draw one triangle in front of the near plane: p (3,3) camera xyz, c (3,3) RGB per corner."""
    height, width = ids.shape
    sx = np.empty(3)
    sy = np.empty(3)
    w = np.empty(3)
    for k in range(3):
        w[k] = 1.0 / p[k, 2]
        sx[k] = 0.5 * width + focal * p[k, 0] * w[k]
        sy[k] = 0.5 * height - focal * p[k, 1] * w[k]
    area = (sx[1] - sx[0]) * (sy[2] - sy[0]) - (sx[2] - sx[0]) * (sy[1] - sy[0])
    # Counter-clockwise in the world looks clockwise with y down: front faces have negative area.
    if area == 0.0 or (cull and area > 0.0):
        return
    x0 = max(0, int(np.ceil(min(sx[0], sx[1], sx[2]) - 0.5)))
    x1 = min(width - 1, int(np.floor(max(sx[0], sx[1], sx[2]) - 0.5)))
    y0 = max(0, int(np.ceil(min(sy[0], sy[1], sy[2]) - 0.5)))
    y1 = min(height - 1, int(np.floor(max(sy[0], sy[1], sy[2]) - 0.5)))
    inv_area = 1.0 / area
    for i in range(y0, y1 + 1):
        py = i + 0.5
        for j in range(x0, x1 + 1):
            px = j + 0.5
            b0 = ((sx[2] - sx[1]) * (py - sy[1]) - (sy[2] - sy[1]) * (px - sx[1])) * inv_area
            b1 = ((sx[0] - sx[2]) * (py - sy[2]) - (sy[0] - sy[2]) * (px - sx[2])) * inv_area
            b2 = 1.0 - b0 - b1
            if b0 < 0.0 or b1 < 0.0 or b2 < 0.0:
                continue
            wz = b0 * w[0] + b1 * w[1] + b2 * w[2]
            if wz <= inv_depth[i, j]:
                continue
            inv_depth[i, j] = wz
            ids[i, j] = mesh_id
            scale = 1.0 / wz
            for ch in range(3):  # perspective-correct colour, written as BGR
                value = (b0 * w[0] * c[0, ch] + b1 * w[1] * c[1, ch] + b2 * w[2] * c[2, ch]) * scale
                image[i, j, 2 - ch] = min(255, max(0, int(value + 0.5)))


@numba.njit(cache=True)
def _clip_near(p: np.ndarray, c: np.ndarray, near: float,
               out_p: np.ndarray, out_c: np.ndarray) -> int:  # pragma: no cover - jitted
    """Clip a triangle to z >= near (Sutherland-Hodgman); writes up to 4 corners, returns how many."""
    n = 0
    for k in range(3):
        a, b = k, (k + 1) % 3
        a_in = p[a, 2] >= near
        if a_in:
            out_p[n] = p[a]
            out_c[n] = c[a]
            n += 1
        if a_in != (p[b, 2] >= near):
            t = (near - p[a, 2]) / (p[b, 2] - p[a, 2])
            out_p[n] = p[a] + t * (p[b] - p[a])
            out_p[n, 2] = near
            out_c[n] = c[a] + np.float32(t) * (c[b] - c[a])
            n += 1
    return n


@numba.njit(cache=True)
def _rasterise(corners: np.ndarray, colors: np.ndarray, mesh_ids: np.ndarray, cull: np.ndarray,
               focal: float, near: float, image: np.ndarray, inv_depth: np.ndarray,
               ids: np.ndarray) -> None:  # pragma: no cover - jitted
    """Draw every triangle (corners (F,3,3) camera xyz, colors (F,3,3) RGB) into the buffers."""
    poly_p = np.empty((4, 3))
    poly_c = np.empty((4, 3), dtype=np.float32)
    tri_p = np.empty((3, 3))
    tri_c = np.empty((3, 3), dtype=np.float32)
    for f in range(corners.shape[0]):
        p = corners[f]
        z_min = min(p[0, 2], p[1, 2], p[2, 2])
        if z_min >= near:
            _draw_triangle(p, colors[f], mesh_ids[f], cull[f], focal, image, inv_depth, ids)
            continue
        if max(p[0, 2], p[1, 2], p[2, 2]) < near:
            continue
        n = _clip_near(p, colors[f], near, poly_p, poly_c)
        for k in range(1, n - 1):  # fan; keeps the winding
            tri_p[0], tri_p[1], tri_p[2] = poly_p[0], poly_p[k], poly_p[k + 1]
            tri_c[0], tri_c[1], tri_c[2] = poly_c[0], poly_c[k], poly_c[k + 1]
            _draw_triangle(tri_p, tri_c, mesh_ids[f], cull[f], focal, image, inv_depth, ids)


def _background_image(background: tuple[int, int, int] | np.ndarray, camera: Camera) -> np.ndarray:
    """A fresh (H,W,3) BGR canvas: an RGB colour tuple, or a BGR image of the camera's size."""
    shape = (camera.height, camera.width, 3)
    array = np.asarray(background)
    if array.shape == (3,):
        if array.min() < 0 or array.max() > 255:
            raise ValueError(f"render.background: expected RGB in 0..255, got {background}")
        return np.full(shape, array[::-1], dtype=np.uint8)
    if array.shape != shape or array.dtype != np.uint8:
        raise ValueError(f"render.background: expected an RGB tuple or a uint8 BGR image {shape}, "
                         f"got {array.dtype} {array.shape}")
    return array.copy()


def _unit_light(light_dir: Sequence[float] | np.ndarray) -> np.ndarray:
    """The light direction as a unit (3,) vector."""
    light = np.asarray(light_dir, dtype=np.float64)
    if light.shape != (3,) or not np.all(np.isfinite(light)) or np.linalg.norm(light) == 0:
        raise ValueError(f"render.light_dir: expected a non-zero 3-vector, got {light_dir}")
    return light / np.linalg.norm(light)


def render_layers(meshes: Sequence[Mesh], camera: Camera, *,
                  background: tuple[int, int, int] | np.ndarray = (200, 200, 200),
                  light_dir: Sequence[float] | np.ndarray = (0.3, 0.8, 0.5), ambient: float = 0.35) -> Layers:
    """Render `meshes` seen by `camera`: image, frontmost-mesh index and depth per pixel.

    `background` is an RGB colour (like mesh colours) or a BGR image of the camera's size (like the output).
    """
    if not 0.0 <= ambient <= 1.0:
        raise ValueError(f"render.ambient: expected 0..1, got {ambient}")
    light = _unit_light(light_dir)
    image = _background_image(background, camera)
    inv_depth = np.zeros((camera.height, camera.width), dtype=np.float64)
    ids = np.full((camera.height, camera.width), -1, dtype=np.int32)
    if meshes:
        corners = np.concatenate([camera.to_camera(m.vertices)[m.faces] for m in meshes])
        colors = np.concatenate([_lit_corner_colors(m, light, ambient) for m in meshes])
        counts = [len(m.faces) for m in meshes]
        mesh_ids = np.repeat(np.arange(len(meshes), dtype=np.int32), counts)
        cull = np.repeat(np.array([m.cull_back for m in meshes], dtype=np.bool_), counts)
        _rasterise(corners, colors, mesh_ids, cull, camera.focal_px, camera.near, image, inv_depth, ids)
    with np.errstate(divide="ignore"):
        depth = np.where(ids >= 0, 1.0 / inv_depth, np.inf)
    return Layers(image=image, mesh_index=ids, depth=depth)


def render(meshes: Sequence[Mesh], camera: Camera, *,
           background: tuple[int, int, int] | np.ndarray = (200, 200, 200),
           light_dir: Sequence[float] | np.ndarray = (0.3, 0.8, 0.5), ambient: float = 0.35) -> np.ndarray:
    """Render `meshes` seen by `camera` into an (H,W,3) uint8 BGR image (see `render_layers`)."""
    return render_layers(meshes, camera, background=background, light_dir=light_dir, ambient=ambient).image


def mask(meshes: Sequence[Mesh], camera: Camera, which: int) -> np.ndarray:
    """(H,W) bool: the pixels where mesh number `which` is the frontmost surface."""
    if not 0 <= which < len(meshes):
        raise ValueError(f"mask.which: expected 0..{len(meshes) - 1}, got {which}")
    return render_layers(meshes, camera).mesh_index == which
