"""Hand-made history records for tests that need stored sets without a video or the pose model."""

from __future__ import annotations

import hashlib

from formcheck.history.records import CueRow, MetricRow, RepRow, SetKey, SetRecord
from formcheck.records import METRIC_KEYS


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def rep_row(index: int, knee: float | None = 90.0, hip: float | None = 180.0, neck: float | None = 20.0,
            concentric: float = 1.0, score: int = 100, shin: float | None = 0.0) -> RepRow:
    values = {"knee_angle_deg": knee, "shin_from_vertical_deg": shin, "hip_extension_deg": hip,
              "neck_flexion_deg": neck, "pelvic_tilt_deg": None}
    metrics = tuple(MetricRow(k, values[k], 0.9 if values[k] is not None else 0.0,
                              None if values[k] is not None else "not measurable") for k in METRIC_KEYS)
    start = 30 * index
    return RepRow(index, start, start + 10, start + 25, concentric, 0.5, 1.2, score, metrics)


def make_record(video: str = "a", reps: int = 3, rules: str = "rules-1", cues: tuple[CueRow, ...] = (),
                name: str = "set.mp4", recorded_at: str = "2026-11-01T10:00:00+00:00",
                rep_values: tuple[RepRow, ...] | None = None, report_dir: str = "/tmp/r") -> SetRecord:
    rows = rep_values if rep_values is not None else tuple(rep_row(i) for i in range(1, reps + 1))
    return SetRecord(
        key=SetKey(sha(video), "0.1.0", sha("model"), sha(rules)), video_path=f"/videos/{name}",
        video_name=name, report_dir=report_dir, recorded_at=recorded_at,
        analysed_at="2026-11-02T10:00:00+00:00", fps=30.0, frames=300, width=640, height=360, side="left",
        view_confidence=0.97, view_reason=None, score=100 if rows else None, notes=("a note",), reps=rows,
        cues=cues, measurements=b"blob-" + video.encode())
