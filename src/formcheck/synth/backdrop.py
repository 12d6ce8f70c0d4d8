"""Textured rooms and a cluttered gym around the lifter, so clips are not all a plain gradient.

`SynthParams.background_kind` "textured" puts a tiled floor (rubber tiles, wooden planks or concrete slabs)
and a wall (painted blocks, panels or bricks) behind the lifter, as seen from the camera; "gym" adds
equipment between the lifter and that wall: a power rack with a loaded bar, a dumbbell rack, a second
bench, a plate tree, kettlebells, a ball, plates leaning on the wall. Everything is chosen from the clip's
seed, so a clip is reproducible, and nothing is placed between the camera and the lifter (clutter that
hides the lifter would be a test of a different thing). The rasteriser has no textures: patterns are
geometry, one colour per tile. These meshes never move, so a clip draws them once (see `clip`).

World layout as in `posing`: floor y = 0, the lifter along z (head toward -z) around x = 0, the camera on
the +x side for a left-side view.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from formcheck.synth.mesh import Mesh, box_mesh, cylinder_mesh, plate_mesh, sphere_mesh, triangulate
from formcheck.synth.params import SynthParams

FLOOR_HALF = 7.0  # the floor spans +-7 m around the lifter: beyond any camera's view of the floor
WALL_HEIGHT = 3.2
WALL_Z = (-7.0, 8.0)
# No clutter within KEEP_OUT_X of the lifter's mid-line (bar and plates reach ~1.1 m; more room keeps
# equipment from merging with the lifter's outline) along the body and bench (KEEP_OUT_Z).
KEEP_OUT_X = 1.8
KEEP_OUT_Z = (-1.5, 2.0)
WALL_COLOURS = ((205, 200, 188), (170, 172, 176), (120, 130, 150), (150, 80, 60), (90, 92, 98),
                (215, 215, 210), (160, 140, 110))
EQUIPMENT_RGB = ((30, 30, 34), (60, 60, 66), (140, 30, 30), (35, 60, 120), (200, 200, 205))


def _tiles(corner: np.ndarray, u: np.ndarray, v: np.ndarray, cells: np.ndarray, colours: np.ndarray) -> Mesh:
    """Flat rectangles on the plane corner + a*u + b*v, cells (K, 4) = (a0, a1, b0, b1), front along u x v."""
    a0, a1, b0, b1 = cells.T
    quads = np.stack([corner + np.outer(a, u) + np.outer(b, v)
                      for a, b in ((a0, b0), (a1, b0), (a1, b1), (a0, b1))], axis=1)  # (K, 4, 3)
    vertices = quads.reshape(-1, 3)
    faces = triangulate(np.arange(len(vertices)).reshape(-1, 4))
    return Mesh(vertices, faces, np.repeat(colours, 2, axis=0), smooth=False, cull_back=True)


def _vary(rgb: np.ndarray, count: int, spread: float, rng: np.random.Generator) -> np.ndarray:
    """`count` copies of a colour, each brightened or darkened by up to +-spread (relative)."""
    gains = 1.0 + rng.uniform(-spread, spread, size=(count, 1))
    return np.clip(np.asarray(rgb, dtype=np.float64) * gains, 0, 255).astype(np.uint8)


def _grid(length_a: float, length_b: float, size_a: float, size_b: float, gap: float,
          offset_rows: bool) -> np.ndarray:
    """Cells (a0, a1, b0, b1) tiling [0, length_a] x [0, length_b]; every other row shifted if asked."""
    cells = []
    for row, b in enumerate(np.arange(0.0, length_b, size_b)):
        shift = 0.5 * size_a if offset_rows and row % 2 else 0.0
        for a in np.arange(-shift, length_a, size_a):
            a0, a1 = max(a, 0.0) + gap / 2, min(a + size_a, length_a) - gap / 2
            if a1 > a0:
                cells.append((a0, a1, b + gap / 2, min(b + size_b, length_b) - gap / 2))
    return np.asarray(cells)


def floor_meshes(params: SynthParams, rng: np.random.Generator) -> list[Mesh]:
    """A grout-coloured base with tiles over it: rubber tiles, planks or slabs in the look's floor colour."""
    base = np.asarray(params.look.floor_rgb)
    kind = rng.choice(["rubber", "planks", "slabs"])
    size_x, size_z, gap, spread, offset = {"rubber": (1.0, 1.0, 0.006, 0.06, False),
                                           "planks": (2.4, 0.3, 0.004, 0.1, True),
                                           "slabs": (2.0, 2.0, 0.012, 0.04, False)}[str(kind)]
    side = 2 * FLOOR_HALF
    corner = np.array([-FLOOR_HALF, 0.0, -FLOOR_HALF])
    x, z = np.array([1.0, 0.0, 0.0]), np.array([0.0, 0.0, 1.0])
    grout = _tiles(corner - [0.0, 0.003, 0.0], z, x, np.array([[0.0, side, 0.0, side]]),
                   np.clip(base * 0.8, 0, 255).astype(np.uint8)[None])
    cells = _grid(side, side, size_z, size_x, gap, offset)  # first along z, then x: z x x = +y, facing up
    tiles = _tiles(corner, z, x, cells, _vary(base, len(cells), spread, rng))
    return [grout, tiles]


def wall_meshes(params: SynthParams, rng: np.random.Generator) -> list[Mesh]:
    """A wall behind the lifter (on the far side from the camera): blocks, panels or bricks over mortar."""
    away = -1.0 if params.side == "left" else 1.0  # the camera is on +x for a left-side view
    # A gym's wall stands further back, to leave room for equipment between it and the lifter.
    wall_x = away * rng.uniform(*(3.4, 5.0) if params.background_kind == "gym" else (2.6, 4.5))
    rgb = np.asarray(WALL_COLOURS[int(rng.integers(len(WALL_COLOURS)))])
    kind = str(rng.choice(["blocks", "panels", "bricks"]))
    size_z, size_y, gap, offset = {"blocks": (0.4, 0.2, 0.012, True),
                                   "panels": (0.6, WALL_HEIGHT, 0.01, False),
                                   "bricks": (0.24, 0.08, 0.01, True)}[kind]
    length = WALL_Z[1] - WALL_Z[0]
    # The cells run along z_dir, then up; z_dir x up must face the room (-away): +z when the wall is on +x.
    z_dir = np.array([0.0, 0.0, away])
    y_dir = np.array([0.0, 1.0, 0.0])
    corner = np.array([wall_x, 0.0, WALL_Z[0] if away > 0 else WALL_Z[1]])
    mortar = _tiles(corner, z_dir, y_dir, np.array([[0.0, length, 0.0, WALL_HEIGHT]]),
                    np.clip(rgb * 0.75, 0, 255).astype(np.uint8)[None])
    cells = _grid(length, WALL_HEIGHT, size_z, size_y, gap, offset)
    front = corner - np.array([away * 0.004, 0.0, 0.0])
    blocks = _tiles(front, z_dir, y_dir, cells, _vary(rgb, len(cells), 0.07, rng))
    skirting = box_mesh(np.array([wall_x - away * 0.01, 0.05, 0.5 * (WALL_Z[0] + WALL_Z[1])]),
                        np.array([0.02, 0.1, length]), np.clip(rgb * 0.5, 0, 255).astype(np.uint8))
    return [mortar, blocks, skirting]


def _power_rack(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    colour = np.asarray(EQUIPMENT_RGB[int(rng.integers(3))])
    half = 0.6
    parts = [box_mesh(np.array([x + dx, 1.15, z + dz]), np.array([0.07, 2.3, 0.07]), colour)
             for dx in (-half, half) for dz in (-half, half)]
    parts += [box_mesh(np.array([x, 2.28, z + dz]), np.array([2 * half, 0.07, 0.07]), colour)
              for dz in (-half, half)]
    parts += [box_mesh(np.array([x + dx, 2.28, z]), np.array([0.07, 0.07, 2 * half]), colour)
              for dx in (-half, half)]
    bar_y = 1.35
    parts.append(cylinder_mesh(np.array([x, bar_y, z - 1.1]), np.array([x, bar_y, z + 1.1]), 0.014,
                               np.array([175, 175, 182]), segments=10))
    plate_rgb = np.asarray(EQUIPMENT_RGB[int(rng.integers(len(EQUIPMENT_RGB)))])
    for dz in (-0.8, 0.8):
        parts.append(plate_mesh(np.array([x, bar_y, z + dz]), np.array([0.0, 0.0, 1.0]), 0.225, 0.05,
                                plate_rgb))
    return parts


def _dumbbell_rack(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    frame = np.array([50, 50, 56])
    parts = [box_mesh(np.array([x, y, z]), np.array([0.45, 0.04, 1.8]), frame) for y in (0.35, 0.7)]
    parts += [box_mesh(np.array([x, 0.35, z + dz]), np.array([0.05, 0.7, 0.05]), frame)
              for dz in (-0.88, 0.88)]
    head = np.array([28, 28, 30])
    for y in (0.35, 0.7):
        for dz in np.arange(-0.75, 0.8, 0.25):
            size = rng.uniform(0.08, 0.14)
            for dx in (-0.11, 0.11):
                parts.append(box_mesh(np.array([x + dx, y + 0.02 + size / 2, z + dz]),
                                      np.array([0.05, size, size]), head))
    return parts


def _bench(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    pad = np.asarray(EQUIPMENT_RGB[int(rng.integers(4))])
    return [box_mesh(np.array([x, 0.42, z]), np.array([0.3, 0.08, 1.2]), pad),
            *(box_mesh(np.array([x, 0.19, z + dz]), np.array([0.3, 0.38, 0.06]), np.array([90, 90, 96]))
              for dz in (-0.5, 0.5))]


def _plate_tree(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    post = np.array([60, 60, 66])
    parts = [box_mesh(np.array([x, 0.6, z]), np.array([0.06, 1.2, 0.06]), post),
             box_mesh(np.array([x, 0.02, z]), np.array([0.5, 0.04, 0.5]), post)]
    rgb = np.asarray(EQUIPMENT_RGB[int(rng.integers(len(EQUIPMENT_RGB)))])
    for k, y in enumerate((0.35, 0.75)):
        radius = (0.225, 0.16)[k]
        for side in (-1.0, 1.0):
            for n in range(int(rng.integers(1, 4))):
                parts.append(plate_mesh(np.array([x, max(y, radius + 0.02), z + side * (0.08 + 0.05 * n)]),
                                        np.array([0.0, 0.0, 1.0]), radius, 0.04, rgb))
    return parts


def _small_things(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    parts = []
    for k in range(int(rng.integers(2, 5))):  # kettlebells
        px, pz = x + rng.uniform(-0.4, 0.4), z + 0.3 * (k - 1.5)
        radius = rng.uniform(0.08, 0.12)
        parts += [sphere_mesh(np.array([px, radius, pz]), radius, np.array([30, 30, 34]), rings=8,
                              segments=12),
                  box_mesh(np.array([px, 2 * radius + 0.04, pz]), np.array([0.03, 0.08, 0.16]),
                           np.array([40, 40, 44]))]
    colour = np.asarray(((40, 90, 170), (170, 60, 50), (90, 150, 80))[int(rng.integers(3))])
    parts.append(sphere_mesh(np.array([x + 0.4, 0.3, z - 0.6]), 0.3, colour, rings=12, segments=20))  # a ball
    return parts


def _leaning_plates(x: float, z: float, rng: np.random.Generator) -> list[Mesh]:
    rgb = np.asarray(EQUIPMENT_RGB[int(rng.integers(len(EQUIPMENT_RGB)))])
    return [plate_mesh(np.array([x, 0.225, z + 0.06 * k]), np.array([0.0, 0.0, 1.0]), 0.225, 0.05, rgb)
            for k in range(int(rng.integers(2, 6)))]


# Each item with the half-size (along x, along z) of the floor area it may cover around its slot.
ITEMS: tuple[tuple[Callable[[float, float, np.random.Generator], list[Mesh]], tuple[float, float]], ...] = (
    (_power_rack, (0.65, 1.1)), (_dumbbell_rack, (0.25, 0.95)), (_bench, (0.2, 0.6)),
    (_plate_tree, (0.3, 0.35)), (_small_things, (0.9, 1.0)), (_leaning_plates, (0.25, 0.35)))


def _clear_of_lifter(x: float, z: float, half: tuple[float, float]) -> bool:
    """True when an item's area around (x, z) stays out of the lifter's, bench's and bar's area."""
    return (abs(x) - half[0] >= KEEP_OUT_X or z + half[1] <= KEEP_OUT_Z[0] or z - half[1] >= KEEP_OUT_Z[1])


def clutter_meshes(wall_x: float, rng: np.random.Generator) -> list[Mesh]:
    """Gym equipment between the lifter and the wall, in slots along the wall, some left empty."""
    away = float(np.sign(wall_x))
    meshes: list[Mesh] = []
    for slot in np.arange(-5.0, 6.5, 1.25):
        item, half = ITEMS[int(rng.integers(len(ITEMS)))]
        x = away * rng.uniform(0.4 + half[0], abs(wall_x) - 0.1 - half[0])
        z = slot + rng.uniform(-0.2, 0.2)
        if rng.random() < 0.15 or not _clear_of_lifter(x, z, half):
            continue
        meshes += item(float(x), float(z), rng)
    return meshes


def backdrop_meshes(params: SynthParams) -> list[Mesh]:
    """The static room of a textured or gym clip (empty for a plain one), from the clip's seed."""
    if params.background_kind == "plain":
        return []
    rng = np.random.default_rng([params.seed, 7])
    floor = floor_meshes(params, rng)
    wall = wall_meshes(params, rng)
    meshes = [*floor, *wall]
    if params.background_kind == "gym":
        meshes += clutter_meshes(float(wall[0].vertices[0, 0]), rng)
    return meshes
