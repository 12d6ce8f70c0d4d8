"""The hip-thrust scene around the body: floor, bench, barbell and plates, clothing colours and the camera.

World layout as in `posing`: floor y = 0, bench edge along x at z = 0 (the bench lies toward -z, under
the head), feet toward +z, the body's left side toward +x. The bench is a padded top on two legs, placed
across the body as in a gym; the bar runs along x through the hips with optional 45 cm plates at the
collars, so on a side-on camera the near plate covers the hips as it does in real footage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from formcheck.synth.camera import Camera
from formcheck.synth.mesh import Mesh, box_mesh, cylinder_mesh, holed_plate_mesh, plane_mesh, plate_mesh
from formcheck.synth.params import AIM_HEIGHT_M, BACKGROUNDS, SynthParams
from formcheck.synth.posing import BAR_RADIUS, BENCH_HEIGHT, PAD_RADIUS
from formcheck.synth.skeleton import Skeleton

BENCH_LENGTH = 1.2  # along x
BENCH_DEPTH = 0.38  # along z, from the edge toward the head
PAD_THICKNESS = 0.09
BAR_HALF_LENGTH = 1.1
COLLAR_X = 0.66  # inner face of the plates, metres from the mid-line
PLATE_RADIUS = 0.225  # the default plate: 45 cm
PLATE_THICKNESS = 0.055  # a 45 cm rubber plate; smaller and iron plates are thinner
SMALL_PLATE_THICKNESS = 0.04
IRON_THICKNESS = 0.035
SMALL_IRON_THICKNESS = 0.028
PLATE_GAP = 0.004  # between stacked plates
PAD_HALF_LENGTH = 0.2
SHIRT_BONES = ("spine03", "spine02", "spine01", "clavicle", "shoulder01", "breast", "upperarm01")
SHORTS_BONES = ("root", "spine05", "spine04", "pelvis", "upperleg01")
SHOE_BONES = ("foot", "toe")


@dataclass(frozen=True, eq=False)
class Props:
    """The meshes that do not move with the body, and the plate/bar geometry that does."""

    floor: Mesh | None  # None when the room (`backdrop`) brings its own floor
    bench: tuple[Mesh, ...]

    def static(self) -> list[Mesh]:
        return [*([self.floor] if self.floor is not None else []), *self.bench]


def build_props(params: SynthParams) -> Props:
    """Floor (a large, faintly chequered plane, in a plain scene) and the bench."""
    look = params.look
    floor = None
    if params.background_kind == "plain":
        floor = plane_mesh(np.array([0.0, 0.0, 0.4]), (8.0, 8.0), np.asarray(look.floor_rgb), tiles=(8, 8),
                           color2=np.clip(np.asarray(look.floor_rgb) * 0.9, 0, 255).astype(np.uint8))
    top_y = BENCH_HEIGHT - PAD_THICKNESS / 2
    pad = box_mesh(np.array([0.0, top_y, -BENCH_DEPTH / 2]),
                   np.array([BENCH_LENGTH, PAD_THICKNESS, BENCH_DEPTH]), np.asarray(look.bench_rgb))
    leg_h = BENCH_HEIGHT - PAD_THICKNESS
    legs = tuple(box_mesh(np.array([x, leg_h / 2, -BENCH_DEPTH / 2]),
                          np.array([0.06, leg_h, BENCH_DEPTH * 0.8]), np.array([90, 90, 96]))
                 for x in (-0.45, 0.45))
    return Props(floor=floor, bench=(pad, *legs))


def plate_thickness(style: str, diameter_m: float) -> float:
    """How thick one plate is: rubber discs (black or bumpers) are thicker than cast iron, big than small."""
    if style == "iron":
        return IRON_THICKNESS if diameter_m >= 0.44 else SMALL_IRON_THICKNESS
    return PLATE_THICKNESS if diameter_m >= 0.44 else SMALL_PLATE_THICKNESS


def _plate(middle: np.ndarray, radius: float, thickness: float, style: str, rgb: np.ndarray) -> Mesh:
    axis = np.array([1.0, 0.0, 0.0])
    if style == "iron":
        rim = np.clip(rgb.astype(np.float64) * 1.25 + 10, 0, 255).astype(np.uint8)
        return holed_plate_mesh(middle, axis, radius, thickness, rgb, rim)
    return plate_mesh(middle, axis, radius, thickness, rgb)


def barbell_meshes(centre: np.ndarray, plates: bool, plate_rgb: tuple[int, int, int], *, count: int = 1,
                   diameter_m: float = 2 * PLATE_RADIUS, style: str = "solid",
                   pad_rgb: tuple[int, int, int] | None = None) -> list[Mesh]:
    """Bar (and `count` plates a side, stacked out from the collars; and a foam pad) centred on the hips."""
    axis = np.array([1.0, 0.0, 0.0])
    steel = np.array([175, 175, 182])
    meshes = [cylinder_mesh(centre - BAR_HALF_LENGTH * axis, centre + BAR_HALF_LENGTH * axis, BAR_RADIUS,
                            steel, segments=12)]
    if plates:
        thickness = plate_thickness(style, diameter_m)
        for sign in (1.0, -1.0):
            for k in range(count):
                middle = centre + sign * (COLLAR_X + (k + 0.5) * thickness + k * PLATE_GAP) * axis
                meshes.append(_plate(middle, diameter_m / 2, thickness, style, np.asarray(plate_rgb)))
                meshes.append(plate_mesh(middle, axis, 0.05, thickness * 1.3, np.array([150, 150, 156]),
                                         segments=16))  # the hub, so the disc reads as a plate
    if pad_rgb is not None:
        meshes.append(cylinder_mesh(centre - PAD_HALF_LENGTH * axis, centre + PAD_HALF_LENGTH * axis,
                                    PAD_RADIUS, np.asarray(pad_rgb), segments=20))
    return meshes


def body_colors(skeleton: Skeleton, params: SynthParams) -> np.ndarray:
    """(V, 3) RGB per body vertex: shirt, shorts, shoes, hair or skin by the bone that moves it most."""
    look = params.look
    dominant = np.asarray(skeleton.weights.argmax(axis=1)).ravel()
    names = [b.split(".")[0].rstrip("0123456789-") if b.startswith("toe") else b.split(".")[0]
             for b in skeleton.bones]
    colors = np.tile(np.asarray(look.skin_rgb, dtype=np.uint8), (len(dominant), 1))
    for bones, rgb in ((SHIRT_BONES, look.shirt_rgb), (SHORTS_BONES, look.shorts_rgb),
                       (SHOE_BONES, look.shoes_rgb)):
        ids = [i for i, n in enumerate(names) if n in bones]
        colors[np.isin(dominant, ids)] = rgb
    rel = skeleton.rest_vertices - skeleton.heads[skeleton.index("head")]
    crown = rel[:, 1] > 0.11
    back_of_head = (rel[:, 1] > 0.0) & (rel[:, 2] < -0.03)
    colors[(dominant == skeleton.index("head")) & (crown | back_of_head)] = look.hair_rgb
    return colors


def background_image(params: SynthParams) -> np.ndarray:
    """(H, W, 3) BGR vertical gradient of the named background."""
    top, bottom = (np.asarray(c, dtype=np.float64)[::-1] for c in BACKGROUNDS[params.look.background])
    u = np.linspace(0.0, 1.0, params.height)[:, None, None]
    column = (1 - u) * top + u * bottom
    return np.repeat(column, params.width, axis=1).astype(np.uint8)


HEAD_Z = -0.55  # roughly where the top of the base body's head is at lockout
TOES_BEYOND_ANKLES = 0.2


def scene_centre(feet_z: float, head_z: float = HEAD_Z) -> np.ndarray:
    """What the camera looks at: half-way between the head and the toes, at `AIM_HEIGHT_M`."""
    return np.array([0.0, AIM_HEIGHT_M, 0.5 * (head_z + feet_z + TOES_BEYOND_ANKLES)])


def _rolled_up(forward: np.ndarray, roll_deg: float) -> np.ndarray:
    """The camera's up vector turned `roll_deg` about the optical axis: + turns the camera clockwise (as
    seen from behind it), so the scene appears turned counter-clockwise in the image."""
    forward = forward / np.linalg.norm(forward)
    right = np.cross(forward, np.array([0.0, 1.0, 0.0]))
    right /= np.linalg.norm(right)
    up = np.cross(right, forward)
    roll = math.radians(roll_deg)
    return math.cos(roll) * up + math.sin(roll) * right


def place_camera(params: SynthParams, target: np.ndarray) -> Camera:
    """A camera on the requested side, turned `yaw_deg` toward the feet, raised `elevation_deg`, rolled."""
    side = 1.0 if params.side == "left" else -1.0
    yaw, elevation = math.radians(params.yaw_deg), math.radians(params.elevation_deg)
    direction = np.array([side * math.cos(yaw) * math.cos(elevation), math.sin(elevation),
                          math.sin(yaw) * math.cos(elevation)])
    position = target + params.distance_m * direction
    if params.roll_deg == 0.0:  # the default up vector, so unrolled cameras stay exactly as they were
        return Camera(width=params.width, height=params.height, fov_y_deg=params.fov_y_deg,
                      position=position, look_at=target)
    return Camera(width=params.width, height=params.height, fov_y_deg=params.fov_y_deg, position=position,
                  look_at=target, up=_rolled_up(target - position, params.roll_deg))
