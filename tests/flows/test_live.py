"""Live loop pieces: the one-frame slot drops instead of queueing, pacing follows timestamps,
reports renumber processed frames as source frames."""

import threading
from pathlib import Path

import numpy as np
import pytest

from formcheck.capture.video import Frame
from formcheck.flows.live import Captured, Latency, LatestFrame, feed, in_source_frames
from formcheck.records import (
    METRIC_KEYS,
    Analysis,
    FrameSeries,
    MetricValue,
    RepSummary,
    RepVerdict,
    SourceInfo,
    ViewEstimate,
)


def _frame(i: int, t_ms: int | None = None) -> Frame:
    return Frame(i, i * 33 if t_ms is None else t_ms, np.zeros((4, 4, 3), np.uint8))


def test_slot_keeps_only_the_newest_frame_and_counts_drops():
    slot = LatestFrame()
    for i in range(5):
        slot.put(Captured(_frame(i), float(i)))
    item = slot.take(timeout_s=0.1)
    assert item is not None and item.frame.index == 4
    assert (slot.offered, slot.dropped) == (5, 4)
    slot.close()
    assert slot.take(timeout_s=0.1) is None


def test_take_waits_for_a_frame_from_another_thread():
    slot = LatestFrame()
    threading.Timer(0.05, lambda: slot.put(Captured(_frame(7), 0.0))).start()
    item = slot.take(timeout_s=2.0)
    assert item is not None and item.frame.index == 7


class _FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_feed_paces_frames_by_timestamp(monkeypatch):
    clock = _FakeClock()
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(round(s, 3))
        clock.now += s

    monkeypatch.setattr("formcheck.flows.live.time.sleep", sleep)
    slot = LatestFrame()
    taken: list[tuple[int, float]] = []
    original_put = slot.put

    def put(item: Captured) -> None:
        taken.append((item.frame.index, round(item.captured_s - 100.0, 3)))
        original_put(item)

    slot.put = put  # type: ignore[method-assign]
    feed([_frame(0, 0), _frame(1, 40), _frame(2, 100)], slot, realtime=True, stop=threading.Event(),
         clock=clock)
    assert taken == [(0, 0.0), (1, 0.04), (2, 0.1)]
    assert slept == [0.04, 0.06]
    assert slot.take(timeout_s=0.1).frame.index == 2 and slot.take(timeout_s=0.1) is None


def test_latency_percentiles():
    lat = Latency.of([0.010, 0.020, 0.030, 0.040, 0.100], offered=8, dropped=3)
    assert lat.p50_ms == pytest.approx(30.0)
    assert lat.p95_ms == pytest.approx(88.0)
    assert (lat.frames_seen, lat.frames_processed, lat.dropped_frames) == (8, 5, 3)


def test_reports_use_source_frame_numbers():
    metrics = {k: MetricValue(None, 0.0, "not measured") for k in METRIC_KEYS}
    rep = RepSummary(1, 2, 4, 6, metrics, 1.0, 0.5, 1.0)
    n = 8
    series = FrameSeries(np.arange(n) * 66, {}, {}, np.array(["setup"] * n), np.zeros(n, int))
    analysis = Analysis(SourceInfo("rec.mp4", 15.0, n, 64, 64), ViewEstimate("left", True, 0.9), series,
                        (RepVerdict(rep, (), 100),), (), 100)
    source = SourceInfo("clip.mp4", 30.0, 16, 64, 64)
    moved = in_source_frames(analysis, source, [0, 2, 4, 6, 8, 10, 12, 14])
    r = moved.reps[0].rep
    assert (r.start_frame, r.lockout_frame, r.end_frame) == (4, 8, 12)
    assert moved.source.path == "clip.mp4"


SAMPLES = Path(__file__).resolve().parents[2] / "sample_videos"


@pytest.fixture(scope="module")
def observed(pose_model):
    """Factory: a sample clip's observations (the tracking pass, one core), cached per module."""
    from formcheck.flows.tracking import TrackingOptions, observe_video

    cache = {}

    def get(clip: str):
        if clip not in cache:
            cache[clip] = observe_video(SAMPLES / f"{clip}.mp4", TrackingOptions(pose_model), workers=1)
        return cache[clip]

    return get


@pytest.mark.slow
@pytest.mark.parametrize(("clip", "bounced"), [("rushed_reps_right", 4), ("good_form_left", 0)])
def test_live_calls_a_missing_pause_once_the_top_is_over_and_never_while_it_is_held(observed, clip, bounced):
    """A rep judged while its top is still held has no hold time yet, so the pause rule must wait; a rep
    that bounced is judged as its descent starts, with the hold the rep tracker read."""
    from formcheck.flows.engine import Engine, EngineOptions
    from formcheck.flows.live import LiveView
    from formcheck.rules import load_rule_pack

    pack = load_rule_pack()
    pause = next(rule.message for rule in pack.rules if rule.id == "rushed_no_pause")
    engine, screen = Engine(EngineOptions(pack, live=True)), LiveView()
    banners, finished = set(), []
    for seen in observed(clip):
        update = engine.update(seen)
        banners.add(screen.view(seen, update).cue)
        finished.extend(cue.id for verdict in update.verdicts for cue in verdict.cues)
    assert (pause in banners) is bool(bounced)
    assert finished.count("rushed_reps") == bounced
