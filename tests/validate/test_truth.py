"""Reading the renderer's ground truth: labels per rep and set, and the camera verdict it asks for."""

from __future__ import annotations

import pytest

from formcheck.records import METRIC_KEYS
from formcheck.validate.truth import TruthRep, truth_from_doc, view_of


@pytest.mark.parametrize(("expected", "acceptable", "view"), [
    ((), (), "accept"),
    (("not_side_view",), (), "refuse"),
    ((), ("not_side_view", "chin_crushed"), "either"),
    (("feet_too_far",), ("chin_crushed",), "accept"),
])
def test_view_from_the_set_labels(expected: tuple[str, ...], acceptable: tuple[str, ...], view: str) -> None:
    assert view_of(frozenset(expected), frozenset(acceptable)) == view


def _doc(yaw: float, set_expected: list[str], set_acceptable: list[str]) -> dict:
    n = 4
    joints = {f"left_{j}": [[0.0, 0.0]] * n for j in ("hip", "shoulder", "knee")}
    return {"schema": "formcheck-synth-gt/1", "frames": n, "side": "left", "yaw_deg": yaw, "plates": True,
            "per_frame": {"metrics": {k: [1.0] * n for k in METRIC_KEYS}, "metrics_2d": {},
                          "joints_px": joints, "occluded": {"left_hip": [False] * n}},
            "reps": [{"lockout_frame": 2, "expected_cues": ["feet_too_far"],
                      "acceptable_cues": ["chin_crushed"]}],
            "expected_set_cues": set_expected, "acceptable_set_cues": set_acceptable}


def test_truth_from_doc_reads_expected_and_acceptable_cues() -> None:
    truth = truth_from_doc(_doc(30.0, ["feet_too_far"], ["chin_crushed", "not_side_view"]))
    assert truth.reps == (TruthRep(2, frozenset({"feet_too_far"}), frozenset({"chin_crushed"})),)
    assert truth.view == "either" and not truth.side_view and truth.yaw_deg == 30.0
    assert truth.set_acceptable == {"chin_crushed", "not_side_view"}
    assert truth.metric_at("knee_angle_deg", 2) == 1.0


def test_a_cue_cannot_be_both_expected_and_acceptable() -> None:
    with pytest.raises(ValueError, match="both"):
        TruthRep(1, frozenset({"chin_crushed"}), frozenset({"chin_crushed"}))
