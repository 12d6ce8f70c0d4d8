"""Rep segmentation: which movements of the hips are reps, their phases, lockout and tempo.

The input is one lift signal per frame that rises as the hips rise, with the `RepConfig` that suits its
units: the measuring stage counts on the torso's rise (degrees) or, with a plate, on the bar's height
(`lift.py`); the defaults here suit the hip extension angle (S-H-K, degrees). The tracker is incremental
(`RepTracker.update` one frame at a time, for live use); `segment_reps` runs the same tracker over a whole
clip, so files and live sessions count the same reps.

A rep is a rise from the bottom to a top, then a descent most of the way back. Not counted:
- setup shuffling: movements that rise less than `min_rise` or never reach `min_peak`;
- partial reps: a rise smaller than `partial_fraction` of the median rise of the reps counted so far, and
  at `finish` of the median rise of the whole set (so a partial first movement is dropped then; live, it
  was counted meanwhile, and the set's reps at the end are the same either way).
A wobble on the way up that is too small to be a rep does not reset the bottom; decisions follow the
signal's median over `steady_ms`, so a few frames of a landmark thrown off are not a turn.

Phase boundaries use a band of `edge_band` x the rep's rise: the concentric starts when the signal leaves
the bottom band, the lockout runs from the first entry into the band below the peak to the last exit
from it, the eccentric ends when the signal re-enters the bottom band (or at the lowest point, if the
lifter goes straight into the next rep without reaching it). The lockout frame is the middle of the hold
in time, which is steadier under landmark noise than the frame of the single highest value. Durations
(`concentric_s`, `hold_s`, `eccentric_s`) are those of the whole movement: see `segment_from_history`.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, fields, replace
from enum import StrEnum

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from formcheck.records import Phase


@dataclass(frozen=True)
class RepConfig:
    """Thresholds in signal units (degrees of hip extension by default) and fractions of a rep's rise."""

    min_rise: float = 30.0  # smallest bottom->top rise that can be a rep
    min_peak: float = 140.0  # a rep's top must reach this (hips near the shoulder-knee line)
    start_rise: float = 8.0  # a movement starts when the signal is this far above the bottom
    turn_drop: float = 6.0  # a top is over once the signal falls this far (or `turn_fraction`) below it
    turn_fraction: float = 0.25
    return_fraction: float = 0.6  # a counted rep descends at least this share of its rise
    partial_fraction: float = 0.6  # rises below this share of the set's median rise are partial reps
    edge_band: float = 0.05  # phase edges: within this share of the rise from the bottom or the peak
    min_confidence: float = 0.3  # frames whose signal confidence is lower are ignored
    bottom_memory_ms: float = 3000.0  # the bottom a rep rises from is the lowest point this recent
    stall_ms: float = 1500.0  # a rise that stalls this long below `min_peak` was a change of setup
    settle_ms: float = 250.0  # a top has settled once the signal stayed within `settle_band` this long
    settle_band: float = 3.0
    steady_ms: float = 0.0  # decisions follow the median over this long (at least the last 3 samples)

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, int | float) and math.isfinite(value)):
                raise ValueError(f"RepConfig.{f.name}: expected a finite number, got {value!r}")
        for name in ("turn_fraction", "return_fraction", "partial_fraction", "edge_band", "min_confidence"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"RepConfig.{name}: expected 0..1, got {getattr(self, name)}")
        for name in ("min_rise", "start_rise", "turn_drop", "bottom_memory_ms", "stall_ms", "settle_ms",
                     "settle_band"):
            if getattr(self, name) <= 0:
                raise ValueError(f"RepConfig.{name}: expected > 0, got {getattr(self, name)}")
        if self.steady_ms < 0:
            raise ValueError(f"RepConfig.steady_ms: expected >= 0, got {self.steady_ms}")


@dataclass(frozen=True)
class RepSegment:
    """One counted rep: frame indices, phase edges, tempo in seconds and its bottom/top signal levels."""

    index: int  # 1-based
    start_frame: int  # concentric starts (leaves the bottom band)
    lockout_start: int  # enters the top band
    lockout_frame: int  # middle of the hold, in time
    lockout_end: int  # last frame in the top band
    end_frame: int  # eccentric ends
    concentric_s: float
    hold_s: float
    eccentric_s: float
    bottom: float  # signal at the bottom before the rep
    peak: float  # highest signal of the rep

    def __post_init__(self) -> None:
        order = (self.start_frame, self.lockout_start, self.lockout_frame, self.lockout_end, self.end_frame)
        if list(order) != sorted(order):
            raise ValueError(f"RepSegment {self.index}: expected start <= lockout start <= lockout <= "
                             f"lockout end <= end, got {order}")

    @property
    def rise(self) -> float:
        return self.peak - self.bottom


class EventKind(StrEnum):
    """What a `RepEvent` reports."""

    PHASE = "phase"  # the live phase changed
    TOP = "top"  # a rep's top has settled, or its descent began: the rep so far, to judge it early
    REP = "rep"  # a rep was counted (and is complete)
    REJECTED = "rejected"  # a movement was not counted as a rep, with the reason


@dataclass(frozen=True)
class RepEvent:
    """Something the tracker noticed at frame `frame` (time `t_ms`)."""

    kind: EventKind
    frame: int
    t_ms: int
    phase: Phase | None = None
    rep: RepSegment | None = None
    reason: str | None = None


class _State(StrEnum):
    BOTTOM = "bottom"
    RISING = "rising"
    FALLING = "falling"


class RepTracker:
    """Incremental rep counter: feed one frame at a time with `update`, call `finish` at the end."""

    def __init__(self, config: RepConfig | None = None) -> None:
        self.config = config or RepConfig()
        self.reps: list[RepSegment] = []
        self.phase = Phase.SETUP
        self._state = _State.BOTTOM
        self._frame = -1
        self._t_ms = 0  # of the last frame fed
        self._hist: list[tuple[int, int, float]] = []  # (frame, t_ms, signal) since the current bottom
        self._recent: deque[tuple[int, float]] = deque()
        self._base = math.inf
        self._foot = math.inf  # where the rise now falling began: its lowest point shortly before it
        self._first_frame: int | None = None  # the clip's first frame with a usable signal
        self._peak = -math.inf
        self._peak_ms = 0  # when the peak was reached
        self._low_after = math.inf  # lowest signal since the peak
        self._topped = False  # the current rise has reached a lockout (live phase)
        self._top_told = False  # a TOP event was sent for the current rise

    # ---- public -------------------------------------------------------------------------------------

    def update(self, t_ms: int, value: float, confidence: float = 1.0) -> list[RepEvent]:
        """Consume the next frame's signal; returns what happened at it (often nothing)."""
        self._frame, self._t_ms = self._frame + 1, int(t_ms)
        if not (math.isfinite(value) and confidence >= self.config.min_confidence):
            return []
        self._hist.append((self._frame, int(t_ms), float(value)))
        if self._first_frame is None:
            self._first_frame = self._frame
        # decisions follow the median of the last samples (at least 3, over `steady_ms`): a few wild
        # landmark frames are not a turn
        self._recent.append((int(t_ms), float(value)))
        while len(self._recent) > 3 and t_ms - self._recent[0][0] > self.config.steady_ms:
            self._recent.popleft()
        steady = float(np.median([v for _, v in self._recent]))
        step = {_State.BOTTOM: self._at_bottom, _State.RISING: self._rising, _State.FALLING: self._falling}
        events = step[self._state](int(t_ms), steady)
        events += self._live_phase(int(t_ms), steady)
        if self._topped and not self._top_told and self._settled(int(t_ms)):
            events.append(self._top_event(hold_known=False))
        return events

    def finish(self) -> list[RepEvent]:
        """End of the clip: close a rep whose descent was under way, then drop the reps that turn out to be
        partial against the whole set (`partial_fraction` of its median rise): live, an early movement
        could only be judged against the reps before it. `reps` then holds the set's reps, renumbered."""
        events: list[RepEvent] = []
        if self._state is _State.FALLING and self._hist:
            events = self._close(self._argmin_after_peak())
        elif self._state is _State.RISING and self._peak - self._base >= self.config.min_rise:
            frame, t_ms, _ = self._hist[-1]
            events = [RepEvent(EventKind.REJECTED, frame, t_ms, reason="the clip ended before the descent")]
        return events + self._drop_partial()

    def _drop_partial(self) -> list[RepEvent]:
        """Reject counted reps whose rise is partial against the median rise of all of them."""
        if len(self.reps) < 2:
            return []
        typical = statistics.median(r.rise for r in self.reps)
        keep = [r for r in self.reps if r.rise >= self.config.partial_fraction * typical]
        events = [RepEvent(EventKind.REJECTED, self._frame, self._t_ms, reason=_partial(r.rise, typical))
                  for r in self.reps if r not in keep]
        self.reps = [replace(r, index=i + 1) for i, r in enumerate(keep)]
        return events

    # ---- states -------------------------------------------------------------------------------------

    def _at_bottom(self, t_ms: int, value: float) -> list[RepEvent]:
        # the bottom is the lowest point of the recent past, so an old low (lying down during the
        # setup) does not stretch the next rep's concentric back in time
        recent = [h for h in self._hist if t_ms - h[1] <= self.config.bottom_memory_ms]
        smooth = _running_median(np.array([v for _, _, v in recent]))
        low = int(np.argmin(smooth))
        self._hist = recent[low:]
        self._base = float(smooth[low])
        if value - self._base >= self.config.start_rise:
            self._state, self._peak, self._peak_ms = _State.RISING, value, t_ms
        return []

    def _rising(self, t_ms: int, value: float) -> list[RepEvent]:
        cfg = self.config
        if value > self._peak:
            self._peak, self._peak_ms = value, t_ms
        rise = self._peak - self._base
        if self._peak < cfg.min_peak and t_ms - self._peak_ms > cfg.stall_ms:
            frame = self._hist[-1][0]  # settled somewhere below any top: a new setup position
            self._restart_bottom(len(self._hist) - 1)
            return [RepEvent(EventKind.REJECTED, frame, t_ms, reason="stopped below the top: setup")]
        if self._peak - value < max(cfg.turn_drop, cfg.turn_fraction * rise):
            return []
        if rise >= cfg.min_rise and self._peak >= cfg.min_peak:
            self._state, self._low_after, self._foot = _State.FALLING, value, self._rise_foot()
            return [] if self._top_told or self._partial_so_far(rise) else [self._top_event(hold_known=True)]
        reason = (f"movement too small: rose {rise:.0f} (a rep rises at least {cfg.min_rise:.0f})"
                  if rise < cfg.min_rise else
                  f"top too low: reached {self._peak:.0f} (a rep reaches at least {cfg.min_peak:.0f})")
        frame = self._hist[-1][0]
        if rise < cfg.min_rise:
            # a wobble on the way up (a noisy landmark) is not a new bottom: the rise goes on being
            # measured from the lowest recent point, which `_at_bottom` finds again
            self._state, self._peak, self._top_told = _State.BOTTOM, -math.inf, False
        else:
            self._restart_bottom(len(self._hist) - 1)
        return [RepEvent(EventKind.REJECTED, frame, t_ms, reason=reason)]

    def _falling(self, t_ms: int, value: float) -> list[RepEvent]:
        cfg = self.config
        rise = self._peak - self._foot
        self._low_after = min(self._low_after, value)
        if value <= self._foot + cfg.edge_band * rise:
            return self._close(len(self._hist) - 1)
        if value - self._low_after < cfg.start_rise:
            return []
        if self._peak - self._low_after >= cfg.return_fraction * rise:
            events = self._close(self._argmin_after_peak())  # went straight into the next rep
            self._state, self._peak, self._peak_ms = _State.RISING, *max(
                ((v, t) for _, t, v in self._hist), key=lambda vt: vt[0])
            self._top_told = False
            return events
        self._state = _State.RISING  # a second push near the top: still the same rep
        return []

    # ---- closing a rep ------------------------------------------------------------------------------

    def _rise_foot(self) -> float:
        """The level the rise to the peak began from, as `segment_from_history` places it: the lowest point
        shortly before its half-way crossing, after any opening drift. Measured from the bottom the
        tracker rose from (the pose model's first detections, or the lifter lying lower during the setup),
        a real rep might never come "most of the way back"."""
        hist = self._rep_history(self._hist)
        t = np.array([h[1] for h in hist], dtype=float)
        values = _running_median(np.array([v for _, _, v in hist]))
        return _levels(t, values, int(np.argmax(values)))[0]

    def _rep_history(self, hist: list[tuple[int, int, float]]) -> list[tuple[int, int, float]]:
        """`hist` without the pose model's opening drift, when it starts at the clip's first sample."""
        if not hist or hist[0][0] != self._first_frame:
            return hist
        values = _running_median(np.array([v for _, _, v in hist]))
        return hist[opening_drift(values[: int(np.argmax(values)) + 1]):]

    def _argmin_after_peak(self) -> int:
        """History index of the lowest point after the peak (on the running median)."""
        values = _running_median(np.array([v for _, _, v in self._hist]))
        peak_i = int(np.argmax(values))
        return peak_i + int(np.argmin(values[peak_i:]))

    def _close(self, end_i: int) -> list[RepEvent]:
        """Judge the movement from the bottom to history index `end_i`; the bottom restarts there."""
        cfg = self.config
        hist = self._hist[: end_i + 1]
        rise = self._peak - self._foot
        frame, t_ms, _ = hist[-1]
        typical = statistics.median(r.rise for r in self.reps) if self.reps else None
        values = _running_median(np.array([v for _, _, v in hist]))
        descent = self._peak - float(values[int(np.argmax(values)):].min())
        self._restart_bottom(end_i)
        if descent < cfg.return_fraction * rise:
            return [RepEvent(EventKind.REJECTED, frame, t_ms, reason="did not come back down")]
        if typical is not None and rise < cfg.partial_fraction * typical:
            return [RepEvent(EventKind.REJECTED, frame, t_ms, reason=_partial(rise, typical))]
        segment = segment_from_history(self._rep_history(hist), len(self.reps) + 1, cfg.edge_band)
        self.reps.append(segment)
        return [RepEvent(EventKind.REP, frame, t_ms, rep=segment)]

    def _partial_so_far(self, rise: float) -> bool:
        """A rise this big would be a partial rep against the reps counted so far (see `_close`)."""
        return bool(self.reps) and rise < self.config.partial_fraction * statistics.median(
            r.rise for r in self.reps)

    def _restart_bottom(self, from_i: int) -> None:
        """Forget the history before index `from_i`, whose sample becomes the new bottom."""
        self._hist = self._hist[from_i:]
        self._state, self._base = _State.BOTTOM, self._hist[0][2]
        self._peak, self._low_after, self._foot = -math.inf, math.inf, math.inf
        self._top_told = False

    # ---- the top, as soon as it can be judged -------------------------------------------------------

    def _settled(self, t_ms: int) -> bool:
        """The signal stayed within `settle_band` over the last `settle_ms` (most of it seen)."""
        cfg = self.config
        recent = [(t, v) for _, t, v in self._hist if t_ms - t <= cfg.settle_ms]
        if len(recent) < 2 or t_ms - recent[0][0] < 0.75 * cfg.settle_ms:
            return False
        values = [v for _, v in recent]
        return max(values) - min(values) <= cfg.settle_band

    def _top_event(self, *, hold_known: bool) -> RepEvent:
        """The rep so far, to judge at its top: its hold is known only once the descent has begun (and then
        it can be long by up to a ramp's edge share of the descent); the descent itself is not known."""
        self._top_told = True
        segment = segment_from_history(self._rep_history(self._hist), len(self.reps) + 1,
                                       self.config.edge_band)
        segment = replace(segment, eccentric_s=math.nan, hold_s=segment.hold_s if hold_known else math.nan)
        frame, t_ms, _ = self._hist[-1]
        return RepEvent(EventKind.TOP, frame, t_ms, rep=segment)

    # ---- live phase ---------------------------------------------------------------------------------

    def _live_phase(self, t_ms: int, value: float) -> list[RepEvent]:
        """The phase as best known now (the rep's exact edges come with its REP event)."""
        cfg = self.config
        rise = self._peak - self._base
        near_top = value >= self._peak - cfg.edge_band * rise
        can_count = rise >= cfg.min_rise and self._peak >= cfg.min_peak and not self._partial_so_far(rise)
        self._topped = self._state is _State.RISING and (self._topped or (can_count and near_top))
        if self._topped:
            phase = Phase.LOCKOUT
        elif self._state is _State.RISING:
            phase = Phase.CONCENTRIC
        elif self._state is _State.FALLING:
            phase = Phase.ECCENTRIC
        else:
            phase = Phase.SETUP
        if phase is self.phase:
            return []
        self.phase = phase
        return [RepEvent(EventKind.PHASE, self._frame, t_ms, phase=phase)]


def _partial(rise: float, typical: float) -> str:
    return f"partial rep: rose {rise:.0f}, {100 * rise / typical:.0f}% of the set's usual {typical:.0f}"


def _crossing_ms(t: np.ndarray, s: np.ndarray, i: int, j: int, level: float) -> float:
    """Time at which the signal crosses `level` between samples i and j, by linear interpolation."""
    if s[i] == s[j]:
        return float(t[j])
    u = min(max((level - s[i]) / (s[j] - s[i]), 0.0), 1.0)
    return float(t[i] + u * (t[j] - t[i]))


def _running_median(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Median over `width` samples centred on each, the ends repeated: drops single-sample spikes
    without moving a ramp, even one that runs into the end of the history."""
    if x.size == 0:
        return x.astype(float)
    half = width // 2
    return np.median(sliding_window_view(np.pad(x, half, mode="edge"), 2 * half + 1), axis=-1)


def ramp_fraction(band: float) -> float:
    """Share of a smooth (cosine-eased) ramp spent within `band` of either end: the band crossings see
    only 1 - 2 x this share of the movement's duration."""
    return math.acos(1.0 - 2.0 * band) / math.pi


# The bottom a rise starts from is the lowest point this long before its half-way crossing (and the
# bottom a descent ends at, this long after): near enough to ignore earlier setup shuffling, long enough
# to reach the foot of a slow rise.
FOOT_WINDOW_MS = 800.0


def _levels(t: np.ndarray, s: np.ndarray, peak_i: int) -> tuple[float, float]:
    """Signal at the foot of the rise, and at the foot of the descent (its lowest point nearby)."""
    peak = s[peak_i]
    up_mid = int(np.argmax(s[: peak_i + 1] >= (s[: peak_i + 1].min() + peak) / 2))
    before = (t >= t[up_mid] - FOOT_WINDOW_MS) & (np.arange(s.size) <= up_mid)
    after_peak = s[peak_i:]
    down_mid = peak_i + int(np.argmax(after_peak <= (after_peak.min() + peak) / 2))
    after = (t <= t[down_mid] + FOOT_WINDOW_MS) & (np.arange(s.size) >= down_mid)
    return float(s[before].min()), float(s[after].min())


# The pose model's first detections of a clip drift: its estimate of a lifter lying still can move by tens
# of degrees over the first few tenths of a second. That opening drift is no part of the first rep. It is
# told apart by what follows it: the signal comes to rest (moving less than this share of the way to the
# peak over the 5 samples around), well below the peak (at least `OPENING_REST_DEPTH` of the way down).
OPENING_STEADY_SHARE = 0.1
OPENING_REST_DEPTH = 1 / 3


def opening_drift(s: np.ndarray) -> int:
    """How many samples at the start of a clip's signal `s` (up to its first peak) are the pose model
    settling rather than the lifter moving: the run of moving samples before the signal first rests,
    when it rests well below the peak; else 0."""
    if s.size < 3:
        return 0
    peak, low = float(s.max()), float(s.min())
    moving = _running_range(s) > OPENING_STEADY_SHARE * (peak - low)
    lead = int(np.argmin(moving))  # the first resting sample (0 when the clip opens at rest)
    if lead == 0 or not moving[:lead].all() or s[lead] > peak - OPENING_REST_DEPTH * (peak - low):
        return 0
    return lead


def _running_range(x: np.ndarray, width: int = 5) -> np.ndarray:
    """Max minus min over `width` samples centred on each (fewer at the ends, which are not repeated)."""
    half = width // 2
    windows = sliding_window_view(np.pad(x.astype(float), half, constant_values=np.nan), 2 * half + 1)
    return np.nanmax(windows, axis=-1) - np.nanmin(windows, axis=-1)


def segment_from_history(hist: Sequence[tuple[int, int, float]], index: int, band: float) -> RepSegment:
    """Phase edges and tempo of one rep from its (frame, t_ms, signal) samples, bottom to end.

    Edges are found on a 5-sample running median, so a noisy hold is not cut in two. Edge frames are
    samples; durations come from the band crossings interpolated between samples and are then widened
    to the whole movement assuming it starts and stops smoothly (a cosine ease, as rendered clips and,
    roughly, people move): the crossings alone would miss the slow first and last few percent.
    """
    frames = np.array([h[0] for h in hist])
    t = np.array([h[1] for h in hist], dtype=float)
    s = _running_median(np.array([h[2] for h in hist]))
    peak_i = int(np.argmax(s))
    peak = float(s[peak_i])
    bottom, low_after = _levels(t, s, peak_i)
    rise = peak - bottom
    low_level, top_level = bottom + band * rise, peak - band * rise
    top = np.flatnonzero(s >= top_level)
    top_start, top_end = int(top[0]), int(top[-1])
    below = np.flatnonzero(s[:top_start] <= low_level)
    start = int(below[-1]) if below.size else 0
    # back in the bottom band, or (touch and go) within the band of the lowest point of the descent
    end_level = low_level if low_after <= low_level else low_after + band * (peak - low_after)
    after = np.flatnonzero(s[top_end:] <= end_level)
    end = top_end + int(after[0]) if after.size else s.size - 1
    t_start = _crossing_ms(t, s, start, min(start + 1, top_start), low_level)
    t_top_in = _crossing_ms(t, s, max(top_start - 1, 0), top_start, top_level)
    t_top_out = _crossing_ms(t, s, top_end, min(top_end + 1, s.size - 1), top_level)
    t_end = _crossing_ms(t, s, max(end - 1, top_end), end, end_level)
    edge = ramp_fraction(band)
    concentric = (t_top_in - t_start) / 1000.0 / (1.0 - 2.0 * edge)
    eccentric = (t_end - t_top_out) / 1000.0 / (1.0 - 2.0 * edge)
    hold = max(0.0, (t_top_out - t_top_in) / 1000.0 - edge * (concentric + eccentric))
    # the middle of the hold proper: the band also holds the ends of both ramps, unequal when the
    # descent is slower than the rise
    middle_t = (t_top_in + 1000.0 * edge * concentric + t_top_out - 1000.0 * edge * eccentric) / 2
    lock = top_start + int(np.argmin(np.abs(t[top_start: top_end + 1] - middle_t)))
    return RepSegment(
        index=index, start_frame=int(frames[start]), lockout_start=int(frames[top_start]),
        lockout_frame=int(frames[lock]), lockout_end=int(frames[top_end]), end_frame=int(frames[end]),
        concentric_s=concentric, hold_s=hold, eccentric_s=eccentric, bottom=bottom, peak=peak)


def segment_reps(t_ms: np.ndarray, signal: np.ndarray, confidence: np.ndarray | None = None,
                 config: RepConfig | None = None) -> tuple[list[RepSegment], list[RepEvent]]:
    """Reps of a whole clip, by running the incremental tracker over it (same reps as live)."""
    tracker = RepTracker(config)
    conf = np.ones(signal.shape) if confidence is None else confidence
    events: list[RepEvent] = []
    for i in range(signal.shape[0]):
        events += tracker.update(int(t_ms[i]), float(signal[i]), float(conf[i]))
    events += tracker.finish()
    return list(tracker.reps), events


def phases_of(n_frames: int, reps: Sequence[RepSegment]) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame phase (str values of `Phase`) and 1-based rep index (0 outside reps)."""
    phase = np.full(n_frames, Phase.SETUP.value, dtype=object)
    rep = np.zeros(n_frames, dtype=int)
    for r in reps:
        phase[r.start_frame: r.lockout_start] = Phase.CONCENTRIC.value
        phase[r.lockout_start: r.lockout_end + 1] = Phase.LOCKOUT.value
        phase[r.lockout_end + 1: r.end_frame + 1] = Phase.ECCENTRIC.value
        rep[r.start_frame: r.end_frame + 1] = r.index
    return phase, rep
