"""What the history database holds, as small frozen records (the rows of docs/history.md's tables).

These are plain values: the store reads and writes them; `history.convert` builds them from a judged set
and turns them back into what the rules engine reads when a set is re-judged.
"""

from __future__ import annotations

import hashlib
import math
import re
from dataclasses import dataclass

_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _check_sha(field: str, value: str) -> None:
    if not _SHA256.fullmatch(value):
        raise ValueError(f"{field}: expected 64 lower-case hex digits (sha256), got {value!r}")


@dataclass(frozen=True)
class SetKey:
    """What a set's analysis depends on: the video's bytes and the formcheck, model and rule-pack versions.

    `key` identifies the analysis as a whole (a rerun skips a set whose key is stored); `measured_by`
    leaves the rule pack out: stored measurements with the same `measured_by` can be re-judged by
    another rule pack without running the pose model again.
    """

    video_sha256: str
    formcheck_version: str
    model_id: str  # sha256 of the pose model file
    rules_version: str  # sha256 of the rule pack's canonical content

    def __post_init__(self) -> None:
        _check_sha("SetKey.video_sha256", self.video_sha256)
        _check_sha("SetKey.model_id", self.model_id)
        _check_sha("SetKey.rules_version", self.rules_version)
        if not self.formcheck_version:
            raise ValueError("SetKey.formcheck_version: expected a version, got ''")

    @property
    def measured_by(self) -> str:
        """sha256 of the video, formcheck and model versions: what the stored measurements depend on."""
        text = f"{self.video_sha256}|{self.formcheck_version}|{self.model_id}"
        return hashlib.sha256(text.encode()).hexdigest()

    @property
    def key(self) -> str:
        """sha256 of everything the set's report depends on."""
        return hashlib.sha256(f"{self.measured_by}|{self.rules_version}".encode()).hexdigest()


@dataclass(frozen=True)
class MetricRow:
    """One metric at one rep's lockout: `value` None (with a reason) when it was not measured."""

    metric: str
    value: float | None
    confidence: float
    reason: str | None = None

    def __post_init__(self) -> None:
        if self.value is None and not self.reason:
            raise ValueError(f"MetricRow {self.metric}: a null value needs a reason")
        if self.value is not None and not math.isfinite(self.value):
            raise ValueError(f"MetricRow {self.metric}: expected a finite value or None, got {self.value}")


@dataclass(frozen=True)
class RepRow:
    """One counted rep: frames, timing in seconds (NaN when unusable), its score and lockout metrics."""

    index: int  # 1-based
    start_frame: int
    lockout_frame: int
    end_frame: int
    concentric_s: float
    hold_s: float
    eccentric_s: float
    score: int | None  # None when the rules could not judge the rep
    metrics: tuple[MetricRow, ...]

    def __post_init__(self) -> None:
        if self.index < 1:
            raise ValueError(f"RepRow.index: expected 1 or more, got {self.index}")
        if not self.start_frame <= self.lockout_frame <= self.end_frame:
            raise ValueError(f"RepRow {self.index}: expected start <= lockout <= end, got "
                             f"{self.start_frame}, {self.lockout_frame}, {self.end_frame}")

    def value(self, metric: str) -> float | None:
        """The lockout value of `metric`, None when not measured or not stored."""
        return next((m.value for m in self.metrics if m.metric == metric), None)


@dataclass(frozen=True)
class CueRow:
    """A cue given to a rep (`rep` is its 1-based index) or to the whole set (`rep` None)."""

    cue: str
    severity: str
    message: str
    rep: int | None = None
    metric: str | None = None
    value: float | None = None
    primary: bool = False


@dataclass(frozen=True)
class SetRecord:
    """Everything stored for one judged set; `measurements` is what re-judging it needs (opaque bytes)."""

    key: SetKey
    video_path: str  # where the video was when it was last judged
    video_name: str
    report_dir: str  # absolute folder holding report.json, angles.csv, report.html (and annotated.mp4)
    recorded_at: str  # ISO-8601, the video file's modification time
    analysed_at: str  # ISO-8601, when this analysis was stored
    fps: float
    frames: int
    width: int
    height: int
    side: str
    view_confidence: float
    view_reason: str | None
    score: int | None
    notes: tuple[str, ...]
    reps: tuple[RepRow, ...]
    cues: tuple[CueRow, ...]
    measurements: bytes

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise ValueError(f"SetRecord.side: expected 'left' or 'right', got {self.side!r}")
        indices = [rep.index for rep in self.reps]
        if indices != list(range(1, len(indices) + 1)):
            raise ValueError(f"SetRecord.reps: expected indices 1..{len(indices)} in order, got {indices}")
        stray = [cue.rep for cue in self.cues if cue.rep is not None and cue.rep not in indices]
        if stray:
            raise ValueError(f"SetRecord.cues: expected reps among {indices}, got rep {stray[0]}")


@dataclass(frozen=True)
class Judgement:
    """A judged set as the database stores it, without the key, paths and times its writer adds: what an
    analysis process (a batch worker, the server's analysis process) sends back to the one writer."""

    fps: float
    frames: int
    width: int
    height: int
    side: str
    view_confidence: float
    view_reason: str | None
    score: int | None
    notes: tuple[str, ...]
    reps: tuple[RepRow, ...]
    cues: tuple[CueRow, ...]
    measurements: bytes

    def record(self, key: SetKey, *, video_path: str, video_name: str, report_dir: str, recorded_at: str,
               analysed_at: str) -> SetRecord:
        """The row to store, once the writer knows the set's key, where things are and when."""
        return SetRecord(
            key=key, video_path=video_path, video_name=video_name, report_dir=report_dir,
            recorded_at=recorded_at, analysed_at=analysed_at, fps=self.fps, frames=self.frames,
            width=self.width, height=self.height, side=self.side, view_confidence=self.view_confidence,
            view_reason=self.view_reason, score=self.score, notes=self.notes, reps=self.reps, cues=self.cues,
            measurements=self.measurements)


@dataclass(frozen=True)
class StoredSet:
    """A set as read back: its row id, client, session date and what was stored."""

    id: int
    client_id: int
    session: str  # YYYY-MM-DD
    record: SetRecord


@dataclass(frozen=True)
class Client:
    """A client: `name` is exactly what the coach typed (normalised), `dirname` the folder it maps to."""

    id: int
    name: str
    dirname: str


def check_session(date: str) -> str:
    """A session date YYYY-MM-DD; ValueError otherwise."""
    from datetime import date as _date

    if not _DATE.fullmatch(date):
        raise ValueError(f"session: expected a date YYYY-MM-DD, got {date!r}")
    try:
        _date.fromisoformat(date)
    except ValueError:
        raise ValueError(f"session: expected a real calendar date, got {date!r}") from None
    return date
