"""Plots of the metrics over time for report.html: target bands, rep boundaries, lockouts and phases.

Rendered with matplotlib's Agg canvas on a private `Figure` (no pyplot, no global backend switch), to
PNG bytes the HTML inlines. Samples below the confidence threshold are drawn faint so the eye trusts
only what the tool trusts.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from formcheck.records import METRIC_KEYS, METRIC_LABELS, TRUSTED_CONFIDENCE, FrameSeries, Phase, RepSummary

# Target bands at lockout (degrees), from the article via docs/design.md's conventions.
DEFAULT_BANDS: Mapping[str, tuple[float, float]] = MappingProxyType({
    "knee_angle_deg": (80.0, 100.0),
    "shin_from_vertical_deg": (-10.0, 10.0),
    "hip_extension_deg": (170.0, 190.0),
    "neck_flexion_deg": (10.0, 65.0),  # the coached tuck (docs/design.md)
})

PHASE_COLORS: Mapping[str, str] = MappingProxyType({
    Phase.CONCENTRIC: "#eeeeee", Phase.LOCKOUT: "#dce6f5", Phase.ECCENTRIC: "#fcefe1"})
LINE_COLOR = "#1f4e79"
LOCKOUT_COLOR = "#c0392b"
REP_EDGE_COLOR = "#888888"
BAND_COLOR = "#2e9e4f"


def _runs(labels: np.ndarray) -> list[tuple[int, int, str]]:
    """Contiguous runs of equal labels as (start, stop, label), stop exclusive."""
    if labels.size == 0:
        return []
    cuts = np.flatnonzero(labels[1:] != labels[:-1]) + 1
    starts = np.concatenate([[0], cuts])
    stops = np.concatenate([cuts, [labels.size]])
    return [(int(a), int(b), str(labels[a])) for a, b in zip(starts, stops, strict=True)]


def plotted_metrics(series: FrameSeries, metrics: Sequence[str] = METRIC_KEYS) -> list[str]:
    """The metrics with at least one measured frame (the others get no empty plot)."""
    return [m for m in metrics if m in series.values and np.isfinite(series.values[m]).any()]


def _draw_metric(ax: Axes, t: np.ndarray, series: FrameSeries, key: str, band: tuple[float, float] | None,
                 min_confidence: float) -> None:
    values = np.asarray(series.values[key], dtype=float)
    conf = np.asarray(series.confidence.get(key, np.ones_like(values)), dtype=float)
    if band is not None:
        ax.axhspan(band[0], band[1], color=BAND_COLOR, alpha=0.16, lw=0)
        ax.hlines(band, 0.0, 1.0, transform=ax.get_yaxis_transform(), colors=BAND_COLOR, lw=0.8,
                  linestyles=":")
    ax.plot(t, values, color=LINE_COLOR, lw=0.8, alpha=0.3)  # everything, faint
    ax.plot(t, np.where(conf >= min_confidence, values, np.nan), color=LINE_COLOR, lw=1.6)
    ax.set_ylabel(f"{METRIC_LABELS.get(key, key)}\n(deg)", fontsize=9)
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _draw_phases_and_reps(ax: Axes, t: np.ndarray, series: FrameSeries, reps: Sequence[RepSummary],
                          key: str) -> None:
    # One collection per kind rather than an artist per phase run or per line: every panel has a run per
    # phase and three lines per rep, and each Artist costs far more to make and draw than its vertices.
    on_x = ax.get_xaxis_transform()  # x in data, y in axes fraction: spans and lines run full height
    last = t.size - 1
    runs = [run for run in _runs(np.asarray(series.phase).astype(str)) if run[2] in PHASE_COLORS]
    if runs:
        ax.broken_barh([(t[start], t[min(stop, last)] - t[start]) for start, stop, _ in runs], (0.0, 1.0),
                       transform=on_x, facecolors=[PHASE_COLORS[label] for *_, label in runs], lw=0, zorder=0)
    edges = [t[min(frame, last)] for rep in reps for frame in (rep.start_frame, rep.end_frame)]
    ax.vlines(edges, 0.0, 1.0, transform=on_x, colors=REP_EDGE_COLOR, lw=0.8)
    ax.vlines([t[min(rep.lockout_frame, last)] for rep in reps], 0.0, 1.0, transform=on_x,
              colors=LOCKOUT_COLOR, lw=1.0, linestyles="--")
    points = np.array(lockout_points(t, reps, key), dtype=float).reshape(-1, 2)
    ax.plot(points[:, 0], points[:, 1], "o", color=LOCKOUT_COLOR, ms=4)


def lockout_points(t: np.ndarray, reps: Sequence[RepSummary], key: str) -> list[tuple[float, float]]:
    """(time, value) of each rep's lockout `key` as the report gives it; reps where it is null get none
    (the series may hold a low-confidence value there, which the report did not stand behind)."""
    return [(float(t[min(rep.lockout_frame, t.size - 1)]), float(rep.metrics[key].value))
            for rep in reps if rep.metrics[key].value is not None]


def metrics_png(series: FrameSeries, reps: Sequence[RepSummary],
                bands: Mapping[str, tuple[float, float]] = DEFAULT_BANDS,
                metrics: Sequence[str] = METRIC_KEYS, min_confidence: float = TRUSTED_CONFIDENCE,
                dpi: int = 110) -> bytes:
    """One stacked PNG, a row per measured metric, sharing the time axis (seconds)."""
    keys = plotted_metrics(series, metrics)
    if not keys:
        raise ValueError(f"metrics_png: expected a measured metric among {list(metrics)}, got none")
    t = np.asarray(series.t_ms, dtype=float) / 1000.0
    height = 1.9 * len(keys) + 0.8
    fig = Figure(figsize=(10.0, height), dpi=dpi)
    # fixed margins (inches) rather than a constrained layout, which draws the figure twice to measure it
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.5 / height, top=1 - 0.55 / height, hspace=0.25)
    FigureCanvasAgg(fig)
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)[:, 0]
    if t[-1] > t[0]:  # before the artists: with x fixed, each one added re-autoscales only y
        axes[-1].set_xlim(t[0], t[-1])
    for ax, key in zip(axes, keys, strict=True):
        _draw_phases_and_reps(ax, t, series, reps, key)
        _draw_metric(ax, t, series, key, bands.get(key), min_confidence)
    for rep in reps:
        axes[0].annotate(f"rep {rep.index}", (t[min(rep.lockout_frame, t.size - 1)], 1.0),
                         xycoords=("data", "axes fraction"), ha="center", va="bottom", fontsize=8,
                         color=LOCKOUT_COLOR)
    axes[-1].set_xlabel("time (s)")
    legend: list[Patch | Line2D] = [Patch(color=c, label=str(p)) for p, c in PHASE_COLORS.items()]
    legend += [Patch(color=BAND_COLOR, alpha=0.3, label="target band"),
               Line2D([], [], color=REP_EDGE_COLOR, lw=0.8, label="rep start / end"),
               Line2D([], [], color=LOCKOUT_COLOR, lw=1.0, ls="--", marker="o", ms=4, label="top (measured)")]
    fig.legend(handles=legend, loc="upper right", bbox_to_anchor=(0.98, 1.0), ncols=len(legend), fontsize=8,
               frameon=False)
    buffer = io.BytesIO()
    # zlib level 3 rather than PIL's 6: a third less encoding time for a PNG ~4% larger
    fig.savefig(buffer, format="png", pil_kwargs={"compress_level": 3})
    return buffer.getvalue()
