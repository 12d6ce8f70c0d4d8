"""A judged set survives the database unchanged: reps back as the engine reads them, measurements whole."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.body.joints import Joints
from formcheck.history.convert import pack_measurements, rep_summaries, unpack_measurements
from formcheck.history.store import HistoryStore
from formcheck.pose.landmarks import PoseTrack
from formcheck.records import METRIC_KEYS, FrameSeries, MetricValue, RepSummary
from set_records import make_record, rep_row


@pytest.mark.parametrize("concentric", [0.83, math.nan])
def test_stored_reps_come_back_as_the_engine_reads_them(tmp_path, concentric):
    rows = (rep_row(1, knee=91.23456789, hip=None, concentric=concentric), rep_row(2))
    with HistoryStore(tmp_path / "h.sqlite3") as store:
        client = store.ensure_client("A")
        store.save_set(client.id, "2026-11-01", make_record(rep_values=rows))
        [stored] = store.sets(client.id)
    [first, _] = rep_summaries(stored.record.reps)
    assert isinstance(first, RepSummary) and set(first.metrics) == set(METRIC_KEYS)
    assert first.metrics["knee_angle_deg"] == MetricValue(91.23456789, 0.9, None)
    assert first.metrics["hip_extension_deg"] == MetricValue(None, 0.0, "not measurable")
    assert (math.isnan(first.concentric_s) if math.isnan(concentric) else first.concentric_s == concentric)


def _measurements(n: int = 40) -> tuple[FrameSeries, PoseTrack, Joints]:
    rng = np.random.default_rng(3)
    t = np.arange(n, dtype=np.int64) * 33
    knee = rng.normal(90, 5, n)
    knee[3] = np.nan
    conf = np.where(np.isnan(knee), 0.0, 0.8)
    phase = np.array(["setup"] * 10 + ["concentric"] * 30, dtype=object)
    rep = np.r_[[0] * 10, [1] * 30]
    series = FrameSeries(t, {"knee_angle_deg": knee}, {"knee_angle_deg": conf}, phase, rep)
    data = rng.normal(100, 20, (n, 33, 7)).astype(np.float32)
    data[5] = np.nan
    track = PoseTrack(t, data, 30.0, 640, 360)
    return series, track, Joints.from_track(track, "right")


def test_measurements_pack_and_unpack_unchanged():
    series, track, joints = _measurements()
    back = unpack_measurements(pack_measurements(series, track, joints))
    for key in ("values", "confidence"):
        np.testing.assert_array_equal(getattr(back.series, key)["knee_angle_deg"],
                                      getattr(series, key)["knee_angle_deg"])
    assert list(back.series.phase) == list(series.phase) and list(back.series.rep) == list(series.rep)
    np.testing.assert_array_equal(back.track.data, track.data)
    assert (back.track.fps, back.track.width, back.track.height) == (30.0, 640, 360)
    assert back.joints.side == "right"
    for name in joints.xy:
        np.testing.assert_array_equal(back.joints.xy[name], joints.xy[name])
        np.testing.assert_array_equal(back.joints.conf[name], joints.conf[name])


@pytest.mark.parametrize("blob", [b"", b"not an npz", b"PK\x03\x04broken zip"])
def test_anything_else_is_not_measurements(blob):
    with pytest.raises(ValueError, match="measurements"):
        unpack_measurements(blob)
