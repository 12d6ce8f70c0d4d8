"""The randomised sampler: reproducible, disjoint splits, every factor in its documented range."""

from __future__ import annotations

import collections

import pytest

from formcheck.synth import groundtruth as gt
from formcheck.synth import randomize
from formcheck.synth.bodies import CATALOGUE
from formcheck.synth.randomize import BLOCK, SPLIT_BODIES, SampledClip, grid, sample_params

N = 60  # four blocks of 15


@pytest.fixture(scope="module")
def clips() -> dict[str, list[SampledClip]]:
    return {split: grid(split, N) for split in randomize.SPLITS}


def test_the_same_seed_gives_the_same_clip() -> None:
    assert sample_params(17, "check") == sample_params(17, "check")
    assert sample_params(17, "check").params != sample_params(18, "check").params


def test_tune_and_check_share_no_seeds_and_no_bodies(clips: dict[str, list[SampledClip]]) -> None:
    seeds = {split: {c.params.seed for c in clips[split]} for split in clips}
    assert not seeds["tune"] & seeds["check"]
    assert len(seeds["tune"]) == len(seeds["check"]) == N
    assert not set(SPLIT_BODIES["tune"]) & set(SPLIT_BODIES["check"])
    assert set(SPLIT_BODIES["tune"]) | set(SPLIT_BODIES["check"]) == set(range(len(CATALOGUE)))
    for split in clips:
        assert {c.params.body_id for c in clips[split]} <= set(SPLIT_BODIES[split])


@pytest.mark.parametrize("split", randomize.SPLITS)
def test_each_split_has_both_sexes_and_several_builds(split: str) -> None:
    shapes = [CATALOGUE[i] for i in SPLIT_BODIES[split]]
    assert {s.sex_label for s in shapes} == {"female", "male"}
    assert {s.build for s in shapes} == {"heavy", "muscular", "slim", "average"}


def test_every_block_of_15_has_five_good_clips_each_fault_and_a_refusal(
        clips: dict[str, list[SampledClip]]) -> None:
    for split in clips:
        for start in range(0, N, len(BLOCK)):
            faults = collections.Counter(c.tags["fault"] for c in clips[split][start:start + len(BLOCK)])
            assert faults == collections.Counter(BLOCK)


def _all(clips: dict[str, list[SampledClip]]) -> list[SampledClip]:
    return clips["tune"] + clips["check"]


@pytest.mark.parametrize(("value", "lo", "hi"), [
    (lambda p: p.camera_height_m, 0.0, 1.5), (lambda p: p.distance_m, 2.0, 5.0),
    (lambda p: p.elevation_deg, -5.0, 35.0), (lambda p: p.fov_y_deg, 40.0, 90.0),
    (lambda p: p.roll_deg, -3.0, 3.0), (lambda p: p.bottom_hip_ext_deg, 95.0, 150.0),
    (lambda p: p.hip_ext_deg - p.bottom_hip_ext_deg, 40.0, 120.0),
    (lambda p: p.plate_diameter_m, 0.30, 0.45), (lambda p: p.plate_count, 1, 3),
    (lambda p: p.reps, 2, 5), (lambda p: p.width * p.height, 640 * 360, 640 * 360),
])
def test_factors_stay_in_their_ranges(clips: dict[str, list[SampledClip]], value: object, lo: float,
                                      hi: float) -> None:
    values = [value(c.params) for c in _all(clips)]  # type: ignore[operator]
    assert lo <= min(values) and max(values) <= hi


@pytest.mark.parametrize(("tag", "expected"), [
    ("orientation", {"landscape", "portrait"}), ("fps", {"24", "30", "60"}),
    ("background", {"plain", "textured", "gym"}), ("plates", {"none", "black", "bumper", "iron"}),
    ("bar_pad", {"on", "off"}), ("side", {"left", "right"}), ("rom", {"deep", "medium", "shallow"}),
    ("camera_height", {"floor", "low", "hip", "high"}), ("elevation", {"below", "level", "raised", "high"}),
    ("yaw", {"side", "oblique", "refused"}), ("plate_count", {"0", "1", "2", "3"}),
    ("fov", {"normal", "wide", "ultrawide"}), ("sex", {"female", "male"}),
])
def test_every_level_of_a_factor_turns_up(clips: dict[str, list[SampledClip]], tag: str,
                                          expected: set[str]) -> None:
    assert {c.tags[tag] for c in _all(clips)} == expected


def test_yaw_is_side_on_or_clearly_refused(clips: dict[str, list[SampledClip]]) -> None:
    for clip in _all(clips):
        yaw = abs(clip.params.yaw_deg)
        assert (45.0 <= yaw <= 75.0) if clip.tags["fault"] == "refused" else yaw <= 25.0


def test_requested_faults_are_the_expected_cues_and_never_in_a_dont_care_band(
        clips: dict[str, list[SampledClip]]) -> None:
    implied = {"good": [], "partial_rep": [], "refused": [], "lower_back_arch": ["lower_back_arch",
                                                                               "no_posterior_tilt"]}
    for clip in _all(clips):
        fault = clip.tags["fault"]
        rep_cues, set_cues = gt.expected_cues(clip.params)
        assert rep_cues == implied.get(fault, [fault]), clip.name
        assert set_cues == (["not_side_view"] if fault == "refused" else rep_cues)
        assert gt.requested_cue_labels(clip.params)[1] == [], clip.name  # nothing asked for is "either"
        assert clip.params.partial_reps == (1 if fault == "partial_rep" else 0)


def test_the_lifter_is_framed(clips: dict[str, list[SampledClip]]) -> None:
    for clip in _all(clips):
        minimum = 0.0 if clip.tags["fault"] == "refused" else randomize.MIN_LIFTER_FRACTION
        assert randomize.frames_the_lifter(clip.params, minimum), clip.name
        assert randomize.lifter_fraction(clip.params) >= minimum


@pytest.mark.parametrize(("distance", "fov", "fits"), [
    (3.0, 40.0, True), (1.5, 40.0, False),  # too close: the biggest lifter is cut off
    (5.0, 40.0, False), (2.0, 90.0, False),  # too far or too wide: the smallest is tiny
])
def test_framing_wants_the_whole_lifter_at_a_usable_size(distance: float, fov: float, fits: bool) -> None:
    from formcheck.synth.params import SynthParams

    params = SynthParams(distance_m=distance, fov_y_deg=fov)  # landscape 640x360, side-on
    assert randomize.frames_the_lifter(params) is fits


def test_tags_name_the_body() -> None:
    clip = sample_params(0, "tune")
    shape = CATALOGUE[clip.params.body_id]
    assert (clip.tags["body"], clip.tags["sex"], clip.tags["build"]) == (str(clip.params.body_id),
                                                                         shape.sex_label, shape.build)
    assert clip.name.startswith("tune-00000-")


@pytest.mark.parametrize(("seed", "split", "message"), [
    (-1, "tune", "seed: expected an integer 0.."), (2.5, "tune", "seed"), (True, "tune", "seed"),
    (0, "holdout", "split: expected one of tune, check")])
def test_bad_seeds_and_splits_are_refused(seed: object, split: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        sample_params(seed, split)  # type: ignore[arg-type]


def test_grid_lists_consecutive_clips() -> None:
    clips = grid("check", 3, start=10)
    assert [c.index for c in clips] == [10, 11, 12]
    assert clips[0] == sample_params(10, "check")
