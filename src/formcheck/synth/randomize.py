"""Randomised clips for validation: every factor of a clip drawn, reproducibly, from a seed.

`sample_params(seed, split)` gives clip number `seed` of a split as a `SampledClip` (its `SynthParams` and
tags for breaking results down); `grid(split, n)` lists the first n. Two splits keep tuning honest: "tune"
draws only bodies 0-7 of `bodies.CATALOGUE` and "check" bodies 8-23, and their clips' seeds (the
`SynthParams.seed` that also drives noise and the room) never meet: clip k of a split has seed
`SPLIT_SEED_BASE[split] + k`.

Faults come in shuffled blocks of 15 consecutive clips: 5 good, one of each of the 9 faults, and one
refusal clip (camera turned 45-75° from side-on, good form). Factor ranges are documented in docs/synth.md
and set by the constants below; the camera is drawn until the lifter fits in the frame at a usable size.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from formcheck.synth.bodies import CATALOGUE
from formcheck.synth.camera import Camera
from formcheck.synth.params import AIM_HEIGHT_M, BACKGROUNDS, Look, SynthParams, Tempo

SPLITS = ("tune", "check")
SPLIT_BODIES: dict[str, tuple[int, ...]] = {"tune": tuple(range(0, 8)), "check": tuple(range(8, 24))}
SPLIT_SEED_BASE = {"tune": 1_000_000, "check": 2_000_000}
SPLIT_SIZE = 1_000_000  # clip numbers 0..SPLIT_SIZE-1 per split
FAULTS = ("feet_too_close", "feet_too_far", "incomplete_lockout", "lower_back_arch", "no_posterior_tilt",
          "chin_lifted", "chin_crushed", "rushed_reps", "partial_rep")
BLOCK = ("good",) * 5 + FAULTS + ("refused",)

# Ranges (degrees, metres, seconds). Good form sits well inside the ground truth's good zones, faults
# well beyond its fault thresholds (groundtruth.CUE_ZONES), never in the don't-care band between.
# Good hips stop at 180: past it the renderer arches the lower back, which undoes the posterior tilt.
GOOD = {"knee": (82.0, 98.0), "hip": (176.0, 180.0), "tilt": (12.0, 22.0), "neck": (15.0, 60.0)}
FAULT_RANGES: dict[str, tuple[str, tuple[float, float]]] = {
    "feet_too_close": ("knee", (62.0, 67.0)), "feet_too_far": ("knee", (113.0, 125.0)),
    "incomplete_lockout": ("hip", (152.0, 161.0)), "lower_back_arch": ("hip", (198.0, 206.0)),
    "no_posterior_tilt": ("tilt", (-5.0, 0.0)), "chin_lifted": ("neck", (-40.0, -12.0)),
    "chin_crushed": ("neck", (80.0, 92.0)),
}
BOTTOM_HIP_EXT = (95.0, 150.0)
# The bottom is at least this far below the top: 40° of hip travel lifts the bar ~12 cm or more, so the
# shallowest reps (bottom 140° under a 180° top) are still reps.
MIN_TRAVEL_DEG = 40.0
CAMERA_HEIGHT = (0.05, 1.49)  # 1.49: the rounded elevation may lift it a hair
DISTANCE = (2.0, 5.0)
ELEVATION = (-5.0, 35.0)
YAW = 25.0
REFUSED_YAW = (45.0, 75.0)
FOV_Y = (40.0, 90.0)
ROLL = 3.0
FPS = (24.0, 30.0, 60.0)
LANDSCAPE, PORTRAIT = (640, 360), (360, 640)
# Framing: a box around the biggest lifter must fit inside the frame (with a margin); the smallest
# lifter must still span MIN_LIFTER_FRACTION of the long side of the image.
FIT_MARGIN = 0.03
MIN_LIFTER_FRACTION = 0.25  # 160 px of 640: wider views only in portrait (see docs/synth.md)
TALLEST_M, SHORTEST_M = 2.0, 1.45

SKIN_TONES = ((255, 224, 196), (241, 194, 160), (224, 172, 134), (198, 140, 100), (170, 118, 80),
              (141, 92, 60), (110, 70, 45), (80, 52, 36))
HAIR = ((20, 16, 14), (60, 44, 32), (110, 80, 50), (180, 150, 100), (140, 60, 30), (150, 150, 150))
CLOTHES = ((52, 84, 150), (150, 40, 40), (30, 30, 34), (220, 220, 220), (40, 110, 60), (120, 120, 128),
           (200, 150, 40), (90, 40, 120), (20, 60, 110), (230, 120, 150), (60, 60, 70), (160, 200, 220))
BUMPERS = ((180, 30, 30), (30, 70, 170), (220, 180, 30), (40, 130, 60), (90, 90, 96))


@dataclass(frozen=True)
class SampledClip:
    """One randomised clip: where it comes from, what to render, and tags for result breakdowns."""

    name: str
    split: str
    index: int  # the clip's number within its split (the `seed` asked for)
    params: SynthParams
    tags: dict[str, str]

    def __post_init__(self) -> None:
        if self.split not in SPLITS:
            raise ValueError(f"SampledClip.split: expected one of {', '.join(SPLITS)}, got {self.split!r}")


def _uniform(rng: np.random.Generator, bounds: tuple[float, float], digits: int = 1) -> float:
    return round(float(rng.uniform(*bounds)), digits)


def _pick(rng: np.random.Generator, options: tuple[Any, ...]) -> Any:
    return options[int(rng.integers(len(options)))]


def _fault_of(index: int, split: str) -> str:
    """The fault of clip `index`: position in its block of 15, after a per-block shuffle."""
    block, position = divmod(index, len(BLOCK))
    order = np.random.default_rng([SPLIT_SEED_BASE[split], block]).permutation(len(BLOCK))
    return BLOCK[int(order[position])]


def _form(fault: str, rng: np.random.Generator) -> dict[str, Any]:
    """Form fields: good everywhere, except the one fault's metric drawn from its fault range."""
    values = {name: _uniform(rng, bounds) for name, bounds in GOOD.items()}
    if fault in FAULT_RANGES:
        name, bounds = FAULT_RANGES[fault]
        values[name] = _uniform(rng, bounds)
    rushed = fault == "rushed_reps"
    tempo = (Tempo(_uniform(rng, (0.4, 0.7), 2), _uniform(rng, (0.0, 0.15), 2), _uniform(rng, (0.4, 0.8), 2))
             if rushed else
             Tempo(_uniform(rng, (1.0, 2.0), 2), _uniform(rng, (0.5, 1.5), 2), _uniform(rng, (1.0, 2.2), 2)))
    bottom = _uniform(rng, (BOTTOM_HIP_EXT[0], min(BOTTOM_HIP_EXT[1], values["hip"] - MIN_TRAVEL_DEG)))
    return {"knee_at_top_deg": values["knee"], "hip_ext_deg": values["hip"],
            "pelvic_tilt_deg": values["tilt"], "neck_deg": values["neck"], "bottom_hip_ext_deg": bottom,
            "tempo": tempo,
            "reps": int(rng.integers(3, 6)) if rushed else int(rng.integers(2, 5)),
            "partial_reps": 1 if fault == "partial_rep" else 0,
            "partial_fraction": _uniform(rng, (0.3, 0.5), 2),
            "setup_s": _uniform(rng, (0.3, 1.0), 2),
            "bottom_pause_s": _uniform(rng, (0.0, 0.2) if rushed else (0.2, 0.8), 2)}


def _load(rng: np.random.Generator) -> tuple[dict[str, Any], str, tuple[int, int, int]]:
    """Plates (none, black, bumper or iron; 1-3 a side; 30-45 cm) and the bar pad; (fields, kind, colour)."""
    kind = _pick(rng, ("none", "none", "black", "bumper", "iron"))
    fields: dict[str, Any] = {"bar_pad": bool(rng.random() < 0.5), "plates": kind != "none"}
    colour: tuple[int, int, int] = (28, 28, 30)
    if kind != "none":
        big = kind != "iron" and rng.random() < 0.7  # rubber plates are mostly full-size
        fields.update(plate_count=int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2])),
                      plate_diameter_m=0.45 if big else _uniform(rng, (0.30, 0.45), 3),
                      plate_style="iron" if kind == "iron" else "solid")
        grey = int(rng.integers(18, 36)) if kind == "black" else int(rng.integers(80, 115))
        colour = _pick(rng, BUMPERS) if kind == "bumper" else (grey, grey, grey + 3)
    return fields, kind, colour


def _look(rng: np.random.Generator, plate_rgb: tuple[int, int, int]) -> Look:
    """Skin, clothes, hair, floor, bench, lighting and camera degradations."""
    azimuth, height = rng.uniform(0.0, 2.0 * math.pi), rng.uniform(math.radians(30), math.radians(80))
    light = (round(math.cos(height) * math.cos(azimuth), 3), round(math.sin(height), 3),
             round(math.cos(height) * math.sin(azimuth), 3))
    floor = int(rng.integers(50, 170))
    return Look(skin_rgb=_pick(rng, SKIN_TONES), shirt_rgb=_pick(rng, CLOTHES),
                shorts_rgb=_pick(rng, CLOTHES), shoes_rgb=_pick(rng, CLOTHES), hair_rgb=_pick(rng, HAIR),
                background=_pick(rng, tuple(BACKGROUNDS)),
                floor_rgb=(floor, int(floor * rng.uniform(0.85, 1.0)), int(floor * rng.uniform(0.75, 1.0))),
                bench_rgb=_pick(rng, ((34, 34, 40), (20, 20, 24), (120, 30, 30), (30, 50, 110))),
                plate_rgb=plate_rgb, pad_rgb=_pick(rng, ((30, 30, 34), (30, 60, 140), (150, 30, 30))),
                light_dir=light, ambient=_uniform(rng, (0.25, 0.6), 2),
                light_noise=_uniform(rng, (0.0, 0.05), 3),
                noise_sigma=_uniform(rng, (0.0, 4.0)) if rng.random() < 0.5 else 0.0,
                blur_sigma=_uniform(rng, (0.3, 1.0), 2) if rng.random() < 0.3 else 0.0,
                jpeg_quality=int(rng.integers(35, 91)) if rng.random() < 0.6 else 0)


def _lifter_box(stature_m: float) -> np.ndarray:
    """(8, 3) corners of a box around a lifter of that stature at any point of a rep, centred on the aim.

    From the base body: head top to toes spans ~0.85 x stature along z (more with the feet far out),
    knees and plates reach ~0.5 x stature above the floor.
    """
    half_z = 0.5 * (0.88 * stature_m + 0.15)
    top = 0.5 * stature_m
    return np.array([[x, y, z] for x in (-0.25, 0.25) for y in (0.0, top) for z in (-half_z, half_z)])


def _orbit_camera(params: SynthParams) -> Camera:
    """The clip's camera, aimed at the middle of the lifter (see `scene.scene_centre`), here the origin."""
    aim = np.array([0.0, AIM_HEIGHT_M, 0.0])
    side = 1.0 if params.side == "left" else -1.0
    yaw, elevation = math.radians(params.yaw_deg), math.radians(params.elevation_deg)
    direction = np.array([side * math.cos(yaw) * math.cos(elevation), math.sin(elevation),
                          math.sin(yaw) * math.cos(elevation)])
    return Camera(width=params.width, height=params.height, fov_y_deg=params.fov_y_deg,
                  position=aim + params.distance_m * direction, look_at=aim)


def lifter_fraction(params: SynthParams, stature_m: float = SHORTEST_M) -> float:
    """How much of the image's long side a lifter's head-to-toe line spans (lying in the hip thrust)."""
    half = 0.5 * 0.85 * stature_m
    ends, _ = _orbit_camera(params).project(np.array([[0.0, AIM_HEIGHT_M, -half], [0.0, AIM_HEIGHT_M, half]]))
    return float(np.linalg.norm(ends[1] - ends[0])) / max(params.width, params.height)


def frames_the_lifter(params: SynthParams, min_fraction: float = MIN_LIFTER_FRACTION) -> bool:
    """True when the biggest lifter fits in the frame and the smallest spans `min_fraction` of its long side.

    A refusal clip (a camera 45-75° off side-on) only needs to fit: `min_fraction` 0.
    """
    big, _ = _orbit_camera(params).project(_lifter_box(TALLEST_M))
    size = np.array([params.width, params.height])
    margin = FIT_MARGIN * size
    inside = bool(np.all(big >= margin) and np.all(big <= size - margin))
    return inside and lifter_fraction(params) >= min_fraction


def _camera(fault: str, side: str, rng: np.random.Generator) -> dict[str, Any]:
    """Camera fields drawn until the lifter is framed (refusal clips need only fit, not fill)."""
    for _ in range(10_000):
        height, distance = _uniform(rng, CAMERA_HEIGHT, 2), _uniform(rng, DISTANCE, 2)
        sine = (height - AIM_HEIGHT_M) / distance
        elevation = math.degrees(math.asin(sine))
        if not ELEVATION[0] <= elevation <= ELEVATION[1]:
            continue
        yaw = (_uniform(rng, REFUSED_YAW) * _pick(rng, (-1.0, 1.0)) if fault == "refused"
               else _uniform(rng, (-YAW, YAW)))
        width, height_px = PORTRAIT if rng.random() < 0.3 else LANDSCAPE
        fields = {"side": side, "yaw_deg": yaw, "elevation_deg": round(elevation, 3), "distance_m": distance,
                  "fov_y_deg": _uniform(rng, FOV_Y), "roll_deg": _uniform(rng, (-ROLL, ROLL), 2),
                  "width": width, "height": height_px, "fps": float(_pick(rng, FPS))}
        probe = SynthParams(**fields)
        if frames_the_lifter(probe, 0.0 if fault == "refused" else MIN_LIFTER_FRACTION):
            return fields
    raise RuntimeError("no camera framed the lifter in 10000 draws: the framing limits contradict the ranges")


def _bucket(value: float, edges: tuple[float, ...], names: tuple[str, ...]) -> str:
    """The name of the interval of `value` among `edges` (len(names) == len(edges) + 1)."""
    return names[int(np.searchsorted(np.asarray(edges), value, side="right"))]


# Tag buckets: (edges, names) per tag, documented in docs/synth.md.
CAMERA_HEIGHT_BUCKETS = ((0.3, 0.7, 1.1), ("floor", "low", "hip", "high"))
ELEVATION_BUCKETS = ((0.0, 10.0, 20.0), ("below", "level", "raised", "high"))
YAW_BUCKETS = ((10.0, 25.0, 40.0), ("side", "oblique", "steep", "refused"))
ROM_BUCKETS = ((110.0, 130.0), ("deep", "medium", "shallow"))
FOV_BUCKETS = ((55.0, 75.0), ("normal", "wide", "ultrawide"))
LIFTER_SIZE_BUCKETS = ((0.3, 0.45), ("small", "medium", "large"))  # a 1.7 m lifter's share of the long side
TYPICAL_STATURE_M = 1.7


def _tags(params: SynthParams, fault: str, plate_kind: str) -> dict[str, str]:
    shape = CATALOGUE[int(params.body_id or 0)]
    return {"fault": fault, "body": str(params.body_id), "sex": shape.sex_label, "build": shape.build,
            "plates": plate_kind, "plate_count": str(params.plate_count if params.plates else 0),
            "bar_pad": "on" if params.bar_pad else "off", "side": params.side,
            "camera_height": _bucket(params.camera_height_m, *CAMERA_HEIGHT_BUCKETS),
            "elevation": _bucket(params.elevation_deg, *ELEVATION_BUCKETS),
            "yaw": _bucket(abs(params.yaw_deg), *YAW_BUCKETS),
            "rom": _bucket(params.bottom_hip_ext_deg, *ROM_BUCKETS),
            "fov": _bucket(params.fov_y_deg, *FOV_BUCKETS),
            "lifter_size": _bucket(lifter_fraction(params, TYPICAL_STATURE_M), *LIFTER_SIZE_BUCKETS),
            "orientation": "portrait" if params.portrait else "landscape", "fps": f"{params.fps:g}",
            "background": params.background_kind}


def sample_params(seed: int, split: str) -> SampledClip:
    """Clip number `seed` (0, 1, 2, ...) of `split`: the same seed and split always give the same clip."""
    if split not in SPLITS:
        raise ValueError(f"split: expected one of {', '.join(SPLITS)}, got {split!r}")
    if isinstance(seed, bool) or int(seed) != seed or not 0 <= seed < SPLIT_SIZE:
        raise ValueError(f"seed: expected an integer 0..{SPLIT_SIZE - 1} (the clip's number in its split), "
                         f"got {seed!r}")
    clip_seed = SPLIT_SEED_BASE[split] + int(seed)
    rng = np.random.default_rng(clip_seed)
    fault = _fault_of(int(seed), split)
    body_id = int(_pick(rng, SPLIT_BODIES[split]))
    form = _form(fault, rng)
    load, plate_kind, plate_rgb = _load(rng)
    look = _look(rng, plate_rgb)
    background_kind = str(rng.choice(["plain", "textured", "gym"], p=[0.3, 0.3, 0.4]))
    camera = _camera(fault, _pick(rng, ("left", "right")), rng)
    params = SynthParams(**form, **load, **camera, look=look, background_kind=background_kind,
                         body_id=body_id, seed=clip_seed)
    return SampledClip(name=f"{split}-{int(seed):05d}-{fault}", split=split, index=int(seed), params=params,
                       tags=_tags(params, fault, plate_kind))


def grid(split: str, n: int, start: int = 0) -> list[SampledClip]:
    """Clips `start` .. `start + n - 1` of a split."""
    if n < 0:
        raise ValueError(f"grid: expected n >= 0, got {n}")
    return [sample_params(seed, split) for seed in range(start, start + n)]
