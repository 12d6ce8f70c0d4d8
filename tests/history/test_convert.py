"""A judged set survives the database unchanged: reps back as the engine reads them, measurements whole."""

from __future__ import annotations

import math

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.history.convert import pack_measurements, rep_summaries, unpack_measurements
from formcheck.history.store import HistoryStore
from formcheck.plate.track import PlateTrack
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


def _measurements(n: int = 40) -> tuple[FrameSeries, Keypoints, Keypoints, PlateTrack]:
    rng = np.random.default_rng(3)
    t = np.arange(n, dtype=np.int64) * 33
    knee = rng.normal(90, 5, n)
    knee[3] = np.nan
    conf = np.where(np.isnan(knee), 0.0, 0.8)
    phase = np.array(["setup"] * 10 + ["concentric"] * 30, dtype=object)
    rep = np.r_[[0] * 10, [1] * 30]
    series = FrameSeries(t, {"knee_angle_deg": knee}, {"knee_angle_deg": conf}, phase, rep)
    xy = rng.normal(100, 20, (n, 3, 2))
    xy[5] = np.nan
    pose = Keypoints(t, xy, rng.uniform(0, 1, (n, 3)), ("a", "b", "c"), rng.normal(0, 1, (n, 3, 3)))
    joints = Keypoints(t, xy[:, :2] + 0.123456789, rng.uniform(0, 1, (n, 2)), ("hip", "knee"))
    plate = PlateTrack(rng.normal(200, 5, (n, 2)), rng.uniform(40, 50, n), rng.uniform(0, 1, n))
    return series, pose, joints, plate


def test_measurements_pack_and_unpack_unchanged():
    series, pose, joints, plate = _measurements()
    back = unpack_measurements(pack_measurements(series, pose, joints, plate))
    for key in ("values", "confidence"):
        np.testing.assert_array_equal(getattr(back.series, key)["knee_angle_deg"],
                                      getattr(series, key)["knee_angle_deg"])
    assert list(back.series.phase) == list(series.phase) and list(back.series.rep) == list(series.rep)
    for before, after in ((pose, back.pose), (joints, back.joints)):
        assert after.names == before.names
        for field in ("t_ms", "xy", "confidence"):
            np.testing.assert_array_equal(getattr(after, field), getattr(before, field))
    np.testing.assert_array_equal(back.pose.world, pose.world)
    assert back.joints.world is None
    for field in ("center", "radius", "confidence"):
        np.testing.assert_array_equal(getattr(back.plate, field), getattr(plate, field))


@pytest.mark.parametrize("blob", [b"", b"not an npz", b"PK\x03\x04broken zip"])
def test_anything_else_is_not_measurements(blob):
    with pytest.raises(ValueError, match="measurements"):
        unpack_measurements(blob)
