"""The streaming engine: one clip fed frame by frame (live) and offline gives the same reps and the same
cues per rep, with and without a plate; a live rep is judged at its top; bad input is refused."""

from __future__ import annotations

import itertools
from pathlib import Path

import numpy as np
import pytest

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES
from formcheck.capture.video import open_video
from formcheck.errors import InputError
from formcheck.flows.engine import CATCH_UP, WARMING_UP, WARMUP_FRAMES, Engine, EngineOptions, EngineResult
from formcheck.flows.offline import PipelineOptions, analyse_observed
from formcheck.flows.tracking import Observation, TrackingOptions, observe_video
from formcheck.records import SourceInfo
from formcheck.rules import load_rule_pack

SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@pytest.fixture(scope="module")
def observed(pose_model):
    """Factory: a sample clip's observations (the tracking pass, one core), cached per module."""
    cache = {}

    def get(clip: str):
        if clip not in cache:
            cache[clip] = observe_video(SAMPLES / f"{clip}.mp4", TrackingOptions(pose_model), workers=1)
        return cache[clip]

    return get


def _judged(result: EngineResult) -> list[tuple[int, tuple[str, ...]]]:
    return [(v.rep.lockout_frame, tuple(c.id for c in v.cues)) for v in result.analysis.reps]


@pytest.mark.slow
@pytest.mark.parametrize("clip", ["chin_lifted_left", "feet_too_far_left_plates", "rushed_reps_right"])
def test_live_and_offline_give_the_same_reps_and_cues(observed, pose_model, clip):
    clip_obs = observed(clip)
    source = open_video(SAMPLES / f"{clip}.mp4")
    offline = analyse_observed(clip_obs, source, PipelineOptions(pose_model, load_rule_pack()))
    engine = Engine(EngineOptions(load_rule_pack(), live=True))
    raised = []
    for seen in clip_obs:
        update = engine.update(seen)
        raised.extend(cue.id for cue in update.cues)
    info = source.info
    live = engine.finish(SourceInfo(info.path, info.fps, len(clip_obs), info.width, info.height))
    a, b = _judged(live), _judged(offline)
    assert len(a) == len(b) >= 3
    assert [cues for _, cues in a] == [cues for _, cues in b]  # the same cues per rep
    hold = offline.analysis.series.phase
    assert all(hold[x] == "lockout" for x, _ in a)  # each live lockout falls within the offline hold
    assert set(raised) >= {cue for _, cues in b for cue in cues}  # and live said them as it went
    assert live.analysis.view.side == offline.analysis.view.side
    # without a plate the knee and shin biases follow the camera's elevation, live estimated in the warm-up
    assert (offline.elevation_deg is None) == (live.elevation_deg is None) == clip.endswith("_plates")
    if offline.elevation_deg is not None:
        assert live.elevation_deg == pytest.approx(offline.elevation_deg, abs=3.0)


@pytest.mark.slow
def test_a_live_rep_is_judged_while_its_top_is_held(observed):
    engine = Engine(EngineOptions(load_rule_pack(), live=True))
    judged_at, done_at = [], []
    for seen in observed("chin_lifted_left"):
        update = engine.update(seen)
        if update.judged:
            judged_at.append(update.frame)
        done_at += [(update.frame, v.rep) for v in update.verdicts]
    assert len(done_at) == 3
    for (frame, rep), top in zip(done_at, judged_at, strict=True):
        assert top < rep.end_frame <= frame  # the cue came before the rep was over
        assert top <= rep.lockout_frame + 15


def _pose(t_ms: int, found: bool = True) -> Observation:
    xy = np.full((1, len(MEDIAPIPE_NAMES), 2), 100.0 if found else np.nan)
    pose = Keypoints([t_ms], xy, np.full((1, len(MEDIAPIPE_NAMES)), 0.9 if found else 0.0), MEDIAPIPE_NAMES,
                     np.zeros((1, len(MEDIAPIPE_NAMES), 3)))
    return Observation(0, pose)


def test_live_warms_up_before_judging():
    engine = Engine(EngineOptions(load_rule_pack(), live=True))
    updates = [engine.update(_pose(33 * i)) for i in range(WARMUP_FRAMES - 1)]
    assert {u.phase for u in updates} == {WARMING_UP} and all(u.side is None for u in updates)
    assert engine.update(_pose(33 * WARMUP_FRAMES)).side in ("left", "right")


def test_time_must_run_forward():
    engine = Engine(EngineOptions(load_rule_pack()))
    engine.update(_pose(100))
    with pytest.raises(ValueError, match="expected t_ms > 100"):
        engine.update(_pose(100))


@pytest.mark.parametrize(("frames", "found", "message"), [
    (1, True, "only 1 frame"),
    (10, False, "a person was found in only 0% of frames"),
])
def test_nothing_to_judge_is_an_input_error(frames, found, message):
    engine = Engine(EngineOptions(load_rule_pack()))
    for i in range(frames):
        engine.update(_pose(33 * i, found))
    with pytest.raises(InputError, match=message):
        engine.finish(SourceInfo("clip.mp4", 30.0, frames, 64, 64))


def test_side_must_be_known():
    with pytest.raises(ValueError, match="expected one of"):
        EngineOptions(load_rule_pack(), side="front")


@pytest.mark.slow
def test_a_rep_judged_while_warming_up_is_not_lost(observed):
    """Frames the live loop had no time for are never seen: fed every other frame, the warm-up spans the
    first rep's top, which is judged while the warm-up frames are caught up on, and its cue still goes
    up; no update measures more than CATCH_UP frames."""
    engine = Engine(EngineOptions(load_rule_pack(), live=True))
    raised, behind = [], []
    for i, seen in enumerate(observed("chin_lifted_left")):
        if i % 2 == 0:
            update = engine.update(seen)
            raised += [update.frame] if update.judged and update.cues else []
            behind.append(i // 2 - update.frame)
    assert len(raised) == 3
    assert max(behind) > 0 and behind[-1] == 0  # it lagged after the warm-up, then caught up
    assert all(b1 - b0 >= -(CATCH_UP - 1) for b0, b1 in itertools.pairwise(behind))
