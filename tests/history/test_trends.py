"""Trends from stored sets: drift against the set's best rep, clean reps, cue shares, session medians."""

from __future__ import annotations

import math

import pytest

from formcheck.history.records import CueRow, StoredSet
from formcheck.history.trends import build_trends
from set_records import make_record, rep_row


def _stored(set_id: int, session: str, **kwargs) -> StoredSet:
    return StoredSet(set_id, 1, session, make_record(video=str(set_id), **kwargs))


@pytest.mark.parametrize(("hips", "ups", "loss", "slower"), [
    ((180.0, 182.0, 176.0), (1.0, 0.8, 1.2), [2.0, 0.0, 6.0], [25.0, 0.0, 50.0]),
    ((175.0, 175.0), (0.5, 0.5), [0.0, 0.0], [0.0, 0.0]),
    ((None, 180.0, 170.0), (1.0, math.nan, 2.0), [None, 0.0, 10.0], [0.0, None, 100.0]),
    ((None, None), (1.0, 1.1), [None, None], [0.0, 10.0]),
])
def test_drift_is_measured_against_the_sets_best_rep(hips, ups, loss, slower):
    reps = tuple(rep_row(i + 1, hip=h, concentric=u) for i, (h, u) in enumerate(zip(hips, ups, strict=True)))
    trends = build_trends("A", [_stored(1, "2026-11-01", rep_values=reps)])
    assert [r.lockout_loss_deg for r in trends.reps] == pytest.approx(loss)
    assert [r.slowdown_pct for r in trends.reps] == pytest.approx(slower)
    [s] = trends.sets
    assert (s.lockout_loss_deg, s.slowdown_pct) == (pytest.approx(loss[-1]), pytest.approx(slower[-1]))


@pytest.mark.parametrize(("cues", "unmeasured", "clean"), [
    ((), (), [True, True, True]),
    ((CueRow("chin_lifted", "warning", "m", rep=2),), (), [True, False, True]),
    ((CueRow("rushed_reps", "warning", "m", rep=None),), (), [False, False, False]),
    ((), (3,), [True, True, False]),
])
def test_a_clean_rep_is_measured_and_has_no_cue_set_level_cues_included(cues, unmeasured, clean):
    reps = tuple(rep_row(i, knee=None, hip=None, neck=None, shin=None) if i in unmeasured else rep_row(i)
                 for i in (1, 2, 3))
    trends = build_trends("A", [_stored(1, "2026-11-01", rep_values=reps, cues=cues)])
    assert [r.clean for r in trends.reps] == clean
    assert trends.sets[0].clean_share == pytest.approx(sum(clean) / 3)


def test_sessions_hold_medians_clean_share_and_cue_frequency():
    chin = tuple(CueRow("chin_lifted", "warning", "m", rep=i) for i in (1, 2))
    stored = [
        _stored(1, "2026-11-01", rep_values=(rep_row(1, knee=80.0), rep_row(2, knee=84.0)), cues=chin),
        _stored(2, "2026-11-01", rep_values=(rep_row(1, knee=100.0), rep_row(2, knee=90.0))),
        _stored(3, "2026-11-08", rep_values=(rep_row(1, knee=91.0),)),
    ]
    trends = build_trends("A", stored)
    first, second = trends.sessions
    assert (first.date, first.sets, first.reps, second.reps) == ("2026-11-01", 2, 4, 1)
    assert first.angles["knee_angle_deg"] == pytest.approx(87.0)
    assert first.cue_share == {"chin_lifted": pytest.approx(0.5)}
    assert (first.clean_share, second.clean_share) == (pytest.approx(0.5), pytest.approx(1.0))
    assert second.cue_share == {}
    assert trends.cue_ids == ("chin_lifted",)
