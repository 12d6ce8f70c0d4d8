"""The plots of trends.html (and of the server's client page), as PNG bytes: lockout angles and tempo over
the sessions, cues and clean reps per session, and drift within each set; `tempo_limits` is what the tempo
plot draws from the rule pack.

Drawn like report.html's plots (matplotlib's Agg canvas on a private Figure, no pyplot). Sessions sit at
evenly spaced places labelled with their dates; within a session each rep gets its own spot, in the order
the sets were recorded, so a session's spread and its order both show.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from formcheck.history.trends import ANGLE_KEYS, TEMPO_KEYS, RepTrend, Trends
from formcheck.rules import TIMING_KEYS, Direction, RulePack

LINE_COLOR = "#1f4e79"
DOT_COLOR = "#6b8fb5"
BAND_COLOR = "#2e9e4f"
LIMIT_COLOR = "#c0392b"
CLEAN_COLOR = "#2e7d32"
TEMPO_COLORS = {"concentric_s": "#1f4e79", "hold_s": "#c77700", "eccentric_s": "#7d3c98"}
TEMPO_LABELS = {"concentric_s": "up", "hold_s": "hold at the top", "eccentric_s": "down"}
ANGLE_LABELS = {"knee_angle_deg": "Knee angle", "hip_extension_deg": "Hip extension",
                "neck_flexion_deg": "Neck flexion"}
CUE_COLORS = ("#b3261e", "#c77700", "#2f6fb3", "#7d3c98", "#00838f", "#6d4c41", "#ad1457", "#558b2f")
SPREAD = 0.36  # half the width a session's reps spread over


def _figure(rows: int, height: float, cols: int = 1, sharex: bool = True) -> tuple[Figure, np.ndarray]:
    fig = Figure(figsize=(10.0, height), dpi=110, layout="constrained")
    FigureCanvasAgg(fig)
    axes = fig.subplots(rows, cols, sharex=sharex, squeeze=False)
    return fig, axes


def _png(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def _style(ax: Axes) -> None:
    ax.grid(axis="y", color="#dddddd", lw=0.6)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def rep_positions(trends: Trends) -> np.ndarray:
    """x of each rep: its session's index, spread across the session in recording order."""
    index = {s.date: i for i, s in enumerate(trends.sessions)}
    xs = np.zeros(len(trends.reps))
    for date, i in index.items():
        mine = [k for k, r in enumerate(trends.reps) if r.session == date]
        offsets = np.linspace(-SPREAD, SPREAD, len(mine)) if len(mine) > 1 else np.zeros(len(mine))
        xs[mine] = i + offsets
    return xs


def _session_axis(ax: Axes, trends: Trends) -> None:
    ax.set_xticks(range(len(trends.sessions)), [s.date for s in trends.sessions])
    ax.set_xlim(-0.6, len(trends.sessions) - 0.4)


def _values(reps: Sequence[RepTrend], key: str, source: str) -> np.ndarray:
    return np.array([np.nan if (v := getattr(r, source)[key]) is None else v for r in reps], dtype=float)


def angles_png(trends: Trends, bands: Mapping[str, tuple[float, float]]) -> bytes:
    """Knee angle, hip extension and neck at each rep's top (dots) and each session's median (line)."""
    fig, axes = _figure(len(ANGLE_KEYS), 2.1 * len(ANGLE_KEYS) + 0.7)
    xs = rep_positions(trends)
    for ax, key in zip(axes[:, 0], ANGLE_KEYS, strict=True):
        band = bands.get(key)
        if band is not None:
            ax.axhspan(*band, color=BAND_COLOR, alpha=0.16, lw=0)
            for edge in band:
                ax.axhline(edge, color=BAND_COLOR, lw=0.8, ls=":")
        ax.plot(xs, _values(trends.reps, key, "angles"), "o", color=DOT_COLOR, ms=4, alpha=0.8)
        medians = [np.nan if s.angles[key] is None else s.angles[key] for s in trends.sessions]
        ax.plot(range(len(medians)), medians, "-", color=LINE_COLOR, lw=2.0, marker="D", ms=6)
        ax.set_ylabel(f"{ANGLE_LABELS[key]}\n(deg)", fontsize=9)
        _style(ax)
    _session_axis(axes[-1, 0], trends)
    legend = [Line2D([], [], ls="", marker="o", color=DOT_COLOR, label="a rep's top"),
              Line2D([], [], color=LINE_COLOR, lw=2, marker="D", ms=5, label="session median"),
              Patch(color=BAND_COLOR, alpha=0.3, label="target band")]
    fig.legend(handles=legend, loc="outside upper right", ncols=3, fontsize=8, frameon=False)
    return _png(fig)


def tempo_limits(pack: RulePack) -> dict[str, float]:
    """The least time per phase the rule pack accepts (its `below` thresholds on timing)."""
    limits: dict[str, float] = {}
    for rule in pack.rules:
        test = rule.test
        if rule.enabled and test.metric in TIMING_KEYS and test.when is Direction.BELOW:
            limits[test.metric] = max(limits.get(test.metric, 0.0), test.threshold)
    return limits


def tempo_png(trends: Trends, limits: Mapping[str, float]) -> bytes:
    """Seconds up, held at the top and down, per rep and per session, with the rule pack's minimums."""
    fig, axes = _figure(1, 3.2)
    ax = axes[0, 0]
    xs = rep_positions(trends)
    for key in TEMPO_KEYS:
        color = TEMPO_COLORS[key]
        ax.plot(xs, _values(trends.reps, key, "tempo"), "o", color=color, ms=3.5, alpha=0.55)
        medians = [np.nan if s.tempo[key] is None else s.tempo[key] for s in trends.sessions]
        ax.plot(range(len(medians)), medians, "-", color=color, lw=2.0, marker="D", ms=5,
                label=TEMPO_LABELS[key])
        if key in limits:
            ax.axhline(limits[key], color=color, lw=1.0, ls="--")
    ax.set_ylabel("seconds", fontsize=9)
    ax.set_ylim(bottom=0)
    _style(ax)
    _session_axis(ax, trends)
    handles, _ = ax.get_legend_handles_labels()
    handles.append(Line2D([], [], color="#555555", lw=1.0, ls="--", label="minimum the rules ask for"))
    fig.legend(handles=handles, loc="outside upper right", ncols=4, fontsize=8, frameon=False)
    return _png(fig)


def cues_png(trends: Trends) -> bytes:
    """Per session: the share of reps that got each cue (bars) and the share of clean reps."""
    fig, axes = _figure(1, 3.4, cols=2, sharex=False)
    cue_ax, clean_ax = axes[0]
    n = len(trends.sessions)
    ids = trends.cue_ids
    width = 0.8 / max(1, len(ids))
    for j, cue in enumerate(ids):
        shares = [100 * s.cue_share.get(cue, 0.0) for s in trends.sessions]
        cue_ax.bar(np.arange(n) - 0.4 + width * (j + 0.5), shares, width, label=cue,
                   color=CUE_COLORS[j % len(CUE_COLORS)])
    if not ids:
        cue_ax.text(0.5, 0.5, "no cue in any session", transform=cue_ax.transAxes, ha="center",
                    color="#5d6675")
    cue_ax.set_ylim(0, 105)
    cue_ax.set_ylabel("reps that got the cue (%)", fontsize=9)
    cue_ax.set_title("Cues per session", fontsize=10)
    if ids:
        cue_ax.legend(fontsize=8, frameon=False, loc="upper left", ncols=min(2, len(ids)))
    clean = [np.nan if s.clean_share is None else 100 * s.clean_share for s in trends.sessions]
    bars = clean_ax.bar(range(n), clean, 0.6, color=CLEAN_COLOR, alpha=0.85)
    clean_ax.bar_label(bars, labels=[f"{c:.0f}%" if np.isfinite(c) else "" for c in clean], fontsize=8)
    clean_ax.set_ylim(0, 110)
    clean_ax.set_ylabel("clean reps (%)", fontsize=9)
    clean_ax.set_title("Clean reps per session", fontsize=10)
    for ax in (cue_ax, clean_ax):
        _style(ax)
        _session_axis(ax, trends)
    return _png(fig)


def drift_png(trends: Trends) -> bytes:
    """Within each set, rep by rep: degrees of lockout lost and % slower up than the set's best rep."""
    fig, axes = _figure(1, 3.4, cols=2, sharex=False)
    loss_ax, slow_ax = axes[0]
    colors = _session_colors(trends)
    for s in trends.sets:
        mine = [r for r in trends.reps if r.set_id == s.set_id]
        index = [r.rep for r in mine]
        color = colors[s.session]
        loss = [np.nan if r.lockout_loss_deg is None else r.lockout_loss_deg for r in mine]
        slow = [np.nan if r.slowdown_pct is None else r.slowdown_pct for r in mine]
        loss_ax.plot(index, loss, "-o", color=color, lw=1.4, ms=4, alpha=0.85)
        slow_ax.plot(index, slow, "-o", color=color, lw=1.4, ms=4, alpha=0.85)
    loss_ax.set_title("Lockout lost vs the set's fullest top", fontsize=10)
    loss_ax.set_ylabel("hip extension short (deg)", fontsize=9)
    slow_ax.set_title("Way up slower than the set's fastest rep", fontsize=10)
    slow_ax.set_ylabel("slower (%)", fontsize=9)
    most = max((s.reps for s in trends.sets), default=1)
    for ax in (loss_ax, slow_ax):
        ax.set_xlabel("rep")
        ax.set_xticks(range(1, most + 1))
        ax.set_ylim(bottom=0)
        _style(ax)
    legend = [Line2D([], [], color=c, lw=2, label=date) for date, c in colors.items()]
    fig.legend(handles=legend, loc="outside upper right", ncols=min(6, len(legend)), fontsize=8,
               frameon=False, title="one line per set, by session", title_fontsize=8)
    return _png(fig)


def _session_colors(trends: Trends) -> dict[str, str]:
    """Older sessions lighter, the latest darkest."""
    from matplotlib import colormaps

    cmap = colormaps["viridis"]
    n = len(trends.sessions)
    return {s.date: _hex(cmap(0.85 - 0.75 * (i / max(1, n - 1)))) for i, s in enumerate(trends.sessions)}


def _hex(rgba: tuple[float, float, float, float]) -> str:
    return "#" + "".join(f"{round(255 * c):02x}" for c in rgba[:3])
