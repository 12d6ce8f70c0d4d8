"""A second look at a plated set's lockouts, with the plate painted out, for the joints it does not hide.

With a plate over the hips the pose model misreads even the leg it can plainly see: it often labels the
visible leg as the far one and folds the near leg onto the disc, and it misplaces the joints it does keep
(`benchmarks/plated_landmarks.py`: visible-leg knee 9 px and ankle 8 px from the true joints, shin 7.5°
MAE over the grid's 52 plated lockouts). The big dark disc is what throws it. Painting the disc out
(OpenCV's inpainting fills it from its surroundings) and running the model again on the frames around each
lockout gives the lower leg back: on the grid's plated side-on clips the shin at lockout comes out within
a few degrees (docs/accuracy.md). The hip stays hidden under the paint, so only the knee and ankle are
taken from this look, and only the shin is measured from them; angles at the hip stay null.

Reads the video again (OpenCV) and runs the pose model (`pose.py`) on a few frames per rep.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.body.joints import Joints, joint_landmarks
from formcheck.capture.video import DEFAULT_MAX_SIDE, Frame, open_video
from formcheck.plate.finder import PlateTrack
from formcheck.pose.estimator import PoseEstimator
from formcheck.records import RepSummary

# The disc is painted this much wider than the plate's radius, to cover its anti-aliased rim.
PAINT_MARGIN = 0.08
# Discs larger than this (px) are painted at a reduced scale: inpainting time grows with the area.
MAX_PAINT_RADIUS = 64.0
INPAINT_RADIUS_PX = 5
# Around a lockout the lower leg hardly moves, so the knee and ankle the second look finds there must
# agree from frame to frame: unless `AGREEING_SHARE` of a window's readings of each lie within
# `MAX_UNSTEADY_SHARE` of the shin's length of their median position, the model is flickering between
# readings (seen on a render filmed 15° off side-on, where the far plate shows beside the painted disc
# and the knee jumped 40-100 px every few frames) and the window is not trusted.
AGREEING_SHARE = 0.8
MAX_UNSTEADY_SHARE = 0.08
# The joints this look replaces (the hip stays the bar-based placement of `occlusion.py`).
LEG_JOINTS = ("knee", "ankle")


@dataclass(frozen=True)
class LookWindows:
    """Which frames get a second look: those within `window_ms` of a rep's lockout, after `lead_in`
    earlier frames that let the model's tracker settle on the painted body."""

    window_ms: float = 250.0
    lead_in: int = 5

    def __post_init__(self) -> None:
        if not (np.isfinite(self.window_ms) and self.window_ms >= 0):
            raise ValueError(f"LookWindows.window_ms: expected >= 0, got {self.window_ms}")
        if self.lead_in < 0:
            raise ValueError(f"LookWindows.lead_in: expected >= 0, got {self.lead_in}")

    def around(self, t_ms: np.ndarray, rep: RepSummary) -> np.ndarray:
        """Frame indices within `window_ms` of one rep's lockout (no lead-in)."""
        return np.flatnonzero(np.abs(t_ms - t_ms[rep.lockout_frame]) <= self.window_ms)

    def frames(self, t_ms: np.ndarray, reps: Sequence[RepSummary]) -> np.ndarray:
        """Sorted frame indices to look at again (lead-in frames included)."""
        chosen: set[int] = set()
        for rep in reps:
            near = self.around(t_ms, rep)
            chosen.update(range(max(0, int(near.min()) - self.lead_in), int(near.max()) + 1))
        return np.array(sorted(chosen), dtype=int)


def paint_out(image: np.ndarray, centre: np.ndarray, radius: float,
              margin: float = PAINT_MARGIN) -> np.ndarray:
    """A copy of the BGR `image` with the disc at `centre` (px) of `radius` (grown by `margin`) inpainted."""
    h, w = image.shape[:2]
    r = radius * (1.0 + margin)
    scale = min(1.0, MAX_PAINT_RADIUS / r)
    pad = r + (INPAINT_RADIUS_PX + 2) / scale
    x0, y0 = max(0, int(centre[0] - pad)), max(0, int(centre[1] - pad))
    x1, y1 = min(w, int(np.ceil(centre[0] + pad))), min(h, int(np.ceil(centre[1] + pad)))
    if x1 <= x0 or y1 <= y0:
        return image.copy()
    crop = image[y0:y1, x0:x1]
    mask = np.zeros(crop.shape[:2], np.uint8)
    cv2.circle(mask, (round(centre[0] - x0), round(centre[1] - y0)), round(r), 255, -1)
    if scale < 1.0:
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        small_mask = cv2.resize(mask, (small.shape[1], small.shape[0]), interpolation=cv2.INTER_NEAREST)
        painted = cv2.resize(cv2.inpaint(small, small_mask, INPAINT_RADIUS_PX, cv2.INPAINT_TELEA),
                             (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
    else:
        painted = cv2.inpaint(crop, mask, INPAINT_RADIUS_PX, cv2.INPAINT_TELEA)
    out = image.copy()
    out[y0:y1, x0:x1][mask > 0] = painted[mask > 0]
    return out


def look_again(video: str | Path, plate: PlateTrack, joints: Joints, reps: Sequence[RepSummary], *,
               model: str | Path, max_side: int = DEFAULT_MAX_SIDE,
               windows: LookWindows | None = None) -> Joints:
    """`joints` with knee and ankle replaced, around each lockout where the plate was found, by the pose
    model's reading of the frame with the plate painted out (the leg it drew farther from the plate, in
    case it swapped the labels). Other frames and joints come back unchanged."""
    windows = windows or LookWindows()
    wanted = set(windows.frames(joints.t_ms, reps).tolist()) & set(np.flatnonzero(plate.found).tolist())
    if not wanted:
        return joints
    near, far = joint_landmarks(joints.side), joint_landmarks("right" if joints.side == "left" else "left")
    xy = {name: joints.xy[name].copy() for name in LEG_JOINTS}
    conf = {name: joints.conf[name].copy() for name in LEG_JOINTS}
    last = max(wanted)
    with PoseEstimator(model, mode="video", max_side=max_side) as estimator:
        for frame in open_video(video):
            if frame.index > last:
                break
            if frame.index not in wanted:
                continue
            i = frame.index
            painted = Frame(i, frame.t_ms, paint_out(frame.image, plate.center[i], float(plate.radius[i])))
            pose = estimator.process(painted)
            if not pose.found:
                for name in LEG_JOINTS:
                    conf[name][i] = 0.0
                continue
            side = max((near, far), key=lambda idx: _distance(pose.xy[idx["knee"]], plate.center[i]))
            for name in LEG_JOINTS:
                xy[name][i] = pose.xy[side[name]]
                conf[name][i] = pose.visibility[side[name]]
    for rep in reps:
        _distrust_if_unsteady(xy, conf, windows.around(joints.t_ms, rep))
    out = joints
    for name in LEG_JOINTS:
        out = out.with_joint(name, xy[name], conf[name])
    return out


def _distrust_if_unsteady(xy: dict[str, np.ndarray], conf: dict[str, np.ndarray], frames: np.ndarray) -> None:
    """Zero the confidence of knee and ankle over one lockout's `frames` when the readings flicker."""
    seen = frames[(conf["knee"][frames] > 0) & (conf["ankle"][frames] > 0)]
    if seen.size == 0:
        return
    shin = float(np.median(np.linalg.norm(xy["knee"][seen] - xy["ankle"][seen], axis=1)))
    for name in LEG_JOINTS:
        points = xy[name][seen]
        off = np.linalg.norm(points - np.median(points, axis=0), axis=1)
        spread = float(np.quantile(off, AGREEING_SHARE))
        if not spread <= MAX_UNSTEADY_SHARE * shin:
            for joint in LEG_JOINTS:
                conf[joint][frames] = 0.0
            return


def _distance(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b))
