"""Find the near-side weight plate of a hip thrust in one frame: discs of a plate's size around the body.

In a side view the near plate (a disc 30-45 cm across) sits in front of the hips for the whole set, so
the pose model's hip landmark is a guess there. The plate itself is easy to see: a large round face whose
radius never changes and whose centre moves smoothly. Its centre is the bar axis, which rests on the hip
crease, so it anchors the hidden hip (see `placement.py`). This module finds candidate plates in one
image; `rim.py` measures each one's rim; `track.py` follows the plate from frame to frame.

Rooms and plates vary (a dark plate on a dark brick wall, a green bumper on brown wood, a small lifter
in a portrait frame), so the search does not rely on brightness alone or on fixed thresholds:
- edges come from the colour channel that changes most at each pixel, so a plate that differs from what is
  behind it in hue but not in brightness still has a rim;
- Canny's thresholds follow the search box's own gradient statistics;
- the box is shrunk so that the smallest plate searched is `PlateSearch.detect_px` across in radius: the
  vote is cheap, brick and tile texture blurs away, and the rim survives. Each circle found is then
  measured at full resolution (`rim.measure_rim`): a plate is a round, well-edged, evenly coloured face.

Reads images with OpenCV. Pixels are those of the upright frame, x right, y down.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.plate.rim import RimFit, colour_gradient, measure_rim


@dataclass(frozen=True)
class PlateSearch:
    """How to look for the plate. Sizes are fractions of the body span (the pose's head-to-toe extent, px).

    Fitted on the randomized renderer's tune split (docs/synth.md): real plates measured 0.14-0.33 of the
    span; the round things that are not plates (glutes, a chest, a head) that pass the rim checks measured
    0.09-0.14. The near plate is 0.6-0.9 m nearer the camera than the hips, so from a low, high or turned
    camera its centre lies up to 0.42 spans from the shoulder->knee segment (hence `reach`).

    The round things on plate-free clips that pass the rim checks (a glute in shorts) are told from plates
    by the hub or by an even face. A plate sits on the bar, whose sleeve shows at its centre: at the true
    plates of the tune split the hub's rim support was 0.51 or more in 95 % of frames, at those false discs
    0.3 or less (`min_hub`). But from a high or turned camera the sleeve's end projects off the plate's
    centre; such a plate still has a face of one colour (uniformity 0.84 or more in 95 % of the true
    plates' frames, 0.73 or less on the glute; `even_face`) and a sharp rim all round (0.93-0.99 on the
    near plates whose sleeve was off-centre). A wall of one colour framed by the lifter's arms and a rack
    (tune-00037) and a plate on a storage tree behind the lifter (tune-00025) had even faces too but no
    hub, and rims backed at 0.85 or less (`even_face_support`). A disc needs one or the other to be found.
    """

    min_radius: float = 0.11
    max_radius: float = 0.45
    reach: float = 0.45  # the plate's centre lies within this many spans of a shoulder->knee segment
    detect_px: float = 8.0  # the box is shrunk until the smallest radius searched is this many px
    edge_percentile: float = 85.0  # Canny's upper threshold: this percentile of the box's gradients
    min_edge: float = 4.0  # ... but at least this (grey levels per px)
    min_votes: float = 0.25  # a rough circle needs edges voting for this share of its circumference
    min_support: float = 0.75  # share of the rim backed by edges, to find a plate
    min_uniformity: float = 0.7  # share of the face within a colour tolerance of its median, to find one
    min_hub: float = 0.4  # rim support of the hub at a plate's centre (the bar's sleeve), to find one
    hub_size: float = 0.2  # the hub's radius, relative to the plate's
    even_face: float = 0.85  # ... or this uniformity instead of a hub,
    even_face_support: float = 0.9  # ... with this much of its rim backed by edges
    follow_support: float = 0.5  # ... and to keep following one already found (position and size known)
    follow_uniformity: float = 0.6
    min_axis_ratio: float = 0.7  # a plate seen within 25° of side-on and 35° of elevation is this round
    min_presence: float = 0.3  # share of frames that must show the plate for the clip to have one
    radius_tolerance: float = 0.12  # a frame's circle may differ this much (relative) from the clip's
    max_jump: float = 0.35  # largest centre step between frames, in plate radii
    max_gap: int = 6  # frames of a missed plate filled by interpolation

    def __post_init__(self) -> None:
        if not 0 < self.min_radius < self.max_radius:
            raise ValueError(f"PlateSearch: expected 0 < min_radius < max_radius, got "
                             f"{self.min_radius}, {self.max_radius}")
        for name in ("min_support", "min_uniformity", "min_hub", "hub_size", "even_face", "even_face_support",
                     "follow_support",
                     "follow_uniformity", "min_votes",
                     "min_axis_ratio", "min_presence", "radius_tolerance", "max_jump"):
            value = getattr(self, name)
            if not 0 < value <= 1:
                raise ValueError(f"PlateSearch.{name}: expected 0..1, got {value}")
        if self.reach <= 0 or self.detect_px < 4 or self.min_edge <= 0:
            raise ValueError(f"PlateSearch: expected reach > 0, detect_px >= 4 and min_edge > 0, got "
                             f"{self.reach}, {self.detect_px}, {self.min_edge}")
        if self.max_gap < 0:
            raise ValueError(f"PlateSearch.max_gap: expected >= 0, got {self.max_gap}")

    def finds(self, rim: RimFit) -> bool:
        """The rim is good enough to find a plate by."""
        return (rim.support >= self.min_support and rim.uniformity >= self.min_uniformity
                and rim.axis_ratio >= self.min_axis_ratio)

    def keeps(self, rim: RimFit) -> bool:
        """The rim is good enough to keep following a plate already found."""
        return (rim.support >= self.follow_support and rim.uniformity >= self.follow_uniformity
                and rim.axis_ratio >= self.min_axis_ratio)


Box = tuple[int, int, int, int]


def search_box(points: np.ndarray, pad: float) -> Box | None:
    """Pixel box (x0, y0, x1, y1) around the known ones of (k, 2) points, grown by `pad` px; None when
    fewer than two are known."""
    pts = np.asarray(points, float)
    pts = pts[np.isfinite(pts).all(axis=1)]
    if len(pts) < 2:
        return None
    lo, hi = pts.min(axis=0) - pad, pts.max(axis=0) + pad
    return int(lo[0]), int(lo[1]), int(np.ceil(hi[0])), int(np.ceil(hi[1]))


def edge_map(gx: np.ndarray, gy: np.ndarray, search: PlateSearch) -> np.ndarray:
    """Canny edges (uint8, 255 on an edge) of a gradient field, thresholds from its own statistics."""
    magnitude = np.hypot(gx, gy)
    high = max(search.min_edge, float(np.percentile(magnitude, search.edge_percentile)))
    k = 1000.0 / max(float(magnitude.max()), 1e-6)  # Canny takes int16 gradients
    return cv2.Canny((gx * k).astype(np.int16), (gy * k).astype(np.int16), high * k / 2, high * k,
                     L2gradient=True)


def vote_circles(edges: np.ndarray, gx: np.ndarray, gy: np.ndarray, radii: tuple[float, float],
                 min_votes: float, limit: int) -> np.ndarray:
    """Rough circles (k, 4: cx, cy, r, votes) whose centres the edge pixels point at.

    Each edge pixel votes, for every radius, for the centres one radius away along its gradient (either
    way: a plate may be darker or lighter than what is behind it), each vote weighted by one over the
    circumference, so a full rim scores about 1 at its centre (counted over +-1 px). At the best centres,
    the radius is the distance most edge pixels facing them agree on.
    """
    ys, xs = np.nonzero(edges)
    h, w = edges.shape
    radius = np.arange(int(np.floor(radii[0])), int(np.ceil(radii[1])) + 1, dtype=np.float32)
    if len(xs) < 8 or not len(radius):
        return np.zeros((0, 4))
    g = np.hypot(gx[ys, xs], gy[ys, xs]) + 1e-9
    ux, uy = gx[ys, xs] / g, gy[ys, xs] / g
    weight = np.broadcast_to((1.0 / (2 * np.pi * radius))[:, None], (len(radius), len(xs)))
    votes = np.zeros(h * w)
    for sign in (1.0, -1.0):
        cx = np.rint(xs + sign * radius[:, None] * ux).astype(np.int32)
        cy = np.rint(ys + sign * radius[:, None] * uy).astype(np.int32)
        inside = (cx >= 0) & (cx < w) & (cy >= 0) & (cy < h)
        votes += np.bincount((cy * w + cx)[inside], weight[inside], minlength=h * w)
    score = cv2.boxFilter(votes.reshape(h, w).astype(np.float32), -1, (3, 3), normalize=False,
                          borderType=cv2.BORDER_CONSTANT)
    peaks = (score == cv2.dilate(score, np.ones((5, 5), np.uint8))) & (score >= min_votes)
    py, px = np.nonzero(peaks)
    order = np.argsort(-score[py, px])[:limit]
    rows = []
    for cx, cy in zip(px[order], py[order], strict=True):
        dx, dy = xs - cx, ys - cy
        d = np.hypot(dx, dy) + 1e-9
        facing = np.abs(dx * ux + dy * uy) >= 0.9 * d
        counts = np.bincount(np.rint(d[facing] - radius[0]).astype(np.int64).clip(-1, len(radius)) + 1,
                             minlength=len(radius) + 2)[1:-1].astype(float)
        near = counts + np.r_[0.0, counts[:-1]] + np.r_[counts[1:], 0.0]
        best = int(np.argmax(near / (2 * np.pi * radius)))
        rows.append((cx, cy, radius[best], float(score[cy, cx])))
    return np.array(rows, float).reshape(-1, 4)


def find_circles(image: np.ndarray, box: Box, radii: tuple[float, float], search: PlateSearch,
                 where: Callable[[np.ndarray], bool] | None = None, limit: int = 8,
                 detect_px: float | None = None, min_support: float = 0.0) -> list[RimFit]:
    """Candidate plates in one BGR frame: circles of radius within `radii` (px) found in `box` whose
    centre (px) passes `where`, each measured at full resolution, best voted first. Rims are not judged
    here (see `PlateSearch.finds`). `detect_px` overrides the search's radius to vote at; faces are
    measured only on rims backed at `min_support` or more (`rim.measure_rim`)."""
    h, w = image.shape[:2]
    x0, y0, x1, y1 = max(0, box[0]), max(0, box[1]), min(w, box[2]), min(h, box[3])
    if x1 - x0 < 2 * radii[0] or y1 - y0 < 2 * radii[0]:
        return []
    f = min(1.0, (detect_px or search.detect_px) / radii[0])
    crop = image[y0:y1, x0:x1]
    small = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else crop
    gx, gy = colour_gradient(small, blur=0.0 if f < 0.75 else 1.0)
    rough = vote_circles(edge_map(gx, gy, search), gx, gy, (radii[0] * f, radii[1] * f), search.min_votes,
                         limit)
    centres = rough[:, :2] / f + (x0, y0)
    return [measure_rim(image, c, r / f, slack=1.5 / f, min_support=min_support)
            for c, r in zip(centres, rough[:, 2], strict=True) if where is None or where(c)]
