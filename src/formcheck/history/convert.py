"""Between the analysis records (formcheck.records) and the history database's rows.

- `rep_rows`, `cue_rows`: a judged set as rows, `judgement`: all of it (what a writer stores);
- `rep_summaries`: the rows back into the `RepSummary`s the rules engine reads, value for value (SQLite's
  REAL is a 64-bit float, so nothing is rounded), which is what lets a set be re-judged later;
- `pack_measurements` / `unpack_measurements`: the per-frame series, body points, joints and plate a set's
  report is drawn from, as one compressed `.npz` blob, so re-judging can rewrite every output without the
  pose model.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.history.records import CueRow, Judgement, MetricRow, RepRow
from formcheck.plate.track import PlateTrack
from formcheck.records import Analysis, Cue, FrameSeries, MetricValue, RepSummary

MEASUREMENTS_FORMAT = 2  # 1 (before the keypoints record) held a PoseTrack and Joints


def rep_rows(analysis: Analysis) -> tuple[RepRow, ...]:
    """Each judged rep of the set as a row with its lockout metrics."""
    rows = []
    for verdict in analysis.reps:
        rep = verdict.rep
        metrics = tuple(MetricRow(key, m.value, float(m.confidence), m.reason)
                        for key, m in rep.metrics.items())
        rows.append(RepRow(rep.index, rep.start_frame, rep.lockout_frame, rep.end_frame,
                           float(rep.concentric_s), float(rep.hold_s), float(rep.eccentric_s), verdict.score,
                           metrics))
    return tuple(rows)


def cue_rows(analysis: Analysis) -> tuple[CueRow, ...]:
    """Set-level cues first, then each rep's cues in rep order."""
    cues: list[Cue] = [*analysis.set_cues, *(c for v in analysis.reps for c in v.cues)]
    return tuple(CueRow(c.id, str(c.severity), c.message, c.rep, c.metric,
                        None if c.value is None else float(c.value), c.primary) for c in cues)


def judgement(analysis: Analysis, measurements: bytes) -> Judgement:
    """A judged set (side-on) as the database stores it; `measurements` from `pack_measurements`."""
    src, view = analysis.source, analysis.view
    return Judgement(fps=float(src.fps), frames=src.frames, width=src.width, height=src.height,
                     side=view.side, view_confidence=float(view.confidence), view_reason=view.reason,
                     score=analysis.score, notes=tuple(analysis.notes), reps=rep_rows(analysis),
                     cues=cue_rows(analysis), measurements=measurements)


def rep_summaries(rows: tuple[RepRow, ...]) -> list[RepSummary]:
    """The stored reps as the rules engine reads them."""
    return [RepSummary(index=r.index, start_frame=r.start_frame, lockout_frame=r.lockout_frame,
                       end_frame=r.end_frame, metrics={m.metric: MetricValue(m.value, m.confidence, m.reason)
                                                       for m in r.metrics},
                       concentric_s=r.concentric_s, hold_s=r.hold_s, eccentric_s=r.eccentric_s)
            for r in rows]


@dataclass(frozen=True)
class Measurements:
    """What a set's outputs are drawn from, besides its reps: per-frame metrics, the observed body points,
    the joints the metrics read and the plate."""

    series: FrameSeries
    pose: Keypoints
    joints: Keypoints
    plate: PlateTrack


def pack_measurements(series: FrameSeries, pose: Keypoints, joints: Keypoints, plate: PlateTrack) -> bytes:
    """One compressed .npz holding everything `unpack_measurements` needs, values unrounded."""
    arrays: dict[str, np.ndarray] = {
        "format": np.array(MEASUREMENTS_FORMAT),
        "series_t_ms": series.t_ms, "series_phase": np.asarray(series.phase).astype(str),
        "series_rep": series.rep,
        "plate_center": plate.center, "plate_radius": plate.radius, "plate_confidence": plate.confidence,
    }
    for key, values in series.values.items():
        arrays[f"value_{key}"] = values
    for key, conf in series.confidence.items():
        arrays[f"conf_{key}"] = conf
    for prefix, points in (("pose", pose), ("joints", joints)):
        arrays.update({f"{prefix}_t_ms": points.t_ms, f"{prefix}_xy": points.xy,
                       f"{prefix}_confidence": points.confidence, f"{prefix}_names": np.array(points.names)})
        if points.world is not None:
            arrays[f"{prefix}_world"] = points.world
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def unpack_measurements(blob: bytes) -> Measurements:
    """The records `pack_measurements` stored; ValueError when the blob is not one."""
    try:
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            stored = int(z["format"])
            if stored != MEASUREMENTS_FORMAT:
                raise ValueError(f"measurements: expected format {MEASUREMENTS_FORMAT}, got {stored}")
            series = FrameSeries(
                t_ms=z["series_t_ms"], phase=z["series_phase"].astype(object), rep=z["series_rep"],
                values={k[6:]: z[k] for k in z.files if k.startswith("value_")},
                confidence={k[5:]: z[k] for k in z.files if k.startswith("conf_")})
            pose, joints = (_points(z, prefix) for prefix in ("pose", "joints"))
            plate = PlateTrack(z["plate_center"], z["plate_radius"], z["plate_confidence"])
    except (OSError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ValueError(f"measurements: not a stored set's measurements ({exc})") from None
    except ValueError as exc:
        if str(exc).startswith("measurements:"):
            raise
        raise ValueError(f"measurements: not a stored set's measurements ({exc})") from None
    return Measurements(series, pose, joints, plate)


def _points(z: np.lib.npyio.NpzFile, prefix: str) -> Keypoints:
    world = z[f"{prefix}_world"] if f"{prefix}_world" in z.files else None
    return Keypoints(z[f"{prefix}_t_ms"], z[f"{prefix}_xy"], z[f"{prefix}_confidence"],
                     tuple(str(n) for n in z[f"{prefix}_names"]), world)
