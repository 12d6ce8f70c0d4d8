"""Summaries and breakdown rows of hand-made scored clips, against the issue's targets."""

from __future__ import annotations

import pytest

from formcheck.validate.summary import FACTORS, Factor, breakdown, row_of, summarise, summarise_metric
from validate_factory import scored


def test_summarise_metric_mae_bias_coverage() -> None:
    s = summarise_metric([1.0, -3.0, None, None])
    assert (s.mae, s.bias, s.max_abs, s.coverage, s.n, s.measured) == (2.0, -1.0, 3.0, 0.5, 4, 2)
    assert summarise_metric([None]).mae is None and summarise_metric([None]).coverage == 0.0
    assert summarise_metric([]).n == 0


# (knee reported, reps found, cues given on a good clip) -> the targets the row misses
@pytest.mark.parametrize(("knee", "lockouts", "cues", "misses"), [
    (91.0, (30, 70), (), ()),
    (94.0, (30, 70), (), ("knee 4.0°",)),  # MAE above 3°
    (91.0, (30,), (), ("reps 0%", "knee, shin, hip ext, neck measured 1/2")),  # a lost rep: its lockout
    # unmeasured
    (None, (30, 70), (), ("knee measured 0/2",)),  # plate-free null: the coverage target
    (91.0, (30, 70), ("chin_lifted",), ("cue precision 0.00",)),
])
def test_row_misses(knee: float | None, lockouts: tuple[int, ...], cues: tuple[str, ...],
                    misses: tuple[str, ...]) -> None:
    clip = scored(truth={"expected": ("feet_too_far",)} if not cues else {},
                  outcome={"knee": knee, "lockouts": lockouts, "cues": cues or ("feet_too_far",)})
    row = row_of("body", "8", "8", [clip])
    assert row.misses == misses


def test_plated_lockouts_are_kept_apart_and_do_not_miss_targets() -> None:
    plated = scored(tags={"plates": "iron"}, truth={"plates": True}, outcome={"knee": None})
    row = row_of("plates", "iron", "iron", [plated])
    assert row.metrics["knee_angle_deg"]["plated"].coverage == 0.0
    assert row.metrics["knee_angle_deg"]["plate-free"].n == 0
    assert row.misses == ()


def test_breakdown_rows_follow_the_factor_order_and_label_bodies() -> None:
    clips = [scored(f"c{i}", tags={"camera_height": h, "body": b, "sex": "female", "build": "slim"})
             for i, (h, b) in enumerate([("high", "12"), ("floor", "8"), ("low", "8")])]
    rows = breakdown(clips, next(f for f in FACTORS if f.tag == "camera_height"))
    assert [r.value for r in rows] == ["floor", "low", "high"]
    bodies = breakdown(clips, Factor("body", "Body"))
    assert [r.label for r in bodies] == ["8 (female, slim)", "12 (female, slim)"]
    assert [r.clips for r in bodies] == [2, 1]


def test_weak_spot_shows_as_a_row() -> None:
    good = [scored(f"g{i}", tags={"elevation": "level"}) for i in range(3)]
    bad = [scored(f"b{i}", tags={"elevation": "high"}, outcome={"knee": 96.0}) for i in range(3)]
    summary = summarise(good + bad)
    failing = [(r.factor, r.value) for r in summary.failing]
    assert ("elevation", "high") in failing and ("elevation", "level") not in failing
    assert summary.overall.metrics["knee_angle_deg"]["plate-free"].mae == pytest.approx(4.0)


def test_summary_counts_views_good_form_and_loads() -> None:
    clips = [
        scored("ok"),
        scored("false", outcome={"cues": ("chin_lifted",)}),
        scored("refused", truth={"view": "refuse"}, outcome={"accepted": False}),
        scored("missed-refusal", truth={"view": "refuse"}),
        scored("plated", truth={"plates": True, "expected": ("feet_too_far",)},
               outcome={"lockouts": (30,), "blind": ("feet_too_far",)}),  # abstains at rep 1 and the set
        scored("hit", truth={"expected": ("feet_too_far",)}, outcome={"cues": ("feet_too_far",)}),
    ]
    summary = summarise(clips)
    assert (summary.view.accepted, summary.view.must_accept) == (4, 4)
    assert (summary.view.refused, summary.view.must_refuse) == (1, 2)
    assert summary.good_form_clips == 2 and summary.good_form_false == ("false: chin_lifted",)
    assert summary.loads["plated"].reps_share == 0.0 and summary.loads["plate-free"].reps_share == 1.0
    assert summary.overall.scored == 4  # refusal clips count for the camera and for cues only
    assert summary.overall.recall == pytest.approx(3 / 6)
    assert summary.recall_measured == pytest.approx(3 / 4)  # the lost rep's miss is not an abstention


def test_plated_clips_are_broken_down_by_camera_placement_alone() -> None:
    clips = [scored("free-high", tags={"camera_height": "high"}),
             scored("plated-high", tags={"camera_height": "high", "plates": "iron"}, truth={"plates": True},
                    outcome={"lockouts": (30,)}),
             scored("plated-low", tags={"camera_height": "low", "plates": "black"}, truth={"plates": True})]
    rows = summarise(clips).plated_camera["camera_height"]
    assert [(r.value, r.clips, r.reps_share) for r in rows] == [("low", 1, 1.0), ("high", 1, 0.0)]
    assert set(summarise(clips).plated_camera) == {"camera_height", "elevation", "yaw"}
    assert summarise(clips[:1]).plated_camera == {}  # no plated clip, no table
