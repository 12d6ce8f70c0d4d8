"""What the annotated video shows at each frame of an analysed clip: joints, rep count, phase, metrics, cue.

Built once from an `EngineResult` (pure numpy, no drawing), then asked frame by frame, so rendering stays a
constant-memory stream. The near side drawn is the joints the metrics read (under a plate, the leg read
with the plate painted out, the hip placed from the bar, and the plate itself); the far side comes from the
pose for context. A rep's cue appears at its lockout and stays until the next lockout or `hold_s` after the
rep ends; a refused view shows why on every frame instead.
"""

from __future__ import annotations

import numpy as np

from formcheck.body.joints import near_side, other_side
from formcheck.body.keypoints import Keypoints
from formcheck.records import Analysis, Cue, Severity
from formcheck.report.annotators import FrameView

_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


def headline_cue(cues: tuple[Cue, ...]) -> Cue | None:
    """The cue to show for a rep: its primary one, else the most severe (first on ties)."""
    if not cues:
        return None
    primary = [c for c in cues if c.primary]
    return primary[0] if primary else max(cues, key=lambda c: _SEVERITY_RANK[Severity(c.severity)])


class OverlayTimeline:
    """Per-frame views for a whole analysed clip: `analysis` with the joints its metrics read and the
    pose (MediaPipe's 33 points per frame) it was measured from, and the plate's radius per frame."""

    def __init__(self, analysis: Analysis, joints: Keypoints, pose: Keypoints, plate_radius: np.ndarray,
                 hold_s: float = 1.5) -> None:
        n = analysis.series.t_ms.shape[0]
        if len(joints) != n or len(pose) != n or plate_radius.shape != (n,):
            raise ValueError(f"OverlayTimeline: expected joints, pose and plate radii of {n} frames (the "
                             f"analysis series), got {len(joints)}, {len(pose)} and {plate_radius.shape}")
        self._analysis = analysis
        self._joints = joints
        self._far = near_side(pose, other_side(analysis.view.side))
        self._radius = plate_radius
        self._lockouts = np.array(sorted(v.rep.lockout_frame for v in analysis.reps), dtype=np.int64)
        self._banner = np.full(n, -1, dtype=np.int64)  # index into self._cues, -1 = no banner
        self._cues: list[tuple[str, Severity]] = []
        self._schedule(n, round(hold_s * analysis.source.fps))

    def _add(self, text: str, severity: Severity, start: int, stop: int) -> None:
        if start < stop:
            self._cues.append((text, severity))
            self._banner[max(start, 0):stop] = len(self._cues) - 1

    def _schedule(self, n: int, hold_frames: int) -> None:
        a = self._analysis
        if not a.view.is_side_view:
            reason = a.view.reason or "the camera is not side-on"
            self._add(f"Could not judge: {reason}", Severity.ERROR, 0, n)
            return
        reps = sorted(a.reps, key=lambda v: v.rep.lockout_frame)
        for i, verdict in enumerate(reps):
            cue = headline_cue(verdict.cues)
            if cue is None:
                continue
            stop = verdict.rep.end_frame + 1 + hold_frames
            if i + 1 < len(reps):
                stop = min(stop, reps[i + 1].rep.lockout_frame)
            self._add(cue.message, Severity(cue.severity), verdict.rep.lockout_frame, min(stop, n))
        set_cue = headline_cue(a.set_cues)
        if set_cue is not None:
            after = max((v.rep.end_frame + 1 for v in reps), default=0)
            self._add(set_cue.message, Severity(set_cue.severity), after, n)

    def __len__(self) -> int:
        return len(self._joints)

    def state(self, i: int) -> FrameView:
        """What frame `i` shows."""
        series = self._analysis.series
        metrics = {k: float(v[i]) for k, v in series.values.items()}
        confidence = {k: float(c[i]) for k, c in series.confidence.items()}
        banner = int(self._banner[i])
        text, severity = self._cues[banner] if banner >= 0 else (None, Severity.WARNING)
        return FrameView(
            joints=self._joints[i], far=self._far[i], metrics=metrics, confidence=confidence,
            rep_count=int(np.searchsorted(self._lockouts, i, side="right")),
            phase=str(series.phase[i]), cue=text, cue_severity=severity, plate_radius=float(self._radius[i]))
