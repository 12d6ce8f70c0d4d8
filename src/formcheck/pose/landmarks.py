"""Pose landmark records passed between stages: `PoseFrame` (one frame) and `PoseTrack` (a clip).

Pure numpy, no mediapipe: the adapter in `pose.py` fills these; everything downstream reads them.
Coordinates are pixels of the *original* (upright) frame, x right, y down (image convention);
geometry converts to y-up where DESIGN.md's sign conventions need it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np

from formcheck.errors import InputError

N_LANDMARKS = 33
# Per-landmark channels stored in a track: image x, y (px), visibility, presence, world x, y, z (m).
CHANNELS = ("x", "y", "visibility", "presence", "wx", "wy", "wz")
K = len(CHANNELS)


class Landmark(IntEnum):
    """MediaPipe BlazePose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Joints of one body side used by the metrics, by side name.
SIDE_JOINTS: dict[str, dict[str, Landmark]] = {
    side: {
        "ear": Landmark[f"{side.upper()}_EAR"],
        "shoulder": Landmark[f"{side.upper()}_SHOULDER"],
        "elbow": Landmark[f"{side.upper()}_ELBOW"],
        "wrist": Landmark[f"{side.upper()}_WRIST"],
        "hip": Landmark[f"{side.upper()}_HIP"],
        "knee": Landmark[f"{side.upper()}_KNEE"],
        "ankle": Landmark[f"{side.upper()}_ANKLE"],
        "heel": Landmark[f"{side.upper()}_HEEL"],
        "foot_index": Landmark[f"{side.upper()}_FOOT_INDEX"],
    }
    for side in ("left", "right")
}


def _check_shape(name: str, array: np.ndarray, shape: tuple[int | None, ...]) -> None:
    wrong_dims = array.ndim != len(shape)
    if wrong_dims or any(s is not None and s != a for s, a in zip(shape, array.shape, strict=True)):
        expected = "(" + ", ".join("n" if s is None else str(s) for s in shape) + ")"
        raise ValueError(f"{name}: expected shape {expected}, got {array.shape}")


@dataclass(frozen=True)
class PoseFrame:
    """One frame's landmarks. `xy` is NaN (and visibility 0) when no person was found."""

    index: int
    t_ms: int
    xy: np.ndarray  # (33, 2) px in the original upright frame
    visibility: np.ndarray  # (33,) in [0, 1]
    presence: np.ndarray  # (33,) in [0, 1]
    world: np.ndarray  # (33, 3) metres, hip-centred (MediaPipe world landmarks)

    def __post_init__(self) -> None:
        _check_shape("PoseFrame.xy", self.xy, (N_LANDMARKS, 2))
        _check_shape("PoseFrame.visibility", self.visibility, (N_LANDMARKS,))
        _check_shape("PoseFrame.presence", self.presence, (N_LANDMARKS,))
        _check_shape("PoseFrame.world", self.world, (N_LANDMARKS, 3))

    @property
    def found(self) -> bool:
        """True when a person was detected in this frame."""
        return bool(np.isfinite(self.xy).all())

    @classmethod
    def empty(cls, index: int, t_ms: int) -> PoseFrame:
        """A frame in which no person was found."""
        nan2 = np.full((N_LANDMARKS, 2), np.nan)
        return cls(index, t_ms, nan2, np.zeros(N_LANDMARKS), np.zeros(N_LANDMARKS),
                   np.full((N_LANDMARKS, 3), np.nan))

    def as_row(self) -> np.ndarray:
        """The frame as a (33, K) array in `CHANNELS` order."""
        return np.concatenate(
            [self.xy, self.visibility[:, None], self.presence[:, None], self.world], axis=1
        ).astype(np.float32)


@dataclass(frozen=True)
class PoseTrack:
    """A whole clip: `data` is (frames, 33, K) in `CHANNELS` order, NaN where nobody was found."""

    t_ms: np.ndarray  # (frames,) int64, strictly increasing
    data: np.ndarray  # (frames, 33, K) float32
    fps: float
    width: int
    height: int

    def __post_init__(self) -> None:
        _check_shape("PoseTrack.t_ms", self.t_ms, (None,))
        _check_shape("PoseTrack.data", self.data, (self.t_ms.shape[0], N_LANDMARKS, K))
        if self.t_ms.size > 1 and not np.all(np.diff(self.t_ms) > 0):
            raise ValueError("PoseTrack.t_ms: expected strictly increasing timestamps")

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    @property
    def xy(self) -> np.ndarray:
        """(frames, 33, 2) pixel coordinates."""
        return self.data[:, :, 0:2]

    @property
    def visibility(self) -> np.ndarray:
        """(frames, 33) landmark visibility, 0 where nobody was found."""
        return np.nan_to_num(self.data[:, :, 2], nan=0.0)

    @property
    def found(self) -> np.ndarray:
        """(frames,) bool: a person was detected."""
        return np.isfinite(self.data[:, :, 0]).all(axis=1)

    @property
    def detection_rate(self) -> float:
        """Share of frames with a person, 0 for an empty track."""
        return float(self.found.mean()) if len(self) else 0.0

    @classmethod
    def from_frames(cls, frames: list[PoseFrame], fps: float, width: int, height: int) -> PoseTrack:
        """Stack per-frame records into a track."""
        t = np.array([f.t_ms for f in frames], dtype=np.int64)
        data = (np.stack([f.as_row() for f in frames]) if frames
                else np.zeros((0, N_LANDMARKS, K), np.float32))
        return cls(t, data, float(fps), int(width), int(height))

    def frame(self, i: int) -> PoseFrame:
        """Frame `i` as a `PoseFrame`."""
        row = self.data[i]
        return PoseFrame(i, int(self.t_ms[i]), row[:, 0:2].astype(float), np.nan_to_num(row[:, 2]),
                         np.nan_to_num(row[:, 3]), row[:, 4:7].astype(float))

    def save(self, path: str | Path) -> None:
        """Write an `.npz` holding `t_ms`, `data` (frames, 33, K), `channels`, `fps`, `width`, `height`."""
        np.savez_compressed(path, t_ms=self.t_ms, data=self.data, channels=np.array(CHANNELS),
                            fps=self.fps, width=self.width, height=self.height)

    @classmethod
    def load(cls, path: str | Path) -> PoseTrack:
        """Read a track written by `save`."""
        try:
            with np.load(path) as z:
                channels = tuple(str(c) for c in z["channels"])
                if channels != CHANNELS:
                    raise InputError(f"{path}: expected channels {CHANNELS}, got {channels}")
                return cls(z["t_ms"].astype(np.int64), z["data"].astype(np.float32), float(z["fps"]),
                           int(z["width"]), int(z["height"]))
        except (OSError, KeyError, ValueError) as exc:
            raise InputError(f"{path}: not a formcheck landmark track ({exc})") from exc
