"""Live feedback: frames from a camera (or a file played as if it were one) -> overlay and spoken cues.

The loop never falls behind: a reader thread keeps only the newest frame in a one-frame slot, so when
inference is slower than the camera, frames are dropped rather than queued, and the latency from
capture to the cue on screen stays bounded. Each processed frame goes through the same measuring
(`Measurer`, causal filtering) and rules (`evaluate_rep`, paced by a `CueDebouncer`) as offline analysis.
When the set ends, the frames that were processed are judged once more by the offline pipeline, so the
saved report.json is what `formcheck analyze` would say about the same frames.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from formcheck.body.joints import Joints
from formcheck.body.view import estimate_view
from formcheck.capture.video import DEFAULT_MAX_SIDE, Frame
from formcheck.measure.clip import Measurer
from formcheck.measure.reps import RepSegment
from formcheck.pose.landmarks import PoseFrame, PoseTrack
from formcheck.records import Analysis, Cue, Phase, RepVerdict, Severity, SourceInfo
from formcheck.report.overlay import OverlayState
from formcheck.rules import CueDebouncer, RulePack, evaluate_rep

# Live, a rep is judged as soon as its top has settled — hip extension steady within SETTLED_DEG for
# SETTLED_MS — so the cue is on screen while the lifter holds the top. Without a steady hip (a plate
# hides it, or no pause at the top) it is judged when the top ends.
SETTLED_MS = 250
SETTLED_DEG = 3.0
# Shown instead of cues when a plate hides the hips: live cannot repair them frame by frame, so it judges
# nothing rather than guess; the report after the set counts and times the reps from the bar.
PLATE_NOTE = "A plate hides your hips: reps and cues come in the report after the set."
# Frames with a person seen before the near side and the plate check are decided and measuring starts
# (they are then measured too). Fewer than ~60 frames (2 s) missed the plate on rendered plated sets.
WARMUP_FRAMES = 60
PLATE_CHECK_SIDE = 640  # warm-up frames are kept at most this large for the plate check


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


@dataclass
class LiveState:
    """What one processed frame shows and says."""

    overlay: OverlayState
    say: Cue | None = None  # a cue to speak now
    finished: tuple[RepVerdict, ...] = ()  # reps judged at this frame


@dataclass
class LiveSession:
    """Pure per-frame logic of a live set: decide the side, measure, judge each rep, pace the cues."""

    pack: RulePack
    side: str = "auto"
    debouncer: CueDebouncer = field(default_factory=CueDebouncer)
    _pending: list[PoseFrame] = field(default_factory=list, init=False)
    _images: list[tuple[np.ndarray, float]] = field(default_factory=list, init=False)  # for the plate check
    _plate_note: str | None = field(default=None, init=False)  # set when a plate hides the hips
    _measurer: Measurer | None = field(default=None, init=False)
    _verdicts: list[RepVerdict] = field(default_factory=list, init=False)
    _banner: Cue | None = field(default=None, init=False)
    _times: list[int] = field(default_factory=list, init=False)  # t_ms of every measured frame
    _hip: list[float] = field(default_factory=list, init=False)  # hip extension of every measured frame
    _rise_start: int | None = field(default=None, init=False)  # frame the current concentric began
    _top: list[int] = field(default_factory=list, init=False)  # frames of the current lockout
    _judged_early: bool = field(default=False, init=False)  # the current rep was judged at its lockout
    cue_times_ms: list[int] = field(default_factory=list, init=False)  # t_ms of frames that raised a cue

    @property
    def verdicts(self) -> tuple[RepVerdict, ...]:
        return tuple(self._verdicts)

    def update(self, pose: PoseFrame, now_s: float, image: np.ndarray | None = None) -> LiveState:
        """Consume one processed frame (timestamps increasing); `now_s` paces spoken cues. `image` (BGR)
        is needed during the first frames only, to see whether a plate hides the hips."""
        if self._measurer is None:
            return self._warm_up(pose, now_s, image)
        if self._plate_note is not None:
            return LiveState(OverlayState(pose.xy, pose.visibility, self._measurer.side,
                                          phase="plate in view", cue=self._plate_note,
                                          cue_severity=Severity.INFO))
        update = self._measurer.update(pose)
        self._times.append(pose.t_ms)
        self._hip.append(update.values.get("hip_extension_deg", math.nan))
        said = self._follow_phase(update.frame, update.phase, now_s)
        finished = []
        for rep in update.reps:
            verdict = evaluate_rep(rep, self.pack, latched=self.debouncer.active)
            self._verdicts.append(verdict)
            finished.append(verdict)
            # say it now when the lockout was missed live, or when judging the top found nothing but the
            # complete rep did (its exact edges can move a value past a threshold)
            if not self._judged_early or (self._banner is None and verdict.cues):
                said = self._show(verdict, update.frame, now_s) or said
            self._judged_early = False
        overlay = OverlayState(pose.xy, pose.visibility, self._measurer.side,
                               metrics=update.values, confidence=update.confidence,
                               rep_count=len(self._verdicts), phase=update.phase.value,
                               cue=self._banner.message if self._banner else None,
                               cue_severity=self._banner.severity if self._banner else Severity.WARNING)
        return LiveState(overlay, said, tuple(finished))

    def _follow_phase(self, frame: int, phase: Phase, now_s: float) -> Cue | None:
        """Judge a rep once its top has settled (or when an unsettled top ends)."""
        if phase is Phase.CONCENTRIC and self._rise_start is None:
            self._rise_start, self._judged_early = frame, False
        if phase is Phase.LOCKOUT:
            self._top.append(frame)
            if self._judged_early or not self._settled(self._top):
                return None
            return self._judge_top(self._top, now_s, hold_s=math.nan)
        top, self._top = self._top, []
        if phase is not Phase.CONCENTRIC:
            self._rise_start = None
        if not top or self._judged_early:
            return None
        return self._judge_top(top, now_s, hold_s=self._measurer.top_hold_s if self._measurer else math.nan)

    def _settled(self, top: list[int]) -> bool:
        """The hips have stopped rising: hip extension stayed within `SETTLED_DEG` for `SETTLED_MS`."""
        t, now = self._times, self._times[top[-1]]
        recent = [i for i in top if now - t[i] <= SETTLED_MS]
        if now - t[recent[0]] < SETTLED_MS * 0.75:
            return False
        values = np.array([self._hip[i] for i in recent])
        return bool(np.isfinite(values).all() and np.ptp(values) <= SETTLED_DEG)

    def _judge_top(self, top: list[int], now_s: float, *, hold_s: float) -> Cue | None:
        """Judge the rep from its rise and the frames of its top seen so far. `hold_s` is the rep
        tracker's hold once the descent has started; while the lifter still holds the top it is NaN
        (unknown: the time seen so far is not the hold), and the pause is judged when the top ends."""
        assert self._measurer is not None
        t = self._times
        start = self._rise_start if self._rise_start is not None else top[0]
        middle = min(top, key=lambda i: abs(t[i] - (t[top[0]] + t[top[-1]]) / 2))
        segment = RepSegment(len(self._verdicts) + 1, start, top[0], middle, top[-1], top[-1],
                             (t[top[0]] - t[start]) / 1000.0, hold_s, math.nan,
                             math.nan, math.nan)
        verdict = evaluate_rep(self._measurer.provisional(segment), self.pack, latched=self.debouncer.active)
        self._judged_early = True
        return self._show(verdict, top[-1], now_s)

    def _show(self, verdict: RepVerdict, frame: int, now_s: float) -> Cue | None:
        """Put the rep's primary cue on the banner; return the cue to speak, if the debouncer allows."""
        self._banner = next((c for c in verdict.cues if c.primary), None)
        if self._banner is not None:
            self.cue_times_ms.append(self._times[frame])
        return self.debouncer.update(verdict.cues, now_s)

    def _warm_up(self, pose: PoseFrame, now_s: float, image: np.ndarray | None) -> LiveState:
        """Collect the first frames with a person; then decide the side and whether a plate is in view."""
        if pose.found:
            self._pending.append(pose)
            if image is not None:
                self._images.append(_small(image))
        if len(self._pending) < WARMUP_FRAMES:
            return LiveState(OverlayState(pose.xy, pose.visibility, "left", phase="finding the lifter"))
        track = PoseTrack.from_frames(self._pending, fps=30.0, width=1, height=1)
        side = estimate_view(track).side if self.side == "auto" else self.side
        if len(self._images) == len(self._pending) and _plate_in_view(self._images, track, side):
            self._plate_note = PLATE_NOTE
        self._images = []
        self._measurer = Measurer(side)
        pending, self._pending = self._pending, []
        state = LiveState(OverlayState(pose.xy, pose.visibility, side))
        for earlier in pending:
            state = self.update(earlier, now_s)
        return state


def _small(image: np.ndarray) -> tuple[np.ndarray, float]:
    """A copy at most `PLATE_CHECK_SIDE` pixels wide or high (memory stays small), and its scale."""
    import cv2

    scale = min(1.0, PLATE_CHECK_SIDE / max(image.shape[:2]))
    if scale == 1.0:
        return image.copy(), 1.0
    return cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA), scale


def _plate_in_view(images: list[tuple[np.ndarray, float]], track: PoseTrack, side: str) -> bool:
    """True when a plate covers the lifter's hips in the first frames (then hip angles are not trusted)."""
    from formcheck.plate.finder import track_plate

    joints = Joints.from_track(track, side)
    scale = images[0][1]  # landmarks are in full-frame pixels, the kept images may be smaller
    joints = Joints(joints.t_ms, side, {k: v * scale for k, v in joints.xy.items()}, joints.conf)
    return track_plate([image for image, _ in images], joints).present


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
class LiveResult:
    """What a live run leaves: latency figures, the processed frames' landmarks and the judged reps."""

    latency: Latency
    track: PoseTrack  # processed frames only, renumbered from 0
    verdicts: tuple[RepVerdict, ...]
    source_index: tuple[int, ...]  # the source frame number of each processed frame


Show = Callable[[np.ndarray], bool]  # draws a frame; returns False when the user asks to stop


def run_live(frames: Iterable[Frame], session: LiveSession, *, model: str, fps: float,
             size: tuple[int, int], realtime: bool, show: Show | None = None,
             say: Callable[[Cue], None] | None = None, record: Callable[[np.ndarray], None] | None = None,
             max_side: int = DEFAULT_MAX_SIDE) -> LiveResult:
    """Process the newest frame each time round until the source ends or `show` returns False.

    `record` receives every processed frame, undrawn (e.g. to keep them for the final report).
    """
    from formcheck.pose.estimator import PoseEstimator
    from formcheck.report.overlay import draw_overlay

    slot, stop = LatestFrame(), threading.Event()
    reader = threading.Thread(target=feed, args=(frames, slot), kwargs={"realtime": realtime, "stop": stop},
                              name="formcheck-capture", daemon=True)
    poses: list[PoseFrame] = []
    source_index: list[int] = []
    latencies: list[float] = []
    reader.start()
    try:
        with PoseEstimator(model, mode="video", max_side=max_side) as estimator:
            while (item := slot.take()) is not None:
                pose = estimator.process(item.frame)
                state = session.update(pose, item.captured_s, item.frame.image)
                latency = time.perf_counter() - item.captured_s
                if show is not None:
                    image = draw_overlay(item.frame.image.copy(), state.overlay)
                    _draw_latency(image, latency * 1000.0)
                    if not show(image):
                        break
                latencies.append(time.perf_counter() - item.captured_s)  # the cue is on screen now
                if state.say is not None and say is not None:
                    say(state.say)
                if record is not None:
                    record(item.frame.image)
                poses.append(PoseFrame(len(poses), pose.t_ms, pose.xy, pose.visibility, pose.presence,
                                       pose.world))
                source_index.append(item.frame.index)
    finally:
        stop.set()
        reader.join(timeout=2.0)
    track = PoseTrack.from_frames(poses, fps, *size)
    return LiveResult(Latency.of(latencies, slot.offered, slot.dropped), track, session.verdicts,
                      tuple(source_index))


def in_source_frames(analysis: Analysis, source: SourceInfo, source_index: Sequence[int]) -> Analysis:
    """`analysis` of the processed frames, its rep boundaries renumbered as frames of the source.

    The live loop skips frames it had no time for; reports speak in the source's frame numbers so they
    line up with the video (and with `formcheck analyze` on the same file).
    """
    def renumber(verdict: RepVerdict) -> RepVerdict:
        rep = verdict.rep
        moved = replace(rep, start_frame=source_index[rep.start_frame],
                        lockout_frame=source_index[rep.lockout_frame], end_frame=source_index[rep.end_frame])
        return replace(verdict, rep=moved)

    return replace(analysis, source=source, reps=tuple(renumber(v) for v in analysis.reps))


def _draw_latency(image: np.ndarray, latency_ms: float) -> None:
    """Latency in the top-right corner, so a lifter can see when the feedback lags."""
    import cv2

    text = f"{latency_ms:.0f} ms"
    w = image.shape[1]
    scale = max(0.5, w / 1280)
    (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
    cv2.putText(image, text, (w - tw - 12, th + 12), cv2.FONT_HERSHEY_SIMPLEX, scale, (255, 255, 255), 1,
                cv2.LINE_AA)
