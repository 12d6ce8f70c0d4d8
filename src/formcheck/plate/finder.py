"""Find the near-side weight plate of a hip thrust in one frame: circles of a plate's size near the hips.

In a side view the near plate (a disc about 45 cm across) sits in front of the hips for the whole set, so
the pose model's hip landmark is a guess there. The plate itself is easy to see: a large circle whose
radius never changes and whose centre moves smoothly. Its centre is the bar axis, which rests on the hip
crease, so it anchors the hidden hip (see `placement.py`). This module finds candidate circles in one
image; `track.py` follows the plate from frame to frame.

Reads images with OpenCV. Pixels are those of the upright frame, x right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


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


def search_box(points: np.ndarray, pad: float) -> tuple[int, int, int, int] | None:
    """Pixel box (x0, y0, x1, y1) around the known ones of (k, 2) points, grown by `pad` px; None when
    fewer than two are known."""
    pts = np.asarray(points, float)
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
