"""Whole clips: video and ground truth agree, the posing shows, and MediaPipe sees the rendered lifter."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np
import pytest

from formcheck.measure import geometry
from formcheck.synth import groundtruth as gt
from formcheck.synth.clip import render_clip
from formcheck.synth.params import SynthParams, Tempo

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
