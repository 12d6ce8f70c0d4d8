"""How plate-like a circle in a frame is: how much of its rim shows an edge, how evenly coloured its face
is, and how round it looks, with its centre and size refined on the rim's edges.

A weight plate seen from the side is a disc of one colour (a hub in the middle, perhaps holes) with an edge
all round where it meets whatever is behind it. That edge can be faint (a dark plate on a dark wall), so a
rim point counts when the strongest colour channel steps across it by a few grey levels, pointing along the
radius; texture and noise point every which way. A plate filmed off side-on or from above is an ellipse, up
to 1.35:1 within the angles formcheck accepts, so the rim is fitted as an ellipse (a radius varying with
twice the angle) and `RimFit.radius` is its semi-major axis, the size to paint out. Round things near the
hips that are not plates (a glute in shorts, a chest, a head) have edges too, but not a face of one colour.

Reads images with OpenCV. Pixels are those of the upright frame, x right, y down.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

ANGLES = 72  # rim directions sampled
MIN_STEP = 3.0  # grey levels per px of the strongest channel: above sensor noise and JPEG blocks
RADIAL = 2.0  # a rim edge's gradient points along the radius: radial part >= this x the tangential part
BAND = 0.06  # rim edges are looked for this far (relative to the radius) either side of the fitted rim
FACE_RINGS = (0.35, 0.5, 0.65, 0.8)  # where the face is sampled, in fractions of the rim's radius
FACE_TOLERANCE = 20.0  # grey levels (any channel) from the face's median colour that still count as it
_RINGS = np.asarray(FACE_RINGS)[:, None]
# Support counts rim edges this far from the fitted rim (relative to the radius, at least SUPPORT_MIN_PX px)
SUPPORT_BAND = 0.06
SUPPORT_MIN_PX = 1.5
MIN_RIM_POINTS = 12
MAX_REFIT = 0.25  # a refit may move the centre or change the radius by at most this share of the radius


@dataclass(frozen=True)
class RimFit:
    """A circle measured as a plate: centre (px), semi-major radius (px), the share of its rim backed by
    edges, the share of its face within `FACE_TOLERANCE` of the face's colour, and minor/major axes."""

    x: float
    y: float
    radius: float
    support: float
    uniformity: float
    axis_ratio: float = 1.0

    def __post_init__(self) -> None:
        if not (np.isfinite([self.x, self.y, self.radius]).all() and self.radius > 0):
            raise ValueError(f"RimFit: expected a finite centre and a radius > 0, got ({self.x}, {self.y}), "
                             f"{self.radius}")
        for name in ("support", "uniformity", "axis_ratio"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"RimFit.{name}: expected 0..1, got {value}")

    @property
    def center(self) -> np.ndarray:
        return np.array([self.x, self.y])


def colour_gradient(image: np.ndarray, blur: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """(gx, gy) float32 gradients in grey levels per px of whichever BGR channel changes most at each
    pixel: a green plate on brown wood differs in hue more than in brightness (the first such channel on a
    tie)."""
    return _pick(*_sobel(image, blur))


def _sobel(image: np.ndarray, blur: float) -> tuple[np.ndarray, np.ndarray]:
    """Each channel's (dx, dy), float32 in grey levels per px, of a BGR image blurred by `blur` px first.
    Float Sobel scaled by 1/8 gives the same numbers as int16 Sobel divided by 8, without the conversion."""
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return (cv2.Sobel(image, cv2.CV_32F, 1, 0, ksize=3, scale=0.125),
            cv2.Sobel(image, cv2.CV_32F, 0, 1, ksize=3, scale=0.125))


def _pick(dx: np.ndarray, dy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(gx, gy) of the channel (last axis) whose gradient is strongest, the first one on a tie (as `argmax`
    would pick it; two comparisons cost less than `argmax` over a short last axis and a gather)."""
    strength = dx * dx
    strength += dy * dy
    second = strength[..., 1] > strength[..., 0]
    third = strength[..., 2] > np.maximum(strength[..., 0], strength[..., 1])
    return (np.where(third, dx[..., 2], np.where(second, dx[..., 1], dx[..., 0])),
            np.where(third, dy[..., 2], np.where(second, dy[..., 1], dy[..., 0])))


@dataclass(frozen=True, eq=False)
class _Gradient:
    """A window's `colour_gradient`, the channel picked only at the pixels read: a rim is read at a few
    hundred pixels of a window of thousands."""

    dx: np.ndarray  # (h, w, 3) each channel's gradient
    dy: np.ndarray

    @classmethod
    def of(cls, image: np.ndarray, blur: float) -> _Gradient:
        return cls(*_sobel(image, blur))

    @property
    def shape(self) -> tuple[int, int]:
        return self.dx.shape[:2]

    def at(self, flat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(gx, gy) at the pixels of flat (row-major) indices `flat`."""
        return _pick(self.dx.reshape(-1, 3)[flat], self.dy.reshape(-1, 3)[flat])


_THETA = np.linspace(0.0, 2 * np.pi, ANGLES, endpoint=False)
_COS, _SIN = np.cos(_THETA), np.sin(_THETA)
_COS2, _SIN2 = np.cos(2 * _THETA), np.sin(2 * _THETA)
# The least-squares terms of a rim (`_refit`): a circle's three, then the ellipse's two.
_TERMS = np.column_stack([np.ones(ANGLES), _COS, _SIN, _COS2, _SIN2])


@dataclass(frozen=True)
class _Shape:
    """A rim around a centre: radius(theta) = mean + c2 cos 2theta + s2 sin 2theta."""

    cx: float
    cy: float
    mean: float
    c2: float = 0.0
    s2: float = 0.0

    @property
    def radii(self) -> np.ndarray:
        """The radius in each of `_THETA`'s directions."""
        return self.mean + self.c2 * _COS2 + self.s2 * _SIN2

    @property
    def ellipticity(self) -> float:
        return float(np.hypot(self.c2, self.s2))


def _radial_edges(gradient: _Gradient, xs: np.ndarray, ys: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """At each sample point (columns are `_THETA`'s directions): whether it is inside the image, the size of
    the gradient along the radius there, and whether that is a rim edge (strong, and mostly radial)."""
    h, w = gradient.shape
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    # A point outside reads pixel 0; only points inside count.
    sx, sy = gradient.at(np.where(inside, ys * w + xs, 0))
    radial = np.abs(sx * _COS + sy * _SIN)
    return inside, radial, inside & (radial >= MIN_STEP) & (radial >= RADIAL * np.abs(sy * _COS - sx * _SIN))


def _rim_edges(gradient: _Gradient, shape: _Shape, band: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per direction: whether a radial edge lies within `band` px of the rim, its radius there, and
    whether the band is inside the window at all."""
    offsets = np.linspace(-band, band, 2 * int(np.ceil(band)) + 1)[:, None]
    rho = shape.radii[None] + offsets
    xs = np.rint(shape.cx + rho * _COS).astype(np.int64)
    ys = np.rint(shape.cy + rho * _SIN).astype(np.int64)
    inside, radial, good = _radial_edges(gradient, xs, ys)
    best = np.argmax(np.where(good, radial, -1.0), axis=0)
    pick = np.arange(ANGLES)
    return good[best, pick], rho[best, pick], inside.any(axis=0)


def _refit(shape: _Shape, hit: np.ndarray, rho: np.ndarray) -> _Shape | None:
    """The rim shape best through the edges found (least squares on radius against direction); an ellipse
    term only when edges surround at least half the rim. None when too few edges or the fit runs off."""
    hits = np.count_nonzero(hit)
    if hits < MIN_RIM_POINTS:
        return None
    design = _TERMS[hit] if 2 * hits >= ANGLES else _TERMS[hit, :3]
    coef, *_ = np.linalg.lstsq(design, rho[hit], rcond=None)
    c2, s2 = (coef[3], coef[4]) if len(coef) == 5 else (0.0, 0.0)
    moved = float(np.hypot(coef[1], coef[2]))
    if coef[0] <= 0 or moved > MAX_REFIT * shape.mean or abs(coef[0] - shape.mean) > MAX_REFIT * shape.mean \
            or np.hypot(c2, s2) > 0.3 * coef[0]:
        return None
    return _Shape(shape.cx + coef[1], shape.cy + coef[2], float(coef[0]), float(c2), float(s2))


def _uniformity(window: np.ndarray, shape: _Shape) -> float:
    """Share of the face's samples within FACE_TOLERANCE of their median colour (in every channel)."""
    rings = _RINGS * shape.radii[None]
    xs = np.rint(shape.cx + rings * _COS).astype(np.int64).ravel()
    ys = np.rint(shape.cy + rings * _SIN).astype(np.int64).ravel()
    h, w = window.shape[:2]
    inside = (xs >= 0) & (xs < w) & (ys >= 0) & (ys < h)
    if inside.sum() < len(xs) // 3:
        return 0.0
    colours = window[ys[inside], xs[inside]].astype(np.float32)
    return float((np.abs(colours - np.median(colours, axis=0)).max(axis=1) <= FACE_TOLERANCE).mean())


def measure_rim(image: np.ndarray, centre: np.ndarray | tuple[float, float], radius: float,
                slack: float = 0.0, refits: int = 3, min_support: float = 0.0) -> RimFit:
    """The circle of `radius` at `centre` (px) in a BGR frame, refitted to its rim's edges and measured.
    `slack` (px): how far the rough circle may be off; the first refit looks that far for the rim. The face
    is looked at only when at least `min_support` of the rim is backed by edges (else its uniformity is
    given as 0): a caller that needs that much refuses a weaker rim whatever its face, and most round
    things searched are refused on the rim."""
    h, w = image.shape[:2]
    band = max(1.5, BAND * radius)
    margin = (1.0 + MAX_REFIT) * radius + max(band, slack) + 4
    x0, y0 = max(0, int(centre[0] - margin)), max(0, int(centre[1] - margin))
    x1, y1 = min(w, int(np.ceil(centre[0] + margin)) + 1), min(h, int(np.ceil(centre[1] + margin)) + 1)
    if x1 - x0 < 3 or y1 - y0 < 3:
        return RimFit(float(centre[0]), float(centre[1]), float(radius), 0.0, 0.0)
    window = cv2.GaussianBlur(image[y0:y1, x0:x1], (0, 0), 1.0)
    gradient = _Gradient.of(window, blur=0.0)
    shape = _Shape(float(centre[0]) - x0, float(centre[1]) - y0, float(radius))
    for i in range(refits):
        hit, rho, _ = _rim_edges(gradient, shape, max(band, slack) if i == 0 else band)
        better = _refit(shape, hit, rho)
        if better is None:
            break
        done = i > 0 and np.hypot(better.cx - shape.cx, better.cy - shape.cy) < 0.2
        shape = better
        if done:
            break
    hit, _, seen = _rim_edges(gradient, shape, max(SUPPORT_MIN_PX, SUPPORT_BAND * shape.mean))
    support = float(hit.sum() / seen.sum()) if seen.sum() >= ANGLES // 2 else 0.0
    e = shape.ellipticity
    uniformity = _uniformity(window, shape) if support >= min_support else 0.0
    return RimFit(shape.cx + x0, shape.cy + y0, shape.mean + e, support, uniformity,
                  (shape.mean - e) / (shape.mean + e))


def outer_radius(image: np.ndarray, centre: np.ndarray | tuple[float, float], radius: float,
                 max_scale: float, min_share: float, detect_px: float = 48.0) -> float | None:
    """The radius (px) of the largest rim concentric with the circle at `centre` of `radius`, from 1.4 to
    `max_scale` times its radius, whose edges surround at least `min_share` of the directions; None when
    there is none. A plate's hub is a small disc of another colour at the plate's centre, so a disc found
    first may be the hub of the plate around it. Searched at a scale where the largest radius is
    `detect_px`, with a band of 12 % of the radius either side for a plate seen as an ellipse."""
    h, w = image.shape[:2]
    big = max_scale * radius
    margin = 1.15 * big + 4
    x0, y0 = max(0, int(centre[0] - margin)), max(0, int(centre[1] - margin))
    x1, y1 = min(w, int(np.ceil(centre[0] + margin)) + 1), min(h, int(np.ceil(centre[1] + margin)) + 1)
    f = min(1.0, detect_px / big)
    crop = image[y0:y1, x0:x1]
    if crop.shape[0] < 3 or crop.shape[1] < 3:
        return None
    small = cv2.resize(crop, None, fx=f, fy=f, interpolation=cv2.INTER_AREA) if f < 1.0 else crop
    gradient = _Gradient.of(small, blur=0.0 if f < 0.75 else 1.0)
    rho = np.arange(1.4 * radius * f, big * f + 1.0, 1.0)[:, None]
    if not len(rho):
        return None
    xs = np.rint((centre[0] - x0) * f + rho * _COS).astype(np.int64)
    ys = np.rint((centre[1] - y0) * f + rho * _SIN).astype(np.int64)
    inside, _, good = _radial_edges(gradient, xs, ys)
    good = good.astype(np.int64)
    band = np.maximum(1, np.rint(0.12 * rho[:, 0]).astype(np.int64))
    index = np.arange(len(rho))
    lo, hi = np.clip(index - band, 0, len(rho)), np.clip(index + band + 1, 0, len(rho))
    counts = np.vstack([np.zeros((1, ANGLES), np.int64), np.cumsum(good, axis=0)])
    near = (counts[hi] - counts[lo]) > 0  # an edge within the band of each radius, per direction
    seen = inside.sum(axis=1)
    share = np.where(seen >= ANGLES // 2, (near & inside).sum(axis=1) / np.maximum(seen, 1), 0.0)
    hits = np.flatnonzero(share >= min_share)
    if not len(hits):
        return None
    gaps = np.flatnonzero(np.diff(hits) > 1)
    run = hits[gaps[-1] + 1:] if len(gaps) else hits  # the outermost run of radii with a rim
    peak = run[share[run] == share[run].max()]
    return float(rho[int(np.median(peak)), 0] / f)


def hub_support(image: np.ndarray, fit: RimFit, size: float) -> float:
    """The rim support of the hub at the centre of the plate `fit`: the bar's sleeve (or the plate's bore)
    shows there as a small disc of another colour, about `size` of the plate's radius (found from about
    two thirds of that to a quarter more). A round thing near the hips that is not on the bar (a glute in
    shorts, a chest) has no hub."""
    return measure_rim(image, fit.center, size * fit.radius, slack=0.5 * size * fit.radius,
                       min_support=np.inf).support
