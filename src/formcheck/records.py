"""Small frozen records passed from measuring to rules to reports.

These are the contracts between stages (docs/design.md "Data flow"); they hold no behaviour beyond validation.
Metric keys and sign conventions are those of docs/design.md ("Metric conventions").
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np

# The metric keys of docs/design.md, in report order. Units: degrees.
METRIC_KEYS = (
    "knee_angle_deg",
    "shin_from_vertical_deg",
    "hip_extension_deg",
    "neck_flexion_deg",
    "pelvic_tilt_deg",
)
# Below this confidence a lockout value is reported but not judged on: it is drawn unsure ("92?"), a rep
# is not called good on it, and the shipped rule pack's angle rules ask as much to give a cue. It sits just
# above the confidence of an angle read from a hip behind a painted-out plate (0.5, `plate/placement.py`,
# docs/design.md), which is also the least a lockout value can have: clear joints read 0.5 to 0.99, and a
# higher line (0.6 was tried) cost plate-free cues on knees the model was unsure of (check-00140).
TRUSTED_CONFIDENCE = 0.51
# The metrics in words, for people (report headings, summaries).
METRIC_LABELS: Mapping[str, str] = MappingProxyType({
    "knee_angle_deg": "Knee angle",
    "shin_from_vertical_deg": "Shin from vertical",
    "hip_extension_deg": "Hip extension",
    "neck_flexion_deg": "Neck flexion",
    "pelvic_tilt_deg": "Pelvic tilt",
})


class Phase(StrEnum):
    """Where a frame sits within the set."""

    SETUP = "setup"
    CONCENTRIC = "concentric"
    LOCKOUT = "lockout"
    ECCENTRIC = "eccentric"


class Severity(StrEnum):
    """How much a cue matters: `info` never lowers the score."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class SourceInfo:
    """What was analysed: the `source` block of report.json."""

    path: str
    fps: float
    frames: int
    width: int
    height: int


@dataclass(frozen=True)
class ViewEstimate:
    """Which body side faces the camera and whether the camera is side-on (`view` block of report.json)."""

    side: str  # "left" | "right"
    is_side_view: bool
    confidence: float  # 0..1, confidence in `is_side_view`
    reason: str | None = None  # why the view is refused or uncertain, in words

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise ValueError(f"ViewEstimate.side: expected 'left' or 'right', got {self.side!r}")
        if not 0.0 <= self.confidence <= 1.0:
            raise ValueError(f"ViewEstimate.confidence: expected 0..1, got {self.confidence}")


@dataclass(frozen=True)
class MetricValue:
    """One metric at one moment: `value` is None when the tool cannot measure it, and `reason` says why."""

    value: float | None
    confidence: float = 0.0
    reason: str | None = None

    @property
    def trusted(self) -> bool:
        """Measured surely enough to judge on (`TRUSTED_CONFIDENCE`)."""
        return self.value is not None and self.confidence >= TRUSTED_CONFIDENCE

    def __post_init__(self) -> None:
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"MetricValue.value: expected a finite number or None, got {self.value}")
        if self.value is None and not self.reason:
            raise ValueError("MetricValue: a null value needs a reason")

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class FrameSeries:
    """Per-frame metrics for a clip: each key of `values`/`confidence` maps to a (frames,) array.

    Values are NaN where a metric is unmeasured in that frame; confidence is 0 there.
    """

    t_ms: np.ndarray  # (frames,) int64
    values: dict[str, np.ndarray]
    confidence: dict[str, np.ndarray]
    phase: np.ndarray  # (frames,) of Phase values (str)
    rep: np.ndarray  # (frames,) int, 0 outside a rep, else the 1-based rep index

    def __post_init__(self) -> None:
        n = self.t_ms.shape[0]
        for name, arr in [*self.values.items(), *self.confidence.items(),
                          ("phase", self.phase), ("rep", self.rep)]:
            if arr.shape != (n,):
                raise ValueError(f"FrameSeries.{name}: expected shape ({n},), got {arr.shape}")


@dataclass(frozen=True)
class RepSummary:
    """One counted rep: frame indices, timing (seconds) and metrics at lockout."""

    index: int  # 1-based
    start_frame: int
    lockout_frame: int
    end_frame: int
    metrics: dict[str, MetricValue]  # every key of METRIC_KEYS
    concentric_s: float
    hold_s: float  # time held at the top
    eccentric_s: float

    def __post_init__(self) -> None:
        if not self.start_frame <= self.lockout_frame <= self.end_frame:
            raise ValueError(
                f"RepSummary {self.index}: expected start <= lockout <= end, got "
                f"{self.start_frame}, {self.lockout_frame}, {self.end_frame}")
        missing = [k for k in METRIC_KEYS if k not in self.metrics]
        if missing:
            raise ValueError(f"RepSummary {self.index}: missing metrics {missing}")

    @property
    def measured(self) -> bool:
        """True when at least one angle was measured surely enough to judge at lockout (`TRUSTED_CONFIDENCE`);
        a rep without any was counted and timed but cannot be judged good or bad."""
        return any(m.trusted for m in self.metrics.values())

    def without_cues(self) -> str:
        """What to say of this rep when no rule gave it a cue: good only when the angles that are
        measured on every rep a clear side view shows (all but pelvic tilt, which never is) were, surely
        enough to judge."""
        if not self.measured:
            return "counted, but no angle could be measured surely enough to judge (see notes)"
        missing = [k for k in METRIC_KEYS if k != "pelvic_tilt_deg" and not self.metrics[k].trusted]
        if not missing:
            return "good"
        seen = ", ".join(METRIC_LABELS[k].lower() for k in METRIC_KEYS if self.metrics[k].trusted)
        return f"nothing to fix in what could be measured ({seen})"


@dataclass(frozen=True)
class Cue:
    """A coaching cue: a stable id (docs/design.md), a severity and the project's own words."""

    id: str
    severity: Severity
    message: str
    rep: int | None = None  # 1-based rep it belongs to; None for set-level cues
    metric: str | None = None  # the metric that triggered it, if any
    value: float | None = None  # the metric's value when it fired
    primary: bool = False  # the one cue that matters most for its rep


@dataclass(frozen=True)
class RepVerdict:
    """A rep with the cues the rule pack gave it and its 0-100 score, None when the rules could not judge it
    (a reading no real rep gives: `skipped` says which)."""

    rep: RepSummary
    cues: tuple[Cue, ...]
    score: int | None
    # Rules that gave no cue for a reason other than good form: (rule id, why), e.g. a null or
    # low-confidence metric, or a cue suppressed by a more important one.
    skipped: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Analysis:
    """Everything `analyze` and `live` know about a set; report writers read only this."""

    source: SourceInfo
    view: ViewEstimate
    series: FrameSeries
    reps: tuple[RepVerdict, ...]
    set_cues: tuple[Cue, ...]
    score: int | None  # None when the view was refused or no rep was counted
    notes: tuple[str, ...] = field(default=())  # what the tool could not see, in words
