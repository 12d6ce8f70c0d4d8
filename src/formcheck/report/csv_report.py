"""angles.csv: one row per frame with time, every metric, its confidence, the phase and the rep.

Header: `frame,t_ms,<metric>...,<metric>_conf...,phase,rep`; an empty cell where a metric is NaN (unmeasured).
Degrees are written with 1 decimal, confidences with 2.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from formcheck.records import METRIC_KEYS, FrameSeries
from formcheck.report.files import atomic_write


def csv_header(metrics: tuple[str, ...] = METRIC_KEYS) -> list[str]:
    """Column names of angles.csv."""
    return ["frame", "t_ms", *metrics, *(f"{m}_conf" for m in metrics), "phase", "rep"]


def _cells(values: np.ndarray, fmt: str) -> list[str]:
    return ["" if not np.isfinite(v) else format(v, fmt) for v in values.tolist()]


def _column(series_map: dict[str, np.ndarray], key: str, n: int) -> np.ndarray:
    """A metric's column, all NaN when the series does not carry that metric."""
    arr = series_map.get(key)
    return np.full(n, np.nan) if arr is None else np.asarray(arr, dtype=float)


def write_csv_report(series: FrameSeries, path: str | Path, metrics: tuple[str, ...] = METRIC_KEYS) -> Path:
    """Write angles.csv atomically; returns its path."""
    n = int(series.t_ms.shape[0])
    values = [_cells(_column(series.values, m, n), ".1f") for m in metrics]
    conf = [_cells(_column(series.confidence, m, n), ".2f") for m in metrics]
    t_ms = series.t_ms.astype(np.int64).tolist()
    phase = [str(p) for p in series.phase.tolist()]
    rep = series.rep.astype(np.int64).tolist()
    with atomic_write(path, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(csv_header(metrics))
        for i in range(n):
            writer.writerow([i, t_ms[i], *(col[i] for col in values), *(col[i] for col in conf),
                             phase[i], rep[i]])
    return Path(path)
