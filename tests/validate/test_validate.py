"""Validation: scoring against hand-made truth, the grid's coverage, and `formcheck validate --quick`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.cli import main
from formcheck.records import METRIC_KEYS
from formcheck.validate.grid import FAULTS, build_grid, clip_key
from formcheck.validate.markdown import Meta, splice_readme, target_rows
from formcheck.validate.score import Outcome, OutcomeRep, match_reps, score_clip, summarise
from formcheck.validate.truth import Truth, TruthRep

N = 100


def _truth(cues: tuple[str, ...] = (), plates: bool = False) -> Truth:
    metrics = {key: np.full(N, 10.0) for key in METRIC_KEYS}
    metrics["knee_angle_deg"] = np.full(N, 90.0)
    return Truth(frames=N, side="left", side_view=True, plates=plates, metrics=metrics,
                 metrics_2d={key: v + 1.0 for key, v in metrics.items()},
                 reps=(TruthRep(30, frozenset(cues)), TruthRep(70, frozenset(cues))),
                 hip_px=np.tile([100.0, 50.0], (N, 1)), shoulder_px=np.tile([0.0, 50.0], (N, 1)),
                 knee_px=np.tile([200.0, 50.0], (N, 1)), hip_hidden=np.zeros(N, bool),
                 set_cues=frozenset(cues))


def _outcome(lockouts: list[int], knee: float | None, cues: tuple[str, ...] = (),
             blind: tuple[str, ...] = ()) -> Outcome:
    reps = tuple(OutcomeRep(f, {**dict.fromkeys(METRIC_KEYS), "knee_angle_deg": knee}, frozenset(cues),
                            frozenset(blind)) for f in lockouts)
    return Outcome(fps=30.0, detection_rate=1.0, side="left", side_view=True, reps=reps,
                   set_cues=frozenset(), hip_px=np.tile([103.0, 54.0], (N, 1)), plate_found=False)


@pytest.mark.parametrize(("found", "true", "want"), [
    ([30, 70], [31, 69], [(0, 0), (1, 1)]),
    ([30, 50, 70], [31, 69], [(0, 0), (2, 1)]),  # an extra rep matches nothing
    ([90], [31], []),  # too far apart
])
def test_match_reps_pairs_nearest_lockouts(found: list[int], true: list[int],
                                           want: list[tuple[int, int]]) -> None:
    assert match_reps(found, true, tolerance=30) == want


def test_score_counts_errors_nulls_and_cues() -> None:
    truth = _truth(cues=("feet_too_far",))
    outcome = _outcome([31, 72], 93.0, ("feet_too_far", "chin_lifted"))
    score = score_clip("c", {"plates": "off"}, outcome, truth)
    assert score.errors["knee_angle_deg"] == [3.0, 3.0]
    assert score.errors["hip_extension_deg"] == [None, None]  # reported null
    assert (score.cue_hits, score.cue_misses, score.cue_false) == (3, 0, 3)  # 2 reps + the set summary
    assert score.cue_counts["feet_too_far (set)"] == [1, 0, 0, 0]  # hits, misses, false, null-metric misses
    assert score.hip_px_error == pytest.approx(5.0)
    assert score.floor["knee_angle_deg"] == [1.0, 1.0]


def test_a_miss_on_a_null_metric_counts_as_an_abstention() -> None:
    truth = _truth(cues=("feet_too_far",))
    blind = score_clip("c", {"plates": "on"}, _outcome([31, 72], None, blind=("feet_too_far",)), truth)
    seen = score_clip("d", {"plates": "off"}, _outcome([31, 72], 93.0), truth)
    assert blind.cue_counts["feet_too_far"] == [0, 2, 0, 2]
    assert blind.cue_counts["feet_too_far (set)"] == [0, 1, 0, 1]  # null at every rep
    assert seen.cue_counts["feet_too_far"] == [0, 2, 0, 0]  # measured and still missed: a real miss
    summary = summarise([blind, seen])
    assert (summary.cues_expected, summary.cues_blind) == (6, 3)
    assert summary.cue_recall == 0.0 and summary.cue_recall_measured == 0.0


def test_blind_cues_are_those_no_rule_could_read() -> None:
    from formcheck.records import MetricValue, RepSummary
    from formcheck.rules import load_rule_pack
    from formcheck.validate.run import blind_cues

    metrics = {k: MetricValue(None, 0.0, "hidden") for k in METRIC_KEYS}
    metrics["shin_from_vertical_deg"] = MetricValue(-20.0, 0.9)  # plated: the shin alone is measured
    rep = RepSummary(1, 0, 10, 20, metrics, 1.0, 1.0, 1.0)
    blind = blind_cues(rep, load_rule_pack())
    assert "feet_too_close" not in blind and "feet_too_far" not in blind  # the shin rules can read it
    assert {"incomplete_lockout", "lower_back_arch", "chin_lifted", "no_posterior_tilt"} <= blind
    assert "rushed_reps" not in blind  # timing is never null


def test_summary_reports_mae_coverage_and_rep_counts() -> None:
    good = score_clip("a", {"plates": "off", "group": "g"}, _outcome([30, 70], 92.0), _truth())
    short = score_clip("b", {"plates": "on", "group": "g"}, _outcome([30], None, ("chin_lifted",)),
                       _truth(plates=True))
    summary = summarise([good, short])
    knee = summary.metrics["knee_angle_deg"]
    assert knee["no plates"].mae == pytest.approx(2.0) and knee["no plates"].coverage == 1.0
    assert knee["plates"].mae is None and knee["plates"].coverage == 0.0
    assert knee["plates"].n == 2  # the rep the tool missed counts as unmeasured
    assert knee["all"].coverage == pytest.approx(2 / 4)
    assert summary.rep_count_exact == 0.5
    assert summary.false_cues_on_good_form == 1 and summary.good_form_clips == 2
    assert summary.inconsistent == ("g",)
    assert any(row.check == "rep count exact" and row.met == "no" for row in target_rows(summary))


def test_grid_covers_every_fault_side_plate_and_angle() -> None:
    grid = build_grid()
    assert len(grid) >= 40
    tags = [c.tags for c in grid]
    for fault in FAULTS:
        combos = {(t["side"], t["plates"]) for t in tags if t["fault"] == fault and t["yaw"] == "0"}
        assert combos == {(s, p) for s in ("left", "right") for p in ("on", "off")}, fault
        assert any(t["fault"] == fault and t["yaw"] == "15" for t in tags), fault
    assert sum(c.params.yaw_deg >= 60 for c in grid) >= 2
    assert len({c.params.look for c in grid}) >= 4
    assert len({c.name for c in grid}) == len(grid)


def test_clip_key_follows_the_parameters() -> None:
    a, b = build_grid()[:2]
    assert clip_key(a.params) != clip_key(b.params)
    assert clip_key(a.params) == clip_key(build_grid()[0].params)


@pytest.mark.slow
def test_validate_quick_runs_the_whole_grid_machinery(tmp_path: Path,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    out, raw = tmp_path / "accuracy.md", tmp_path / "accuracy.json"
    code = main(["validate", "--quick", "--cache-dir", str(tmp_path / "cache"), "--out", str(out),
                 "--json", str(raw)])
    assert code == 0
    assert "| check | target | measured | met |" in capsys.readouterr().out
    doc = json.loads(raw.read_text())
    assert len(doc["clips"]) == 5
    summary = doc["summary"]
    assert summary["view_accuracy"] == 1.0  # side-on accepted, 60° refused
    assert summary["detection_rate"] > 0.9
    knee = summary["metrics"]["knee_angle_deg"]["no plates"]
    assert knee["mae"] is not None and knee["mae"] < 15.0  # loose: fails only if measuring collapses
    assert "# Accuracy on rendered hip thrusts" in out.read_text()


def test_cli_without_the_renderer_still_starts_and_validate_says_what_is_missing(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import sys

    for name in [m for m in sys.modules if m.startswith(("formcheck.synth.clip", "formcheck.synth.raster",
                                                          "formcheck.validate.run"))]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "numba", None)  # as if the synth extra were not installed
    assert main(["validate", "--quick", "--jobs", "0"]) == 2
    assert "--jobs" in capsys.readouterr().err
    assert main(["validate", "--quick"]) == 2
    assert "synth extra" in capsys.readouterr().err


def test_readme_table_goes_between_the_markers_only() -> None:
    good = score_clip("a", {"plates": "off"}, _outcome([30, 70], 92.0), _truth())
    meta = Meta(command="formcheck validate", date="today", machine="m", version="0", seconds=1.0)
    text = "intro\n<!-- accuracy:start -->\nold\n<!-- accuracy:end -->\noutro\n"
    out = splice_readme(text, summarise([good]), meta)
    assert out.startswith("intro\n<!-- accuracy:start -->\n| check | target | measured | met |")
    assert out.endswith("<!-- accuracy:end -->\noutro\n") and "old" not in out
    with pytest.raises(ValueError, match="markers"):
        splice_readme("no markers", summarise([good]), meta)
