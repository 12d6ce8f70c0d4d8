"""Whole clips: video and ground truth agree, the posing shows, and MediaPipe sees the rendered lifter."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.measure import geometry
from formcheck.synth import groundtruth as gt
from formcheck.synth.clip import render_clip
from formcheck.synth.params import SynthParams, Tempo
from formcheck.synth.randomize import SampledClip, grid

SHORT = {"reps": 2, "setup_s": 0.3, "bottom_pause_s": 0.3, "tempo": Tempo(0.8, 0.4, 0.8), "fps": 15.0}


@pytest.fixture(scope="module", params=["left", "right"])
def clip(request: pytest.FixtureRequest,
         tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, gt.GroundTruth]:
    path = tmp_path_factory.mktemp("synth") / f"side_{request.param}.mp4"
    truth = render_clip(SynthParams(side=request.param, **SHORT), path)
    return path, truth


def _frame_count(path: Path) -> int:
    capture = cv2.VideoCapture(str(path))
    count = 0
    while capture.read()[0]:
        count += 1
    capture.release()
    return count


@pytest.mark.slow
def test_video_and_ground_truth_agree(clip: tuple[Path, gt.GroundTruth]) -> None:
    path, truth = clip
    assert _frame_count(path) == truth.frames
    again = gt.load_ground_truth(path)
    assert again.data == truth.data
    assert len(truth.reps) == SHORT["reps"]


@pytest.mark.slow
def test_2d_metrics_recompute_from_the_stored_pixels(clip: tuple[Path, gt.GroundTruth]) -> None:
    _, truth = clip
    side = truth.data["side"]
    ear, shoulder, hip, knee, ankle = (truth.joint(f"{side}_{j}")
                                       for j in ("ear", "shoulder", "hip", "knee", "ankle"))
    np.testing.assert_allclose(geometry.knee_angle(hip, knee, ankle),
                               truth.metric("knee_angle_deg", image=True), atol=0.01)
    np.testing.assert_allclose(geometry.hip_extension(shoulder, hip, knee),
                               truth.metric("hip_extension_deg", image=True), atol=0.01)
    np.testing.assert_allclose(geometry.head_torso_angle(ear, shoulder, hip),
                               truth.metric("head_torso_angle_deg", image=True), atol=0.01)


@pytest.mark.slow
def test_side_on_truth_matches_the_requested_lockout(clip: tuple[Path, gt.GroundTruth]) -> None:
    _, truth = clip
    for rep in truth.reps:
        assert rep["metrics"]["knee_angle_deg"] == pytest.approx(90.0, abs=2.0)
        assert rep["metrics"]["hip_extension_deg"] == pytest.approx(180.0, abs=2.0)
        assert rep["metrics_2d"]["knee_angle_deg"] == pytest.approx(90.0, abs=2.0)  # side-on: 2D = sagittal
        assert truth.data["per_frame"]["phase"][rep["lockout_frame"]] == "hold"


@pytest.mark.slow
def test_mediapipe_finds_the_lifter_and_measures_the_knee(clip: tuple[Path, gt.GroundTruth]) -> None:
    from formcheck.body.landmarks import Landmark
    from formcheck.pose.estimator import track_video
    from formcheck.pose.models import ensure_model

    path, truth = clip
    track = track_video(path, model=ensure_model("full"))
    assert track.detection_rate >= 0.95
    side = truth.data["side"].upper()
    hip, knee, ankle = (track.xy[:, getattr(Landmark, f"{side}_{j}")] for j in ("HIP", "KNEE", "ANKLE"))
    raw_knee = geometry.knee_angle(hip, knee, ankle)
    for rep in truth.reps:
        k = rep["lockout_frame"]
        assert raw_knee[k] == pytest.approx(rep["metrics_2d"]["knee_angle_deg"], abs=6.0)


def _plated_random_clip() -> SampledClip:
    """The first check clip with plates and a room, cut to one short rep at a low frame rate."""
    clip = next(c for c in grid("check", 40) if c.params.plates and c.params.background_kind != "plain"
                and c.tags["fault"] not in ("refused", "partial_rep", "rushed_reps"))
    return dataclasses.replace(clip, params=dataclasses.replace(
        clip.params, reps=1, setup_s=0.2, bottom_pause_s=0.2, fps=10.0, tempo=Tempo(1.0, 0.5, 0.8)))


@pytest.mark.slow
def test_a_randomised_plated_clip_renders_with_measured_truth(tmp_path: Path) -> None:
    clip = _plated_random_clip()
    params = clip.params
    truth = render_clip(params, tmp_path / "random.mp4")
    assert _frame_count(tmp_path / "random.mp4") == truth.frames
    (rep,) = truth.reps
    assert truth.data["body"]["id"] == params.body_id
    assert truth.data["body"]["shape"]["sex_label"] == clip.tags["sex"]
    # The shaped body's skeleton is measured: the lockout matches the request within a degree.
    assert rep["metrics"]["knee_angle_deg"] == pytest.approx(params.knee_at_top_deg, abs=1.0)
    assert rep["metrics"]["hip_extension_deg"] == pytest.approx(params.hip_ext_deg, abs=1.0)
    assert rep["metrics"]["neck_flexion_deg"] == pytest.approx(params.neck_deg, abs=0.01)
    assert rep["expected_cues"] == gt.expected_cues(params)[0]
    assert rep["acceptable_cues"] == []
    assert 0.05 < rep["bar_rise_m"] < 0.45
    bar = np.asarray(truth.data["per_frame"]["bar_height_m"])
    assert bar.min() >= params.plate_diameter_m / 2 - 0.02  # the plates never sink into the floor
    assert truth.data["camera"]["height_m"] == pytest.approx(params.camera_height_m, abs=1e-3)


@pytest.mark.slow
@pytest.mark.parametrize(("width", "height", "fps", "roll"), [(360, 640, 24.0, 3.0), (640, 360, 60.0, -2.0)])
def test_portrait_roll_and_frame_rate_reach_the_video(tmp_path: Path, width: int, height: int, fps: float,
                                                      roll: float) -> None:
    params = SynthParams(reps=1, setup_s=0.1, bottom_pause_s=0.1, tempo=Tempo(0.3, 0.2, 0.3), width=width,
                         height=height, fps=fps, roll_deg=roll, fov_y_deg=70.0, body_id=4)
    path = tmp_path / "clip.mp4"
    truth = render_clip(params, path)
    capture = cv2.VideoCapture(str(path))
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (width, height)
    assert capture.get(cv2.CAP_PROP_FPS) == pytest.approx(fps, rel=0.01)
    capture.release()
    assert truth.data["per_frame"]["t_ms"][1] == round(1000 / fps)
    hip = truth.joint("left_hip")
    assert np.all((hip >= 0) & (hip <= [width, height]))  # the lifter is in the picture
    assert truth.data["camera"]["roll_deg"] == roll
