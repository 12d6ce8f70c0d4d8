"""Stretch planning for parallel tracking, and that a parallel pass matches a single pass."""

from pathlib import Path

import numpy as np
import pytest

from formcheck.pose.parallel import MIN_FRAMES_PER_WORKER, Stretch, plan_stretches, track_parallel

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "real_videos"


@pytest.mark.parametrize(
    ("frames", "fps", "expected"),
    [
        (100, 30.0, [Stretch(0, 0, None)]),  # too short to be worth a second stretch
        (300, 30.0, [Stretch(0, 0, 165), Stretch(135, 165, None)]),  # a typical set: two stretches
        (300, 25.0, [Stretch(0, 0, 162), Stretch(137, 162, None)]),
        (2 * MIN_FRAMES_PER_WORKER, 29.97, [Stretch(0, 0, 105), Stretch(75, 105, None)]),
        (1800, 30.0, [Stretch(0, 0, 472), Stretch(442, 472, 915), Stretch(885, 915, 1358),
                      Stretch(1328, 1358, None)]),  # a minute: an even count, so two cores share it evenly
    ],
)
def test_plan_stretches(frames, fps, expected):
    assert plan_stretches(frames, fps) == expected


def test_stretches_cover_every_frame_once_and_share_the_work():
    plan = plan_stretches(3000, 30.0)
    assert len(plan) == 6  # 100 s in stretches of at most STRETCH_S (20 s), an even count
    kept = [range(s.keep_from, 3000 if s.stop is None else s.stop) for s in plan]
    assert sorted(i for r in kept for i in r) == list(range(3000))
    processed = [(3000 if s.stop is None else s.stop) - s.start for s in plan]  # warm-up included
    assert max(processed) - min(processed) <= 1


def test_stretch_rejects_warmup_after_start():
    with pytest.raises(ValueError, match="expected 0 <= start <= keep_from"):
        Stretch(50, 40, 100)


class _Counter:
    """A stage that numbers the frames it was fed: a warm-up that leaked into the kept frames would show."""

    def __enter__(self):
        self.fed = 0
        return self

    def __exit__(self, *exc):
        return None


def _number(frames, stage):
    for frame in frames:
        stage.fed += 1
        yield (frame.index, stage.fed)


@pytest.mark.parametrize("workers", [1, 2, 3])
def test_stretches_come_back_packed_in_order_whatever_the_workers(tmp_path, workers):
    import cv2

    from formcheck.capture.video import open_video

    path = tmp_path / "grey.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter.fourcc(*"MJPG"), 30.0, (64, 48))
    for i in range(1300):
        writer.write(np.full((48, 64, 3), i % 250, np.uint8))
    writer.release()
    video = open_video(path)
    plan = plan_stretches(video.info.frame_count, video.info.fps)
    assert len(plan) == 4
    parts = track_parallel(video, _Counter, _number, tuple, workers=workers)
    # one packed part per stretch, in order; each kept frame once, its stretch warmed up first
    assert len(parts) == len(plan)
    assert [index for part in parts for index, _ in part] == list(range(1300))
    for stretch, part in zip(plan, parts, strict=True):
        assert part[0] == (stretch.keep_from, stretch.keep_from - stretch.start + 1)


@pytest.mark.slow
def test_one_process_or_two_give_the_same_observations():
    clip = REAL / "bridge_studio.mp4"
    if not clip.is_file():
        pytest.skip("shared real videos are not beside this checkout")
    from formcheck.flows.tracking import TrackingOptions, observe_video
    from formcheck.pose.models import ensure_model

    options = TrackingOptions(ensure_model("full"))
    single = observe_video(clip, options, workers=1).pose
    joined = observe_video(clip, options, workers=2).pose
    # the stretches depend on the video alone: one process or two, the observations are the same
    np.testing.assert_array_equal(joined.t_ms, single.t_ms)
    np.testing.assert_array_equal(joined.xy, single.xy)
