"""Ground truth of a synthetic clip: what was posed, measured on the posed skeleton, as a stable JSON file.

Schema `formcheck-synth-gt/1` (keys are stable; new keys may be added, none removed or renamed):
```
{"schema": "formcheck-synth-gt/1",
 "params": {...SynthParams.to_dict()...},
 "fps": 30.0, "width": 640, "height": 360, "frames": N,
 "side": "left" | "right",            # body side facing the camera (the "near" side)
 "yaw_deg": 0.0, "plates": false,
 "camera": {"position": [x, y, z], "look_at": [x, y, z], "fov_y_deg": 40.0,   # world metres, y up
            "up": [x, y, z], "height_m": 0.38, "roll_deg": 0.0},   # up vector, lens above the floor, roll
 "body": {"id": 7 | null,             # bodies.CATALOGUE id; null: the unshaped base mesh
          "shape": {"sex": 1.0, "muscle": ..., "weight": ..., "height": ..., "proportions": ...,
                    "race": {"african": ..., "asian": ..., "caucasian": ...}, "sex_label": "male",
                    "build": "heavy"} | null,
          "stature_m": 1.90},          # measured on the shaped rest mesh
 "landmark_vertices": {"left_ear": 12038, ...},   # body-mesh vertex behind each vertex landmark
 "per_frame": {
   "t_ms": [0, 33, ...],                # round(1000 * k / fps)
   "phase": ["setup" | "bottom" | "concentric" | "hold" | "eccentric" | "partial", ...],
   "rep": [0, 1, ...],                  # 1-based counted rep in progress, 0 outside (setup, pauses, partials)
   "lift": [0.0, ...],                  # 0 = bottom, 1 = lockout (the timing curve that drove the pose)
   "metrics": {key: [...]},             # true sagittal angles (see below), all keys of METRIC_KEYS
   "metrics_2d": {key: [...]},          # the same formulas on the near-side joints in image pixels
   "joints_px": {"left_hip": [[x, y], ...], ...},   # every name of joints.landmark_names(), image pixels
   "occluded": {"left_hip": [false, ...], ...},
   "bar_height_m": [0.35, ...]},       # the bar's centre above the floor
 "reps": [{"index": 1, "start_frame": 30, "lockout_frame": 81, "end_frame": 144,
           "metrics": {key: value}, "metrics_2d": {key: value},      # at the lockout frame
           "bottom_hip_extension_deg": 110.2, "bar_rise_m": 0.24,    # range of motion, measured in the rep
           "concentric_s": 1.2, "hold_s": 1.0, "eccentric_s": 1.6,   # timing of the motion that was posed
           "expected_cues": ["feet_too_far", ...],    # a correct tool gives these for this rep
           "acceptable_cues": ["chin_crushed", ...]}],  # don't care: given or not, both are right
 "expected_set_cues": ["feet_too_far", ...],          # any rep's, or only not_side_view when refused
 "acceptable_set_cues": ["not_side_view", ...]}       # any rep's don't-cares, and a 25-40° camera's refusal
```
Cue labels (`rep_cue_labels`, `CUE_ZONES`) come from the lockout metrics *measured* on the skeleton and the
posed timing, never from the request: a cue is expected at or beyond its fault threshold, forbidden (in
neither list) inside its good limit, and acceptable in the band between, where coaches would disagree too.
Every cue not listed for a rep is forbidden for it. A camera turned more than 40° from side-on expects only
`not_side_view` (no rep cues); between 25° and 40° refusing is acceptable.
Metric definitions (degrees, signs of docs/design.md; S shoulder, H hip, K knee, A ankle, E ear, near side):
- `knee_angle_deg`, `shin_from_vertical_deg`, `hip_extension_deg`, `head_torso_angle_deg`: `geometry`'s
  knee_angle(H,K,A), shin_from_vertical(H,K,A), hip_extension(S,H,K), head_torso_angle(E,S,H). In `metrics`
  they are taken on the posed 3D joint centres projected orthographically onto the body's sagittal (y-z)
  plane — what a perfect side-on camera sees, whatever the real camera's yaw. In `metrics_2d` they are
  taken on `joints_px`, so a perfect 2D landmark detector would reproduce them exactly (with an oblique
  camera they differ from the sagittal truth).
- `neck_flexion_deg` (metrics only): rotation of the head bone relative to the upper thorax (spine01)
  about the lateral axis, relative to the standing rest pose, so a head in line with the torso is 0;
  + chin toward the chest, - head back. docs/design.md's coached tuck is +10..+65, chin_lifted at or below 0,
  chin_crushed from +75. Landmarks alone cannot give this without a neutral reference, hence not in 2D.
- `pelvic_tilt_deg` (metrics only): rotation of the pelvis (root bone) relative to the thorax (spine02),
  relative to rest; + posterior (butt tucked under, lumbar flexion), - anterior (arched lower back).
Joints: bone heads and skin vertices as documented in `joints` (the ear is a vertex on the outer ear).
`occluded` is true when something other than the body — a plate, the bar or the bench — is the nearest
surface at the joint's pixel and lies in front of the joint, or when the body's own surface there is more
than `SELF_OCCLUSION_M` in front of the joint (e.g. the far hip behind the near one). Joints outside the
image are not flagged; check their pixels against width and height.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import InputError
from formcheck.measure import geometry
from formcheck.synth.joints import landmark_names
from formcheck.synth.params import SynthParams, Tempo
from formcheck.synth.posing import lockout_lumbar_deg, sagittal_px
from formcheck.synth.skeleton import Skeleton, angle_about_x

SCHEMA = "formcheck-synth-gt/1"
METRIC_KEYS = ("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg", "neck_flexion_deg",
               "pelvic_tilt_deg", "head_torso_angle_deg")
METRIC_2D_KEYS = ("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg", "head_torso_angle_deg")
SELF_OCCLUSION_M = 0.15

SIDE_VIEW_YAW_DEG = 25.0  # within this of side-on a side-view tool must accept the clip
NOT_SIDE_VIEW_YAW_DEG = 40.0  # beyond this it must refuse it; in between either is acceptable


@dataclass(frozen=True)
class CueZone:
    """When a lockout metric implies a cue: expected at or beyond `fault`, forbidden at or inside `good`,
    acceptable either way in between (a don't-care zone, where coaches would disagree too)."""

    cue: str
    metric: str
    when: str  # "above" or "below": the side of the thresholds where the fault lies
    fault: float
    good: float

    def __post_init__(self) -> None:
        if self.when not in ("above", "below"):
            raise ValueError(f"CueZone.when: expected above or below, got {self.when!r}")
        if (self.fault - self.good) * (1.0 if self.when == "above" else -1.0) < 0:
            raise ValueError(f"CueZone {self.cue}: expected the fault threshold {self.when} the good limit, "
                             f"got fault {self.fault}, good {self.good}")

    def label(self, value: float) -> str:
        """'expected', 'acceptable' or 'forbidden' for a measured value."""
        sign = 1.0 if self.when == "above" else -1.0
        if sign * (value - self.fault) >= 0:
            return "expected"
        return "forbidden" if sign * (value - self.good) <= 0 else "acceptable"


# Lockout cue zones on the measured metrics (docs/design.md; docs/synth.md). The neck follows docs/design.md's
# contract: the coached tuck is +10..+65, chin_lifted at or below 0 (head in line or back), chin_crushed
# from +75 (chin on the chest).
CUE_ZONES: tuple[CueZone, ...] = (
    CueZone("feet_too_far", "knee_angle_deg", "above", 110.0, 100.0),
    CueZone("feet_too_close", "knee_angle_deg", "below", 70.0, 80.0),
    CueZone("incomplete_lockout", "hip_extension_deg", "below", 165.0, 175.0),
    CueZone("lower_back_arch", "hip_extension_deg", "above", 195.0, 185.0),
    CueZone("no_posterior_tilt", "pelvic_tilt_deg", "below", 0.0, 10.0),
    CueZone("chin_lifted", "neck_flexion_deg", "below", 0.0, 10.0),
    CueZone("chin_crushed", "neck_flexion_deg", "above", 75.0, 65.0),
)
# Rushed reps: both a short hold and a fast rise; controlled: a real hold and an unhurried rise.
RUSHED_HOLD_S = 0.25
RUSHED_CONCENTRIC_S = 0.8
CONTROLLED_HOLD_S = 0.5
CONTROLLED_CONCENTRIC_S = 1.0
CUE_ORDER = (*(zone.cue for zone in CUE_ZONES), "rushed_reps")


def rep_cue_labels(metrics: Mapping[str, float], tempo: Tempo) -> tuple[list[str], list[str]]:
    """(expected, acceptable) cues of one rep from its lockout metrics and its timing.

    Cues in neither list are forbidden: a correct tool must not give them.
    """
    expected, acceptable = [], []
    for zone in CUE_ZONES:
        label = zone.label(float(metrics[zone.metric]))
        if label == "expected":
            expected.append(zone.cue)
        elif label == "acceptable":
            acceptable.append(zone.cue)
    if tempo.hold_s < RUSHED_HOLD_S and tempo.concentric_s < RUSHED_CONCENTRIC_S:
        expected.append("rushed_reps")
    elif tempo.hold_s < CONTROLLED_HOLD_S or tempo.concentric_s < CONTROLLED_CONCENTRIC_S:
        acceptable.append("rushed_reps")
    return expected, acceptable


def requested_metrics(params: SynthParams) -> dict[str, float]:
    """The lockout metrics the parameters ask for (what the posed skeleton should measure, give or take)."""
    return {"knee_angle_deg": params.knee_at_top_deg, "hip_extension_deg": params.hip_ext_deg,
            "pelvic_tilt_deg": lockout_lumbar_deg(params.hip_ext_deg, params.pelvic_tilt_deg),
            "neck_flexion_deg": params.neck_deg}


def view_cue_labels(yaw_deg: float) -> tuple[list[str], list[str]]:
    """(expected, acceptable) set cues of the camera angle: `not_side_view` beyond 40°, either past 25°."""
    if abs(yaw_deg) > NOT_SIDE_VIEW_YAW_DEG:
        return ["not_side_view"], []
    if abs(yaw_deg) > SIDE_VIEW_YAW_DEG:
        return [], ["not_side_view"]
    return [], []


def set_cue_labels(rep_labels: Sequence[tuple[list[str], list[str]]],
                   yaw_deg: float) -> tuple[list[str], list[str]]:
    """(expected, acceptable) cues of the whole set: any rep's, plus the camera's; a refused set has only
    `not_side_view`."""
    view_expected, view_acceptable = view_cue_labels(yaw_deg)
    if view_expected:
        return view_expected, []
    expected = {cue for labels in rep_labels for cue in labels[0]}
    acceptable = {cue for labels in rep_labels for cue in labels[1]} - expected
    return ([c for c in CUE_ORDER if c in expected],
            [c for c in CUE_ORDER if c in acceptable] + view_acceptable)


def expected_cues(params: SynthParams) -> tuple[list[str], list[str]]:
    """(cues every counted rep should get, cues for the set) implied by the faults that were *requested*.

    The ground truth's own labels come from the metrics measured on the posed skeleton
    (`rep_cue_labels`); this is the same rule on the requested values, for planning clips. A camera turned
    more than 40° from side-on gets only the set cue `not_side_view`.
    """
    labels = requested_cue_labels(params)
    set_expected, _ = set_cue_labels([labels] if params.reps else [], params.yaw_deg)
    return labels[0], set_expected


def requested_cue_labels(params: SynthParams) -> tuple[list[str], list[str]]:
    """(expected, acceptable) rep cues of the requested faults; none when the camera is refused."""
    if view_cue_labels(params.yaw_deg)[0]:
        return [], []
    return rep_cue_labels(requested_metrics(params), params.tempo)


def angle_metrics(ear: np.ndarray, shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray,
                  ankle: np.ndarray) -> dict[str, float]:
    """The landmark-only metrics (METRIC_2D_KEYS) of one frame from image-space (x right, y down) points."""
    return {"knee_angle_deg": float(geometry.knee_angle(hip, knee, ankle)),
            "shin_from_vertical_deg": float(geometry.shin_from_vertical(hip, knee, ankle)),
            "hip_extension_deg": float(geometry.hip_extension(shoulder, hip, knee)),
            "head_torso_angle_deg": float(geometry.head_torso_angle(ear, shoulder, hip))}


def _near(points: Mapping[str, np.ndarray], side: str) -> tuple[np.ndarray, ...]:
    return tuple(np.asarray(points[f"{side}_{j}"]) for j in ("ear", "shoulder", "hip", "knee", "ankle"))


def sagittal_metrics(skeleton: Skeleton, matrices: np.ndarray, world: Mapping[str, np.ndarray],
                     side: str) -> dict[str, float]:
    """True metrics of one posed frame (all METRIC_KEYS), as defined in the module docstring."""
    out = angle_metrics(*(sagittal_px(p) for p in _near(world, side)))

    def relative(child: str, parent: str) -> float:
        c, p = matrices[skeleton.index(child)][:3, :3], matrices[skeleton.index(parent)][:3, :3]
        return angle_about_x(p.T @ c)

    out["neck_flexion_deg"] = relative("head", "spine01")
    out["pelvic_tilt_deg"] = relative("spine02", "root")
    return {key: out[key] for key in METRIC_KEYS}


def occlusion_flags(pixels: Mapping[str, np.ndarray], depths: Mapping[str, float], mesh_index: np.ndarray,
                    depth_map: np.ndarray, body_mesh: int) -> dict[str, bool]:
    """Per landmark: hidden by a prop, or deep behind the body's own surface (see module docstring)."""
    height, width = mesh_index.shape
    out = {}
    for name, (x, y) in pixels.items():
        col, row = int(np.floor(x)), int(np.floor(y))
        if not (0 <= col < width and 0 <= row < height):
            out[name] = False
            continue
        front, nearest = int(mesh_index[row, col]), float(depth_map[row, col])
        in_front = depths[name] - nearest
        out[name] = bool((front >= 0 and front != body_mesh and in_front > 0.0)
                         or (front == body_mesh and in_front > SELF_OCCLUSION_M))
    return out


@dataclass
class FrameLog:
    """Per-frame ground truth gathered while rendering (mutable only while a clip is being made)."""

    metrics: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in METRIC_KEYS})
    metrics_2d: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in METRIC_2D_KEYS})
    joints_px: dict[str, list[list[float]]] = field(default_factory=lambda: {n: [] for n in landmark_names()})
    occluded: dict[str, list[bool]] = field(default_factory=lambda: {n: [] for n in landmark_names()})
    bar_height_m: list[float] = field(default_factory=list)

    def add(self, metrics: Mapping[str, float], pixels: Mapping[str, np.ndarray],
            occluded: Mapping[str, bool], side: str, bar_height_m: float) -> None:
        """Record one frame; the 2D metrics are computed here from the pixels."""
        self.bar_height_m.append(round(float(bar_height_m), 5))
        for key in METRIC_KEYS:
            self.metrics[key].append(round(float(metrics[key]), 4) + 0.0)  # + 0.0 turns -0.0 into 0.0
        for key, value in angle_metrics(*_near(pixels, side)).items():
            self.metrics_2d[key].append(round(value, 4) + 0.0)
        for name in landmark_names():
            self.joints_px[name].append([round(float(v), 3) for v in pixels[name]])
            self.occluded[name].append(bool(occluded[name]))


@dataclass(frozen=True, eq=False)
class GroundTruth:
    """A clip's ground truth: the JSON document of the module docstring, with light validation."""

    data: dict[str, Any]

    def __post_init__(self) -> None:
        if self.data.get("schema") != SCHEMA:
            raise ValueError(f"GroundTruth: expected schema {SCHEMA!r}, got {self.data.get('schema')!r}")
        n = self.data["frames"]
        per_frame = self.data["per_frame"]
        for key in ("t_ms", "phase", "rep", "lift"):
            if len(per_frame[key]) != n:
                raise ValueError(f"GroundTruth.per_frame.{key}: expected {n} values, "
                                 f"got {len(per_frame[key])}")

    @property
    def frames(self) -> int:
        return int(self.data["frames"])

    @property
    def reps(self) -> list[dict[str, Any]]:
        return list(self.data["reps"])

    def metric(self, key: str, *, image: bool = False) -> np.ndarray:
        """Per-frame values of one metric: sagittal truth, or (image=True) from the image pixels."""
        table = self.data["per_frame"]["metrics_2d" if image else "metrics"]
        if key not in table:
            raise KeyError(f"unknown metric {key!r}; expected one of {', '.join(table)}")
        return np.asarray(table[key], dtype=float)

    def joint(self, name: str) -> np.ndarray:
        """(N, 2) pixel positions of one landmark."""
        table = self.data["per_frame"]["joints_px"]
        if name not in table:
            raise KeyError(f"unknown landmark {name!r}; expected one of {', '.join(table)}")
        return np.asarray(table[name], dtype=float)


def ground_truth_path(video_path: Path) -> Path:
    """Where a clip's ground truth lives: `clip.mp4` -> `clip.gt.json`."""
    return video_path.with_name(video_path.stem + ".gt.json")


def write_ground_truth(truth: GroundTruth, path: Path) -> None:
    """Write the JSON atomically (temporary file + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, suffix=".tmp", delete=False,
                                     encoding="utf-8") as f:
        json.dump(truth.data, f, separators=(",", ":"))
        temp = Path(f.name)
    temp.chmod(0o644)  # a normal data file, not the private mode temporary files get
    os.replace(temp, path)


def load_ground_truth(path: Path) -> GroundTruth:
    """Read a clip's ground truth (the `.gt.json` itself, or the video path next to it)."""
    path = Path(path)
    if path.suffix != ".json":
        path = ground_truth_path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"cannot read ground truth {path}: {exc}") from exc
    return GroundTruth(data)


def rep_entries(reps: Sequence[Any], log: FrameLog, params: SynthParams) -> list[dict[str, Any]]:
    """Per counted rep: key frames, metrics at lockout, range of motion, timing and cue labels.

    The cue labels come from the lockout metrics measured on the skeleton (`rep_cue_labels`); a camera
    turned too far for a side view expects no rep cues at all (the set is refused).
    """
    refused = bool(view_cue_labels(params.yaw_deg)[0])
    hip = np.asarray(log.metrics["hip_extension_deg"])
    bar = np.asarray(log.bar_height_m)
    out = []
    for rep in reps:
        k = rep.lockout_frame
        lockout = {key: values[k] for key, values in log.metrics.items()}
        expected, acceptable = ([], []) if refused else rep_cue_labels(lockout, params.tempo)
        span = slice(rep.start_frame, rep.end_frame + 1)
        out.append({"index": rep.index, "start_frame": rep.start_frame, "lockout_frame": k,
                    "end_frame": rep.end_frame, "metrics": lockout,
                    "metrics_2d": {key: values[k] for key, values in log.metrics_2d.items()},
                    "bottom_hip_extension_deg": round(float(hip[span].min()), 4),
                    "bar_rise_m": round(float(bar[k] - bar[span].min()), 4),
                    "concentric_s": params.tempo.concentric_s, "hold_s": params.tempo.hold_s,
                    "eccentric_s": params.tempo.eccentric_s, "expected_cues": expected,
                    "acceptable_cues": acceptable})
    return out
