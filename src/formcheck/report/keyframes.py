"""Lockout key frames for the HTML report: pick frames from a video by index, draw the skeleton, encode.

`iter_frames` decodes the clip once, in order, converting only the frames asked for (OpenCV's
`grab` skips the colour conversion of the others) and stopping after the last one: frame-accurate,
unlike seeking, which lands on key frames in many codecs. `KeyFrameEncoder` draws and encodes each rep's
key frame as its image comes by, so a long set's report holds one JPEG a rep (tens of KB), never the
decoded frames (0.7 MB each at 640x360, 6 MB at 1080p).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import cv2
import numpy as np

from formcheck.body.joints import near_side, other_side
from formcheck.body.keypoints import Keypoints
from formcheck.errors import InputError
from formcheck.records import Analysis, RepSummary
from formcheck.report.annotators import FrameView, angle_labels, plate, scale_of, skeleton


@dataclass(frozen=True, eq=False)
class KeyFrame:
    """One rep's lockout: the undrawn BGR image and what to draw on it (joints and lockout metrics)."""

    rep: int  # 1-based rep index
    frame: int  # the frame of the video it shows
    image: np.ndarray  # (h, w, 3) uint8 BGR
    view: FrameView

    def __post_init__(self) -> None:
        if self.image.ndim != 3 or self.image.shape[2] != 3 or self.image.dtype != np.uint8:
            raise ValueError(f"KeyFrame.image: expected a (h, w, 3) uint8 BGR image, got "
                             f"{self.image.dtype} {self.image.shape}")


def pick_frames(path: str | Path, indices: Iterable[int]) -> dict[int, np.ndarray]:
    """The frames at `indices` (0-based decode order) as BGR images; indices past the end are absent."""
    return dict(iter_frames(path, indices))


def iter_frames(path: str | Path, indices: Iterable[int]) -> Iterator[tuple[int, np.ndarray]]:
    """(index, BGR image) of the frames at `indices` (0-based decode order), in order, one decoded at a
    time; indices past the end are skipped."""
    wanted = sorted({int(i) for i in indices if int(i) >= 0})
    if not wanted:
        return
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
            yield index, image
            position += 1
    finally:
        capture.release()


def body_box(points: np.ndarray, shape: tuple[int, ...], margin: float = 0.25,
             aspect: float = 4 / 3) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1): the box of the known (k, 2) `points` grown by `margin` and widened or heightened
    to `aspect` (w/h), kept inside the image; the whole image when no point is known."""
    h, w = shape[:2]
    seen = np.isfinite(points).all(axis=1)
    if not seen.any():
        return 0, 0, w, h
    (x0, y0), (x1, y1) = points[seen].min(axis=0), points[seen].max(axis=0)
    bw, bh = (x1 - x0) * (1 + 2 * margin) + 1, (y1 - y0) * (1 + 2 * margin) + 1
    bw, bh = max(bw, bh * aspect), max(bh, bw / aspect)
    bw, bh = min(bw, w), min(bh, h)
    cx = min(max((x0 + x1) / 2, bw / 2), w - bw / 2)
    cy = min(max((y0 + y1) / 2, bh / 2), h - bh / 2)
    return round(cx - bw / 2), round(cy - bh / 2), round(cx + bw / 2), round(cy + bh / 2)


def _moved(points: Keypoints | None, origin: tuple[int, int], factor: float) -> Keypoints | None:
    """Points in the pixels of a crop starting at `origin` and resized by `factor`."""
    if points is None:
        return None
    return replace(points, xy=(points.xy - origin) * factor)


def _seen(points: Keypoints | None, min_confidence: float = 0.3) -> np.ndarray:
    if points is None:
        return np.zeros((0, 2))
    xy = points.xy[0]
    return xy[np.isfinite(xy).all(axis=1) & (points.confidence[0] >= min_confidence)]


def render_keyframe(frame: KeyFrame, max_width: int = 560, quality: int = 85) -> bytes:
    """The key frame cropped around the body and resized to `max_width`, with the skeleton, the plate
    and the angle labels drawn, as JPEG bytes."""
    view = frame.view
    x0, y0, x1, y1 = body_box(np.concatenate([_seen(view.joints), _seen(view.far)]), frame.image.shape)
    crop = frame.image[y0:y1, x0:x1]
    factor = max_width / crop.shape[1]  # draw at the shown size so lines and labels stay crisp
    size = (max_width, max(1, round(crop.shape[0] * factor)))
    image = cv2.resize(crop, size, interpolation=cv2.INTER_AREA if factor < 1 else cv2.INTER_LINEAR)
    joints, far = _moved(view.joints, (x0, y0), factor), _moved(view.far, (x0, y0), factor)
    s = 1.3 * scale_of(image)  # the page shows key frames small: larger labels than on video
    if far is not None:
        skeleton(image, far, near=False, scale=s)
    if joints is not None:
        plate(image, joints, view.plate_radius * factor, scale=s)
        skeleton(image, joints, scale=s)
        angle_labels(image, joints, view.metrics, view.confidence, scale=s)
    ok, buffer = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError(f"render_keyframe: JPEG encoding failed for an image of shape {image.shape}")
    return buffer.tobytes()


@dataclass(frozen=True)
class EncodedKeyFrame:
    """One rep's lockout key frame, drawn and encoded (`render_keyframe`): all the report keeps of it."""

    rep: int  # 1-based rep index
    frame: int
    jpeg: bytes


def lockout_keyframes(analysis: Analysis, joints: Keypoints, pose: Keypoints, plate_radius: np.ndarray,
                      images: Mapping[int, np.ndarray]) -> list[KeyFrame]:
    """A `KeyFrame` per rep whose lockout image is in `images` (e.g. from `pick_frames`): the `joints` the
    metrics read at that frame (under a plate, the painted-out leg, the bar and the hip placed from it)
    and the far side from the `pose`, labelled with the rep's lockout metrics."""
    far = near_side(pose, other_side(analysis.view.side))
    out = []
    for verdict in analysis.reps:
        image = images.get(verdict.rep.lockout_frame)
        if image is not None and verdict.rep.lockout_frame < len(joints):
            out.append(_keyframe(verdict.rep, image, joints, far, plate_radius))
    return out


class KeyFrameEncoder:
    """Each rep's lockout key frame (see `lockout_keyframes`), drawn and encoded as soon as its image is
    handed over with `take`, in any order; `frames` gives them in rep order."""

    def __init__(self, analysis: Analysis, joints: Keypoints, pose: Keypoints,
                 plate_radius: np.ndarray) -> None:
        self._joints, self._plate_radius = joints, plate_radius
        self._far = near_side(pose, other_side(analysis.view.side))
        self._reps = [v.rep for v in analysis.reps if v.rep.lockout_frame < len(joints)]
        self._done: list[EncodedKeyFrame] = []

    @property
    def wanted(self) -> list[int]:
        """The frames whose images are needed."""
        return [rep.lockout_frame for rep in self._reps]

    def take(self, index: int, image: np.ndarray) -> None:
        """Draw and encode the key frame of every rep whose lockout is frame `index` (none: ignored)."""
        for rep in self._reps:
            if rep.lockout_frame == index:
                frame = _keyframe(rep, image, self._joints, self._far, self._plate_radius)
                self._done.append(EncodedKeyFrame(rep.index, index, render_keyframe(frame)))

    @property
    def frames(self) -> list[EncodedKeyFrame]:
        return sorted(self._done, key=lambda k: k.rep)


def _keyframe(rep: RepSummary, image: np.ndarray, joints: Keypoints, far: Keypoints,
              plate_radius: np.ndarray) -> KeyFrame:
    i = rep.lockout_frame
    view = FrameView(joints[i], far[i], {k: m.value for k, m in rep.metrics.items()},
                     {k: m.confidence for k, m in rep.metrics.items()}, plate_radius=float(plate_radius[i]))
    return KeyFrame(rep.index, i, image, view)
