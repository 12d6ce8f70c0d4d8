"""Lockout key frames for the HTML report: pick frames from a video by index, draw the skeleton, encode.

`pick_frames` decodes the clip once, in order, converting only the frames asked for (OpenCV's
`grab` skips the colour conversion of the others) and stopping after the last one: frame-accurate,
unlike seeking, which lands on key frames in many codecs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

import cv2
import numpy as np

from formcheck.body.joints import Joints, joint_landmarks
from formcheck.errors import InputError
from formcheck.pose.landmarks import PoseFrame, PoseTrack
from formcheck.records import Analysis
from formcheck.report.overlay import draw_angle_labels, draw_skeleton, scale_of


@dataclass(frozen=True)
class KeyFrame:
    """One rep's lockout: the undrawn BGR image, its landmarks and the metrics to label."""

    rep: int  # 1-based rep index
    image: np.ndarray  # (h, w, 3) uint8 BGR
    pose: PoseFrame
    metrics: Mapping[str, float | None] = field(default_factory=dict)
    confidence: Mapping[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(f"KeyFrame.image: expected a (h, w, 3) uint8 BGR image, got "
                             f"{self.image.dtype} {self.image.shape}")


def pick_frames(path: str | Path, indices: Iterable[int]) -> dict[int, np.ndarray]:
    """The frames at `indices` (0-based decode order) as BGR images; indices past the end are absent."""
    wanted = sorted({int(i) for i in indices if int(i) >= 0})
    out: dict[int, np.ndarray] = {}
    if not wanted:
        return out
    capture = cv2.VideoCapture(str(path))
    if not capture.isOpened():
        raise InputError(f"{path}: cannot open the video to pick key frames")
    try:
        capture.set(cv2.CAP_PROP_ORIENTATION_AUTO, 1)
        position = 0
        for index in wanted:
            while position < index and capture.grab():
                position += 1
            if position < index:
                break
            ok, image = capture.read()
            if not ok:
                break
            out[index] = image
            position += 1
    finally:
        capture.release()
    return out


def body_box(xy: np.ndarray, visibility: np.ndarray, shape: tuple[int, ...], margin: float = 0.25,
             aspect: float = 4 / 3, min_visibility: float = 0.3) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the visible landmarks' box grown by `margin` and widened or heightened to
    `aspect` (w/h), kept inside the image; the whole image when no landmark is visible."""
    h, w = shape[:2]
    seen = np.isfinite(xy).all(axis=1) & (visibility >= min_visibility)
    if not seen.any():
        return 0, 0, w, h
    (x0, y0), (x1, y1) = xy[seen].min(axis=0), xy[seen].max(axis=0)
    bw, bh = (x1 - x0) * (1 + 2 * margin) + 1, (y1 - y0) * (1 + 2 * margin) + 1
    bw, bh = max(bw, bh * aspect), max(bh, bw / aspect)
    bw, bh = min(bw, w), min(bh, h)
    cx = min(max((x0 + x1) / 2, bw / 2), w - bw / 2)
    cy = min(max((y0 + y1) / 2, bh / 2), h - bh / 2)
    return round(cx - bw / 2), round(cy - bh / 2), round(cx + bw / 2), round(cy + bh / 2)


def render_keyframe(frame: KeyFrame, side: str, max_width: int = 560, quality: int = 85) -> bytes:
    """The key frame cropped around the body and resized to `max_width`, with the skeleton and angle
    labels drawn, as JPEG bytes."""
    x0, y0, x1, y1 = body_box(frame.pose.xy, frame.pose.visibility, frame.image.shape)
    crop = frame.image[y0:y1, x0:x1]
    factor = max_width / crop.shape[1]  # draw at the shown size so lines and labels stay crisp
    size = (max_width, max(1, round(crop.shape[0] * factor)))
    image = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    xy = (frame.pose.xy - (x0, y0)) * factor
    s = 1.3 * scale_of(image)  # the page shows key frames small: larger labels than on video
    draw_skeleton(image, xy, frame.pose.visibility, side, scale=s)
    draw_angle_labels(image, xy, frame.pose.visibility, side, frame.metrics, frame.confidence, scale=s)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"render_keyframe: JPEG encoding failed for an image of shape {image.shape}")
    return buffer.tobytes()


def lockout_keyframes(analysis: Analysis, track: PoseTrack, images: Mapping[int, np.ndarray],
                      joints: Joints | None = None) -> list[KeyFrame]:
    """A `KeyFrame` per rep whose lockout image is in `images` (e.g. from `pick_frames`), labelled with
    the rep's lockout metrics. With `joints` (what the metrics read), the knee and ankle drawn are those:
    under a plate they come from the second look, while the model's own reading folds the leg onto it."""
    out = []
    for verdict in analysis.reps:
        rep = verdict.rep
        image = images.get(rep.lockout_frame)
        if image is None or rep.lockout_frame >= len(track):
            continue
        pose = track.frame(rep.lockout_frame)
        if joints is not None:
            pose = _with_measured_leg(pose, joints, rep.lockout_frame)
        out.append(KeyFrame(rep.index, image, pose,
                            {k: m.value for k, m in rep.metrics.items()},
                            {k: m.confidence for k, m in rep.metrics.items()}))
    return out


def _with_measured_leg(pose: PoseFrame, joints: Joints, frame: int) -> PoseFrame:
    """`pose` with the near side's knee and ankle moved to where the metrics read them (where known)."""
    xy, visibility = pose.xy.copy(), pose.visibility.copy()
    landmarks = joint_landmarks(joints.side)
    for name in ("knee", "ankle"):
        if joints.conf[name][frame] > 0 and np.isfinite(joints.xy[name][frame]).all():
            xy[landmarks[name]] = joints.xy[name][frame]
            visibility[landmarks[name]] = joints.conf[name][frame]
    return replace(pose, xy=xy, visibility=visibility)
