"""The second look at a plated set's lockouts: painting the plate out, which frames are looked at, the
steadiness check, and the shin it gives back on the plated sample clips (against their ground truth)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from formcheck.plate.second_look import LookWindows, _distrust_if_unsteady, paint_out
from formcheck.records import METRIC_KEYS, MetricValue, RepSummary

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


def _disc_scene(size: int, centre: tuple[int, int], radius: int) -> np.ndarray:
    """A grey-gradient frame with a black disc on it (the plate)."""
    ramp = np.linspace(60, 200, size, dtype=np.float32)
    image = np.repeat(np.repeat(ramp[None, :, None], size, axis=0), 3, axis=2).astype(np.uint8)
    yy, xx = np.mgrid[:size, :size]
    image[(xx - centre[0]) ** 2 + (yy - centre[1]) ** 2 <= radius**2] = 0
    return image


@pytest.mark.parametrize(("size", "radius"), [(200, 30), (900, 200)])  # painted at full and reduced scale
def test_paint_out_fills_the_disc_from_its_surroundings_and_leaves_the_rest(size, radius):
    centre = (size // 2, size // 2)
    image = _disc_scene(size, centre, radius)
    painted = paint_out(image, np.array(centre, float), float(radius))
    yy, xx = np.mgrid[:size, :size]
    dist = np.hypot(xx - centre[0], yy - centre[1])
    inside, outside = dist <= radius * 0.9, dist > radius * 1.2
    assert painted[inside].min() > 40  # no black left
    assert abs(float(painted[inside].mean()) - float(image[outside].mean())) < 40
    assert np.array_equal(painted[outside], image[outside])
    assert image[inside].max() == 0  # the input is not modified


def _rep(index: int, lockout: int) -> RepSummary:
    metrics = {key: MetricValue(None, 0.0, "not measured") for key in METRIC_KEYS}
    return RepSummary(index, lockout - 20, lockout, lockout + 20, metrics, 1.0, 1.0, 1.0)


def test_windows_cover_each_lockout_with_a_lead_in():
    t_ms = np.arange(200) * 100  # 10 fps
    frames = LookWindows(window_ms=200.0, lead_in=2).frames(t_ms, [_rep(1, 50), _rep(2, 150)])
    assert frames.tolist() == [*range(46, 53), *range(146, 153)]


@pytest.mark.parametrize(("jump_px", "trusted"), [(0.0, True), (3.0, True), (40.0, False)])
def test_a_flickering_knee_makes_the_whole_window_untrusted(jump_px, trusted):
    n = 9
    knee = np.tile([100.0, 100.0], (n, 1))
    knee[::2, 0] += jump_px  # every other frame somewhere else
    xy = {"knee": knee, "ankle": np.tile([105.0, 180.0], (n, 1))}
    conf = {"knee": np.full(n, 0.9), "ankle": np.full(n, 0.9)}
    _distrust_if_unsteady(xy, conf, np.arange(n))
    assert bool((conf["knee"] > 0).all() and (conf["ankle"] > 0).all()) is trusted
    assert bool((conf["knee"] == 0).all()) is not trusted


@pytest.mark.slow
@pytest.mark.parametrize("stem", ["feet_too_far_left_plates", "good_form_right_plates"])
def test_the_shin_is_measured_under_a_plate_and_hip_angles_stay_null(stem):
    """Rendered plated sets: the shin at every lockout within 3° of the truth, angles at the hip null."""
    from formcheck.flows.offline import PipelineOptions, analyse_video
    from formcheck.pose.models import ensure_model

    result = analyse_video(SAMPLES / f"{stem}.mp4", PipelineOptions.default(ensure_model("full")))
    truth = json.loads((SAMPLES / f"{stem}.gt.json").read_text())
    reps = result.analysis.reps
    assert len(reps) == len(truth["reps"])
    for verdict, true_rep in zip(reps, truth["reps"], strict=True):
        metrics = verdict.rep.metrics
        shin = metrics["shin_from_vertical_deg"].value
        assert shin is not None and abs(shin - true_rep["metrics"]["shin_from_vertical_deg"]) <= 3.0
        assert metrics["knee_angle_deg"].value is None and metrics["hip_extension_deg"].value is None
    assert any("painted out" in note for note in result.analysis.notes)
