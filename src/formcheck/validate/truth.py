"""The renderer's ground truth for one clip, read from its JSON ("formcheck-synth-gt/1") into a record.

Only this module knows the JSON layout; scoring reads `Truth`.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import InputError
from formcheck.records import METRIC_KEYS
from formcheck.synth.groundtruth import NOT_SIDE_VIEW_YAW_DEG

SCHEMA = "formcheck-synth-gt/1"


@dataclass(frozen=True)
class TruthRep:
    """One rendered rep: its lockout frame and the cue ids a correct tool gives it."""

    lockout_frame: int
    cues: frozenset[str]


@dataclass(frozen=True)
class Truth:
    """What the renderer drew: per-frame metrics (sagittal truth; NaN where undefined), reps, joints."""

    frames: int
    side: str
    side_view: bool  # True when a side-view tool should accept the clip
    plates: bool
    metrics: dict[str, np.ndarray]  # METRIC_KEYS -> (frames,) degrees
    metrics_2d: dict[str, np.ndarray]  # the same on the true joints in the image (NaN where undefined)
    reps: tuple[TruthRep, ...]
    hip_px: np.ndarray  # (frames, 2) near-side hip joint centre in the image
    shoulder_px: np.ndarray  # (frames, 2) near-side shoulder joint centre
    knee_px: np.ndarray  # (frames, 2) near-side knee joint centre
    hip_hidden: np.ndarray  # (frames,) bool
    set_cues: frozenset[str]

    def __post_init__(self) -> None:
        for key in METRIC_KEYS:
            if self.metrics.get(key, np.zeros(0)).shape != (self.frames,):
                raise ValueError(f"Truth.metrics[{key!r}]: expected shape ({self.frames},)")
        if self.hip_px.shape != (self.frames, 2) or self.hip_hidden.shape != (self.frames,):
            raise ValueError(f"Truth: expected hip_px ({self.frames}, 2) and hip_hidden ({self.frames},)")

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


def truth_from_doc(doc: dict) -> Truth:
    """`Truth` from a parsed ground-truth document."""
    frames, side = int(doc["frames"]), str(doc["side"])
    per = doc["per_frame"]
    reps = tuple(TruthRep(int(r["lockout_frame"]), frozenset(r.get("expected_cues", ())))
                 for r in doc["reps"])
    return Truth(
        frames=frames, side=side, side_view=abs(float(doc["yaw_deg"])) <= NOT_SIDE_VIEW_YAW_DEG,
        plates=bool(doc["plates"]),
        metrics={k: _series(per["metrics"], k, frames) for k in METRIC_KEYS},
        metrics_2d={k: _series(per["metrics_2d"], k, frames) for k in METRIC_KEYS},
        reps=reps, hip_px=np.array(per["joints_px"][f"{side}_hip"], float),
        shoulder_px=np.array(per["joints_px"][f"{side}_shoulder"], float),
        knee_px=np.array(per["joints_px"][f"{side}_knee"], float),
        hip_hidden=np.array(per["occluded"][f"{side}_hip"], bool),
        set_cues=frozenset(doc.get("expected_set_cues", ())))
