"""The committed sample clips: their definitions, and the files in sample_videos/ that they produced."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from formcheck.synth import groundtruth as gt
from formcheck.synth.motion import build_timeline
from formcheck.synth.samples import SAMPLES, regenerate_samples

SAMPLES_DIR = Path(__file__).parents[2] / "sample_videos"
MAX_BYTES = 1_500_000


def test_the_quick_start_clip_is_defined() -> None:
    assert "good_form_left" in SAMPLES


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_are_short_small_side_views(name: str) -> None:
    params = SAMPLES[name]
    seconds = build_timeline(params).frames / params.fps
    assert (params.width, params.height, params.fps) == (640, 360, 30.0)
    assert 3 <= params.reps <= 4
    assert 8.0 <= seconds <= 12.0
    assert abs(params.yaw_deg) <= 15.0


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_names_say_their_cues(name: str) -> None:
    _, set_cues = gt.expected_cues(SAMPLES[name])
    if name.startswith("good_form"):
        assert set_cues == []
    else:
        assert len(set_cues) == 1
        assert name.startswith(set_cues[0])


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_committed_sample_matches_its_definition(name: str) -> None:
    video = SAMPLES_DIR / f"{name}.mp4"
    assert video.is_file(), f"{video} is missing: run `formcheck synth --samples`"
    assert video.stat().st_size < MAX_BYTES
    truth = json.loads(gt.ground_truth_path(video).read_text(encoding="utf-8"))
    assert truth["schema"] == gt.SCHEMA
    assert truth["params"] == SAMPLES[name].to_dict(), "stale sample: run `formcheck synth --samples`"


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_committed_truth_labels_every_rep_with_the_neck_contract(name: str) -> None:
    truth = json.loads(gt.ground_truth_path(SAMPLES_DIR / f"{name}.mp4").read_text(encoding="utf-8"))
    _, set_cues = gt.expected_cues(SAMPLES[name])
    assert truth["expected_set_cues"] == set_cues
    for rep in truth["reps"]:
        assert rep["expected_cues"] == set_cues and rep["acceptable_cues"] == []
        neck = rep["metrics"]["neck_flexion_deg"]
        assert neck < 0.0 if name.startswith("chin_lifted") else 15.0 <= neck <= 60.0


def test_unknown_sample_names_list_the_valid_ones(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="good_form_left"):
        regenerate_samples(tmp_path, ["nope"])
