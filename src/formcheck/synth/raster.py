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
    """One rendered frame: the BGR image, which mesh is frontmost per pixel (-1 = background) and 1/depth.

    `inverse_depth` is 1 / (distance along the optical axis in metres), 0 on background pixels; `depth`
    converts it (inf on background), for callers that ask whether a point is hidden.
    """

    image: np.ndarray
    mesh_index: np.ndarray
    inverse_depth: np.ndarray

    def __post_init__(self) -> None:
        height, width = self.mesh_index.shape
        if self.image.shape != (height, width, 3) or self.inverse_depth.shape != (height, width):
            raise ValueError(f"Layers: expected image (H,W,3) and inverse_depth (H,W) for H,W = {height},"
                             f"{width}, got {self.image.shape} and {self.inverse_depth.shape}")

    @property
    def depth(self) -> np.ndarray:
        """(H,W) metres along the optical axis to the frontmost surface; inf where nothing was drawn."""
        with np.errstate(divide="ignore"):
            return 1.0 / self.inverse_depth


@numba.njit(cache=True)
def _vertex_normals(vertices: np.ndarray, faces: np.ndarray) -> np.ndarray:  # pragma: no cover - jitted
    """Area-weighted unit normals per vertex (sum of the adjacent faces' cross products)."""
    normals = np.zeros_like(vertices)
    for f in range(faces.shape[0]):
        a, b, c = faces[f, 0], faces[f, 1], faces[f, 2]
        ax, ay, az = vertices[a, 0], vertices[a, 1], vertices[a, 2]
        ux, uy, uz = vertices[b, 0] - ax, vertices[b, 1] - ay, vertices[b, 2] - az
        vx, vy, vz = vertices[c, 0] - ax, vertices[c, 1] - ay, vertices[c, 2] - az
        nx, ny, nz = uy * vz - uz * vy, uz * vx - ux * vz, ux * vy - uy * vx
        for k in (a, b, c):
            normals[k, 0] += nx
            normals[k, 1] += ny
            normals[k, 2] += nz
    for v in range(normals.shape[0]):
        length = np.sqrt(normals[v, 0] ** 2 + normals[v, 1] ** 2 + normals[v, 2] ** 2)
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
        intensity = (ambient + (1.0 - ambient) * np.maximum(lambert, 0.0)).astype(np.float32)[mesh.faces]
    else:
        lambert = _face_normals(mesh.vertices, mesh.faces) @ light
        per_face = (ambient + (1.0 - ambient) * np.maximum(lambert, 0.0)).astype(np.float32)
        intensity = np.repeat(per_face[:, None], 3, axis=1)
    return mesh.corner_colors() * intensity[:, :, None]


@numba.njit(cache=True)
def _plane(f0: float, f1: float, f2: float,
           edges: np.ndarray) -> tuple[float, float, float]:  # pragma: no cover - jitted
    """(A, B, C) of A*x + B*y + C: corner values f0, f1, f2 blended by barycentric weights (rows of edges)."""
    return (f0 * edges[0, 0] + f1 * edges[1, 0] + f2 * edges[2, 0],
            f0 * edges[0, 1] + f1 * edges[1, 1] + f2 * edges[2, 1],
            f0 * edges[0, 2] + f1 * edges[1, 2] + f2 * edges[2, 2])


@numba.njit(cache=True)
def _row_span(edges: np.ndarray, py: float, lo: float, hi: float) -> tuple[int, int]:  # pragma: no cover
    """First and last pixel column of row centre `py` inside all three edges, within [lo, hi] centres."""
    for k in range(3):
        rest = edges[k, 1] * py + edges[k, 2]
        if edges[k, 0] > 0.0:
            lo = max(lo, -rest / edges[k, 0])
        elif edges[k, 0] < 0.0:
            hi = min(hi, -rest / edges[k, 0])
        elif rest < 0.0:
            return 0, -1
    return int(np.ceil(lo - 0.5)), int(np.floor(hi - 0.5))


@numba.njit(cache=True)
def _draw_triangle(p: np.ndarray, c: np.ndarray, mesh_id: int, cull: bool, focal: float, edges: np.ndarray,
                   image: np.ndarray, inv_depth: np.ndarray, ids: np.ndarray) -> None:  # pragma: no cover
    """Draw one triangle in front of the near plane: p (3,3) camera xyz, c (3,3) RGB per corner.

    Barycentric weights, 1/z and colour/z are affine in pixel coordinates, so each is evaluated as
    A*x + B*y + C (weight k's coefficients go in row k of the scratch `edges`); each row is drawn over
    the span where all three weights are >= 0.
    """
    height, width = ids.shape
    w0, w1, w2 = 1.0 / p[0, 2], 1.0 / p[1, 2], 1.0 / p[2, 2]
    x0, y0 = 0.5 * width + focal * p[0, 0] * w0, 0.5 * height - focal * p[0, 1] * w0
    x1, y1 = 0.5 * width + focal * p[1, 0] * w1, 0.5 * height - focal * p[1, 1] * w1
    x2, y2 = 0.5 * width + focal * p[2, 0] * w2, 0.5 * height - focal * p[2, 1] * w2
    area = (x1 - x0) * (y2 - y0) - (x2 - x0) * (y1 - y0)
    # Counter-clockwise in the world looks clockwise with y down: front faces have negative area.
    if area == 0.0 or (cull and area > 0.0):
        return
    col_lo = max(0.0, np.ceil(min(x0, x1, x2) - 0.5))
    col_hi = min(width - 1.0, np.floor(max(x0, x1, x2) - 0.5))
    row_lo = max(0.0, np.ceil(min(y0, y1, y2) - 0.5))
    row_hi = min(height - 1.0, np.floor(max(y0, y1, y2) - 0.5))
    if col_lo > col_hi or row_lo > row_hi:
        return
    inv = 1.0 / area
    edges[0, 0], edges[0, 1], edges[0, 2] = (y1 - y2) * inv, (x2 - x1) * inv, (x1 * y2 - x2 * y1) * inv
    edges[1, 0], edges[1, 1], edges[1, 2] = (y2 - y0) * inv, (x0 - x2) * inv, (x2 * y0 - x0 * y2) * inv
    edges[2, 0], edges[2, 1], edges[2, 2] = (y0 - y1) * inv, (x1 - x0) * inv, (x0 * y1 - x1 * y0) * inv
    wa, wb, wc = _plane(w0, w1, w2, edges)
    ra, rb, rc = _plane(w0 * c[0, 0], w1 * c[1, 0], w2 * c[2, 0], edges)
    ga, gb, gc = _plane(w0 * c[0, 1], w1 * c[1, 1], w2 * c[2, 1], edges)
    ba, bb, bc = _plane(w0 * c[0, 2], w1 * c[1, 2], w2 * c[2, 2], edges)
    for i in range(int(row_lo), int(row_hi) + 1):
        py = i + 0.5
        first, last = _row_span(edges, py, col_lo + 0.5, col_hi + 0.5)
        for j in range(first, last + 1):
            px = j + 0.5
            wz = wa * px + wb * py + wc
            if wz <= inv_depth[i, j]:
                continue
            inv_depth[i, j] = wz
            ids[i, j] = mesh_id
            z = 1.0 / wz
            image[i, j, 0] = min(255, max(0, int((ba * px + bb * py + bc) * z + 0.5)))  # BGR
            image[i, j, 1] = min(255, max(0, int((ga * px + gb * py + gc) * z + 0.5)))
            image[i, j, 2] = min(255, max(0, int((ra * px + rb * py + rc) * z + 0.5)))


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
def _rasterise(vertices: np.ndarray, faces: np.ndarray, colors: np.ndarray, mesh_id: int, cull: bool,
               focal: float, near: float, image: np.ndarray, inv_depth: np.ndarray,
               ids: np.ndarray) -> None:  # pragma: no cover - jitted
    """Draw one mesh (camera-space vertices, faces, colors (F,3,3) RGB per corner) into the buffers."""
    tri_p = np.empty((3, 3))
    poly_p = np.empty((4, 3))
    poly_c = np.empty((4, 3), dtype=np.float32)
    tri_c = np.empty((3, 3), dtype=np.float32)
    edges = np.empty((3, 3))
    for f in range(faces.shape[0]):
        for k in range(3):
            tri_p[k] = vertices[faces[f, k]]
        z_lo = min(tri_p[0, 2], tri_p[1, 2], tri_p[2, 2])
        if z_lo >= near:
            _draw_triangle(tri_p, colors[f], mesh_id, cull, focal, edges, image, inv_depth, ids)
            continue
        if max(tri_p[0, 2], tri_p[1, 2], tri_p[2, 2]) < near:
            continue
        n = _clip_near(tri_p, colors[f], near, poly_p, poly_c)
        for k in range(1, n - 1):  # fan; keeps the winding
            tri_p[0], tri_p[1], tri_p[2] = poly_p[0], poly_p[k], poly_p[k + 1]
            tri_c[0], tri_c[1], tri_c[2] = poly_c[0], poly_c[k], poly_c[k + 1]
            _draw_triangle(tri_p, tri_c, mesh_id, cull, focal, edges, image, inv_depth, ids)


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
                  light_dir: Sequence[float] | np.ndarray = (0.3, 0.8, 0.5), ambient: float = 0.35,
                  base: Layers | None = None, first_index: int = 0) -> Layers:
    """Render `meshes` seen by `camera`: image, frontmost-mesh index and depth per pixel.

    `background` is an RGB colour (like mesh colours) or a BGR image of the camera's size (like the output).
    `base`, when given, replaces the background: drawing starts from a copy of those layers (e.g. the
    static scene, drawn once per clip), and the meshes here are numbered from `first_index` on.
    """
    if not 0.0 <= ambient <= 1.0:
        raise ValueError(f"render.ambient: expected 0..1, got {ambient}")
    light = _unit_light(light_dir)
    if base is None:
        image = _background_image(background, camera)
        inv_depth = np.zeros((camera.height, camera.width), dtype=np.float64)
        ids = np.full((camera.height, camera.width), -1, dtype=np.int32)
    else:
        if base.mesh_index.shape != (camera.height, camera.width):
            raise ValueError(f"render.base: expected layers of {camera.width}x{camera.height}, "
                             f"got {base.mesh_index.shape[1]}x{base.mesh_index.shape[0]}")
        image, inv_depth, ids = base.image.copy(), base.inverse_depth.copy(), base.mesh_index.copy()
    for index, mesh in enumerate(meshes):
        _rasterise(camera.to_camera(mesh.vertices), mesh.faces, _lit_corner_colors(mesh, light, ambient),
                   first_index + index, mesh.cull_back, camera.focal_px, camera.near, image, inv_depth, ids)
    return Layers(image=image, mesh_index=ids, inverse_depth=inv_depth)


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
