"""Stretch planning for parallel tracking, and that a parallel pass matches a single pass."""

from pathlib import Path

import numpy as np
import pytest

from formcheck.pose.parallel import MIN_FRAMES_PER_WORKER, Stretch, plan_stretches

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real_videos"


@pytest.mark.parametrize(
    ("frames", "fps", "workers", "expected"),
    [
        (100, 30.0, 2, [Stretch(0, 0, None)]),  # too short to be worth a second process
        (300, 30.0, 1, [Stretch(0, 0, None)]),
        (300, 30.0, 2, [Stretch(0, 0, 165), Stretch(135, 165, None)]),
        (300, 25.0, 3, [Stretch(0, 0, 117), Stretch(92, 117, 208), Stretch(183, 208, None)]),
        (2 * MIN_FRAMES_PER_WORKER, 29.97, 8, [Stretch(0, 0, 105), Stretch(75, 105, None)]),
    ],
)
def test_plan_stretches(frames, fps, workers, expected):
    assert plan_stretches(frames, fps, workers) == expected


def test_stretches_cover_every_frame_once_and_share_the_work():
    plan = plan_stretches(1001, 30.0, 4)
    kept = [range(s.keep_from, 1001 if s.stop is None else s.stop) for s in plan]
    assert sorted(i for r in kept for i in r) == list(range(1001))
    processed = [(1001 if s.stop is None else s.stop) - s.start for s in plan]  # warm-up included
    assert max(processed) - min(processed) <= 1


def test_stretch_rejects_warmup_after_start():
    with pytest.raises(ValueError, match="expected 0 <= start <= keep_from"):
        Stretch(50, 40, 100)


@pytest.mark.slow
def test_parallel_track_matches_a_single_pass():
    clip = REAL / "bridge_studio.mp4"
    if not clip.is_file():
        pytest.skip("shared real videos are not beside this checkout")
    from formcheck.flows.tracking import TrackingOptions, observe_video
    from formcheck.pose.models import ensure_model

    options = TrackingOptions(ensure_model("full"))
    single = observe_video(clip, options, workers=1).pose
    joined = observe_video(clip, options, workers=2).pose
    assert len(joined) == len(single)
    np.testing.assert_array_equal(joined.t_ms, single.t_ms)
    assert joined.detection_rate == pytest.approx(single.detection_rate)
    # after the warm-up, the second worker's tracker follows the body as the single pass did:
    # within 1% of the frame's width (1280 px) on the median frame, and within 2% everywhere
    diff = np.nanmax(np.abs(joined.xy - single.xy), axis=(1, 2))
    assert np.nanmedian(diff) < 0.01 * 1280
    assert np.nanmax(diff) < 0.02 * 1280
