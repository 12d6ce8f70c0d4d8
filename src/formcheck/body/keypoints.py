"""`Keypoints`: the one record body points travel in, from the pose model to the reports.

A clip (or a single frame: a clip of one) of named points: pixel positions in the upright frame (x right,
y down), a 0..1 confidence per point, and, where the pose model gives them, metric world positions. The
pose adapter fills one with MediaPipe's 33 landmarks; the body stage picks the near side's joints into
another with its own names; the plate stage adds the bar and places what the plate hides; measuring,
drawing and the reports all read the same record. Unknown points are NaN with confidence 0.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.errors import InputError

# Channels of a saved clip (`save_keypoints`): image x, y (px), confidence, world x, y, z (m).
CHANNELS = ("x", "y", "confidence", "wx", "wy", "wz")
Frames = int | slice | np.ndarray | Sequence[int]


def _shape(name: str, array: np.ndarray, shape: tuple[int, ...]) -> None:
    if array.shape != shape:
        raise ValueError(f"Keypoints.{name}: expected shape {shape}, got {array.shape}")


@dataclass(frozen=True, eq=False)
class Keypoints:
    """Named body points over frames. `xy` (frames, points, 2) px, `confidence` (frames, points) 0..1,
    `world` (frames, points, 3) metres or None, `t_ms` (frames,) strictly increasing container times."""

    t_ms: np.ndarray
    xy: np.ndarray
    confidence: np.ndarray
    names: tuple[str, ...]
    world: np.ndarray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "t_ms", np.asarray(self.t_ms, dtype=np.int64).reshape(-1))
        object.__setattr__(self, "xy", np.asarray(self.xy, dtype=float))
        object.__setattr__(self, "confidence", np.asarray(self.confidence, dtype=float))
        object.__setattr__(self, "names", tuple(self.names))
        n, p = self.t_ms.shape[0], len(self.names)
        if len(set(self.names)) != p:
            raise ValueError(f"Keypoints.names: expected distinct names, got {self.names}")
        _shape("xy", self.xy, (n, p, 2))
        _shape("confidence", self.confidence, (n, p))
        if self.world is not None:
            object.__setattr__(self, "world", np.asarray(self.world, dtype=float))
            _shape("world", self.world, (n, p, 3))
        if n > 1 and not np.all(np.diff(self.t_ms) > 0):
            raise ValueError("Keypoints.t_ms: expected strictly increasing timestamps")

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    def __getitem__(self, frames: Frames) -> Keypoints:
        """The frames selected (an int keeps a one-frame record)."""
        pick = [frames] if isinstance(frames, int | np.integer) else frames
        world = None if self.world is None else self.world[pick]
        return Keypoints(self.t_ms[pick], self.xy[pick], self.confidence[pick], self.names, world)

    def index(self, name: str) -> int:
        """Position of point `name`; a wrong name lists the valid ones."""
        try:
            return self.names.index(name)
        except ValueError:
            raise KeyError(f"no point {name!r}; expected one of {', '.join(self.names)}") from None

    def xy_of(self, name: str) -> np.ndarray:
        """(frames, 2) pixel positions of one point."""
        return self.xy[:, self.index(name)]

    def conf_of(self, name: str) -> np.ndarray:
        """(frames,) confidence of one point."""
        return self.confidence[:, self.index(name)]

    def select(self, names: Sequence[str], as_names: Sequence[str] | None = None) -> Keypoints:
        """Some points only, in the given order, optionally renamed."""
        idx = [self.index(n) for n in names]
        world = None if self.world is None else self.world[:, idx]
        return Keypoints(self.t_ms, self.xy[:, idx], self.confidence[:, idx],
                         tuple(as_names if as_names is not None else names), world)

    def with_point(self, name: str, xy: np.ndarray, confidence: np.ndarray) -> Keypoints:
        """A copy with point `name` replaced, or appended when it is new (world position unknown)."""
        xy, confidence = np.asarray(xy, float), np.asarray(confidence, float)
        if name in self.names:
            i = self.names.index(name)
            new_xy, new_conf = self.xy.copy(), self.confidence.copy()
            new_xy[:, i], new_conf[:, i] = xy, confidence
            return Keypoints(self.t_ms, new_xy, new_conf, self.names, self.world)
        world = None if self.world is None else np.concatenate(
            [self.world, np.full((len(self), 1, 3), np.nan)], axis=1)
        return Keypoints(self.t_ms, np.concatenate([self.xy, xy[:, None]], axis=1),
                         np.concatenate([self.confidence, confidence[:, None]], axis=1),
                         (*self.names, name), world)

    def known(self, name: str, min_confidence: float = 0.0) -> np.ndarray:
        """(frames,) bool: the point's position is finite and its confidence above `min_confidence`."""
        i = self.index(name)
        return np.isfinite(self.xy[:, i]).all(axis=1) & (self.confidence[:, i] > min_confidence)

    @property
    def found(self) -> np.ndarray:
        """(frames,) bool: a body was seen (some point known) in the frame."""
        return np.isfinite(self.xy).all(axis=2).any(axis=1) if self.names else np.zeros(len(self), bool)

    @property
    def detection_rate(self) -> float:
        """Share of frames with a body, 0 for an empty clip."""
        return float(self.found.mean()) if len(self) else 0.0

    @classmethod
    def empty(cls, t_ms: Sequence[int] | np.ndarray, names: Sequence[str], world: bool = False) -> Keypoints:
        """Frames in which no point is known."""
        t = np.asarray(t_ms, dtype=np.int64).reshape(-1)
        n, p = t.shape[0], len(names)
        return cls(t, np.full((n, p, 2), np.nan), np.zeros((n, p)), tuple(names),
                   np.full((n, p, 3), np.nan) if world else None)

    @classmethod
    def concat(cls, parts: Sequence[Keypoints]) -> Keypoints:
        """Clips of the same points joined in time."""
        if not parts:
            raise ValueError("Keypoints.concat: expected at least one part, got none")
        names = parts[0].names
        if any(p.names != names for p in parts):
            raise ValueError(f"Keypoints.concat: expected the same points in every part ({names})")
        has_world = [p.world is not None for p in parts]
        world = np.concatenate([p.world for p in parts]) if all(has_world) else None  # type: ignore[misc]
        return cls(np.concatenate([p.t_ms for p in parts]), np.concatenate([p.xy for p in parts]),
                   np.concatenate([p.confidence for p in parts]), names, world)


def save_keypoints(path: str | Path, keypoints: Keypoints, *, fps: float, width: int, height: int) -> None:
    """Write an `.npz`: `data` (frames, points, 6) in `CHANNELS` order, `t_ms`, `names`, `fps`, `width`,
    `height` (NaN world channels when the clip has none)."""
    world = keypoints.world if keypoints.world is not None else np.full((*keypoints.xy.shape[:2], 3), np.nan)
    data = np.concatenate([keypoints.xy, keypoints.confidence[..., None], world], axis=2).astype(np.float32)
    np.savez_compressed(path, t_ms=keypoints.t_ms, data=data, channels=np.array(CHANNELS),
                        names=np.array(keypoints.names), fps=float(fps), width=int(width), height=int(height))


@dataclass(frozen=True, eq=False)
class SavedKeypoints:
    """What `load_keypoints` reads back: the points and the video they came from."""

    keypoints: Keypoints
    fps: float
    width: int
    height: int


def load_keypoints(path: str | Path) -> SavedKeypoints:
    """Read a file written by `save_keypoints`; anything else is an `InputError`."""
    try:
        with np.load(path) as z:
            channels = tuple(str(c) for c in z["channels"])
            if channels != CHANNELS:
                raise InputError(f"{path}: expected channels {CHANNELS}, got {channels}")
            data = z["data"].astype(float)
            world = data[..., 3:6]
            keypoints = Keypoints(z["t_ms"], data[..., 0:2], np.nan_to_num(data[..., 2]),
                                  tuple(str(n) for n in z["names"]),
                                  None if np.isnan(world).all() else world)
            return SavedKeypoints(keypoints, float(z["fps"]), int(z["width"]), int(z["height"]))
    except (OSError, KeyError, ValueError) as exc:
        raise InputError(f"{path}: not a formcheck keypoints file ({exc})") from exc
