"""Distinct lifters: MakeHuman macro shapes applied to the base mesh, and the numbered catalogue of bodies.

MakeHuman shapes a body with "macro" sliders (sex, muscle, weight, height, proportions, and a mix of three
ethnic base shapes), each 0..1. A slider value is turned into weights of the pinned target files exactly as
MakeHuman/MPFB2 does (`target_weights`): sex blends female and male; muscle and weight blend their min,
average and max corners; height and proportions add a correction toward min/max height or
uncommon/ideal proportions that is zero at 0.5. Each target moves the body vertices *and* the rig's joint
helper cubes, so a shaped body's skeleton (and with it every ground-truth joint) follows its shape. The age
slider stays at MakeHuman's young adult (25 years): every target used is a "young" one.

Bodies are identified by their index in `CATALOGUE` so that validation can tune on some lifters and check on
others (see `randomize` for the split).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.synth.assets import BodyAssets, ensure_assets, load_target

TARGET_DIR = "targets/macrodetails/"
RACES = ("african", "asian", "caucasian")


@dataclass(frozen=True)
class BodyShape:
    """MakeHuman macro slider values, each 0..1 (0.5 is MakeHuman's default for all but sex).

    `sex`: 0 female .. 1 male; `muscle`, `weight`: min .. max; `height`: short .. tall (0.5 is about
    1.59 m for a woman, 1.73 m for a man); `proportions`: uncommon .. ideal; `race`: the mix of
    MakeHuman's african, asian and caucasian base shapes (normalised to sum to 1).
    """

    sex: float
    muscle: float
    weight: float
    height: float
    proportions: float
    race: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)

    def __post_init__(self) -> None:
        for name in ("sex", "muscle", "weight", "height", "proportions"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"BodyShape.{name}: expected 0 <= value <= 1, got {value!r}")
        if len(self.race) != 3 or min(self.race) < 0.0 or sum(self.race) <= 0.0:
            raise ValueError(f"BodyShape.race: expected three non-negative weights, not all 0, "
                             f"got {self.race!r}")

    @property
    def sex_label(self) -> str:
        return "male" if self.sex >= 0.5 else "female"

    @property
    def build(self) -> str:
        """A one-word build for result breakdowns: heavy, muscular, slim or average."""
        if self.weight >= 0.8:
            return "heavy"
        if self.muscle >= 0.75:
            return "muscular"
        if self.weight <= 0.2:
            return "slim"
        return "average"

    def to_dict(self) -> dict[str, object]:
        """JSON-ready values plus the labels, for the ground truth."""
        return {**{k: v for k, v in dataclasses.asdict(self).items() if k != "race"},
                "race": dict(zip(RACES, (round(r / sum(self.race), 4) for r in self.race), strict=True)),
                "sex_label": self.sex_label, "build": self.build}


# Body ids are indices here: never reorder or edit a row (ids are how results are split and compared);
# append new bodies at the end. 0-7 are the tune set, 8-23 the check set (`randomize.SPLIT_BODIES`); each
# set has women and men of every build.
_AF, _AS, _CA, _MIX = (1.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.0, 0.0, 1.0), (1 / 3, 1 / 3, 1 / 3)
CATALOGUE: tuple[BodyShape, ...] = (
    #          sex   muscle weight height prop  race
    BodyShape(0.0, 0.50, 0.50, 0.50, 0.5, _CA),  # 0 woman, average
    BodyShape(1.0, 0.50, 0.50, 0.50, 0.5, _AF),  # 1 man, average
    BodyShape(0.0, 0.35, 0.10, 0.45, 0.7, _AS),  # 2 woman, slim, short
    BodyShape(1.0, 0.30, 0.10, 0.60, 0.6, _CA),  # 3 man, slim, tall
    BodyShape(0.0, 0.95, 0.45, 0.55, 0.8, _AF),  # 4 woman, muscular
    BodyShape(1.0, 1.00, 0.65, 0.46, 0.7, _AS),  # 5 man, muscular, short
    BodyShape(0.0, 0.40, 0.95, 0.47, 0.3, (0.5, 0.0, 0.5)),  # 6 woman, heavy
    BodyShape(1.0, 0.45, 1.00, 0.62, 0.4, _MIX),  # 7 man, heavy, tall
    BodyShape(0.0, 0.55, 0.55, 0.60, 0.5, _AF),  # 8 woman, average, tall
    BodyShape(1.0, 0.55, 0.45, 0.45, 0.5, _AS),  # 9 man, average, short
    BodyShape(0.0, 0.25, 0.00, 0.52, 0.9, _CA),  # 10 woman, slim
    BodyShape(1.0, 0.20, 0.05, 0.48, 0.3, _AF),  # 11 man, slim
    BodyShape(0.05, 0.85, 0.60, 0.44, 0.6, _AS),  # 12 woman, muscular, short
    BodyShape(0.95, 0.90, 0.55, 0.64, 0.9, _CA),  # 13 man, muscular, tall
    BodyShape(0.0, 0.50, 1.00, 0.58, 0.5, _AF),  # 14 woman, heavy, tall
    BodyShape(1.0, 0.60, 0.95, 0.45, 0.2, _AS),  # 15 man, heavy, short
    BodyShape(0.0, 0.10, 0.60, 0.45, 0.4, (0.5, 0.5, 0.0)),  # 16 woman, soft
    BodyShape(1.0, 0.10, 0.70, 0.52, 0.5, (0.0, 0.5, 0.5)),  # 17 man, soft
    BodyShape(0.1, 0.75, 0.30, 0.50, 1.0, _MIX),  # 18 woman, athletic
    BodyShape(0.9, 0.80, 0.35, 0.55, 1.0, _AF),  # 19 man, athletic
    BodyShape(0.0, 0.50, 0.70, 0.54, 0.0, _CA),  # 20 woman, uncommon proportions
    BodyShape(1.0, 0.50, 0.60, 0.46, 0.0, _AS),  # 21 man, uncommon proportions
    BodyShape(0.0, 0.45, 0.30, 0.35, 0.5, (0.5, 0.0, 0.5)),  # 22 woman, petite
    BodyShape(1.0, 0.85, 0.85, 0.65, 0.6, _CA),  # 23 man, big
)


def body_shape(body_id: int) -> BodyShape:
    """The catalogue entry of a body id; unknown ids fail with the valid range."""
    if not 0 <= body_id < len(CATALOGUE):
        raise KeyError(f"unknown body id {body_id}; expected 0..{len(CATALOGUE) - 1}")
    return CATALOGUE[body_id]


def _low_mid_high(value: float, names: tuple[str, str, str]) -> dict[str, float]:
    """MakeHuman's three-corner blend: 0 -> low, 0.5 -> mid, 1 -> high, linear in between."""
    low, mid, high = names
    if value < 0.5:
        return {low: 1.0 - 2.0 * value, mid: 2.0 * value}
    return {mid: 2.0 - 2.0 * value, high: 2.0 * value - 1.0}


def target_weights(shape: BodyShape) -> dict[str, float]:
    """Pinned target file (a `target_pins` key) -> weight, for the non-zero weights of a shape."""
    sexes = {"female": 1.0 - shape.sex, "male": shape.sex}
    muscles = _low_mid_high(shape.muscle, ("minmuscle", "averagemuscle", "maxmuscle"))
    weights = _low_mid_high(shape.weight, ("minweight", "averageweight", "maxweight"))
    heights = {"minheight": max(0.0, 1.0 - 2.0 * shape.height),
               "maxheight": max(0.0, 2.0 * shape.height - 1.0)}
    proportions = {"uncommonproportions": max(0.0, 1.0 - 2.0 * shape.proportions),
                   "idealproportions": max(0.0, 2.0 * shape.proportions - 1.0)}
    total_race = sum(shape.race)
    out: dict[str, float] = {}
    for sex, w_sex in sexes.items():
        for race, w_race in zip(RACES, shape.race, strict=True):
            out[f"{TARGET_DIR}{race}-{sex}-young.target.gz"] = w_sex * w_race / total_race
        for muscle, w_muscle in muscles.items():
            for weight, w_weight in weights.items():
                corner = f"{sex}-young-{muscle}-{weight}"
                w_corner = w_sex * w_muscle * w_weight
                out[f"{TARGET_DIR}universal-{corner}.target.gz"] = w_corner
                for height, w_height in heights.items():
                    out[f"{TARGET_DIR}height/{corner}-{height}.target.gz"] = w_corner * w_height
                for prop, w_prop in proportions.items():
                    out[f"{TARGET_DIR}proportions/{corner}-{prop}.target.gz"] = w_corner * w_prop
    return {name: w for name, w in out.items() if w > 1e-9}


def shaped_vertices(vertices: np.ndarray, shape: BodyShape, root: Path) -> np.ndarray:
    """The base mesh's vertices (all of them, joint helpers included) with the shape's targets applied."""
    out = np.array(vertices, dtype=np.float64, copy=True)
    for name, weight in target_weights(shape).items():
        indices, offsets = load_target(root, name)
        if indices.size and indices.max() >= len(out):
            raise ValueError(f"{name}: expected vertex indices below {len(out)}, got {indices.max()}")
        out[indices] += weight * offsets
    return out


def shaped_assets(assets: BodyAssets, body_id: int, cache_dir: Path | None = None) -> BodyAssets:
    """The body assets with catalogue body `body_id`'s shape applied (faces, rig and weights unchanged)."""
    shape = body_shape(body_id)
    vertices = shaped_vertices(assets.vertices, shape, ensure_assets(cache_dir))
    return dataclasses.replace(assets, vertices=vertices)
