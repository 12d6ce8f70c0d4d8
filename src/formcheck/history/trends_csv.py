"""trends.csv and trends_sessions.csv: the data behind trends.html, one row per rep and one per session.

Empty cells where a value is unknown. Degrees and seconds with 1 decimal (as report.json), shares and
percentages with 1 decimal, cue ids joined by ';'.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from formcheck.history.trends import ANGLE_KEYS, TEMPO_KEYS, Trends
from formcheck.report.files import atomic_write

REPS_CSV = "trends.csv"
SESSIONS_CSV = "trends_sessions.csv"


def _cell(value: float | None, scale: float = 1.0) -> str:
    return "" if value is None else f"{value * scale:.1f}"


def rep_header() -> list[str]:
    return ["session", "set_id", "set", "rep", *ANGLE_KEYS, *TEMPO_KEYS, "cues", "clean", "lockout_loss_deg",
            "slowdown_pct", "report"]


def session_header(trends: Trends) -> list[str]:
    return ["session", "sets", "reps", *(f"median_{k}" for k in (*ANGLE_KEYS, *TEMPO_KEYS)), "clean_pct",
            "median_score", *(f"cue_pct_{c}" for c in trends.cue_ids)]


def write_trends_csv(trends: Trends, folder: Path) -> tuple[Path, Path]:
    """Write both files atomically into `folder`; returns their paths."""
    reps_path, sessions_path = folder / REPS_CSV, folder / SESSIONS_CSV
    with atomic_write(reps_path, newline="") as handle:
        write_rep_rows(trends, handle)
    with atomic_write(sessions_path, newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(session_header(trends))
        for s in trends.sessions:
            writer.writerow([s.date, s.sets, s.reps, *(_cell(s.angles[k]) for k in ANGLE_KEYS),
                             *(_cell(s.tempo[k]) for k in TEMPO_KEYS), _cell(s.clean_share, 100.0),
                             _cell(s.score),
                             *(_cell(s.cue_share.get(c, 0.0), 100.0) for c in trends.cue_ids)])
    return reps_path, sessions_path


def write_rep_rows(trends: Trends, handle: TextIO, reports: Mapping[int, str] | None = None) -> None:
    """trends.csv into an open text handle. The `report` column holds each set's report.html path, or what
    `reports` gives for its set id (the server puts the set's page there, never a path of its disk)."""
    links = reports if reports is not None else {s.set_id: str(s.report_html) for s in trends.sets}
    writer = csv.writer(handle, lineterminator="\n")
    writer.writerow(rep_header())
    for r in trends.reps:
        writer.writerow([r.session, r.set_id, r.set_name, r.rep,
                         *(_cell(r.angles[k]) for k in ANGLE_KEYS),
                         *(_cell(r.tempo[k]) for k in TEMPO_KEYS), ";".join(r.cues), int(r.clean),
                         _cell(r.lockout_loss_deg), _cell(r.slowdown_pct), links[r.set_id]])
