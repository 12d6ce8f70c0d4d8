"""Ground truth: fault labels, occlusion, sagittal metrics from the posed skeleton, JSON round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.synth import groundtruth as gt
from formcheck.synth.joints import landmark_positions
from formcheck.synth.motion import RepFrames
from formcheck.synth.params import SynthParams, Tempo
from formcheck.synth.posing import load_body, pose_table


@pytest.mark.parametrize(("kwargs", "rep_cues", "set_cues"), [
    ({}, [], []),
    ({"knee_at_top_deg": 115.0}, ["feet_too_far"], ["feet_too_far"]),
    ({"knee_at_top_deg": 70.0}, ["feet_too_close"], ["feet_too_close"]),
    ({"knee_at_top_deg": 100.0}, [], []),
    ({"hip_ext_deg": 160.0}, ["incomplete_lockout"], ["incomplete_lockout"]),
    ({"hip_ext_deg": 200.0}, ["lower_back_arch", "no_posterior_tilt"],
     ["lower_back_arch", "no_posterior_tilt"]),
    ({"pelvic_tilt_deg": 0.0}, ["no_posterior_tilt"], ["no_posterior_tilt"]),
    ({"neck_deg": -30.0}, ["chin_lifted"], ["chin_lifted"]),
    ({"neck_deg": 0.0}, ["chin_lifted"], ["chin_lifted"]),  # head in line with the torso: not the tuck
    ({"neck_deg": 30.0}, [], []),  # the coached tuck
    ({"neck_deg": 60.0}, [], []),
    ({"neck_deg": 85.0}, ["chin_crushed"], ["chin_crushed"]),
    ({"tempo": Tempo(0.5, 0.0, 0.5)}, ["rushed_reps"], ["rushed_reps"]),
    ({"knee_at_top_deg": 115.0, "yaw_deg": 60.0}, [], ["not_side_view"]),
    ({"knee_at_top_deg": 115.0, "yaw_deg": 42.0}, [], ["not_side_view"]),
    ({"knee_at_top_deg": 115.0, "yaw_deg": 30.0}, ["feet_too_far"], ["feet_too_far"]),
])
def test_expected_cues_follow_the_requested_faults(kwargs: dict, rep_cues: list, set_cues: list) -> None:
    assert gt.expected_cues(SynthParams(**kwargs)) == (rep_cues, set_cues)


@pytest.mark.parametrize(("zone", "value", "label"), [
    ("chin_lifted", -12.0, "expected"), ("chin_lifted", 0.0, "expected"), ("chin_lifted", 5.0, "acceptable"),
    ("chin_lifted", 10.0, "forbidden"), ("chin_lifted", 40.0, "forbidden"),
    ("chin_crushed", 64.0, "forbidden"), ("chin_crushed", 70.0, "acceptable"),
    ("chin_crushed", 75.0, "expected"), ("chin_crushed", 88.0, "expected"),
    ("feet_too_far", 105.0, "acceptable"), ("feet_too_far", 110.0, "expected"),
    ("feet_too_far", 90.0, "forbidden"),
    ("feet_too_close", 75.0, "acceptable"), ("feet_too_close", 65.0, "expected"),
    ("incomplete_lockout", 170.0, "acceptable"), ("lower_back_arch", 190.0, "acceptable"),
    ("no_posterior_tilt", 5.0, "acceptable"), ("no_posterior_tilt", 15.0, "forbidden"),
])
def test_cue_zones_expect_forbid_or_do_not_care(zone: str, value: float, label: str) -> None:
    (match,) = [z for z in gt.CUE_ZONES if z.cue == zone]
    assert match.label(value) == label


def test_a_zone_with_its_thresholds_the_wrong_way_round_is_refused() -> None:
    with pytest.raises(ValueError, match="fault threshold above"):
        gt.CueZone("x", "knee_angle_deg", "above", 100.0, 110.0)


GOOD_LOCKOUT = {"knee_angle_deg": 90.0, "hip_extension_deg": 180.0, "pelvic_tilt_deg": 15.0,
                "neck_flexion_deg": 30.0}


@pytest.mark.parametrize(("changes", "tempo", "expected", "acceptable"), [
    ({}, Tempo(), [], []),
    ({"neck_flexion_deg": 70.0, "knee_angle_deg": 104.0}, Tempo(), [], ["feet_too_far", "chin_crushed"]),
    ({"neck_flexion_deg": -15.0}, Tempo(), ["chin_lifted"], []),
    ({}, Tempo(0.6, 0.1, 0.6), ["rushed_reps"], []),
    ({}, Tempo(0.9, 0.3, 0.9), [], ["rushed_reps"]),  # neither rushed nor clearly controlled
    ({}, Tempo(1.2, 0.2, 1.2), [], ["rushed_reps"]),
])
def test_rep_labels_come_from_the_measured_lockout(changes: dict, tempo: Tempo, expected: list,
                                                   acceptable: list) -> None:
    assert gt.rep_cue_labels({**GOOD_LOCKOUT, **changes}, tempo) == (expected, acceptable)


@pytest.mark.parametrize(("yaw", "expected", "acceptable"), [
    (0.0, ["chin_lifted"], ["feet_too_far"]),
    (-30.0, ["chin_lifted"], ["feet_too_far", "not_side_view"]),  # either accepted or refused
    (50.0, ["not_side_view"], []),
])
def test_set_labels_join_the_reps_and_the_camera(yaw: float, expected: list, acceptable: list) -> None:
    reps = [(["chin_lifted"], ["feet_too_far"]), ([], ["feet_too_far", "chin_lifted"])]
    assert gt.set_cue_labels(reps, yaw) == (expected, acceptable)


def test_occlusion_by_a_prop_in_front_but_not_behind() -> None:
    mesh_index = np.array([[0, 1], [1, 0]])
    depth = np.array([[2.0, 1.5], [3.5, 2.0]])
    pixels = {"a": np.array([1.5, 0.5]), "b": np.array([0.5, 1.5]), "c": np.array([0.2, 0.2]),
              "d": np.array([5.0, 5.0])}
    depths = {"a": 3.0, "b": 3.0, "c": 2.1, "d": 3.0}
    flags = gt.occlusion_flags(pixels, depths, mesh_index, depth, body_mesh=0)
    assert flags == {"a": True, "b": False, "c": False, "d": False}


def test_deep_behind_the_body_surface_counts_as_occluded() -> None:
    flags = gt.occlusion_flags({"far_hip": np.array([0.5, 0.5])}, {"far_hip": 2.4},
                               np.array([[0]]), np.array([[2.0]]), body_mesh=0)
    assert flags == {"far_hip": True}


@pytest.mark.parametrize(("knee", "hip_ext", "neck", "tilt", "body_id"), [
    (90.0, 180.0, 30.0, 15.0, None), (115.0, 160.0, -30.0, 0.0, None), (70.0, 200.0, 85.0, 15.0, None),
    (90.0, 180.0, 30.0, 15.0, 7), (65.0, 178.0, -40.0, 18.0, 12), (120.0, 205.0, 90.0, 15.0, 23)])
def test_sagittal_metrics_measure_the_posed_skeleton(knee: float, hip_ext: float, neck: float,
                                                      tilt: float, body_id: int | None) -> None:
    body = load_body(body_id)
    table = pose_table(body, knee, hip_ext, tilt, neck, samples=3)
    pose = table.at(1.0)
    matrices = body.matrices(pose)
    world = landmark_positions(body.skeleton, body.landmarks, matrices, body.skeleton.skin(matrices))
    for side in ("left", "right"):
        metrics = gt.sagittal_metrics(body.skeleton, matrices, world, side)
        assert metrics["knee_angle_deg"] == pytest.approx(knee, abs=0.5)
        if knee != 90.0:  # + means the feet are too far out, - too close
            assert np.sign(metrics["shin_from_vertical_deg"]) == np.sign(knee - 90.0)
        assert metrics["hip_extension_deg"] == pytest.approx(hip_ext, abs=0.5)
        assert metrics["neck_flexion_deg"] == pytest.approx(neck, abs=1e-6)
        assert metrics["pelvic_tilt_deg"] == pytest.approx(-(hip_ext - 180.0) if hip_ext > 180 else tilt,
                                                           abs=1e-6)


def test_rep_entries_measure_range_of_motion_and_label_from_the_metrics() -> None:
    log = gt.FrameLog()
    hips = [110.0, 140.0, 150.0, 160.0, 150.0, 112.0]
    for k, hip in enumerate(hips):
        metrics = {**dict.fromkeys(gt.METRIC_KEYS, 0.0), **GOOD_LOCKOUT, "hip_extension_deg": hip}
        pixels = {n: np.array([float(k), 0.0]) for n in gt.landmark_names()}
        log.add(metrics, pixels, dict.fromkeys(gt.landmark_names(), False), "left", 0.3 + 0.01 * hip / 10)
    rep = RepFrames(index=1, start_frame=0, lockout_frame=3, end_frame=5)
    (entry,) = gt.rep_entries([rep], log, SynthParams())
    assert entry["bottom_hip_extension_deg"] == 110.0
    assert entry["bar_rise_m"] == pytest.approx(0.05)
    assert entry["expected_cues"] == ["incomplete_lockout"]  # measured at the top, not what was asked
    assert entry["acceptable_cues"] == []


def test_angle_metrics_of_a_right_angle() -> None:
    metrics = gt.angle_metrics(ear=np.array([0.0, 0.0]), shoulder=np.array([10.0, 0.0]),
                               hip=np.array([100.0, 0.0]), knee=np.array([200.0, 0.0]),
                               ankle=np.array([200.0, 100.0]))
    assert metrics["knee_angle_deg"] == pytest.approx(90.0)
    assert metrics["shin_from_vertical_deg"] == pytest.approx(0.0)
    assert metrics["hip_extension_deg"] == pytest.approx(180.0)


def test_ground_truth_path_sits_beside_the_video() -> None:
    assert gt.ground_truth_path(Path("out/clip.mp4")) == Path("out/clip.gt.json")


def test_load_rejects_another_schema(tmp_path: Path) -> None:
    path = tmp_path / "x.gt.json"
    path.write_text('{"schema": "something/9"}', encoding="utf-8")
    with pytest.raises(ValueError, match="expected schema"):
        gt.load_ground_truth(path)


def test_load_reports_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read ground truth"):
        gt.load_ground_truth(tmp_path / "missing.mp4")
