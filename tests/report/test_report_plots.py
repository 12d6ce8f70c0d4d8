"""Plots: a PNG per report, metrics never measured left out."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from formcheck.records import METRIC_KEYS, FrameSeries, Phase
from formcheck.report.plots import DEFAULT_BANDS, PHASE_COLORS, metrics_png, plotted_metrics


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


def _modal_colours(png: bytes) -> list[str]:
    """Per pixel column, the commonest colour (as "#rrggbb") across the middle rows of a one-panel plot."""
    image = cv2.imdecode(np.frombuffer(png, np.uint8), cv2.IMREAD_COLOR).astype(np.int64)
    middle = image[int(0.35 * image.shape[0]):int(0.65 * image.shape[0])]
    packed = middle[..., 2] << 16 | middle[..., 1] << 8 | middle[..., 0]  # BGR -> 0xRRGGBB
    modes = []
    for column in packed.T:
        values, counts = np.unique(column, return_counts=True)
        modes.append(f"#{values[np.argmax(counts)]:06x}")
    return modes


def test_each_phase_is_shaded_over_its_own_time(analysis_factory):
    """A run is shaded from its first frame up to the next run's, so the three reps read, left to right,
    setup (white) then rising, held, lowering with no gap; and per rep 20 frames rise, 10 hold and 21 lower
    (conftest's REP_FRAMES), so the colours take 60:30:63 of the shaded width."""
    analysis = analysis_factory()
    reps = [v.rep for v in analysis.reps]
    modes = _modal_colours(metrics_png(analysis.series, reps, bands={}, metrics=["hip_extension_deg"]))
    white = "#ffffff"
    rising, held, lowering = (PHASE_COLORS[p] for p in (Phase.CONCENTRIC, Phase.LOCKOUT, Phase.ECCENTRIC))
    # lines and anti-aliased edges give other colours; leave them out and merge repeats
    order = [c for c in modes if c in (white, rising, held, lowering)]
    order = [c for i, c in enumerate(order) if i == 0 or c != order[i - 1]]
    assert order == [white, *[rising, held, lowering, white] * 3]
    widths = {phase: modes.count(colour) for phase, colour in PHASE_COLORS.items()}
    shaded = sum(widths.values())
    expected = {Phase.CONCENTRIC: 60 / 153, Phase.LOCKOUT: 30 / 153, Phase.ECCENTRIC: 63 / 153}
    for phase, share in expected.items():
        assert abs(widths[phase] / shaded - share) < 0.02, (phase, widths)
