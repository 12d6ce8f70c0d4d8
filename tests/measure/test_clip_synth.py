"""Real MediaPipe on the committed rendered samples: reps counted exactly, lockout angles vs ground truth.

The samples (`sample_videos/*.mp4` with `*.gt.json`) are rendered by formcheck itself, so the truth is
exact. Tolerances are the issue-4 targets, which the measuring stage meets on these clips once the knee
and shin landmark bias (`metrics.KNEE_LANDMARK_BIAS_DEG`, calibrated on other renders) is taken off: knee
1.1 and 2.2 degrees, shin 1.4 and 1.8 (before: about 6 and 4).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from formcheck.capture.video import open_video
from formcheck.flows.offline import PipelineOptions, analyse_observed
from formcheck.flows.tracking import ObservedClip, TrackingOptions, observe_video
from formcheck.plate.placement import PAINTED_HIP_CONFIDENCE
from formcheck.records import TRUSTED_CONFIDENCE
from formcheck.rules import load_rule_pack
from formcheck.validate.truth import Truth, load_truth

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"

# Mean absolute error at lockout (degrees) each metric must stay within on a clip without plates. The hip's
# landmark offset (`metrics.HIP_LANDMARK_BIAS_DEG`, +7.6°) is fitted on the randomised tune grid, where it
# improves every camera height of the check grid; these samples' one body and camera read only 0-2° high, so
# after it they read 6-7.5° low.
MAE_LIMITS = {"hip_extension_deg": 8.0, "neck_flexion_deg": 5.0, "knee_angle_deg": 3.0,
              "shin_from_vertical_deg": 3.0}


@pytest.fixture(scope="module")
def sample_reps(pose_model: Path):
    """Factory: (reps as the engine measured them, truth) of a sample clip by stem, observed once."""
    cache: dict[str, tuple[list, Truth]] = {}

    def get(stem: str) -> tuple[list, Truth]:
        video = SAMPLES / f"{stem}.mp4"
        if not video.is_file():
            pytest.skip(f"sample clip {video} not found")
        if stem not in cache:
            clip: ObservedClip = observe_video(video, TrackingOptions(pose_model), workers=1)
            result = analyse_observed(clip, open_video(video), PipelineOptions(pose_model, load_rule_pack()))
            cache[stem] = [v.rep for v in result.analysis.reps], load_truth(video.with_suffix(".gt.json"))
        return cache[stem]

    return get


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["good_form_left", "rushed_reps_right"])
def test_rendered_reps_and_lockout_angles(sample_reps, stem):
    reps, truth = sample_reps(stem)
    assert not truth.plates
    true_lockouts = [r.lockout_frame for r in truth.reps]
    assert len(reps) == len(true_lockouts)  # the rushed clip's partial rep is not counted
    errors: dict[str, list[float]] = {key: [] for key in MAE_LIMITS}
    for rep, lockout in zip(reps, true_lockouts, strict=True):
        assert abs(rep.lockout_frame - lockout) <= 3
        for key in MAE_LIMITS:
            value = rep.metrics[key].value
            assert value is not None, f"{key}: {rep.metrics[key].reason}"
            errors[key].append(value - truth.metric_at(key, lockout))
    for key, limit in MAE_LIMITS.items():
        assert np.mean(np.abs(errors[key])) <= limit, (key, errors[key])


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["good_form_right_plates", "feet_too_far_left_plates"])
def test_rendered_reps_with_plates_are_counted_on_the_bar_and_the_shin_measured(sample_reps, stem):
    reps, truth = sample_reps(stem)
    assert truth.plates
    true_lockouts = [r.lockout_frame for r in truth.reps]
    assert len(reps) == len(true_lockouts)
    for rep, lockout in zip(reps, true_lockouts, strict=True):
        assert abs(rep.lockout_frame - lockout) <= 3
        shin = rep.metrics["shin_from_vertical_deg"].value  # read with the plate painted out
        assert shin is not None and abs(shin - truth.metric_at("shin_from_vertical_deg", lockout)) <= 3.0
        # the hip is behind the plate: read where the pose model found it with the plate painted out, at a
        # confidence the rules do not cue on, or not at all
        hip = rep.metrics["hip_extension_deg"]
        if hip.value is not None:
            assert hip.confidence == PAINTED_HIP_CONFIDENCE < TRUSTED_CONFIDENCE
            assert abs(hip.value - truth.metric_at("hip_extension_deg", lockout)) <= 10.0
