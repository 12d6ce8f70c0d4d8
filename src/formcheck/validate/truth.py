"""The renderer's ground truth for one clip, read from its JSON ("formcheck-synth-gt/1") into a record.

Only this module knows the JSON layout; scoring reads `Truth`. The labels are the renderer's
(`synth.groundtruth`): per rep and per set the cues a correct tool gives (`expected`) and the cues either
given or not is right (`acceptable`: a don't-care band, where coaches would disagree too); every other cue
is forbidden. The camera's verdict is encoded in the set labels: `not_side_view` expected means the clip
must be refused (more than 40° from side-on), acceptable means either answer is right (25-40°), absent
means it must be accepted (within 25°).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.records import METRIC_KEYS
from formcheck.synth.groundtruth import SCHEMA

NOT_SIDE_VIEW = "not_side_view"
VIEWS = ("accept", "either", "refuse")


@dataclass(frozen=True)
class TruthRep:
    """One rendered rep: its lockout frame and its cue labels."""

    lockout_frame: int
    cues: frozenset[str]  # expected: a correct tool gives these
    acceptable: frozenset[str] = frozenset()  # either answer is right

    def __post_init__(self) -> None:
        both = self.cues & self.acceptable
        if both:
            raise ValueError(f"TruthRep: a cue is either expected or acceptable, got both for {sorted(both)}")


@dataclass(frozen=True)
class Truth:
    """What the renderer drew: per-frame metrics (sagittal truth; NaN where undefined), reps, joints."""

    frames: int
    side: str
    view: str  # "accept" | "either" | "refuse": what a side-view tool must do with the camera
    plates: bool
    metrics: dict[str, np.ndarray]  # METRIC_KEYS -> (frames,) degrees
    metrics_2d: dict[str, np.ndarray]  # the same on the true joints in the image (NaN where undefined)
    reps: tuple[TruthRep, ...]
    hip_px: np.ndarray  # (frames, 2) near-side hip joint centre in the image
    shoulder_px: np.ndarray  # (frames, 2) near-side shoulder joint centre
    knee_px: np.ndarray  # (frames, 2) near-side knee joint centre
    hip_hidden: np.ndarray  # (frames,) bool
    set_cues: frozenset[str]  # expected for the set (the report's summary list)
    set_acceptable: frozenset[str] = frozenset()
    yaw_deg: float = 0.0

    def __post_init__(self) -> None:
        if self.view not in VIEWS:
            raise ValueError(f"Truth.view: expected one of {', '.join(VIEWS)}, got {self.view!r}")
        for key in METRIC_KEYS:
            if self.metrics.get(key, np.zeros(0)).shape != (self.frames,):
                raise ValueError(f"Truth.metrics[{key!r}]: expected shape ({self.frames},)")
        if self.hip_px.shape != (self.frames, 2) or self.hip_hidden.shape != (self.frames,):
            raise ValueError(f"Truth: expected hip_px ({self.frames}, 2) and hip_hidden ({self.frames},)")

    @property
    def side_view(self) -> bool:
        """True when a side-view tool must accept the clip."""
        return self.view == "accept"

    def metric_at(self, key: str, frame: int, *, image: bool = False) -> float:
        """Ground truth of `key` at `frame` (NaN when the renderer has none); `image`: on the true 2D joints
        (what a perfect landmark detector would measure with this camera)."""
        return float((self.metrics_2d if image else self.metrics)[key][frame])


def load_truth(path: str | Path) -> Truth:
    """Read a ground-truth JSON written by the renderer."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as exc:
        raise InputError(f"{path}: cannot read ground truth ({exc})") from exc
    if doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: expected schema {SCHEMA!r}, got {doc.get('schema')!r}")
    return truth_from_doc(doc)


def _series(block: dict[str, list[float | None]], key: str, frames: int) -> np.ndarray:
    values = block.get(key)
    if values is None:
        return np.full(frames, np.nan)
    return np.array([np.nan if v is None else v for v in values], float)


def view_of(set_expected: frozenset[str], set_acceptable: frozenset[str]) -> str:
    """What the camera labels ask of a side-view tool (see the module docstring)."""
    if NOT_SIDE_VIEW in set_expected:
        return "refuse"
    return "either" if NOT_SIDE_VIEW in set_acceptable else "accept"


def truth_from_doc(doc: dict) -> Truth:
    """`Truth` from a parsed ground-truth document."""
    frames, side = int(doc["frames"]), str(doc["side"])
    per = doc["per_frame"]
    reps = tuple(TruthRep(int(r["lockout_frame"]), frozenset(r.get("expected_cues", ())),
                          frozenset(r.get("acceptable_cues", ()))) for r in doc["reps"])
    set_expected = frozenset(doc.get("expected_set_cues", ()))
    set_acceptable = frozenset(doc.get("acceptable_set_cues", ()))
    return Truth(
        frames=frames, side=side, view=view_of(set_expected, set_acceptable), plates=bool(doc["plates"]),
        metrics={k: _series(per["metrics"], k, frames) for k in METRIC_KEYS},
        metrics_2d={k: _series(per["metrics_2d"], k, frames) for k in METRIC_KEYS},
        reps=reps, hip_px=np.array(per["joints_px"][f"{side}_hip"], float),
        shoulder_px=np.array(per["joints_px"][f"{side}_shoulder"], float),
        knee_px=np.array(per["joints_px"][f"{side}_knee"], float),
        hip_hidden=np.array(per["occluded"][f"{side}_hip"], bool),
        set_cues=set_expected, set_acceptable=set_acceptable, yaw_deg=float(doc["yaw_deg"]))
