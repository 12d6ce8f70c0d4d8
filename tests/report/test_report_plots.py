"""Plots: a PNG per report, metrics never measured left out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.records import METRIC_KEYS, FrameSeries
from formcheck.report.plots import DEFAULT_BANDS, metrics_png, plotted_metrics


def test_png_has_a_row_per_measured_metric(analysis_factory):
    analysis = analysis_factory()
    assert plotted_metrics(analysis.series) == [k for k in METRIC_KEYS if k != "pelvic_tilt_deg"]
    png = metrics_png(analysis.series, [v.rep for v in analysis.reps])
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    one_row = metrics_png(analysis.series, [v.rep for v in analysis.reps], metrics=["knee_angle_deg"])
    shorter = cv2.imdecode(np.frombuffer(one_row, np.uint8), cv2.IMREAD_COLOR)
    assert image.shape[0] > 2.5 * shorter.shape[0]


def test_no_measured_metric_is_an_error(analysis_factory):
    s = analysis_factory().series
    empty = FrameSeries(s.t_ms, {k: np.full_like(v, np.nan) for k, v in s.values.items()}, s.confidence,
                        s.phase, s.rep)
    with pytest.raises(ValueError, match="expected a measured metric"):
        metrics_png(empty, [])


def test_default_bands_are_the_article_targets():
    assert DEFAULT_BANDS["knee_angle_deg"] == (80.0, 100.0)
    assert DEFAULT_BANDS["hip_extension_deg"] == (170.0, 190.0)
    assert DEFAULT_BANDS["neck_flexion_deg"] == (10.0, 65.0)  # the coached tuck, docs/design.md
    assert DEFAULT_BANDS["shin_from_vertical_deg"] == (-10.0, 10.0)


def test_a_rep_is_marked_at_its_reported_value_and_not_where_it_is_null(analysis_factory):
    from dataclasses import replace

    from formcheck.records import MetricValue
    from formcheck.report.plots import lockout_points

    reps = [v.rep for v in analysis_factory().reps]
    hidden = replace(reps[0], metrics={**reps[0].metrics, "knee_angle_deg": MetricValue(None, 0.3, "hidden")})
    t = np.arange(1000) / 30.0
    points = lockout_points(t, [hidden, *reps[1:]], "knee_angle_deg")
    assert [x for x, _ in points] == [t[r.lockout_frame] for r in reps[1:]]
    assert [y for _, y in points] == [r.metrics["knee_angle_deg"].value for r in reps[1:]]
