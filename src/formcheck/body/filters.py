"""Clean joint tracks before measuring: outlier rejection, gap filling and smoothing, live or offline.

Two paths share one `FilterConfig`:
- live (`JointsStream`, causal, one frame at a time): a gate drops samples that jump implausibly far from
  where the joint was heading, short dropouts are bridged by carrying the joint on at its recent speed
  with a decaying confidence, and a One-Euro filter smooths — strongly when the joint is still (a steady
  lockout reads steady), lightly when it moves (little lag on the way up);
- offline (`filter_joints(..., offline=True)`, whole arrays): a Hampel filter rejects outliers, short gaps
  are interpolated, and a Savitzky-Golay pass smooths with zero phase, so a lockout plateau is neither
  flattened nor shifted in time.
Everything is timed in milliseconds from `t_ms` (fps is never assumed). Distances are judged against the
body scale (shoulder->knee + knee->ankle, px), so thresholds hold at any distance from the camera.
"""

from __future__ import annotations

import math
import warnings
from collections import deque
from dataclasses import dataclass, fields

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from formcheck.body.joints import body_scale
from formcheck.body.keypoints import Keypoints


@dataclass(frozen=True)
class FilterConfig:
    """Thresholds of both paths. Times in ms; distances as fractions of the body scale."""

    min_confidence: float = 0.3  # a sample below this is treated as missing
    max_gap_ms: float = 150.0  # longest dropout that is bridged
    gap_confidence: float = 0.5  # confidence factor of a bridged sample at the end of a maximal gap
    gate: float = 0.12  # live: a jump farther than this from the prediction is an outlier
    min_cutoff_hz: float = 1.0  # One-Euro cutoff when the joint is still
    beta: float = 4.0  # One-Euro cutoff increase per body scale per second of speed
    d_cutoff_hz: float = 1.0  # One-Euro cutoff of the speed estimate
    hampel_window_ms: float = 300.0  # offline outlier window
    hampel_k: float = 4.0  # offline: outlier beyond k robust sigmas of the window median ...
    hampel_floor: float = 0.05  # ... and beyond this fraction of the body scale
    smooth_window_ms: float = 230.0  # offline Savitzky-Golay window
    smooth_polyorder: int = 3

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise ValueError(f"FilterConfig.{f.name}: expected a finite number >= 0, got {value!r}")
        for name in ("min_confidence", "gap_confidence"):
            if getattr(self, name) > 1:
                raise ValueError(f"FilterConfig.{name}: expected 0..1, got {getattr(self, name)}")
        for name in ("min_cutoff_hz", "d_cutoff_hz"):
            if getattr(self, name) <= 0:
                raise ValueError(f"FilterConfig.{name}: expected > 0 Hz, got {getattr(self, name)}")


def _alpha(dt_s: float, cutoff_hz: float) -> float:
    """Smoothing factor of an exponential filter with this cutoff at this sample interval."""
    tau = 1.0 / (2.0 * math.pi * cutoff_hz)
    return 1.0 / (1.0 + tau / dt_s)


class OneEuro:
    """One-Euro filter (Casiez et al. 2012) of a point, with speed measured in body scales per second."""

    def __init__(self, min_cutoff_hz: float, beta: float, d_cutoff_hz: float) -> None:
        self.min_cutoff_hz, self.beta, self.d_cutoff_hz = min_cutoff_hz, beta, d_cutoff_hz
        self.x: np.ndarray | None = None
        self.dx = np.zeros(2)
        self.t_ms: int | None = None

    def reset(self) -> None:
        self.x, self.t_ms, self.dx = None, None, np.zeros(2)

    def __call__(self, t_ms: int, x: np.ndarray, scale: float) -> np.ndarray:
        if self.x is None or self.t_ms is None or t_ms <= self.t_ms:
            self.x, self.t_ms, self.dx = x.astype(float), t_ms, np.zeros(2)
            return self.x
        dt = (t_ms - self.t_ms) / 1000.0
        dx = (x - self.x) / dt
        self.dx = self.dx + _alpha(dt, self.d_cutoff_hz) * (dx - self.dx)
        speed = float(np.linalg.norm(self.dx)) / scale if scale > 0 else 0.0
        cutoff = self.min_cutoff_hz + self.beta * speed
        self.x = self.x + _alpha(dt, cutoff) * (x - self.x)
        self.t_ms = t_ms
        return self.x


class _JointStream:
    """Causal clean-up of one joint: gate, bridge short dropouts at the joint's speed, One-Euro smoothing."""

    def __init__(self, config: FilterConfig) -> None:
        self.config = config
        self.smooth = OneEuro(config.min_cutoff_hz, config.beta, config.d_cutoff_hz)
        self.last_xy: np.ndarray | None = None
        self.last_conf = 0.0
        self.last_good_ms: int | None = None

    def _predict(self, t_ms: int) -> np.ndarray | None:
        """Where the joint should be now: the last position carried on at its smoothed speed."""
        if self.last_xy is None or self.last_good_ms is None:
            return None
        if t_ms - self.last_good_ms > self.config.max_gap_ms:
            return None  # lost for too long: re-acquire wherever the joint is now
        return self.last_xy + self.smooth.dx * (t_ms - self.last_good_ms) / 1000.0

    def _is_outlier(self, xy: np.ndarray, t_ms: int, scale: float) -> bool:
        predicted = self._predict(t_ms)
        if predicted is None or not scale > 0:
            return False
        return float(np.linalg.norm(xy - predicted)) > self.config.gate * scale

    def update(self, t_ms: int, xy: np.ndarray, conf: float, scale: float) -> tuple[np.ndarray, float]:
        """The cleaned position and confidence of this frame (NaN, 0 when it cannot be bridged)."""
        cfg = self.config
        usable = bool(np.isfinite(xy).all()) and conf >= cfg.min_confidence
        if usable and not self._is_outlier(xy, t_ms, scale):
            self.last_xy = self.smooth(t_ms, xy, scale).copy()
            self.last_conf, self.last_good_ms = float(conf), t_ms
            return self.last_xy.copy(), self.last_conf
        predicted = self._predict(t_ms)
        if predicted is not None and self.last_good_ms is not None:
            elapsed = t_ms - self.last_good_ms
            fade = 1.0 - (1.0 - cfg.gap_confidence) * elapsed / max(cfg.max_gap_ms, 1e-9)
            return predicted, self.last_conf * fade
        self.smooth.reset()
        self.last_xy = None
        return np.full(2, np.nan), 0.0


class JointsStream:
    """Live filter of a set of joints, fed one frame (a one-frame `Keypoints`) at a time."""

    SCALE_MEMORY_MS = 2000.0  # the body scale is the median over this much recent time

    def __init__(self, config: FilterConfig | None = None) -> None:
        self.config = config or FilterConfig()
        self.joints: dict[str, _JointStream] = {}
        self._scales: deque[tuple[int, float]] = deque()

    def _scale(self, t_ms: int, frame: Keypoints) -> float:
        if all(frame.conf_of(n)[0] >= self.config.min_confidence for n in ("shoulder", "knee", "ankle")):
            s = float(body_scale(frame)[0])
            if math.isfinite(s) and s > 0:
                self._scales.append((t_ms, s))
        while self._scales and t_ms - self._scales[0][0] > self.SCALE_MEMORY_MS:
            self._scales.popleft()
        return float(np.median([s for _, s in self._scales])) if self._scales else float("nan")

    def update(self, frame: Keypoints) -> Keypoints:
        """The cleaned frame: same points, positions smoothed or bridged, confidence faded over gaps."""
        if len(frame) != 1:
            raise ValueError(f"JointsStream.update: expected one frame, got {len(frame)}")
        t_ms = int(frame.t_ms[0])
        scale = self._scale(t_ms, frame)
        xy, conf = np.full_like(frame.xy, np.nan), np.zeros_like(frame.confidence)
        for i, name in enumerate(frame.names):
            stream = self.joints.setdefault(name, _JointStream(self.config))
            xy[0, i], conf[0, i] = stream.update(t_ms, frame.xy[0, i], float(frame.confidence[0, i]), scale)
        return Keypoints(frame.t_ms, xy, conf, frame.names)


# ---- offline ----------------------------------------------------------------------------------------

def _frames_for(t_ms: np.ndarray, window_ms: float, minimum: int = 1) -> int:
    """An odd number of frames spanning about `window_ms` at the clip's median frame interval."""
    if t_ms.size < 2:
        return minimum + 1 - minimum % 2
    dt = float(np.median(np.diff(t_ms)))
    n = max(minimum, round(window_ms / max(dt, 1e-6)))
    return n + 1 - n % 2


def hampel_outliers(t_ms: np.ndarray, x: np.ndarray, window_ms: float, k: float, floor: float
                    ) -> np.ndarray:
    """Samples farther than max(k robust sigmas, floor) from their window's median (NaN ignored)."""
    w = _frames_for(t_ms, window_ms, 3)
    if x.size < w:
        return np.zeros(x.shape, bool)
    padded = np.pad(x.astype(float), w // 2, mode="constant", constant_values=np.nan)
    windows = sliding_window_view(padded, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN, as intended
        med = np.nanmedian(windows, axis=1)
        mad = np.nanmedian(np.abs(windows - med[:, None]), axis=1)
    limit = np.maximum(k * 1.4826 * np.nan_to_num(mad), floor)
    return np.abs(x - med) > limit


def nan_runs(missing: np.ndarray) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the runs of True in a boolean array."""
    edges = np.diff(np.concatenate([[0], missing.astype(np.int8), [0]]))
    return list(zip(np.flatnonzero(edges == 1), np.flatnonzero(edges == -1), strict=True))


def fill_gaps(t_ms: np.ndarray, x: np.ndarray, max_gap_ms: float) -> tuple[np.ndarray, np.ndarray]:
    """Linearly interpolate NaN runs lasting at most `max_gap_ms` between known samples.

    Returns the filled copy and a mask of the frames that were filled. A run at either end of the clip
    is left NaN (there is nothing to interpolate toward).
    """
    out = x.astype(float).copy()
    filled = np.zeros(x.shape, bool)
    for start, stop in nan_runs(~np.isfinite(x)):
        if start == 0 or stop == x.size:
            continue
        if t_ms[stop] - t_ms[start - 1] > max_gap_ms + float(np.median(np.diff(t_ms))):
            continue
        span = slice(start, stop)
        out[span] = np.interp(t_ms[span], [t_ms[start - 1], t_ms[stop]], [x[start - 1], x[stop]])
        filled[span] = True
    return out, filled


def smooth_zero_phase(t_ms: np.ndarray, x: np.ndarray, window_ms: float, polyorder: int) -> np.ndarray:
    """Savitzky-Golay smoothing over each finite run: zero phase, keeps peaks and plateaus in place."""
    out = x.astype(float).copy()
    w = _frames_for(t_ms, window_ms, polyorder + 2)
    for start, stop in nan_runs(np.isfinite(x)):
        n = stop - start
        win = min(w, n if n % 2 else n - 1)
        if win > polyorder:
            out[start:stop] = savgol(x[start:stop], win, polyorder)
    return out


def savgol(x: np.ndarray, window: int, polyorder: int) -> np.ndarray:
    """Savitzky-Golay smoothing of a 1-D array (odd `window` > `polyorder`), the first and last
    `window // 2` values taken from the polynomial fitted to the first and last window: the same as
    `scipy.signal.savgol_filter(x, window, polyorder, mode="interp")` (a test holds them together).

    Written out because importing `scipy.signal` costs about a second of start-up (scipy 1.17 parses
    every docstring of the package on import), a seventh of a typical set's whole analysis."""
    if window % 2 == 0 or not polyorder < window <= x.size:
        raise ValueError(f"savgol: expected an odd window in ({polyorder}, {x.size}], got {window}")
    half = window // 2
    if half == 0:
        return x.astype(float)
    vander = np.arange(-half, half + 1, dtype=float)[:, None] ** np.arange(polyorder + 1)
    fit = np.linalg.pinv(vander)  # (polyorder + 1, window): a window's least-squares polynomial
    out = np.empty(x.size)
    out[half:-half] = sliding_window_view(x.astype(float), window) @ fit[0]
    out[:half] = vander[:half] @ (fit @ x[:window])
    out[-half:] = vander[-half:] @ (fit @ x[-window:])
    return out


def _offline_joint(t_ms: np.ndarray, xy: np.ndarray, conf: np.ndarray, scale: float,
                   cfg: FilterConfig) -> tuple[np.ndarray, np.ndarray]:
    """Offline clean-up of one joint's (n, 2) track and (n,) confidence."""
    xy = xy.astype(float).copy()
    bad = ~np.isfinite(xy).all(axis=1) | (conf < cfg.min_confidence)
    if math.isfinite(scale):
        for axis in (0, 1):
            bad |= hampel_outliers(t_ms, np.where(bad, np.nan, xy[:, axis]), cfg.hampel_window_ms,
                                   cfg.hampel_k, cfg.hampel_floor * scale)
    xy[bad] = np.nan
    out = np.empty_like(xy)
    filled = np.zeros(len(t_ms), bool)
    for axis in (0, 1):
        col, filled = fill_gaps(t_ms, xy[:, axis], cfg.max_gap_ms)
        out[:, axis] = smooth_zero_phase(t_ms, col, cfg.smooth_window_ms, cfg.smooth_polyorder)
    known_conf = np.where(bad, np.nan, conf)
    conf_filled, _ = fill_gaps(t_ms, known_conf, cfg.max_gap_ms)
    new_conf = np.where(filled, conf_filled * cfg.gap_confidence, np.nan_to_num(known_conf))
    new_conf = np.where(np.isfinite(out).all(axis=1), new_conf, 0.0)
    return out, new_conf


def _live(joints: Keypoints, cfg: FilterConfig) -> Keypoints:
    """Run the live filter over a whole clip (what a live session would have produced)."""
    stream = JointsStream(cfg)
    return Keypoints.concat([stream.update(joints[i]) for i in range(len(joints))])


def filter_joints(joints: Keypoints, config: FilterConfig | None = None, *,
                  offline: bool = True) -> Keypoints:
    """Cleaned joints: zero-phase offline pass for files, or the causal live filter run over the clip."""
    cfg = config or FilterConfig()
    if not offline:
        return _live(joints, cfg) if len(joints) else joints
    if len(joints) < 2:
        return joints
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        scale = float(np.nanmedian(body_scale(joints)))
    xy, conf = np.empty_like(joints.xy), np.empty_like(joints.confidence)
    for i in range(len(joints.names)):
        xy[:, i], conf[:, i] = _offline_joint(joints.t_ms, joints.xy[:, i], joints.confidence[:, i], scale,
                                              cfg)
    return Keypoints(joints.t_ms, xy, conf, joints.names)
