"""Live feedback: frames from a camera (or a file played as if it were one) -> overlay and spoken cues.

The loop never falls behind: a reader thread keeps only the newest frame in a one-frame slot, so when
inference is slower than the camera, frames are dropped rather than queued, and the latency from
capture to the cue on screen stays bounded. Each processed frame goes through the same tracking pass
(`flows/tracking.FrameStage`: pose, and a plate found and painted out) and the same streaming engine
(`flows/engine.Engine`, live) as a recorded set; the report after the set is the engine's own verdicts.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from formcheck.body.joints import near_side, other_side
from formcheck.capture.video import Frame
from formcheck.flows.engine import Engine, EngineUpdate
from formcheck.flows.tracking import FrameStage, Observation
from formcheck.records import Analysis, Cue, Severity, SourceInfo
from formcheck.report.annotators import FrameView, draw_frame, latency
from formcheck.report.timeline import headline_cue


@dataclass
class Captured:
    """A frame as it left the camera, with the wall-clock time (perf_counter seconds) it was captured."""

    frame: Frame
    captured_s: float


class LatestFrame:
    """A one-frame slot between the reader thread and the loop: a newer frame replaces an unread one."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._item: Captured | None = None
        self._closed = False
        self.offered = 0  # frames the source produced
        self.dropped = 0  # frames replaced before the loop took them

    def put(self, item: Captured) -> None:
        with self._cond:
            if self._item is not None:
                self.dropped += 1
            self._item = item
            self.offered += 1
            self._cond.notify()

    def close(self) -> None:
        """No more frames will come."""
        with self._cond:
            self._closed = True
            self._cond.notify()

    def take(self, timeout_s: float = 1.0) -> Captured | None:
        """The newest frame, waiting for one; None once the source has ended and the slot is empty."""
        with self._cond:
            while self._item is None and not self._closed:
                self._cond.wait(timeout_s)
            item, self._item = self._item, None
            return item


def feed(frames: Iterable[Frame], slot: LatestFrame, *, realtime: bool, stop: threading.Event,
         clock: Callable[[], float] = time.perf_counter) -> None:
    """Reader thread body: hand frames to `slot`; with `realtime`, at the pace of their timestamps."""
    start: float | None = None
    try:
        for frame in frames:
            if stop.is_set():
                return
            if realtime:
                if start is None:
                    start = clock() - frame.t_ms / 1000.0
                delay = start + frame.t_ms / 1000.0 - clock()
                if delay > 0:
                    time.sleep(delay)
            slot.put(Captured(frame, clock()))
    finally:
        slot.close()


class LiveView:
    """What the live window shows, frame by frame: the engine's joints and values, and the cue banner,
    which stays up from one judged rep to the next."""

    def __init__(self) -> None:
        self._banner: Cue | None = None

    def view(self, observation: Observation, update: EngineUpdate) -> FrameView:
        """What to draw on `observation`'s frame; the engine's joints only once it has caught up to it."""
        if update.judged:
            self._banner = headline_cue(update.cues)
        current = update.frame == observation.index and update.side is not None
        far = near_side(observation.pose, other_side(update.side)) if current and update.side else None
        radius = observation.plate.radius if observation.plate is not None else float("nan")
        banner = self._banner
        return FrameView(update.joints if current else None, far, update.metrics, update.confidence,
                         update.rep_count, update.phase, banner.message if banner else None,
                         Severity(banner.severity) if banner else Severity.WARNING, radius)


@dataclass(frozen=True)
class Latency:
    """Capture-to-screen latency of the processed frames and how many frames were dropped."""

    p50_ms: float
    p95_ms: float
    max_ms: float
    frames_seen: int  # frames the source produced
    frames_processed: int
    dropped_frames: int

    @classmethod
    def of(cls, latencies_s: list[float], offered: int, dropped: int) -> Latency:
        ms = np.array(latencies_s) * 1000.0 if latencies_s else np.array([np.nan])
        return cls(round(float(np.nanpercentile(ms, 50)), 1), round(float(np.nanpercentile(ms, 95)), 1),
                   round(float(np.nanmax(ms)), 1), offered, len(latencies_s), dropped)


@dataclass(frozen=True)
class LiveRun:
    """What a live loop leaves besides the engine's own state: latency and which source frames it used."""

    latency: Latency
    source_index: tuple[int, ...]  # the source frame number of each processed frame
    latencies_ms: tuple[float, ...]  # capture to screen, of each processed frame


Show = Callable[[np.ndarray], bool]  # draws a frame; returns False when the user asks to stop


def run_live(frames: Iterable[Frame], stage: FrameStage, engine: Engine, *, realtime: bool,
             show: Show | None = None, say: Callable[[Cue], None] | None = None,
             record: Callable[[np.ndarray], None] | None = None) -> LiveRun:
    """Process the newest frame each time round until the source ends or `show` returns False; then call
    `engine.finish` for the set. `record` receives every processed frame, undrawn."""
    slot, stop = LatestFrame(), threading.Event()
    reader = threading.Thread(target=feed, args=(frames, slot), kwargs={"realtime": realtime, "stop": stop},
                              name="formcheck-capture", daemon=True)
    source_index: list[int] = []
    latencies: list[float] = []
    screen = LiveView()
    reader.start()
    try:
        while (item := slot.take()) is not None:
            index = len(source_index)  # the engine numbers the frames it is fed
            seen = stage.process(Frame(index, item.frame.t_ms, item.frame.image))
            update = engine.update(seen)
            if show is not None:
                image = draw_frame(item.frame.image.copy(), screen.view(seen, update))
                latency(image, (time.perf_counter() - item.captured_s) * 1000.0)
                if not show(image):
                    break
            latencies.append(time.perf_counter() - item.captured_s)  # the cue is on screen now
            if update.say is not None and say is not None:
                say(update.say)
            if record is not None:
                record(item.frame.image)
            source_index.append(item.frame.index)
    finally:
        stop.set()
        reader.join(timeout=2.0)
    return LiveRun(Latency.of(latencies, slot.offered, slot.dropped), tuple(source_index),
                   tuple(round(s * 1000.0, 2) for s in latencies))


def in_source_frames(analysis: Analysis, source: SourceInfo, source_index: Sequence[int]) -> Analysis:
    """`analysis` of the processed frames, its rep boundaries renumbered as frames of the source.

    The live loop skips frames it had no time for; reports speak in the source's frame numbers so they
    line up with the video (and with `formcheck analyze` on the same file).
    """
    def renumber(verdict):
        rep = verdict.rep
        moved = replace(rep, start_frame=source_index[rep.start_frame],
                        lockout_frame=source_index[rep.lockout_frame], end_frame=source_index[rep.end_frame])
        return replace(verdict, rep=moved)

    return replace(analysis, source=source, reps=tuple(renumber(v) for v in analysis.reps))
