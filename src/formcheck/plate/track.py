"""Follow the near plate frame by frame inside the tracking pass, and tidy its path once the set is over.

`PlateTracker` is causal, so the one decode that feeds the pose model also finds the plate, in the
parallel tracking workers or in a live loop alike. Until it has seen the plate it searches around the
body the pose model found, and votes on the plate's radius (a plate never changes size); once enough
well-backed circles agree, it follows the plate from where it was, before the pose model sees the frame,
so the frame can be shown to the model with the plate painted out (`paint.py`). `refine` is the offline
clean-up at the end of a set: no plate at all when it was seen too rarely, centres that jump dropped,
short misses interpolated, circles off the hips refused.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.plate.finder import PlateSearch, find_circles, fit_centre, search_box

# Frames in a row with the same plate on the hips before it is followed (and painted out).
LOCK_FRAMES = 8
# How many recent well-backed circles the radius vote remembers.
VOTE_MEMORY = 240
# Poses whose body scale sets the search radii (a running median: the knee is often dragged onto a plate).
SCALE_MEMORY = 30
_BODY_POINTS = [MEDIAPIPE_NAMES.index(f"{side}_{joint}") for side in ("left", "right")
                for joint in ("shoulder", "hip", "knee")]
_LEGS = [[MEDIAPIPE_NAMES.index(f"{side}_{joint}") for joint in ("shoulder", "knee", "ankle")]
         for side in ("left", "right")]


@dataclass(frozen=True)
class PlateReading:
    """The plate in one frame: centre (px), radius (px) and the share of its rim backed by edges."""

    x: float
    y: float
    radius: float
    support: float

    def __post_init__(self) -> None:
        if not (np.isfinite([self.x, self.y, self.radius]).all() and self.radius > 0):
            raise ValueError(f"PlateReading: expected a finite centre and a radius > 0, got "
                             f"({self.x}, {self.y}), {self.radius}")
        if not 0 <= self.support <= 1:
            raise ValueError(f"PlateReading.support: expected 0..1, got {self.support}")

    @property
    def center(self) -> np.ndarray:
        return np.array([self.x, self.y])


@dataclass(frozen=True, eq=False)
class PlateTrack:
    """The plate over a clip: `center` (frames, 2) px, `radius` (frames,) px, `confidence` (frames,) 0..1.

    `confidence` is the share of the plate's rim backed by image edges (0 where no plate was found).
    """

    center: np.ndarray
    radius: np.ndarray
    confidence: np.ndarray

    def __post_init__(self) -> None:
        n = self.confidence.shape[0]
        if self.center.shape != (n, 2):
            raise ValueError(f"PlateTrack.center: expected shape ({n}, 2), got {self.center.shape}")
        if self.radius.shape != (n,) or self.confidence.shape != (n,):
            raise ValueError(f"PlateTrack: expected radius and confidence of shape ({n},), got "
                             f"{self.radius.shape} and {self.confidence.shape}")
        if np.any((self.confidence < 0) | (self.confidence > 1)):
            raise ValueError("PlateTrack.confidence: expected values in 0..1")

    def __len__(self) -> int:
        return int(self.confidence.shape[0])

    @classmethod
    def none(cls, frames: int) -> PlateTrack:
        """A clip without a plate."""
        return cls(np.full((frames, 2), np.nan), np.full(frames, np.nan), np.zeros(frames))

    @classmethod
    def from_readings(cls, readings: Sequence[PlateReading | None]) -> PlateTrack:
        """Per-frame readings (None where no plate was seen) as a track."""
        track = cls.none(len(readings))
        for i, reading in enumerate(readings):
            if reading is not None:
                track.center[i] = reading.center
                track.radius[i], track.confidence[i] = reading.radius, reading.support
        return track

    @property
    def found(self) -> np.ndarray:
        """(frames,) bool: a plate is known in this frame."""
        return (self.confidence > 0) & np.isfinite(self.center).all(axis=1)

    @property
    def present(self) -> bool:
        """True when the clip has a plate at all."""
        return bool(self.found.any())

    def covers(self, xy: np.ndarray, margin: float = 0.0) -> np.ndarray:
        """(frames,) bool: points `xy` (frames, 2) lie inside the disc grown by `margin` radii."""
        dist = np.linalg.norm(np.asarray(xy, float) - self.center, axis=1)
        with np.errstate(invalid="ignore"):
            return self.found & (dist < self.radius * (1.0 + margin))

    def keep(self, mask: np.ndarray) -> PlateTrack:
        """Only the frames of `mask`; the others become unknown."""
        return PlateTrack(np.where(mask[:, None], self.center, np.nan), np.where(mask, self.radius, np.nan),
                          np.where(mask, self.confidence, 0.0))


def vote_radius(votes: np.ndarray, tolerance: float) -> tuple[float, int]:
    """The radius most well-backed circles agree on, and how many agree: `votes` is (n, 2) rows of radius
    and rim support; agreeing circles are within `tolerance` (relative), weighted by their support."""
    if not len(votes):
        return float("nan"), 0
    r, s = votes[:, 0], votes[:, 1]
    agree = np.abs(r[:, None] - r[None, :]) <= tolerance * r[:, None]
    best = agree[int(np.argmax((agree * s[None, :]).sum(axis=1)))]
    return float(np.median(r[best])), int(best.sum())


def near_a_thigh(center: np.ndarray, radius: float, segments: Sequence[tuple[np.ndarray, np.ndarray]],
                 reach: float = 1.0) -> bool:
    """True when `center` lies within `reach` radii of any shoulder->knee segment: a barbell's plate sits
    on the hips, a round window or lamp beside the lifter does not."""
    for s, k in segments:
        d = k - s
        length2 = float(d @ d)
        if not (np.isfinite(length2) and length2 > 0):
            continue
        u = min(max(float((center - s) @ d) / length2, 0.0), 1.0)
        if np.linalg.norm(center - (s + u * d)) <= reach * radius:
            return True
    return False


def _pose_scale(xy: np.ndarray) -> float:
    """Body scale of one MediaPipe pose's (33, 2) points: |shoulder->knee| + |knee->ankle|, the mean of
    both sides (NaN when neither side is seen)."""
    sides = [np.linalg.norm(xy[k] - xy[s]) + np.linalg.norm(xy[a] - xy[k]) for s, k, a in _LEGS]
    known = [v for v in sides if np.isfinite(v)]
    return float(np.mean(known)) if known else float("nan")


def _thighs(pose: Keypoints) -> list[tuple[np.ndarray, np.ndarray]]:
    """Both sides' shoulder->knee segments of a one-frame MediaPipe pose."""
    return [(pose.xy_of(f"{side}_shoulder")[0], pose.xy_of(f"{side}_knee")[0]) for side in ("left", "right")]


class PlateTracker:
    """Finds and follows the near plate, one frame at a time (see the module docstring)."""

    def __init__(self, search: PlateSearch | None = None) -> None:
        self.search = search or PlateSearch()
        self._votes: deque[tuple[float, float]] = deque(maxlen=VOTE_MEMORY)
        self._scales: deque[float] = deque(maxlen=SCALE_MEMORY)
        self._run: list[PlateReading] = []  # readings of the frames in a row that found the plate
        self._radius = float("nan")  # the plate's radius, once it is followed
        self._last: np.ndarray | None = None  # the plate's last centre
        self._missed = 0  # frames since it was last seen

    @property
    def following(self) -> bool:
        """A plate was confirmed and seen within the last `max_gap` frames."""
        return np.isfinite(self._radius) and self._last is not None and self._missed <= self.search.max_gap

    def near(self, image: np.ndarray) -> PlateReading | None:
        """Where the plate is in `image`, looking only near where it was; None when not following it."""
        if not self.following or self._last is None:
            return None
        r, tol = self._radius, self.search.radius_tolerance
        reach = r * (1 + tol) + self.search.max_jump * r * (self._missed + 1)
        box = search_box(np.stack([self._last - reach, self._last + reach]), pad=0.0)
        assert box is not None
        return self._follow(*find_circles(image, box, (r * (1 - tol), r * (1 + tol)), self.search), r)

    def with_body(self, image: np.ndarray, pose: Keypoints) -> PlateReading | None:
        """Search around the body the pose model found in this frame (a one-frame MediaPipe pose) for a
        circle on the hips of the radius such circles agree on; follow the plate once it is confirmed."""
        reading = self._search(image, pose)
        if reading is None:
            self._missed += 1
            self._run.clear()
            if self._missed > self.search.max_gap:
                self._radius, self._last = float("nan"), None
            return None
        self._run = [*self._run[-(LOCK_FRAMES - 1):], reading]
        if not np.isfinite(self._radius) and self._confirmed():
            self._radius = float(np.median([r.radius for r in self._run]))
        return reading

    def still_on_the_hips(self, reading: PlateReading, pose: Keypoints) -> bool:
        """Check a reading found by `near` against the body found afterwards; stop following if it fails."""
        if pose.found[0] and not near_a_thigh(reading.center, reading.radius, _thighs(pose)):
            self._radius, self._last, self._missed = float("nan"), None, self.search.max_gap + 1
            self._run.clear()
            return False
        return True

    def _search(self, image: np.ndarray, pose: Keypoints) -> PlateReading | None:
        if not pose.found[0]:
            return None
        xy = pose.xy[0]
        scale = _pose_scale(xy)
        if np.isfinite(scale) and scale > 0:
            self._scales.append(scale)
        box = search_box(xy[_BODY_POINTS], pad=self.search.max_radius * float(np.median(self._scales))) \
            if self._scales else None
        if box is None:
            return None
        body = float(np.median(self._scales))
        candidates, edges = find_circles(image, box, (self.search.min_radius * body,
                                                      self.search.max_radius * body), self.search)
        thighs = _thighs(pose)
        on_hips = [c for c in candidates if c[3] >= self.search.min_support
                   and near_a_thigh(c[:2], c[2], thighs)]
        self._votes.extend((float(c[2]), float(c[3])) for c in on_hips)
        radius, _ = vote_radius(np.array(self._votes).reshape(-1, 2), self.search.radius_tolerance)
        fit = [c for c in on_hips if abs(c[2] - radius) <= self.search.radius_tolerance * radius]
        return self._follow(np.array(fit).reshape(-1, 4), edges, radius) if fit else None

    def _confirmed(self) -> bool:
        """The last `LOCK_FRAMES` frames in a row found one plate: one size, moving smoothly."""
        if len(self._run) < LOCK_FRAMES:
            return False
        radii = np.array([r.radius for r in self._run])
        centres = np.array([r.center for r in self._run])
        size = float(np.median(radii))
        steps = np.linalg.norm(np.diff(centres, axis=0), axis=1)
        return bool(np.all(np.abs(radii - size) <= self.search.radius_tolerance * size)
                    and np.all(steps <= self.search.max_jump * size))

    def _follow(self, candidates: np.ndarray, edges: np.ndarray, radius: float) -> PlateReading | None:
        """The well-backed candidate that best continues the path, its centre refitted with the radius."""
        ok = candidates[candidates[:, 3] >= self.search.min_support] if len(candidates) else candidates
        if not len(ok):
            self._missed += 1
            return None
        score = ok[:, 3].copy()
        if self._last is not None:
            score -= np.linalg.norm(ok[:, :2] - self._last, axis=1) / radius
        best = ok[int(np.argmax(score))]
        centre = fit_centre(edges.astype(float), best[:2], radius)
        self._last, self._missed = centre, 0
        return PlateReading(float(centre[0]), float(centre[1]), float(radius), float(best[3]))


def refine(track: PlateTrack, joints: Keypoints, search: PlateSearch | None = None) -> PlateTrack:
    """The set's plate path, tidied offline (see the module docstring); `joints` are the near side's."""
    search = search or PlateSearch()
    found = track.found
    if found.mean() < search.min_presence if len(track) else True:
        return PlateTrack.none(len(track))
    radius = float(np.median(track.radius[found]))
    track = track.keep(np.abs(track.radius - radius) <= search.radius_tolerance * radius)
    track = _drop_jumps(PlateTrack(track.center, np.where(track.found, radius, np.nan), track.confidence),
                        search)
    track = _on_the_hips(track, joints)
    return _fill_gaps(track, search.max_gap)


def _drop_jumps(track: PlateTrack, search: PlateSearch, window: int = 7) -> PlateTrack:
    """Forget frames whose centre strays from the running median of its neighbours by > max_jump radii."""
    keep = track.found.copy()
    n, half = len(track), window // 2
    for i in np.flatnonzero(track.found):
        lo, hi = max(0, i - half), min(n, i + half + 1)
        med = np.nanmedian(track.center[lo:hi], axis=0)
        if np.linalg.norm(track.center[i] - med) > search.max_jump * track.radius[i]:
            keep[i] = False
    return track.keep(keep)


def _on_the_hips(track: PlateTrack, joints: Keypoints, reach: float = 1.0) -> PlateTrack:
    """Only circles within `reach` radii of the near side's shoulder->knee segment."""
    s, k = joints.xy_of("shoulder"), joints.xy_of("knee")
    d = k - s
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.sum((track.center - s) * d, axis=1) / np.sum(d * d, axis=1), 0.0, 1.0)
        dist = np.linalg.norm(track.center - (s + u[:, None] * d), axis=1)
        return track.keep(track.found & (dist <= reach * track.radius))


def _fill_gaps(track: PlateTrack, max_gap: int) -> PlateTrack:
    """Interpolate the centre across short misses; filled frames get half their neighbours' confidence."""
    idx = np.flatnonzero(track.found)
    if len(idx) < 2:
        return track
    center, conf, radius = track.center.copy(), track.confidence.copy(), track.radius.copy()
    r = float(np.nanmedian(track.radius))
    for a, b in itertools.pairwise(idx):
        if 1 < b - a <= max_gap + 1:
            w = (np.arange(a + 1, b) - a) / (b - a)
            center[a + 1:b] = track.center[a] * (1 - w[:, None]) + track.center[b] * w[:, None]
            conf[a + 1:b] = 0.5 * min(track.confidence[a], track.confidence[b])
            radius[a + 1:b] = r
    return PlateTrack(center, radius, conf)
