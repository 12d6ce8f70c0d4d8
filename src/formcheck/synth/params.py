"""Typed, validated parameters of one synthetic clip: the lift asked for, the scene, the camera and the look.

Everything a clip depends on is here, so `params + seed` reproduces a clip exactly and the ground-truth
JSON can store them all (`to_dict` / `from_dict`). Form parameters are *requests*: the ground truth is
measured on the posed skeleton afterwards and may differ slightly from what was asked.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Any

from formcheck.synth.bodies import CATALOGUE

SIDES = ("left", "right")
RGB = tuple[int, int, int]
# "solid": a rubber disc (black or a coloured bumper) in Look.plate_rgb; "iron": a thinner cast plate with a
# rim and three hand-grip holes you can see through.
PLATE_STYLES = ("solid", "iron")
# "plain": a gradient behind the floor; "textured": a tiled wall and floor; "gym": that plus racks, benches,
# dumbbells and plates around the lifter (see `backdrop`).
BACKGROUND_KINDS = ("plain", "textured", "gym")
AIM_HEIGHT_M = 0.38  # the camera looks at this height above the floor (about the hips at the top)
MIN_ROM_DEG = 15.0  # the hips travel at least this far between the bottom and the top

# Named backgrounds: (top colour, bottom colour) of a vertical gradient behind the scene, RGB.
BACKGROUNDS: dict[str, tuple[RGB, RGB]] = {
    "studio": ((196, 204, 214), (150, 158, 170)),
    "gym": ((180, 170, 150), (120, 110, 95)),
    "dark": ((70, 74, 82), (40, 42, 48)),
    "bright": ((236, 236, 230), (205, 205, 198)),
    "blue": ((120, 150, 190), (80, 100, 140)),
}


def _check_rgb(name: str, value: RGB) -> None:
    if len(value) != 3 or any(not 0 <= int(c) <= 255 for c in value):
        raise ValueError(f"{name}: expected three 0..255 values, got {value!r}")


def _check_range(name: str, value: float, lo: float, hi: float) -> None:
    if not (math.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{name}: expected {lo} <= value <= {hi}, got {value!r}")


def _check_choice(name: str, value: str, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ValueError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")


def _lists(value: Any) -> Any:
    """Tuples -> lists, recursively, so a dict equals itself after a JSON round trip."""
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_lists(v) for v in value]
    return value


@dataclass(frozen=True)
class Tempo:
    """Seconds spent rising, holding the top, and lowering, per full rep."""

    concentric_s: float = 1.2
    hold_s: float = 1.0
    eccentric_s: float = 1.6

    def __post_init__(self) -> None:
        _check_range("Tempo.concentric_s", self.concentric_s, 0.2, 10.0)
        _check_range("Tempo.hold_s", self.hold_s, 0.0, 10.0)
        _check_range("Tempo.eccentric_s", self.eccentric_s, 0.2, 10.0)

    @classmethod
    def parse(cls, text: str) -> Tempo:
        """'C,H,E' seconds, e.g. '1.2,1,1.6'."""
        parts = text.split(",")
        if len(parts) != 3:
            raise ValueError(f"tempo: expected 'concentric,hold,eccentric' seconds, got {text!r}")
        try:
            c, h, e = (float(p) for p in parts)
        except ValueError:
            raise ValueError(f"tempo: expected three numbers, got {text!r}") from None
        return cls(concentric_s=c, hold_s=h, eccentric_s=e)


@dataclass(frozen=True)
class Look:
    """Colours (RGB), lighting and image degradations, so tests do not overfit to clean renders."""

    skin_rgb: RGB = (214, 160, 128)
    shirt_rgb: RGB = (52, 84, 150)
    shorts_rgb: RGB = (96, 96, 104)
    shoes_rgb: RGB = (230, 230, 230)
    hair_rgb: RGB = (60, 44, 32)
    background: str = "studio"
    floor_rgb: RGB = (118, 108, 98)
    bench_rgb: RGB = (34, 34, 40)
    plate_rgb: RGB = (28, 28, 30)
    pad_rgb: RGB = (30, 30, 34)
    light_dir: tuple[float, float, float] = (0.35, 0.85, 0.4)
    ambient: float = 0.4
    light_noise: float = 0.0  # relative brightness flicker (0.05 = +-5 % drifting over time)
    noise_sigma: float = 0.0  # Gaussian pixel noise, 0..255 units
    blur_sigma: float = 0.0  # Gaussian blur, pixels
    jpeg_quality: int = 0  # 0 = no extra JPEG round trip, else 5..100

    def __post_init__(self) -> None:
        for name in ("skin_rgb", "shirt_rgb", "shorts_rgb", "shoes_rgb", "hair_rgb", "floor_rgb", "bench_rgb",
                     "plate_rgb", "pad_rgb"):
            _check_rgb(f"Look.{name}", getattr(self, name))
        if self.background not in BACKGROUNDS:
            raise ValueError(f"Look.background: expected one of {', '.join(BACKGROUNDS)}, "
                             f"got {self.background!r}")
        if len(self.light_dir) != 3 or not any(self.light_dir):
            raise ValueError(f"Look.light_dir: expected a non-zero 3-vector, got {self.light_dir!r}")
        _check_range("Look.ambient", self.ambient, 0.0, 1.0)
        _check_range("Look.light_noise", self.light_noise, 0.0, 0.5)
        _check_range("Look.noise_sigma", self.noise_sigma, 0.0, 50.0)
        _check_range("Look.blur_sigma", self.blur_sigma, 0.0, 10.0)
        if self.jpeg_quality != 0:
            _check_range("Look.jpeg_quality", self.jpeg_quality, 5, 100)


@dataclass(frozen=True)
class SynthParams:
    """One clip. Angles in degrees, distances in metres, times in seconds; metric signs as in docs/design.md.

    Body: `body_id` picks a shaped lifter from `bodies.CATALOGUE` (None: the unshaped MakeHuman base mesh).
    Form: `knee_at_top_deg` (set through where the feet are planted), `hip_ext_deg` (shoulder-hip-knee at
    lockout: < 180 short, > 180 arched via lumbar extension), `bottom_hip_ext_deg` (the same angle at the
    bottom of each rep, so the range of motion), `neck_deg` (head against thorax: + chin toward the chest,
    0 head in line, - head back; +30 is the coached tuck), `pelvic_tilt_deg` (+ posterior tuck at lockout),
    `tempo`, `reps` full reps, and `partial_reps` that rise only `partial_fraction` of the way (they are not
    reps and are placed after the first full rep).
    Load: `plates` on the bar or not; when on, `plate_count` per side of `plate_diameter_m` in
    `plate_style` (see PLATE_STYLES); `bar_pad` a foam pad around the bar.
    Scene: `background_kind` (see BACKGROUND_KINDS) with `look.background` the colours of a plain one.
    Camera: `side` is the body side facing the camera; `yaw_deg` turns the camera from side-on (0) toward
    the feet (90 = end-on); `elevation_deg` raises it, looking down at a point `AIM_HEIGHT_M` above the
    floor from `distance_m` away (its height is `camera_height_m`); `roll_deg` turns it about its optical
    axis (the horizon tilts by that much); `width` < `height` is a portrait video.
    """

    knee_at_top_deg: float = 90.0
    hip_ext_deg: float = 180.0
    neck_deg: float = 30.0
    pelvic_tilt_deg: float = 15.0
    tempo: Tempo = field(default_factory=Tempo)
    reps: int = 3
    partial_reps: int = 0
    partial_fraction: float = 0.45
    setup_s: float = 1.0
    bottom_pause_s: float = 0.5
    side: str = "left"
    plates: bool = False
    yaw_deg: float = 0.0
    elevation_deg: float = 0.0
    distance_m: float = 2.7
    fov_y_deg: float = 40.0
    width: int = 640
    height: int = 360
    fps: float = 30.0
    look: Look = field(default_factory=Look)
    seed: int = 0
    body_id: int | None = None
    bottom_hip_ext_deg: float = 110.0
    plate_count: int = 1
    plate_diameter_m: float = 0.45
    plate_style: str = "solid"
    bar_pad: bool = False
    background_kind: str = "plain"
    roll_deg: float = 0.0

    def __post_init__(self) -> None:
        self._check_form()
        self._check_load_and_scene()
        self._check_camera()
        for name in ("reps", "partial_reps", "width", "height", "seed", "plate_count"):
            if int(getattr(self, name)) != getattr(self, name):
                raise ValueError(f"SynthParams.{name}: expected an integer, got {getattr(self, name)!r}")

    def _check_form(self) -> None:
        _check_range("SynthParams.knee_at_top_deg", self.knee_at_top_deg, 60.0, 130.0)
        _check_range("SynthParams.hip_ext_deg", self.hip_ext_deg, 150.0, 210.0)
        _check_range("SynthParams.bottom_hip_ext_deg", self.bottom_hip_ext_deg, 90.0, 160.0)
        if self.bottom_hip_ext_deg > self.hip_ext_deg - MIN_ROM_DEG:
            raise ValueError(f"SynthParams.bottom_hip_ext_deg: expected at least {MIN_ROM_DEG:g}° below "
                             f"hip_ext_deg ({self.hip_ext_deg:g}), got {self.bottom_hip_ext_deg:g}")
        _check_range("SynthParams.neck_deg", self.neck_deg, -45.0, 95.0)
        _check_range("SynthParams.pelvic_tilt_deg", self.pelvic_tilt_deg, -20.0, 30.0)
        _check_range("SynthParams.reps", self.reps, 0, 30)
        _check_range("SynthParams.partial_reps", self.partial_reps, 0, 10)
        if self.reps + self.partial_reps == 0:
            raise ValueError("SynthParams: expected at least one rep or partial rep, got none")
        _check_range("SynthParams.partial_fraction", self.partial_fraction, 0.1, 0.8)
        _check_range("SynthParams.setup_s", self.setup_s, 0.0, 30.0)
        _check_range("SynthParams.bottom_pause_s", self.bottom_pause_s, 0.0, 10.0)

    def _check_load_and_scene(self) -> None:
        if self.body_id is not None:
            if isinstance(self.body_id, bool) or int(self.body_id) != self.body_id:
                raise ValueError(f"SynthParams.body_id: expected an integer or None, got {self.body_id!r}")
            _check_range("SynthParams.body_id", self.body_id, 0, len(CATALOGUE) - 1)
        _check_range("SynthParams.plate_count", self.plate_count, 1, 3)
        _check_range("SynthParams.plate_diameter_m", self.plate_diameter_m, 0.30, 0.45)
        _check_choice("SynthParams.plate_style", self.plate_style, PLATE_STYLES)
        _check_choice("SynthParams.background_kind", self.background_kind, BACKGROUND_KINDS)

    def _check_camera(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"SynthParams.side: expected one of {', '.join(SIDES)}, got {self.side!r}")
        _check_range("SynthParams.yaw_deg", self.yaw_deg, -90.0, 90.0)
        _check_range("SynthParams.elevation_deg", self.elevation_deg, -10.0, 60.0)
        _check_range("SynthParams.distance_m", self.distance_m, 1.0, 10.0)
        if self.camera_height_m < 0.0:
            raise ValueError(f"SynthParams: expected the camera above the floor, got it "
                             f"{-self.camera_height_m:.2f} m below (elevation {self.elevation_deg:g}° at "
                             f"{self.distance_m:g} m)")
        _check_range("SynthParams.roll_deg", self.roll_deg, -10.0, 10.0)
        _check_range("SynthParams.fov_y_deg", self.fov_y_deg, 10.0, 120.0)
        _check_range("SynthParams.width", self.width, 64, 3840)
        _check_range("SynthParams.height", self.height, 64, 3840)
        if self.width % 2 or self.height % 2:
            raise ValueError(f"SynthParams: expected even width and height (video codecs), "
                             f"got {self.width}x{self.height}")
        _check_range("SynthParams.fps", self.fps, 1.0, 240.0)

    @property
    def camera_height_m(self) -> float:
        """Height of the camera above the floor (metres), from its elevation and distance."""
        return AIM_HEIGHT_M + self.distance_m * math.sin(math.radians(self.elevation_deg))

    @property
    def portrait(self) -> bool:
        """True for a video taller than it is wide."""
        return self.height > self.width

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict (nested tempo and look; tuples become lists, as JSON reads them back)."""
        return _lists(dataclasses.asdict(self))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SynthParams:
        """Inverse of `to_dict`; unknown keys fail with the valid ones."""
        valid = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - valid
        if unknown:
            raise ValueError(f"SynthParams: unknown keys {sorted(unknown)}; expected some of {sorted(valid)}")
        values = dict(data)
        if isinstance(values.get("tempo"), dict):
            values["tempo"] = Tempo(**values["tempo"])
        if isinstance(values.get("look"), dict):
            look = dict(values["look"])
            for key, value in look.items():
                if isinstance(value, list):
                    look[key] = tuple(value)
            values["look"] = Look(**look)
        return cls(**values)
