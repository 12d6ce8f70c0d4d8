"""Constants fitted to renders, fitted on the tune split's lockouts only (issue 11 item 2).

- The knee, shin and hip landmark biases (`measure.metrics.KNEE_LANDMARK_BIAS_DEG`, `SHIN_LANDMARK_BIAS_DEG`,
  `HIP_LANDMARK_BIAS_DEG`):
  the median of raw minus truth over plate-free lockouts, where raw is the reported value plus the bias
  the code subtracted.
- How the knee and shin biases change with the camera's elevation (`BIAS_PER_ELEVATION_DEG`): the slope
  through zero, against the clip's estimated elevation, that minimises the mean absolute error of the
  plate-free lockouts (a weighted median), the level-camera biases held as they are.
- The neck's head-line offset and gain (`NECK_NEUTRAL_OFFSET_DEG`, `NECK_GAIN`): the code reports
  `gain * (raw - offset)`, so raw = reported / gain + offset; a Theil-Sen line raw = offset + truth / gain
  through the plate-free lockouts, its intercept the median residual (robust to the odd lockout the
  model got wrong).

Each fit is judged by leaving one body out: the constant fitted on the other bodies, applied to the body
left out. The neck line is also set against guessing the median true neck, and its gain (1 / the head
line's slope) multiplies the head line's noise: a head line that barely follows the neck gives a large
gain and held-out errors worse than the guess, which the numbers then show.

Pure numpy/scipy over `ClipScore`s; the CLI writes the result as JSON.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from formcheck.validate.score import ClipScore

MIN_LOCKOUTS = 5  # fewer than this and a fit is not attempted


@dataclass(frozen=True)
class Lockouts:
    """Plate-free lockouts of one metric: reported value, truth, the body and the camera elevation."""

    reported: np.ndarray
    truth: np.ndarray
    body: np.ndarray  # str body ids
    elevation: np.ndarray  # str elevation buckets
    estimated_elevation: np.ndarray  # degrees the landmark biases followed (NaN: none, a plate)

    def __post_init__(self) -> None:
        n = self.reported.shape
        if any(a.shape != n for a in (self.truth, self.body, self.elevation, self.estimated_elevation)):
            raise ValueError(f"Lockouts: expected arrays of one length, got {self.reported.shape}, "
                             f"{self.truth.shape}, {self.body.shape}, {self.elevation.shape}")

    def __len__(self) -> int:
        return int(self.reported.size)


def lockouts(scores: Sequence[ClipScore], key: str) -> Lockouts:
    """The measured plate-free lockouts of `key` on the scored clips."""
    rows = [(e + t, t, s.tags.get("body", "?"), s.tags.get("elevation", "?"),
             np.nan if s.elevation_deg is None else s.elevation_deg)
            for s in scores if s.scored and not s.plated
            for e, t in zip(s.errors[key], s.truth_values[key], strict=True) if e is not None]
    if not rows:
        return Lockouts(np.zeros(0), np.zeros(0), np.zeros(0, str), np.zeros(0, str), np.zeros(0))
    reported, truth, body, elevation, estimated = zip(*rows, strict=True)
    return Lockouts(np.array(reported, float), np.array(truth, float), np.array(body), np.array(elevation),
                    np.array(estimated, float))


@dataclass(frozen=True)
class HeldOut:
    """Leave-one-body-out: the fit on the other bodies applied to each body."""

    mae: float  # over every lockout, each predicted by the fit without its body
    per_body: dict[str, float]  # body -> MAE of its lockouts
    fitted: dict[str, tuple[float, ...]]  # body -> the constants fitted without it


def _held_out(data: Lockouts, fit: Callable[[Lockouts], tuple[float, ...]],
              error: Callable[[Lockouts, tuple[float, ...]], np.ndarray]) -> HeldOut:
    errors, per_body, fitted = [], {}, {}
    for body in sorted(set(data.body), key=_body_key):
        out = data.body == body
        rest = _subset(data, ~out)
        if len(rest) < MIN_LOCKOUTS:
            continue
        constants = fit(rest)
        e = np.abs(error(_subset(data, out), constants))
        errors.append(e)
        per_body[str(body)] = float(e.mean())
        fitted[str(body)] = tuple(round(c, 3) for c in constants)
    all_errors = np.concatenate(errors) if errors else np.zeros(0)
    return HeldOut(float(all_errors.mean()) if all_errors.size else float("nan"), per_body, fitted)


def _body_key(body: str) -> tuple[int, str]:
    return (int(body), "") if body.isdigit() else (1 << 30, body)


def _subset(data: Lockouts, keep: np.ndarray) -> Lockouts:
    return Lockouts(data.reported[keep], data.truth[keep], data.body[keep], data.elevation[keep],
                    data.estimated_elevation[keep])


@dataclass(frozen=True)
class BiasFit:
    """A landmark bias: raw minus truth, its median and spread, and how well it does held out."""

    name: str
    current: float
    fitted: float
    n: int
    mad: float  # median absolute deviation of raw minus truth around the fitted bias
    iqr: tuple[float, float]  # 25th and 75th percentiles of raw minus truth
    mae_current: float  # MAE of the reported values (the current constant)
    mae_fitted: float  # MAE with the fitted constant (in-sample)
    held_out: HeldOut
    by_elevation: dict[str, tuple[float, int]]  # elevation bucket -> (median raw minus truth, lockouts)
    per_degree: float  # Theil-Sen slope of raw minus truth against the truth: 0 for a constant bias


def fit_bias(data: Lockouts, name: str, current: float) -> BiasFit | None:
    """The bias that makes the median error zero; None with fewer than `MIN_LOCKOUTS` lockouts."""
    if len(data) < MIN_LOCKOUTS:
        return None
    residual = data.reported + current - data.truth

    def fit(d: Lockouts) -> tuple[float]:
        return (float(np.median(d.reported + current - d.truth)),)

    def error(d: Lockouts, c: tuple[float, ...]) -> np.ndarray:
        return d.reported + current - c[0] - d.truth

    bias = fit(data)[0]
    q25, q75 = np.percentile(residual, [25, 75])
    return BiasFit(
        name=name, current=current, fitted=round(bias, 2), n=len(data),
        mad=float(np.median(np.abs(residual - bias))), iqr=(float(q25), float(q75)),
        mae_current=float(np.abs(data.reported - data.truth).mean()),
        mae_fitted=float(np.abs(residual - bias).mean()), held_out=_held_out(data, fit, error),
        by_elevation={str(b): (float(np.median(residual[data.elevation == b])),
                               int((data.elevation == b).sum())) for b in sorted(set(data.elevation))},
        per_degree=float(stats.theilslopes(residual, data.truth)[0]) if np.ptp(data.truth) > 0 else 0.0)


@dataclass(frozen=True)
class SlopeFit:
    """How a landmark bias changes per degree of estimated camera elevation, fitted through zero."""

    name: str  # the constant in `measure.metrics`
    key: str  # the metric
    current: float
    fitted: float
    n: int
    elevation_range: tuple[float, float]  # of the estimates fitted on (clamped as the code clamps them)
    mae_current: float  # of the reported values (the current slope)
    mae_level: float  # with no slope: the level-camera bias alone
    mae_fitted: float  # with the fitted slope (in-sample)
    held_out: HeldOut


def _weighted_median(values: np.ndarray, weights: np.ndarray) -> float:
    order = np.argsort(values)
    cumulative = np.cumsum(weights[order])
    return float(values[order][np.searchsorted(cumulative, cumulative[-1] / 2.0)])


def fit_elevation_slope(data: Lockouts, name: str, key: str, current: float) -> SlopeFit | None:
    """The slope that minimises the MAE of `key`'s lockouts; None with fewer than `MIN_LOCKOUTS` that
    have an elevation estimate."""
    from formcheck.measure.metrics import ELEVATION_RANGE_DEG

    data = _subset(data, np.isfinite(data.estimated_elevation))
    if len(data) < MIN_LOCKOUTS:
        return None

    def elevation(d: Lockouts) -> np.ndarray:
        return np.clip(d.estimated_elevation, *ELEVATION_RANGE_DEG)

    def error(d: Lockouts, c: tuple[float, ...]) -> np.ndarray:
        # reported = raw - level bias - current x elevation; with slope c: + (current - c) x elevation
        return d.reported + (current - c[0]) * elevation(d) - d.truth

    def fit(d: Lockouts) -> tuple[float]:
        x, z = elevation(d), d.reported + current * elevation(d) - d.truth
        use = np.abs(x) > 1e-9
        if not use.any():
            return (0.0,)
        return (_weighted_median(z[use] / x[use], np.abs(x[use])),)

    slope = fit(data)[0]
    x = elevation(data)
    return SlopeFit(
        name=name, key=key, current=current, fitted=round(slope, 2), n=len(data),
        elevation_range=(float(x.min()), float(x.max())),
        mae_current=float(np.abs(data.reported - data.truth).mean()),
        mae_level=float(np.abs(error(data, (0.0,))).mean()),
        mae_fitted=float(np.abs(error(data, (slope,))).mean()), held_out=_held_out(data, fit, error))


@dataclass(frozen=True)
class LineFit:
    """The neck's head line against the true neck: raw = offset + truth / gain."""

    current_offset: float
    current_gain: float
    offset: float
    gain: float
    n: int
    truth_range: tuple[float, float]
    residual_mad: float  # of the raw head-line angle around the line (degrees of head line)
    mae_current: float  # neck MAE of the reported values
    mae_fitted: float  # neck MAE with the fitted constants (in-sample)
    held_out: HeldOut
    correlation: float  # Spearman's rank correlation of the raw head line with the true neck
    baseline_mae: float  # held out: MAE of guessing the median true neck of the other bodies


def _line(d: Lockouts, offset: float, gain: float) -> tuple[float, float]:
    """(offset, gain) of the Theil-Sen line through raw head-line angle against the true neck."""
    raw = d.reported / gain + offset
    slope = float(stats.theilslopes(raw, d.truth)[0])
    # the intercept as the median residual: scipy's median(y) - slope * median(x) moves with a few outliers
    return float(np.median(raw - slope * d.truth)), 1.0 / slope


def fit_neck(data: Lockouts, offset: float, gain: float) -> LineFit | None:
    """The head line's offset and gain; None with too few lockouts or no spread of true necks."""
    if len(data) < MIN_LOCKOUTS or np.ptp(data.truth) < 1.0:
        return None
    raw = data.reported / gain + offset

    def fit(d: Lockouts) -> tuple[float, float]:
        return _line(d, offset, gain)

    def error(d: Lockouts, c: tuple[float, ...]) -> np.ndarray:
        return c[1] * (d.reported / gain + offset - c[0]) - d.truth

    new_offset, new_gain = fit(data)
    return LineFit(
        current_offset=offset, current_gain=gain, offset=round(new_offset, 2), gain=round(new_gain, 3),
        n=len(data), truth_range=(float(data.truth.min()), float(data.truth.max())),
        residual_mad=float(np.median(np.abs(raw - new_offset - data.truth / new_gain))),
        mae_current=float(np.abs(data.reported - data.truth).mean()),
        mae_fitted=float(np.abs(error(data, (new_offset, new_gain))).mean()),
        held_out=_held_out(data, fit, error),
        correlation=float(stats.spearmanr(raw, data.truth)[0]),
        baseline_mae=_held_out(data, lambda d: (float(np.median(d.truth)),),
                               lambda d, c: np.full(len(d), c[0]) - d.truth).mae)


@dataclass(frozen=True)
class TuneFit:
    """Every constant fitted on the tune grid (None where there were too few lockouts)."""

    knee: BiasFit | None
    shin: BiasFit | None
    neck: LineFit | None
    hip: BiasFit | None = None
    knee_elevation: SlopeFit | None = None
    shin_elevation: SlopeFit | None = None


def fit_constants(scores: Sequence[ClipScore]) -> TuneFit:
    """Fit the landmark biases and the neck line on tune-split clips, with the code's current values.

    ValueError when a clip of another split is among them: nothing is ever fitted on the check grid.
    """
    from formcheck.measure import metrics

    foreign = sorted({s.tags.get("split", "?") for s in scores} - {"tune"})
    if foreign:
        raise ValueError(f"fit_constants: expected clips of the tune split only, got {', '.join(foreign)} "
                         "clips too")
    tune = list(scores)
    return TuneFit(
        knee=fit_bias(lockouts(tune, "knee_angle_deg"), "KNEE_LANDMARK_BIAS_DEG",
                      metrics.KNEE_LANDMARK_BIAS_DEG),
        shin=fit_bias(lockouts(tune, "shin_from_vertical_deg"), "SHIN_LANDMARK_BIAS_DEG",
                      metrics.SHIN_LANDMARK_BIAS_DEG),
        neck=fit_neck(lockouts(tune, "neck_flexion_deg"), metrics.NECK_NEUTRAL_OFFSET_DEG, metrics.NECK_GAIN),
        hip=fit_bias(lockouts(tune, "hip_extension_deg"), "HIP_LANDMARK_BIAS_DEG",
                     metrics.HIP_LANDMARK_BIAS_DEG),
        knee_elevation=fit_elevation_slope(lockouts(tune, "knee_angle_deg"), "KNEE_BIAS_PER_ELEVATION_DEG",
                                           "knee_angle_deg", metrics.KNEE_BIAS_PER_ELEVATION_DEG),
        shin_elevation=fit_elevation_slope(lockouts(tune, "shin_from_vertical_deg"),
                                           "SHIN_BIAS_PER_ELEVATION_DEG", "shin_from_vertical_deg",
                                           metrics.SHIN_BIAS_PER_ELEVATION_DEG))


FIT_SCHEMA = "formcheck-tune-fit/1"
METRICS_MODULE = "formcheck.measure.metrics"


def fit_document(fit: TuneFit, grid: dict[str, object]) -> dict[str, object]:
    """The JSON written by `formcheck validate --fit`: each constant's current and fitted value, then the
    fits in full (n, spread, leave-one-body-out errors), and the grid they came from."""
    constants: dict[str, dict[str, object]] = {}
    for bias in (fit.knee, fit.shin, fit.hip):
        if bias is not None:
            constants[bias.name] = {"module": METRICS_MODULE, "current": bias.current, "fitted": bias.fitted,
                                    "n": bias.n}
    if fit.neck is not None:
        constants["NECK_NEUTRAL_OFFSET_DEG"] = {"module": METRICS_MODULE, "current": fit.neck.current_offset,
                                                "fitted": fit.neck.offset, "n": fit.neck.n}
        constants["NECK_GAIN"] = {"module": METRICS_MODULE, "current": fit.neck.current_gain,
                                  "fitted": fit.neck.gain, "n": fit.neck.n}
    for slope in (fit.knee_elevation, fit.shin_elevation):
        if slope is not None:
            constants[slope.name] = {
                "module": METRICS_MODULE, "current": slope.current, "fitted": slope.fitted, "n": slope.n}
    return {"schema": FIT_SCHEMA, "grid": grid, "constants": constants,
            "fits": {name: None if part is None else dataclasses.asdict(part)
                     for name, part in (("knee", fit.knee), ("shin", fit.shin), ("hip", fit.hip),
                                        ("neck", fit.neck), ("knee_elevation", fit.knee_elevation),
                                        ("shin_elevation", fit.shin_elevation))}}
