"""Track a video file with several pose landmarkers at once, each on its own stretch, joined into one track.

One PoseLandmarker keeps about one core busy, so on a machine with more cores the video is cut into
contiguous stretches and each is tracked in its own process. MediaPipe's VIDEO mode follows the body from
frame to frame, so every worker after the first starts `warmup_s` before its stretch and throws those
frames away: by the first frame it keeps, its tracker has locked on just as a single pass would have.
"""

from __future__ import annotations

import itertools
import multiprocessing as mp
import os
import queue
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, open_video
from formcheck.errors import FormcheckError
from formcheck.pose.landmarks import PoseTrack

Progress = Callable[[int], None]  # called with the number of frames just finished

# Below this many frames per worker, starting processes costs more than it saves.
MIN_FRAMES_PER_WORKER = 90
PROGRESS_EVERY = 8  # frames between progress messages from a worker


@dataclass(frozen=True)
class Stretch:
    """Frames [keep_from, stop) are kept; tracking starts at `start` (<= keep_from) to warm up."""

    start: int
    keep_from: int
    stop: int | None  # None: to the end of the file

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.keep_from or (self.stop is not None and self.stop < self.keep_from):
            raise ValueError(f"Stretch: expected 0 <= start <= keep_from <= stop, got "
                             f"{self.start}, {self.keep_from}, {self.stop}")


def default_workers() -> int:
    """Cores this process may use (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def plan_stretches(frame_count: int, fps: float, workers: int, warmup_s: float = 1.0) -> list[Stretch]:
    """Cut `frame_count` frames into up to `workers` stretches, each later one warming up `warmup_s` early."""
    workers = max(1, min(workers, frame_count // MIN_FRAMES_PER_WORKER))
    if workers == 1:
        return [Stretch(0, 0, None)]
    warmup = max(1, round(warmup_s * fps))
    bounds = [round(i * frame_count / workers) for i in range(workers + 1)]
    return [Stretch(max(0, lo - warmup) if i else 0, lo, None if i == workers - 1 else hi)
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))]


def track_parallel(video: FileSource | str | Path, *, model: str | Path, workers: int | None = None,
                   max_side: int = DEFAULT_MAX_SIDE, num_poses: int = 1, warmup_s: float = 1.0,
                   progress: Progress | None = None) -> PoseTrack:
    """Landmarks for every frame, tracked by up to `workers` processes; same result as one pass."""
    source = video if isinstance(video, FileSource) else open_video(video)
    info = source.info
    stretches = plan_stretches(info.frame_count, info.fps, workers or default_workers(), warmup_s)
    if len(stretches) == 1:
        from formcheck.pose.estimator import track_video

        tick = (lambda _pose: progress(1)) if progress else None
        return track_video(source, model=model, max_side=max_side, num_poses=num_poses, progress=tick)
    parts = _run_workers(info.path, str(model), stretches, max_side, num_poses, progress)
    t_ms = np.concatenate([p[0] for p in parts])
    data = np.concatenate([p[1] for p in parts])
    t_ms = _strictly_increasing(t_ms)
    return PoseTrack(t_ms, data, info.fps, info.width, info.height)


def _strictly_increasing(t_ms: np.ndarray) -> np.ndarray:
    """Each worker nudges repeated container timestamps on its own; redo it once over the joined track."""
    out = t_ms.astype(np.int64).copy()
    for i in range(1, out.size):
        if out[i] <= out[i - 1]:
            out[i] = out[i - 1] + 1
    return out


def _run_workers(path: str, model: str, stretches: list[Stretch], max_side: int, num_poses: int,
                 progress: Progress | None) -> list[tuple[np.ndarray, np.ndarray]]:
    ctx = _context()
    messages: mp.Queue = ctx.Queue()
    procs = [ctx.Process(target=_worker, args=(i, path, model, s, max_side, num_poses, messages), daemon=True)
             for i, s in enumerate(stretches)]
    for p in procs:
        p.start()
    parts: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    try:
        while len(parts) < len(procs):
            try:
                kind, worker, payload = messages.get(timeout=1.0)
            except queue.Empty:
                dead = [p for i, p in enumerate(procs) if i not in parts and not p.is_alive()]
                if dead and messages.empty():
                    raise RuntimeError(f"a tracking worker exited with code {dead[0].exitcode}") from None
                continue
            if kind == "progress" and progress is not None:
                progress(payload)
            elif kind == "error":
                raise payload
            elif kind == "done":
                parts[worker] = payload
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    return [parts[i] for i in range(len(procs))]


def _context() -> mp.context.BaseContext:
    """fork where available: workers start at once and need no importable __main__ (scripts, notebooks).

    The parent never creates a landmarker before forking, so no MediaPipe threads are inherited.
    """
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _mute_native_stderr() -> None:
    """A worker reports through its queue; MediaPipe's native log lines would only clutter the terminal."""
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)


def _worker(index: int, path: str, model: str, stretch: Stretch, max_side: int, num_poses: int,
            messages: mp.Queue) -> None:
    """Track one stretch and send back (t_ms, data) of the kept frames; errors go back as exceptions."""
    _mute_native_stderr()
    try:
        from formcheck.pose.estimator import PoseEstimator, iter_poses

        source = open_video(path)
        rows: list[np.ndarray] = []
        times: list[int] = []
        pending = 0
        with PoseEstimator(model, mode="video", num_poses=num_poses, max_side=max_side) as estimator:
            upto = itertools.takewhile(lambda f: stretch.stop is None or f.index < stretch.stop, source)
            for frame, pose in iter_poses((f for f in upto if f.index >= stretch.start), estimator):
                if frame.index < stretch.keep_from:
                    continue
                rows.append(pose.as_row())
                times.append(pose.t_ms)
                pending += 1
                if pending == PROGRESS_EVERY:
                    messages.put(("progress", index, pending))
                    pending = 0
        if pending:
            messages.put(("progress", index, pending))
        data = np.stack(rows) if rows else np.zeros((0, 33, 7), np.float32)
        messages.put(("done", index, (np.array(times, dtype=np.int64), data)))
    except FormcheckError as exc:
        messages.put(("error", index, exc))
    except Exception as exc:  # sent back whole so the parent reports it as an internal error
        messages.put(("error", index, RuntimeError(f"{type(exc).__name__}: {exc}")))
