"""Find and track the near-side weight plate of a hip thrust, whose centre is the bar on the hip crease.

In a side view the near plate (a disc about 45 cm across) sits in front of the hips for the whole set, so
the pose model's hip landmark is a guess there. The plate itself is easy to see: a large circle whose
radius never changes and whose centre moves smoothly. Its centre is the bar axis, which rests on the hip
crease, so it anchors the hidden hip (see `occlusion.py`).

This module reads images (OpenCV); the track it returns is plain numpy. Pixels are those of the upright
frame, x right, y down; NaN (and confidence 0) where no plate was found.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from formcheck.body.joints import Joints
from formcheck.capture.video import open_video

# Frames searched together (30 s at 30 fps): a long video holds one window's edge pixels, not the clip's.
WINDOW = 900


@dataclass(frozen=True)
class PlateSearch:
    """How to look for the plate. Sizes are fractions of the body scale (shoulder->knee + knee->ankle, px).

    A 45 cm plate on a 1.75 m lifter has a radius of about 0.165 body scale, and looks ~30 % larger being
    ~0.6 m nearer the camera than the hips; the pose model's knee, which the scale reads, is often pulled
    toward a plate, shrinking the scale. On the validation grid real plates measured 0.25-0.34 and the
    round glutes of plate-free lifters 0.08-0.13, hence the lower bound.
    """

    min_radius: float = 0.16
    max_radius: float = 0.45
    canny_high: int = 100  # upper Canny threshold for Hough and for edge support
    min_support: float = 0.55  # share of the rim that must show an edge
    min_presence: float = 0.3  # share of frames that must show the plate for the clip to have one
    radius_tolerance: float = 0.12  # a frame's circle may differ this much (relative) from the clip's
    max_jump: float = 0.35  # largest centre step between frames, in plate radii
    max_gap: int = 6  # frames of a missed plate filled by interpolation

    def __post_init__(self) -> None:
        if not 0 < self.min_radius < self.max_radius:
            raise ValueError(f"PlateSearch: expected 0 < min_radius < max_radius, got "
                             f"{self.min_radius}, {self.max_radius}")
        for name in ("min_support", "min_presence", "radius_tolerance", "max_jump"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"PlateSearch.{name}: expected 0..1, got {value}")
        if self.max_gap < 0:
            raise ValueError(f"PlateSearch.max_gap: expected >= 0, got {self.max_gap}")


@dataclass(frozen=True)
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


def body_scale(joints: Joints) -> float:
    """Median shoulder->knee plus knee->ankle distance (px): the lifter's size, from joints a plate
    does not hide. NaN when those joints were never seen."""
    xy = joints.xy
    upper = np.linalg.norm(xy["shoulder"] - xy["knee"], axis=1)
    lower = np.linalg.norm(xy["knee"] - xy["ankle"], axis=1)
    total = upper + lower
    total = total[np.isfinite(total)]
    return float(np.median(total)) if total.size else float("nan")


def search_box(joints: Joints, i: int, pad: float) -> tuple[int, int, int, int] | None:
    """Pixel box (x0, y0, x1, y1) around shoulder, hip and knee in frame `i`, grown by `pad` px."""
    pts = np.array([joints.xy[name][i] for name in ("shoulder", "hip", "knee")])
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2:
        return None
    lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    return int(lo[0]), int(lo[1]), int(np.ceil(hi[0])), int(np.ceil(hi[1]))


def rim_support(edges: np.ndarray, cx: float, cy: float, r: float, samples: int = 96) -> float:
    """Share of points on the circle that land on an edge pixel (points outside the image don't count)."""
    theta = np.linspace(0.0, 2 * np.pi, samples, endpoint=False)
    xs = np.rint(cx + r * np.cos(theta)).astype(int)
    ys = np.rint(cy + r * np.sin(theta)).astype(int)
    h, w = edges.shape
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    if inside.sum() < samples // 2:
        return 0.0
    return float((edges[ys[inside], xs[inside]] > 0).mean())


_NO_CIRCLES = (np.zeros((0, 4)), np.zeros((0, 2)))


def find_circles(image: np.ndarray, box: tuple[int, int, int, int], radii: tuple[float, float],
                 search: PlateSearch, limit: int = 6) -> tuple[np.ndarray, np.ndarray]:
    """Candidate plates in one BGR frame and the edge pixels they were found among.

    Returns (k, 4) rows of cx, cy, r (px, whole frame) and rim support, and (m, 2) edge pixel xy.
    """
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 - x0 < 2 * radii[0] or y1 - y0 < 2 * radii[0]:
        return _NO_CIRCLES
    grey = cv2.cvtColor(image[y0:y1, x0:x1], cv2.COLOR_BGR2GRAY)
    grey = cv2.GaussianBlur(grey, (5, 5), 1.5)
    found = cv2.HoughCircles(grey, cv2.HOUGH_GRADIENT, dp=1.5, minDist=radii[0], param1=search.canny_high,
                             param2=25, minRadius=int(radii[0]), maxRadius=int(np.ceil(radii[1])))
    if found is None:
        return _NO_CIRCLES
    edges = cv2.Canny(grey, search.canny_high // 2, search.canny_high)
    thick = cv2.dilate(edges, np.ones((3, 3), np.uint8))
    ys, xs = np.nonzero(edges)
    rows = []
    for cx, cy, r in found[0, :limit, :3]:
        fx, fy, fr = refine_circle((xs, ys), float(cx), float(cy), float(r))
        rows.append((fx + x0, fy + y0, fr, rim_support(thick, fx, fy, fr)))
    # int32 keeps a clip's worth of edge pixels small; callers convert when they fit circles
    return np.array(rows, float), np.column_stack([xs + x0, ys + y0]).astype(np.int32)


def fit_centre(points: np.ndarray, centre: np.ndarray, radius: float, band: float = 4.0,
               steps: int = 5) -> np.ndarray:
    """Centre of the circle of known `radius` that best fits the edge `points` near it (least squares).

    Knowing the radius makes the centre robust when part of the rim is hidden or out of frame.
    """
    c = np.asarray(centre, float)
    for _ in range(steps):
        d = points - c
        dist = np.linalg.norm(d, axis=1)
        near = np.abs(dist - radius) <= band
        if near.sum() < 20:
            break
        c = (points[near] - radius * d[near] / dist[near, None]).mean(axis=0)
    return c


def refine_circle(edge_xy: tuple[np.ndarray, np.ndarray], cx: float, cy: float, r: float,
                  band: float = 3.0) -> tuple[float, float, float]:
    """Least-squares circle through the edge pixels (xs, ys) within `band` px of a rough circle (sub-pixel
    centre). Returns the rough circle when too few edge pixels support a fit.
    """
    xs, ys = edge_xy
    d = np.hypot(xs - cx, ys - cy)
    near = np.abs(d - r) <= band
    if near.sum() < 20:
        return cx, cy, r
    x, y = xs[near].astype(float), ys[near].astype(float)
    a = np.column_stack([x, y, np.ones_like(x)])
    sol, *_ = np.linalg.lstsq(a, x * x + y * y, rcond=None)
    fx, fy = sol[0] / 2, sol[1] / 2
    fr2 = sol[2] + fx * fx + fy * fy
    if fr2 <= 0 or abs(np.sqrt(fr2) - r) > 2 * band:
        return cx, cy, r
    return float(fx), float(fy), float(np.sqrt(fr2))


def clip_radius(candidates: list[np.ndarray], search: PlateSearch) -> float:
    """The plate radius of the clip: the radius most well-supported candidates agree on (NaN if none)."""
    rows = [c for c in candidates if len(c)]
    if not rows:
        return float("nan")
    allc = np.concatenate(rows)
    good = allc[allc[:, 3] >= search.min_support]
    if not len(good):
        return float("nan")
    r, s = good[:, 2], good[:, 3]
    agree = np.abs(r[:, None] - r[None, :]) <= search.radius_tolerance * r[:, None]
    votes = (agree * s[None, :]).sum(axis=1)
    best = agree[int(np.argmax(votes))]
    return float(np.median(r[best]))


def pick_track(candidates: list[np.ndarray], edges: list[np.ndarray], radius: float,
               search: PlateSearch) -> PlateTrack:
    """Per frame, the candidate of the clip's radius that best continues the path, its centre refitted
    with that radius; outliers dropped."""
    n = len(candidates)
    center, conf = np.full((n, 2), np.nan), np.zeros(n)
    previous: np.ndarray | None = None
    for i, cands in enumerate(candidates):
        if not len(cands):
            continue
        ok = (np.abs(cands[:, 2] - radius) <= search.radius_tolerance * radius) & (
            cands[:, 3] >= search.min_support)
        if not ok.any():
            continue
        pool = cands[ok]
        score = pool[:, 3].copy()
        if previous is not None:
            score -= np.linalg.norm(pool[:, :2] - previous, axis=1) / radius
        best = pool[int(np.argmax(score))]
        center[i], conf[i] = fit_centre(edges[i], best[:2], radius), best[3]
        previous = center[i]
    return _drop_jumps(PlateTrack(center, np.where(conf > 0, radius, np.nan), conf), search)


def _drop_jumps(track: PlateTrack, search: PlateSearch, window: int = 7) -> PlateTrack:
    """Forget frames whose centre strays from the running median of its neighbours by > max_jump radii."""
    center, conf = track.center.copy(), track.confidence.copy()
    n, half = len(track), window // 2
    for i in np.flatnonzero(track.found):
        lo, hi = max(0, i - half), min(n, i + half + 1)
        med = np.nanmedian(track.center[lo:hi], axis=0)
        if np.linalg.norm(track.center[i] - med) > search.max_jump * track.radius[i]:
            center[i], conf[i] = np.nan, 0.0
    radius = np.where(conf > 0, np.nanmedian(track.radius), np.nan)
    return PlateTrack(center, radius, conf)


def fill_gaps(track: PlateTrack, max_gap: int) -> PlateTrack:
    """Interpolate the centre across short misses; filled frames get half their neighbours' confidence."""
    found = track.found
    idx = np.flatnonzero(found)
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


def on_the_hips(track: PlateTrack, joints: Joints, reach: float = 1.0) -> PlateTrack:
    """Keep only circles a barbell could hold: the plate's centre is the bar, which rests on the hips,
    so it lies within `reach` plate radii of the shoulder->knee segment. A round window or lamp beside
    the lifter is dropped (seen on real footage: a circle in a curtained window above a glute bridge)."""
    s, k = joints.xy["shoulder"], joints.xy["knee"]
    d = k - s
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.sum((track.center - s) * d, axis=1) / np.sum(d * d, axis=1), 0.0, 1.0)
        dist = np.linalg.norm(track.center - (s + u[:, None] * d), axis=1)
        keep = track.found & (dist <= reach * track.radius)
    center = np.where(keep[:, None], track.center, np.nan)
    return PlateTrack(center, np.where(keep, track.radius, np.nan), np.where(keep, track.confidence, 0.0))


def track_plate(images: Iterable[np.ndarray], joints: Joints,
                search: PlateSearch | None = None) -> PlateTrack:
    """Find the near plate in each frame (BGR images matching `joints` frame for frame) and track it.

    Searches around the shoulder, hip and knee landmarks for circles of a plate's size, settles on the
    one radius the clip agrees on, follows the centre and drops jumps. A clip where the plate shows in
    fewer than `min_presence` of the frames gets `PlateTrack.none`: no plate, nothing to repair.
    """
    search = search or PlateSearch()
    n = len(joints)
    scale = body_scale(joints)
    if not np.isfinite(scale) or scale <= 0:
        return PlateTrack.none(n)
    radii = (search.min_radius * scale, search.max_radius * scale)
    frames = iter(images)
    parts = [_track_window(frames, joints, start, min(n, start + WINDOW), radii, search)
             for start in range(0, n, WINDOW)]
    if not parts:
        return PlateTrack.none(0)
    return PlateTrack(np.concatenate([p.center for p in parts]), np.concatenate([p.radius for p in parts]),
                      np.concatenate([p.confidence for p in parts]))


def _track_window(images: Iterable[np.ndarray], joints: Joints, start: int, stop: int,
                  radii: tuple[float, float], search: PlateSearch) -> PlateTrack:
    """`track_plate` on frames [start, stop), read from `images` (positioned at `start`): only one
    window's candidates and edges are held at once."""
    n = stop - start
    found = [_NO_CIRCLES] * n
    for i, image in zip(range(start, stop), images, strict=False):
        box = search_box(joints, i, pad=radii[1])
        if box is not None:
            found[i - start] = find_circles(image, box, radii, search)
    candidates, edges = [c for c, _ in found], [e for _, e in found]
    radius = clip_radius(candidates, search)
    if not np.isfinite(radius):
        return PlateTrack.none(n)
    window = joints.window(start, stop)
    track = fill_gaps(on_the_hips(pick_track(candidates, edges, radius, search), window), search.max_gap)
    if track.found.mean() < search.min_presence:
        return PlateTrack.none(n)
    return track


def track_plate_in_video(path: str | Path, joints: Joints, search: PlateSearch | None = None) -> PlateTrack:
    """`track_plate` over the frames of a video file (a second, cheap pass after pose estimation)."""
    source = open_video(path)
    return track_plate((frame.image for frame in source), joints, search)
