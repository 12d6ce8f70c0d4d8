"""Follow the near plate frame by frame inside the tracking pass, and tidy its path once the set is over.

`PlateTracker` is causal, so the one decode that feeds the pose model also finds the plate, in the
parallel tracking workers or in a live loop alike. Until it has a plate it searches around the body the
pose model found (or, when the model missed the lifter, the body it found in the last `BODY_MEMORY_MS`; the
lifter lies on the bench), for the largest plate-like disc within reach of the hips with a hub at its
centre (the bar's sleeve) or an even face (`PlateSearch`); the near plate is the largest, being the
nearest. A disc found first may be that hub, when the plate hides so much of the lifter that the body the
model sees is short: the plate around it is looked for too (`rim.outer_radius`). A disc found in
`LOCK_FRAMES` frames in a row, one size and moving smoothly, is the plate: from then on the tracker reports
it and follows it from where it was, before the pose model sees the frame, so the frame can be shown to the
model with the plate painted out (`paint.py`). Discs seen for fewer frames are never reported: a false
plate would be painted over the lifter. While following, it looks every `UPSIZE_STRIDE` frames for a
larger plate around the disc and around the body: the disc may still be the hub, or the far plate taken
up while the near one was lost; a larger plate, once confirmed, takes over. While nothing is followed and
nothing was found, it searches every `IDLE_STRIDE` frames, and only every `IDLE_STRIDE_LONG` once a stream
that never had a plate has found nothing for `IDLE_PATIENCE` frames: the search costs more than the
following.

`refine` is the offline clean-up at the end of a set: no plate at all when it was seen too rarely, centres
that jump dropped, short misses interpolated, circles off the hips refused. `follow_back` follows a newly
confirmed plate back in time through the frames before it, which the tracking pass holds back for that
(`flows/tracking.observe_frames`).

"Within reach of the hips" is measured in body spans (the pose's head-to-toe extent), not plate radii:
the plate is 0.6-0.9 m nearer the camera than the hips, so perspective moves its centre off the
shoulder->knee line by up to 0.42 spans when the camera is low, high, close or turned (`PlateSearch`).
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.plate.finder import PlateSearch, find_circles, search_box
from formcheck.plate.rim import RimFit, hub_support, measure_rim, outer_radius

# Frames in a row with the same disc on the hips before it is reported and followed (and painted out);
# a disc of the size of a plate already confirmed in the stream needs fewer.
LOCK_FRAMES = 8
RELOCK_FRAMES = 3
# Poses whose span sets the search radii: a high percentile, since a plate folds the legs the model sees.
SPAN_MEMORY = 30
SPAN_PERCENTILE = 80.0
# A body found this recently still says where to look when the pose model misses the lifter.
BODY_MEMORY_MS = 5000
# The search box reaches this many spans beyond the plate's reach from the body, to hold its rim.
BOX_MARGIN = 0.35
# A disc found may be the hub of a plate up to this many times its radius (a 45 cm plate's hub is ~10 cm).
HUB_SCALE = 5.0
# While nothing is followed and no disc was found last time, search only one frame in this many: most
# frames of a plate-free set find nothing, and a plate that shows up is found a frame later at most.
IDLE_STRIDE = 2
# In a stream where no plate was ever confirmed, once nothing was found for this many frames, only one
# frame in `IDLE_STRIDE_LONG` is searched: a plate-free set would otherwise spend a quarter of its
# tracking time on searches that find nothing, and a plate that shows up later is found a few frames late.
IDLE_PATIENCE = 30
IDLE_STRIDE_LONG = 8
# A plate followed back through kept frames (`follow_back`) is looked for at no less than this radius (px).
MIN_BACK_RADIUS_PX = 5.0
# When following, the vote runs with the plate this many px in radius (finer than the first search).
FOLLOW_DETECT_PX = 16.0
# While following, one frame in this many looks for a larger plate: the disc followed may be the plate's
# hub (locked onto while the plate hid most of the lifter) or the far plate (taken up while the near one
# was lost). A larger disc is a plate by the same rules as a first find, and it takes over once it is
# confirmed, looked for in every frame from its first sighting.
UPSIZE_STRIDE = 16
# ... larger meaning at least this many times the followed radius (a hub is about a fifth of its plate; the
# far plate, seen beside the lifter from a turned camera, was 0.54 of the near one on the tune split).
UPSIZE_SCALE = 1.5
_BODY_POINTS = [MEDIAPIPE_NAMES.index(f"{side}_{joint}") for side in ("left", "right")
                for joint in ("shoulder", "hip", "knee")]
_THIGHS = [(MEDIAPIPE_NAMES.index(f"{side}_shoulder"), MEDIAPIPE_NAMES.index(f"{side}_knee"))
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


def body_span(xy: np.ndarray) -> float:
    """The largest distance between any two known points of one pose's (points, 2) px: head to toe for a
    lifter on a bench (NaN with fewer than two known)."""
    pts = xy[np.isfinite(xy).all(axis=1)]
    if len(pts) < 2:
        return float("nan")
    return float(np.max(np.linalg.norm(pts[:, None] - pts[None], axis=2)))


def distance_to_segments(point: np.ndarray, segments: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
    """Distance (px) from `point` to the nearest of the segments (inf when none is known)."""
    best = float("inf")
    for a, b in segments:
        d = b - a
        length2 = float(d @ d)
        if not (np.isfinite(length2) and length2 > 0):
            continue
        u = min(max(float((point - a) @ d) / length2, 0.0), 1.0)
        best = min(best, float(np.linalg.norm(point - (a + u * d))))
    return best


@dataclass(frozen=True, eq=False)
class _Body:
    """Where the lifter was last seen: the points to search around, the shoulder->knee segments, when."""

    points: np.ndarray  # (k, 2) px
    thighs: tuple[tuple[np.ndarray, np.ndarray], ...]
    t_ms: int


class PlateTracker:
    """Finds and follows the near plate, one frame at a time (see the module docstring)."""

    def __init__(self, search: PlateSearch | None = None) -> None:
        self.search = search or PlateSearch()
        self._spans: deque[float] = deque(maxlen=SPAN_MEMORY)
        self._body: _Body | None = None
        self._run: list[PlateReading] = []  # the discs found in the frames in a row before confirmation
        self._radius = float("nan")  # the followed plate's radius
        self._last: np.ndarray | None = None  # the followed plate's last centre
        self._step = np.zeros(2)  # its last move per frame
        self._missed = 0  # frames since it was last seen
        self._idle = 0  # frames since the last search that found no disc, while nothing is followed
        self._confirmed_radii: list[float] = []  # the radii of the plates confirmed so far in the stream
        self._larger: list[PlateReading] = []  # a larger disc, seen in the frames in a row just followed
        self._since_probe = 0  # frames followed since the last look for a larger disc

    @property
    def following(self) -> bool:
        """A plate was confirmed and seen within the last `max_gap` frames."""
        return np.isfinite(self._radius) and self._last is not None and self._missed <= self.search.max_gap

    def near(self, image: np.ndarray) -> PlateReading | None:
        """Where the followed plate is in `image`, looking only near where it was; None when not following
        it or not found there (then `with_body` searches around the body)."""
        if not self.following or self._last is None:
            return None
        r, tol = self._radius, self.search.radius_tolerance
        guess = self._last + self._step * (self._missed + 1)
        fit = measure_rim(image, guess, r, slack=0.1 * r, min_support=self.search.follow_support)
        if not self._continues(fit):
            reach = r * (1 + tol) + self.search.max_jump * self._stride_scale() * (self._missed + 1)
            box = search_box(np.stack([guess - reach, guess + reach]), pad=0.0)
            assert box is not None
            fits = find_circles(image, box, (r * (1 - tol), r * (1 + tol)), self.search,
                                detect_px=FOLLOW_DETECT_PX, limit=3, min_support=self.search.follow_support)
            fit = max((f for f in fits if self._continues(f)), key=lambda f: f.support, default=None)
        if fit is None or not self._continues(fit):
            return None
        larger = self._look_for_larger(image, fit)
        if larger is not None:
            return larger
        return self._seen(fit)

    def with_body(self, image: np.ndarray, pose: Keypoints) -> PlateReading | None:
        """Search around the body the pose model found in this frame (a one-frame MediaPipe pose) for the
        plate; report it once it is confirmed (or while it is followed)."""
        self._remember(pose)
        if not self.following and not self._run:
            skip = self._idle % self._idle_stride() != 0
            self._idle += 1
            if skip:
                return None
        fit = self._search(image, int(pose.t_ms[0]))
        if fit is not None:
            self._idle = 0
        if fit is None:
            self._missed += 1
            self._run.clear()
            if self._missed > self.search.max_gap:
                self._radius, self._last = float("nan"), None
            return None
        if self.following:
            return self._seen(fit)
        self._run = [*self._run[-(LOCK_FRAMES - 1):], PlateReading(fit.x, fit.y, fit.radius, fit.support)]
        if not self._confirmed():
            return None
        self._take(float(np.median([r.radius for r in self._run])))
        return self._seen(fit)

    def still_on_the_hips(self, reading: PlateReading, pose: Keypoints) -> bool:
        """Check a reading found by `near` against the body found afterwards (on the painted frame, so a
        good view of the legs); stop following if the plate is not within reach of the hips."""
        self._remember(pose)
        if not pose.found[0] or self._body is None or self._body.t_ms != int(pose.t_ms[0]):
            return True
        if distance_to_segments(reading.center, self._body.thighs) <= self.search.reach * self._span():
            return True
        self._radius, self._last, self._missed = float("nan"), None, self.search.max_gap + 1
        self._run.clear()
        return False

    def _take(self, radius: float) -> None:
        """Follow a newly confirmed plate of `radius` (px) from its next reading on."""
        self._radius = radius
        self._confirmed_radii.append(radius)
        self._last, self._missed = None, 0
        self._run.clear()
        self._larger.clear()
        self._since_probe = 0

    def _look_for_larger(self, image: np.ndarray, fit: RimFit) -> PlateReading | None:
        """Every `UPSIZE_STRIDE` frames followed (and in every frame once one was seen), a plate larger than
        the followed disc `fit` around it or around the body; the reading of that plate once it is confirmed
        (it is followed from then on), else None."""
        self._since_probe += 1
        if not self._larger and self._since_probe < UPSIZE_STRIDE:
            return None
        self._since_probe = 0
        found = self._larger_plate(image, fit)
        if found is None:
            self._larger.clear()
            return None
        self._larger = [*self._larger[-(LOCK_FRAMES - 1):],
                        PlateReading(found.x, found.y, found.radius, found.support)]
        if not _one_steady_disc(self._larger, self._needed(self._larger), self.search):
            return None
        self._take(float(np.median([r.radius for r in self._larger])))
        return self._seen(found)

    def _larger_plate(self, image: np.ndarray, fit: RimFit) -> RimFit | None:
        """A plate at least `UPSIZE_SCALE` times the followed disc's radius: the plate around it (when it is
        a hub) or the largest found around the body last seen."""
        least = UPSIZE_SCALE * self._radius
        wide = self._widen(image, fit)
        if wide.radius >= least and self._is_plate(image, wide):
            return wide
        body, span = self._body, self._span()
        if body is None or not np.isfinite(span) or least > self.search.max_radius * span:
            return None
        found = self._largest_plate(image, body, span, (least, self.search.max_radius * span))
        # the search allows `radius_tolerance` below its smallest radius: not here, where an outline round
        # the near plate and the edge of the far one peeking out above it is about 1.2 times the plate
        return found if found is not None and found.radius >= least else None

    def _needed(self, run: Sequence[PlateReading]) -> int:
        """Frames in a row a disc must be seen before it is confirmed: fewer for the size of a plate
        confirmed earlier in the stream."""
        size = float(np.median([r.radius for r in run]))
        tol = self.search.radius_tolerance
        seen = any(abs(size - r) <= tol * r for r in self._confirmed_radii)
        return RELOCK_FRAMES if seen else LOCK_FRAMES

    def _idle_stride(self) -> int:
        """Search one frame in this many while nothing is followed (see `IDLE_PATIENCE`)."""
        if self._idle < IDLE_PATIENCE or self._confirmed_radii:
            return IDLE_STRIDE
        return IDLE_STRIDE_LONG

    def _remember(self, pose: Keypoints) -> None:
        """Keep the lifter's size and where it lies from a pose that found it."""
        if not pose.found[0]:
            return
        xy = pose.xy[0]
        span = body_span(xy)
        if np.isfinite(span) and span > 0:
            self._spans.append(span)
        points = xy[_BODY_POINTS]
        if np.isfinite(points).all(axis=1).sum() >= 2:
            self._body = _Body(points, tuple((xy[s], xy[k]) for s, k in _THIGHS), int(pose.t_ms[0]))

    def _span(self) -> float:
        return float(np.percentile(self._spans, SPAN_PERCENTILE)) if self._spans else float("nan")

    def _search(self, image: np.ndarray, t_ms: int) -> RimFit | None:
        """The plate in `image` around the body last seen (if seen within `BODY_MEMORY_MS` of `t_ms`): the
        followed one if it is there, else the largest plate-like disc within reach of the hips."""
        body, span = self._body, self._span()
        if body is None or not np.isfinite(span) or t_ms - body.t_ms > BODY_MEMORY_MS:
            return None
        if self.following:
            tol = self.search.radius_tolerance
            plates = self._discs(image, body, span, (self._radius * (1 - tol), self._radius * (1 + tol)))
            return min((f for f in plates if self._continues(f)), default=None,
                       key=lambda f: float(np.linalg.norm(f.center - self._last)))  # type: ignore[operator]
        return self._largest_plate(image, body, span, (self.search.min_radius * span,
                                                       self.search.max_radius * span))

    def _discs(self, image: np.ndarray, body: _Body, span: float, radii: tuple[float, float]) -> list[RimFit]:
        """Discs of `radii` (px) within reach of the hips of `body` whose rims would find a plate."""
        reach = self.search.reach * span
        box = search_box(body.points, pad=reach + BOX_MARGIN * span)
        assert box is not None
        tol = self.search.radius_tolerance
        fits = find_circles(image, box, radii, self.search, min_support=self.search.min_support,
                            where=lambda c: distance_to_segments(c, body.thighs) <= 1.2 * reach)
        return [f for f in fits if self.search.finds(f)
                and distance_to_segments(f.center, body.thighs) <= reach
                and radii[0] * (1 - tol) <= f.radius <= radii[1] * (1 + tol)]

    def _largest_plate(self, image: np.ndarray, body: _Body, span: float,
                       radii: tuple[float, float]) -> RimFit | None:
        """The largest disc of `radii` around `body` that is a plate (after `_widen`), or None."""
        for fit in sorted(self._discs(image, body, span, radii), key=lambda f: -f.radius):
            wide = self._widen(image, fit)
            if self._is_plate(image, wide):
                return wide
        return None

    def _is_plate(self, image: np.ndarray, fit: RimFit) -> bool:
        """A disc found is a plate: an even face with a sharp rim, or the bar's sleeve at its centre."""
        if not self.search.finds(fit):
            return False
        return (fit.uniformity >= self.search.even_face and fit.support >= self.search.even_face_support) \
            or hub_support(image, fit, self.search.hub_size) >= self.search.min_hub

    def _widen(self, image: np.ndarray, fit: RimFit) -> RimFit:
        """The plate around `fit` when `fit` is its hub: a disc of another colour at the plate's centre
        (the pose model's span, which sets the radii searched, shrinks when the plate hides the lifter)."""
        outer = outer_radius(image, fit.center, fit.radius, HUB_SCALE, self.search.min_support)
        if outer is None:
            return fit
        wide = measure_rim(image, fit.center, outer, slack=0.12 * outer, min_support=self.search.min_support)
        return wide if self.search.finds(wide) else fit

    def _continues(self, fit: RimFit) -> bool:
        """`fit` is the followed plate: its size, near where it was, and a rim good enough to keep."""
        if self._last is None or not self.search.keeps(fit):
            return False
        r = self._radius
        moved = float(np.linalg.norm(fit.center - self._last))
        return abs(fit.radius - r) <= self.search.radius_tolerance * r and \
            moved <= self.search.max_jump * self._stride_scale() * (self._missed + 1)

    def _stride_scale(self) -> float:
        """The radius (px) the followed disc's moves are measured in: its own, or the smallest plate's for
        the lifter's size when it is smaller than that. Such a disc is the plate's hub, which moves as far
        as the plate does, many of its own radii a frame on a fast rise."""
        smallest = self.search.min_radius * self._span()
        return max(self._radius, smallest) if np.isfinite(smallest) else self._radius

    def _seen(self, fit: RimFit) -> PlateReading:
        """Record the followed plate at `fit` and report it (at the plate's constant radius)."""
        centre = fit.center
        if self._last is not None:
            self._step = (centre - self._last) / (self._missed + 1)
        else:
            self._step = np.zeros(2)
        self._last, self._missed = centre, 0
        return PlateReading(float(centre[0]), float(centre[1]), float(self._radius), float(fit.support))

    def _confirmed(self) -> bool:
        """The last frames in a row found one disc: one size, moving smoothly (fewer frames for a disc of
        the size of a plate confirmed earlier)."""
        return _one_steady_disc(self._run, self._needed(self._run), self.search)


def _one_steady_disc(run: Sequence[PlateReading], needed: int, search: PlateSearch) -> bool:
    """The last `needed` readings of `run` (at least that many) are one disc: one size, moving smoothly."""
    if len(run) < needed:
        return False
    size = float(np.median([r.radius for r in run]))
    last = run[-needed:]
    radii = np.array([r.radius for r in last])
    steps = np.linalg.norm(np.diff([r.center for r in last], axis=0), axis=1)
    tol = search.radius_tolerance
    return bool(np.all(np.abs(radii - size) <= tol * size) and np.all(steps <= search.max_jump * size))


def follow_back(images: Sequence[np.ndarray], reading: PlateReading, scale: float,
                search: PlateSearch | None = None) -> list[PlateReading | None]:
    """The plate of `reading` (px of the frame just after the last of `images`) followed back in time through
    `images`: frames oldest first, each `scale` times its frame's size. One reading per image, in frame px
    and at the plate's radius; None in the frames before the plate was lost going back (a plate is only
    confirmed some frames after it came into view, so those frames would otherwise show no plate)."""
    search = search or PlateSearch()
    out: list[PlateReading | None] = [None] * len(images)
    r = reading.radius * scale
    if r < MIN_BACK_RADIUS_PX:
        return out
    last, step = reading.center * scale, np.zeros(2)
    for i in range(len(images) - 1, -1, -1):
        guess = last + step
        fit = measure_rim(images[i], guess, r, slack=search.max_jump * r, min_support=search.follow_support)
        moved = float(np.linalg.norm(fit.center - last))
        if not (search.keeps(fit) and abs(fit.radius - r) <= search.radius_tolerance * r
                and moved <= search.max_jump * r):
            break
        step, last = fit.center - last, fit.center
        out[i] = PlateReading(float(fit.x / scale), float(fit.y / scale), reading.radius, float(fit.support))
    return out


def steady(track: PlateTrack, search: PlateSearch | None = None) -> PlateTrack:
    """The readings of one steady plate: circles of the set's usual size (which it takes) that do not jump,
    or none when too few frames show a plate. Needs no landmarks, so it also says whether the camera looks
    along the bar when a plate has thrown the landmarks off (`body/view.confirm_by_plate`)."""
    search = search or PlateSearch()
    found = track.found
    if found.mean() < search.min_presence if len(track) else True:
        return PlateTrack.none(len(track))
    radius = float(np.median(track.radius[found]))
    track = track.keep(np.abs(track.radius - radius) <= search.radius_tolerance * radius)
    return _drop_jumps(PlateTrack(track.center, np.where(track.found, radius, np.nan), track.confidence),
                       search)


def refine(track: PlateTrack, joints: Keypoints, search: PlateSearch | None = None) -> PlateTrack:
    """The set's plate path, tidied offline (see the module docstring); `joints` are the near side's."""
    search = search or PlateSearch()
    return _fill_gaps(_on_the_hips(steady(track, search), joints, search.reach), search.max_gap)


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


def _on_the_hips(track: PlateTrack, joints: Keypoints, reach: float) -> PlateTrack:
    """Only circles within `reach` body spans (the joints' median head-to-toe extent) of the near side's
    shoulder->knee segment."""
    s, k = joints.xy_of("shoulder"), joints.xy_of("knee")
    spans = np.array([body_span(xy) for xy in joints.xy])
    span = float(np.nanmedian(spans)) if np.isfinite(spans).any() else float("nan")
    d = k - s
    with np.errstate(invalid="ignore", divide="ignore"):
        u = np.clip(np.sum((track.center - s) * d, axis=1) / np.sum(d * d, axis=1), 0.0, 1.0)
        dist = np.linalg.norm(track.center - (s + u[:, None] * d), axis=1)
        return track.keep(track.found & (dist <= reach * span))


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
