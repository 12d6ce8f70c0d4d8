"""Ground truth: fault labels, occlusion, sagittal metrics from the posed skeleton, JSON round trip."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.errors import InputError
from formcheck.synth import groundtruth as gt
from formcheck.synth.joints import landmark_positions
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
    ({"neck_deg": 30.0}, ["chin_crushed"], ["chin_crushed"]),
    ({"tempo": Tempo(0.5, 0.0, 0.5)}, ["rushed_reps"], ["rushed_reps"]),
    ({"knee_at_top_deg": 115.0, "yaw_deg": 60.0}, [], ["not_side_view"]),
    ({"knee_at_top_deg": 115.0, "yaw_deg": 30.0}, ["feet_too_far"], ["feet_too_far"]),
])
def test_expected_cues_follow_the_requested_faults(kwargs: dict, rep_cues: list, set_cues: list) -> None:
    assert gt.expected_cues(SynthParams(**kwargs)) == (rep_cues, set_cues)


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


@pytest.mark.parametrize(("knee", "hip_ext", "neck", "tilt"), [(90.0, 180.0, 0.0, 15.0),
                                                               (115.0, 160.0, -30.0, 0.0),
                                                               (70.0, 200.0, 30.0, 15.0)])
def test_sagittal_metrics_measure_the_posed_skeleton(knee: float, hip_ext: float, neck: float,
                                                      tilt: float) -> None:
    body = load_body()
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
