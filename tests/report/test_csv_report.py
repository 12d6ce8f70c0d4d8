"""angles.csv: header, one row per frame, empty cells for NaN."""

from __future__ import annotations

import csv

from formcheck.records import METRIC_KEYS
from formcheck.report.csv_report import csv_header, write_csv_report


def _rows(path):
    with open(path, newline="") as handle:
        return list(csv.DictReader(handle))


def test_header_and_row_count(tmp_path, analysis_factory):
    analysis = analysis_factory()
    path = write_csv_report(analysis.series, tmp_path / "angles.csv")
    with open(path) as handle:
        header = handle.readline().strip().split(",")
    assert header == ["frame", "t_ms", *METRIC_KEYS, *(f"{m}_conf" for m in METRIC_KEYS), "phase", "rep"]
    assert header == csv_header()
    assert len(_rows(path)) == analysis.source.frames


def test_cells_nan_empty_and_rounded(tmp_path, analysis_factory):
    rows = _rows(write_csv_report(analysis_factory().series, tmp_path / "angles.csv"))
    assert rows[5]["knee_angle_deg"] == "" and rows[5]["knee_angle_deg_conf"] == "0.00"
    assert all(r["pelvic_tilt_deg"] == "" for r in rows)
    assert (rows[30]["frame"], rows[30]["t_ms"], rows[30]["phase"], rows[30]["rep"]) == \
        ("30", "1000", "lockout", "1")
    assert rows[30]["knee_angle_deg"] == "105.0" and rows[30]["hip_extension_deg"] == "175.0"
    assert rows[0]["phase"] == "setup" and rows[0]["rep"] == "0"
