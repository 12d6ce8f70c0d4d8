"""Scoring one clip against hand-made truth: rep matching, lockout errors, cue labels, the camera band."""

from __future__ import annotations

import pytest

from formcheck.validate.score import ACCEPTABLE, BLIND, FALSE, HITS, MISSES, match_reps, score_clip
from validate_factory import outcome, scored, truth


@pytest.mark.parametrize(("found", "true", "want"), [
    ([30, 70], [31, 69], [(0, 0), (1, 1)]),
    ([30, 50, 70], [31, 69], [(0, 0), (2, 1)]),  # an extra rep matches nothing
    ([90], [31], []),  # too far apart
])
def test_match_reps_pairs_nearest_lockouts(found: list[int], true: list[int],
                                           want: list[tuple[int, int]]) -> None:
    assert match_reps(found, true, tolerance=30) == want


def test_errors_are_reported_minus_truth_and_null_stays_null() -> None:
    score = scored(outcome={"lockouts": (31, 72), "knee": 93.0, "hip": None})
    assert score.errors["knee_angle_deg"] == [3.0, 3.0]
    assert score.truth_values["knee_angle_deg"] == [90.0, 90.0]
    assert score.errors["hip_extension_deg"] == [None, None]  # reported null
    assert score.hip_px_error == pytest.approx(5.0)
    assert score.floor["knee_angle_deg"] == [1.0, 1.0]


def test_a_missed_rep_has_every_metric_unmeasured() -> None:
    score = scored(outcome={"lockouts": (30,)})
    assert score.errors["knee_angle_deg"] == [2.0, None]
    assert (score.reps_found, score.reps_true, score.reps_exact) == (1, 2, False)


# Each case: labels of the truth (expected, acceptable), cues given -> tally of the given cue id at rep and
# set level [hits, misses, false, blind, acceptable], summed over both reps and the set.
@pytest.mark.parametrize(("expected", "acceptable", "given", "blind", "want"), [
    (("feet_too_far",), (), ("feet_too_far",), (), [3, 0, 0, 0, 0]),  # a hit at both reps and the set
    (("feet_too_far",), (), (), (), [0, 3, 0, 0, 0]),  # measured and missed: a real miss
    (("feet_too_far",), (), (), ("feet_too_far",), [0, 3, 0, 3, 0]),  # null metric: an abstention
    ((), (), ("feet_too_far",), (), [0, 0, 3, 0, 0]),  # forbidden: false
    ((), ("feet_too_far",), ("feet_too_far",), (), [0, 0, 0, 0, 3]),  # don't-care: neither
    ((), ("feet_too_far",), (), (), [0, 0, 0, 0, 0]),  # don't-care and not given: nothing at all
])
def test_cue_labels(expected: tuple[str, ...], acceptable: tuple[str, ...], given: tuple[str, ...],
                    blind: tuple[str, ...], want: list[int]) -> None:
    score = scored(truth={"expected": expected, "acceptable": acceptable},
                   outcome={"cues": given, "blind": blind})
    cue = "feet_too_far"
    total = [score.cue_counts.get(cue, [0] * 5)[k] + score.cue_counts.get(cue + " (set)", [0] * 5)[k]
             for k in (HITS, MISSES, FALSE, BLIND, ACCEPTABLE)]
    assert total == want
    assert score.false_cues == (("feet_too_far",) if want[FALSE] else ())


def test_acceptable_cue_is_not_false_on_a_good_form_clip() -> None:
    score = scored(truth={"acceptable": ("chin_crushed",)}, outcome={"cues": ("chin_crushed",)})
    assert score.fault_free and score.false_cues == ()
    assert score.cue_total(FALSE) == 0 and score.cue_total(ACCEPTABLE) == 3


def test_extra_rep_cues_are_false_and_missed_rep_cues_are_misses() -> None:
    extra = scored(truth={"expected": ("rushed_reps",)},
                   outcome={"lockouts": (30, 50, 70), "cues": ("rushed_reps",)})
    assert extra.cue_counts["rushed_reps"][:3] == [2, 0, 1]
    missed = scored(truth={"expected": ("rushed_reps",)},
                    outcome={"lockouts": (30,), "cues": ("rushed_reps",)})
    assert missed.cue_counts["rushed_reps"][:4] == [1, 1, 0, 0]  # not an abstention: the rep was lost


# The camera: (truth view, tool accepted) -> (verdict right, reps and metrics scored)
@pytest.mark.parametrize(("view", "accepted", "correct", "counted"), [
    ("accept", True, True, True),
    ("accept", False, False, True),  # wrongly refused: its reps and cues are missed
    ("refuse", False, True, False),
    ("refuse", True, False, False),
    ("either", True, True, True),  # 25-40°: accepting is right, and then it is measured
    ("either", False, True, False),  # refusing is right too
])
def test_view_band(view: str, accepted: bool, correct: bool, counted: bool) -> None:
    score = scored(truth={"view": view}, outcome={"accepted": accepted})
    assert score.view_correct is correct
    assert score.scored is counted


def test_wrongly_accepted_refusal_clip_gives_false_cues_and_refusal_is_not_a_cue() -> None:
    wrong = scored(truth={"view": "refuse"}, outcome={"cues": ("lower_back_arch",)})
    assert wrong.cue_counts["lower_back_arch (set)"][FALSE] == 1
    right = scored(truth={"view": "refuse"}, outcome={"accepted": False})
    assert right.cue_counts == {} and right.cues_given == ()


def test_refused_side_on_clip_misses_its_cues() -> None:
    score = score_clip("c", {}, outcome(cues=("feet_too_far",), accepted=False), truth(("feet_too_far",)))
    assert score.cue_total(MISSES) == 3 and score.cue_total(BLIND) == 0
    assert not score.view_correct and score.reps_found == 0
