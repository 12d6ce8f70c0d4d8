"""Timeline: reps, partial reps, tempo and key frames."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.motion import PHASES, SETUP_LIFT, build_timeline
from formcheck.synth.params import SynthParams, Tempo


@pytest.mark.parametrize(("reps", "partials"), [(1, 0), (3, 0), (2, 1), (4, 2), (0, 1)])
def test_counted_reps_are_the_full_reps_only(reps: int, partials: int) -> None:
    timeline = build_timeline(SynthParams(reps=reps, partial_reps=partials))
    assert len(timeline.reps) == reps
    assert sorted(set(timeline.rep.tolist()) - {0}) == list(range(1, reps + 1))
    partial = np.array([p == "partial" for p in timeline.phase])
    assert partial.any() == (partials > 0)
    if partials:
        assert timeline.lift[partial].max() <= 0.45 + 1e-9


@pytest.mark.parametrize("fps", [24.0, 29.97, 30.0, 60.0])
def test_frame_count_covers_the_plan_exactly(fps: float) -> None:
    params = SynthParams(reps=2, setup_s=1.0, bottom_pause_s=0.5, tempo=Tempo(1.0, 1.0, 1.0), fps=fps)
    timeline = build_timeline(params)
    total_s = 1.0 + 2 * (3.0 + 0.5)
    assert timeline.frames == int(np.floor(total_s * fps + 1e-9)) + 1


def test_lockout_frames_are_at_the_top_and_ordered() -> None:
    timeline = build_timeline(SynthParams(reps=3))
    for rep in timeline.reps:
        assert timeline.lift[rep.lockout_frame] == pytest.approx(1.0)
        assert timeline.phase[rep.lockout_frame] == "hold"
        assert timeline.lift[rep.start_frame] < 0.05
        assert timeline.lift[rep.end_frame] < 0.05
    ends = [r.end_frame for r in timeline.reps]
    starts = [r.start_frame for r in timeline.reps]
    assert all(e < s for e, s in zip(ends, starts[1:], strict=False))


def test_without_hold_the_lockout_is_the_turn_around() -> None:
    timeline = build_timeline(SynthParams(reps=1, tempo=Tempo(0.5, 0.0, 0.5)))
    rep = timeline.reps[0]
    assert timeline.lift[rep.lockout_frame] == pytest.approx(timeline.lift.max(), abs=0.02)


def test_setup_only_shuffles_near_the_bottom() -> None:
    timeline = build_timeline(SynthParams(setup_s=2.0))
    setup = np.array([p == "setup" for p in timeline.phase])
    assert setup.sum() >= 59
    assert 0 < timeline.lift[setup].max() <= SETUP_LIFT
    assert set(timeline.phase) <= set(PHASES)
