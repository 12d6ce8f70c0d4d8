"""Triangle meshes for the synthetic renderer, and the simple props of a hip-thrust scene.

Winding convention: a triangle's front is the side from which its corners run counter-clockwise (as in
OpenGL), so its normal is (v1 - v0) x (v2 - v0). Every primitive here has outward-facing fronts.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ColorLike = tuple[int, int, int] | np.ndarray


@dataclass(frozen=True, eq=False)
class Mesh:
    """Triangles with colours: `colors` is one RGB colour (3,), one per face (F,3) or one per vertex (N,3).

    When F == N the colours are taken per face. `smooth` interpolates per-vertex normals (Gouraud);
    otherwise each face is lit flat. `cull_back` skips triangles seen from behind (for closed meshes and
    single-sided planes; it also halves the drawing work).
    """

    vertices: np.ndarray
    faces: np.ndarray
    colors: np.ndarray
    smooth: bool = True
    cull_back: bool = False

    def __post_init__(self) -> None:
        vertices = np.ascontiguousarray(self.vertices, dtype=np.float64)
        if vertices.ndim != 2 or vertices.shape[1] != 3 or not np.all(np.isfinite(vertices)):
            raise ValueError(f"Mesh.vertices: expected finite (N, 3) points, got shape {vertices.shape}")
        faces = np.asarray(self.faces)
        if faces.ndim != 2 or faces.shape[1] != 3 or not np.issubdtype(faces.dtype, np.integer):
            raise ValueError(f"Mesh.faces: expected (F, 3) integer indices, got {faces.dtype} {faces.shape}")
        if faces.size and (faces.min() < 0 or faces.max() >= len(vertices)):
            raise ValueError(f"Mesh.faces: expected indices in [0, {len(vertices)}), "
                             f"got [{faces.min()}, {faces.max()}]")
        colors = np.asarray(self.colors)
        if colors.shape != (3,) and not (colors.ndim == 2 and colors.shape[1] == 3
                                         and len(colors) in (len(faces), len(vertices))):
            raise ValueError(f"Mesh.colors: expected (3,), ({len(faces)}, 3) or ({len(vertices)}, 3) RGB, "
                             f"got shape {colors.shape}")
        if colors.size and (colors.min() < 0 or colors.max() > 255):
            raise ValueError(f"Mesh.colors: expected 0..255, got [{colors.min()}, {colors.max()}]")
        object.__setattr__(self, "vertices", vertices)
        object.__setattr__(self, "faces", np.ascontiguousarray(faces, dtype=np.int64))
        object.__setattr__(self, "colors", colors.astype(np.uint8))

    def corner_colors(self) -> np.ndarray:
        """(F,3,3) float32 RGB of each triangle's corners, whatever form `colors` was given in."""
        colors = self.colors.astype(np.float32)
        if colors.shape == (3,):
            return np.broadcast_to(colors, (len(self.faces), 3, 3)).copy()
        if len(colors) == len(self.faces):
            return np.repeat(colors[:, None, :], 3, axis=1)
        return colors[self.faces]


def triangulate(quads: np.ndarray) -> np.ndarray:
    """(Q,4) quads -> (2Q,3) triangles with the same winding: (a, b, c, d) -> (a, b, c), (a, c, d)."""
    quads = np.asarray(quads)
    if quads.ndim != 2 or quads.shape[1] != 4:
        raise ValueError(f"triangulate: expected (Q, 4) quads, got shape {quads.shape}")
    return np.stack([quads[:, [0, 1, 2]], quads[:, [0, 2, 3]]], axis=1).reshape(-1, 3)


def _frame(axis: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Two unit vectors u, v with (u, v, axis) right-handed: u x v = axis direction."""
    axis = axis / np.linalg.norm(axis)
    helper = np.array([1.0, 0.0, 0.0]) if abs(axis[0]) < 0.9 else np.array([0.0, 1.0, 0.0])
    u = np.cross(helper, axis)
    u /= np.linalg.norm(u)
    return u, np.cross(axis, u)


def box_mesh(center: np.ndarray, size: np.ndarray, color: ColorLike,
             rotation: np.ndarray | None = None) -> Mesh:
    """An axis-aligned box (sizes along x, y, z in metres), optionally rotated about its centre; lit flat."""
    size = np.asarray(size, dtype=np.float64)
    if size.shape != (3,) or np.any(size <= 0):
        raise ValueError(f"box_mesh.size: expected 3 positive lengths, got {size}")
    corners = (np.array([[x, y, z] for x in (-0.5, 0.5) for y in (-0.5, 0.5) for z in (-0.5, 0.5)]) * size)
    if rotation is not None:
        corners = corners @ np.asarray(rotation, dtype=np.float64).T
    # Corner index = 4*[x>0] + 2*[y>0] + [z>0]; each quad runs counter-clockwise seen from outside.
    quads = np.array([[0, 1, 3, 2], [4, 6, 7, 5], [0, 4, 5, 1], [2, 3, 7, 6], [0, 2, 6, 4], [1, 5, 7, 3]])
    return Mesh(corners + np.asarray(center, dtype=np.float64), triangulate(quads), np.asarray(color),
                smooth=False, cull_back=True)


def plane_mesh(center: np.ndarray, size: tuple[float, float], color: ColorLike, *,
               normal: np.ndarray = (0.0, 1.0, 0.0), tiles: tuple[int, int] = (1, 1),
               color2: ColorLike | None = None) -> Mesh:
    """A flat rectangle facing `normal` (a floor by default), split into tiles, chequered if `color2`.

    Single-sided: it is culled when seen from behind.
    """
    if len(size) != 2 or min(size) <= 0 or len(tiles) != 2 or min(tiles) < 1:
        raise ValueError(f"plane_mesh: expected 2 positive sizes and tile counts, got {size}, {tiles}")
    u, v = _frame(np.asarray(normal, dtype=np.float64))
    nu, nv = tiles
    su, sv = np.meshgrid(np.linspace(-0.5, 0.5, nu + 1) * size[0], np.linspace(-0.5, 0.5, nv + 1) * size[1],
                         indexing="ij")
    vertices = np.asarray(center, dtype=np.float64) + su.reshape(-1, 1) * u + sv.reshape(-1, 1) * v
    i, j = np.meshgrid(np.arange(nu), np.arange(nv), indexing="ij")
    first = (i * (nv + 1) + j).ravel()
    quads = np.stack([first, first + nv + 1, first + nv + 2, first + 1], axis=1)
    faces = triangulate(quads)
    colors = np.asarray(color)
    if color2 is not None:
        odd = np.repeat(((i + j) % 2).ravel(), 2).astype(bool)
        colors = np.where(odd[:, None], np.asarray(color2), np.asarray(color))
    return Mesh(vertices, faces, colors, smooth=False, cull_back=True)


def cylinder_mesh(start: np.ndarray, end: np.ndarray, radius: float, color: ColorLike, *,
                  segments: int = 24, capped: bool = True) -> Mesh:
    """A cylinder from `start` to `end`: a smooth side and flat end caps (a barbell, or a plate)."""
    start, end = np.asarray(start, dtype=np.float64), np.asarray(end, dtype=np.float64)
    if radius <= 0 or segments < 3 or np.linalg.norm(end - start) <= 0:
        raise ValueError(f"cylinder_mesh: expected radius > 0, segments >= 3, distinct ends, "
                         f"got {radius}, {segments}, {start} -> {end}")
    u, v = _frame(end - start)
    angles = np.linspace(0.0, 2.0 * np.pi, segments, endpoint=False)
    ring = radius * (np.cos(angles)[:, None] * u + np.sin(angles)[:, None] * v)
    k = np.arange(segments)
    nxt = (k + 1) % segments
    parts = [np.concatenate([start + ring, end + ring])]
    faces = [triangulate(np.stack([k, nxt, segments + nxt, segments + k], axis=1))]
    if capped:
        # Caps get their own vertices so that smooth shading keeps them flat.
        for centre, flip in ((start, True), (end, False)):
            base = sum(len(p) for p in parts)
            parts.append(np.concatenate([centre[None], centre + ring]))
            fan = np.stack([np.zeros(segments, int), 1 + k, 1 + nxt], axis=1)
            faces.append(base + (fan[:, ::-1] if flip else fan))
    return Mesh(np.concatenate(parts), np.concatenate(faces), np.asarray(color), smooth=True, cull_back=True)


def plate_mesh(center: np.ndarray, axis: np.ndarray, radius: float, thickness: float, color: ColorLike, *,
               segments: int = 32) -> Mesh:
    """A weight plate: a short capped cylinder centred on `center`, its faces perpendicular to `axis`."""
    axis = np.asarray(axis, dtype=np.float64)
    if thickness <= 0 or np.linalg.norm(axis) <= 0:
        raise ValueError(f"plate_mesh: expected thickness > 0 and a non-zero axis, got {thickness}, {axis}")
    half = 0.5 * thickness * axis / np.linalg.norm(axis)
    center = np.asarray(center, dtype=np.float64)
    return cylinder_mesh(center - half, center + half, radius, color, segments=segments)


def sphere_mesh(center: np.ndarray, radius: float, color: ColorLike, *, rings: int = 16,
                segments: int = 32) -> Mesh:
    """A UV sphere (smooth), e.g. for tests and simple props."""
    if radius <= 0 or rings < 2 or segments < 3:
        raise ValueError(f"sphere_mesh: expected radius > 0, rings >= 2, segments >= 3, "
                         f"got {radius}, {rings}, {segments}")
    theta = np.linspace(0.0, np.pi, rings + 1)[:, None]
    phi = np.linspace(0.0, 2.0 * np.pi, segments, endpoint=False)[None, :]
    points = np.stack([np.sin(theta) * np.cos(phi), np.cos(theta) + 0 * phi, -np.sin(theta) * np.sin(phi)],
                      axis=-1).reshape(-1, 3)
    r, s = np.meshgrid(np.arange(rings), np.arange(segments), indexing="ij")
    a = r * segments + s
    b = r * segments + (s + 1) % segments
    quads = np.stack([a.ravel(), (a + segments).ravel(), (b + segments).ravel(), b.ravel()], axis=1)
    # Pole rows repeat one point, so their quads degenerate to triangles (zero-area halves are harmless).
    return Mesh(np.asarray(center, dtype=np.float64) + radius * points, triangulate(quads), np.asarray(color),
                smooth=True, cull_back=True)


def _outward(vertices: np.ndarray, quads: np.ndarray, normals: np.ndarray) -> np.ndarray:
    """Triangles of `quads`, each quad's corners reversed where needed so its front faces along `normals`."""
    corners = vertices[quads]
    facing = np.einsum("qi,qi->q", np.cross(corners[:, 1] - corners[:, 0], corners[:, 2] - corners[:, 0]),
                       normals)
    return triangulate(np.where((facing < 0)[:, None], quads[:, ::-1], quads))


def holed_plate_mesh(center: np.ndarray, axis: np.ndarray, radius: float, thickness: float, color: ColorLike,
                     rim_color: ColorLike, *, holes: int = 3, sectors: int = 36) -> Mesh:
    """A cast-iron weight plate: a disc with `holes` hand-grip windows (see-through) and a lighter rim.

    The faces are a polar grid of rings x sectors (cells inside a window are left out), plus the outer
    edge and the walls of each window; lit flat. The windows span 3 sectors each, evenly spaced.
    """
    axis = np.asarray(axis, dtype=np.float64)
    if (radius <= 0.1 or thickness <= 0 or holes < 0 or sectors < 3 * max(holes, 1)
            or not np.linalg.norm(axis)):
        raise ValueError(f"holed_plate_mesh: expected radius > 0.1, thickness > 0, a non-zero axis and "
                         f"sectors >= 3 per hole, got {radius}, {thickness}, {axis}, {sectors}, {holes}")
    a = axis / np.linalg.norm(axis)
    u, v = _frame(a)
    radii = radius * np.array([0.12, 0.35, 0.52, 0.76, 0.88, 1.0])  # bore .. window .. rim .. edge
    window_ring, rim_ring = 2, 4
    window_sectors = {(h * sectors // max(holes, 1) + d) % sectors for h in range(holes) for d in (-1, 0, 1)}
    angles = np.linspace(0.0, 2.0 * np.pi, sectors, endpoint=False)
    radial = np.cos(angles)[:, None] * u + np.sin(angles)[:, None] * v  # (S, 3)
    center = np.asarray(center, dtype=np.float64)
    rings = len(radii)
    # Vertex (face f, ring i, sector j): faces f = 0 front (+axis side), 1 back.
    points = np.stack([center + s * 0.5 * thickness * a + radii[:, None, None] * radial[None]
                       for s in (1.0, -1.0)])  # (2, R, S, 3)
    vertices = points.reshape(-1, 3)

    def vid(f: int, i: int, j: int) -> int:
        return (f * rings + i) * sectors + j % sectors

    quads, normals, rims = [], [], []
    for i in range(rings - 1):
        for j in range(sectors):
            if i == window_ring and j in window_sectors:
                continue
            for f, sign in ((0, 1.0), (1, -1.0)):
                quads.append([vid(f, i, j), vid(f, i + 1, j), vid(f, i + 1, j + 1), vid(f, i, j + 1)])
                normals.append(sign * a)
                rims.append(i == rim_ring)
    def mid(j: int) -> np.ndarray:
        """Unit radial direction through the middle of sector j."""
        angle = angles[j % sectors] + np.pi / sectors
        return np.cos(angle) * u + np.sin(angle) * v

    for j in range(sectors):  # outer edge, and the inner and outer walls of the windows
        walls = [(rings - 1, mid(j))]
        if j in window_sectors:
            walls += [(window_ring, mid(j)), (window_ring + 1, -mid(j))]
        for i, normal in walls:
            quads.append([vid(0, i, j), vid(0, i, j + 1), vid(1, i, j + 1), vid(1, i, j)])
            normals.append(normal)
            rims.append(i == rings - 1)
    for j in window_sectors:  # the windows' side walls, where a window sector meets a solid one
        for side, nxt in ((j, j - 1), (j + 1, j + 1)):
            if nxt % sectors in window_sectors:
                continue
            tangent = -np.sin(angles[side % sectors]) * u + np.cos(angles[side % sectors]) * v
            quads.append([vid(0, window_ring, side), vid(0, window_ring + 1, side),
                          vid(1, window_ring + 1, side), vid(1, window_ring, side)])
            normals.append(tangent if nxt == j - 1 else -tangent)
            rims.append(False)
    faces = _outward(vertices, np.asarray(quads, dtype=np.int64), np.asarray(normals))
    colors = np.where(np.repeat(rims, 2)[:, None], np.asarray(rim_color), np.asarray(color))
    return Mesh(vertices, faces, colors, smooth=False, cull_back=True)
