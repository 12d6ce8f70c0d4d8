"""Run a per-frame stage over a video file in stretches, in several processes at once, joined in order.

One pose landmarker keeps about one core busy, so the video is cut into contiguous stretches that can run
in their own processes, each decoding its own frames. MediaPipe's VIDEO mode follows the body from frame to
frame (and the plate tracker follows the plate), so every stretch after the first starts `warmup_s` before
its first kept frame with a fresh stage and throws those frames away. The stretches depend on the video
alone (its length and frame rate), never on how many processes run them: one core or eight, a video gives
the same observations, so `formcheck analyze` and `formcheck batch` (one process per set) report the same
numbers. They are cut so that every stretch processes about the same number of frames, warm-up included.

The stage is generic: `make_stage()` builds it inside the worker (a pose model must not cross a fork),
and `run(frames, stage)` yields one picklable result per frame. Each stretch's results go back to the
parent as soon as the stretch is done, packed by `pack` (e.g. into arrays, far smaller than a Python object
per frame), so neither a worker nor the parent holds a long video as objects per frame.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing as mp
import os
import queue
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, TypeVar

from formcheck.capture.video import FileSource, Frame, open_video
from formcheck.errors import FormcheckError

Progress = Callable[[int], None]  # called with the number of frames just finished
S = TypeVar("S", bound=AbstractContextManager)
R = TypeVar("R")
P = TypeVar("P")

# Below this many frames per stretch, a stretch's warm-up and start-up cost more than they save.
MIN_FRAMES_PER_WORKER = 90
# Stretches are at most about this long (seconds): two cover a typical set, more a long video.
STRETCH_S = 20.0
PROGRESS_EVERY = 8  # frames between progress messages from a worker


@dataclass(frozen=True)
class Stretch:
    """Frames [keep_from, stop) are kept; processing starts at `start` (<= keep_from) to warm up."""

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


def plan_stretches(frame_count: int, fps: float, warmup_s: float = 1.0) -> list[Stretch]:
    """Cut `frame_count` frames into stretches of at most about `STRETCH_S` (an even number, at least two,
    when the video is long enough), each after the first warming up `warmup_s` early, so that every stretch
    processes (about) the same number of frames, warm-up included. A function of the video only."""
    wanted = max(2, math.ceil(frame_count / max(fps, 1.0) / STRETCH_S))
    wanted += wanted % 2  # an even count: two cores (the common case) get the same share, not 2 of 3 and 1
    workers = max(1, min(wanted, frame_count // MIN_FRAMES_PER_WORKER))
    if workers == 1:
        return [Stretch(0, 0, None)]
    warmup = max(1, round(warmup_s * fps))
    each = (frame_count + (workers - 1) * warmup) / workers  # frames each worker processes
    bounds = [0, *(round(each + k * (each - warmup)) for k in range(workers - 1)), frame_count]
    return [Stretch(max(0, lo - warmup) if i else 0, lo, None if i == workers - 1 else hi)
            for i, (lo, hi) in enumerate(itertools.pairwise(bounds))]


def track_parallel(video: FileSource, make_stage: Callable[[], S],
                   run: Callable[[Iterable[Frame], S], Iterator[R]], pack: Callable[[list[R]], P], *,
                   workers: int, warmup_s: float = 1.0, progress: Progress | None = None) -> list[P]:
    """Every stretch's kept results, packed by `pack`, in order; the stretches processed by up to
    `workers` processes. The same list whatever the number of workers."""
    info = video.info
    stretches = plan_stretches(info.frame_count, info.fps, warmup_s)
    groups = _share(stretches, workers)
    if len(groups) == 1:
        return [pack(list(_stretch(video, make_stage, run, stretch, progress))) for stretch in stretches]
    return _run_workers(info.path, make_stage, run, pack, groups, progress)


def _share(stretches: list[Stretch], workers: int) -> list[list[Stretch]]:
    """The stretches in up to `workers` groups of neighbours, as even as can be, one group per process."""
    n = max(1, min(workers, len(stretches)))
    bounds = [round(i * len(stretches) / n) for i in range(n + 1)]
    return [stretches[a:b] for a, b in itertools.pairwise(bounds)]


def _stretch(source: Iterable[Frame], make_stage: Callable[[], Any], run: Callable[..., Iterator[Any]],
             stretch: Stretch, progress: Progress | None = None) -> Iterator[Any]:
    """The kept frames' results of one stretch, with a fresh stage that warms up on the frames before."""
    upto = itertools.takewhile(lambda f: stretch.stop is None or f.index < stretch.stop, source)
    with make_stage() as stage:
        frames = (f for f in upto if f.index >= stretch.start)
        for frame_index, result in zip(itertools.count(stretch.start), run(frames, stage), strict=False):
            if frame_index >= stretch.keep_from:
                if progress is not None:
                    progress(1)
                yield result


def _run_workers(path: str, make_stage: Callable[[], Any], run: Callable[..., Iterator[Any]],
                 pack: Callable[[list[Any]], Any], groups: list[list[Stretch]],
                 progress: Progress | None) -> list[Any]:
    ctx = _context()
    messages: mp.Queue = ctx.Queue()
    firsts = list(itertools.accumulate((len(g) for g in groups[:-1]), initial=0))
    procs = [ctx.Process(target=_worker, args=(i, path, make_stage, run, pack, g, first, messages),
                         daemon=True)
             for i, (g, first) in enumerate(zip(groups, firsts, strict=True))]
    for p in procs:
        p.start()
    packed: dict[int, Any] = {}
    done: set[int] = set()
    try:
        while len(done) < len(procs):
            try:
                kind, worker, payload = messages.get(timeout=1.0)
            except queue.Empty:
                dead = [p for i, p in enumerate(procs) if i not in done and not p.is_alive()]
                if dead and messages.empty():
                    raise RuntimeError(f"a tracking worker exited with code {dead[0].exitcode}") from None
                continue
            if kind == "progress" and progress is not None:
                progress(payload)
            elif kind == "error":
                raise payload
            elif kind == "stretch":
                number, part = payload
                packed[number] = part
            elif kind == "done":
                done.add(worker)
    finally:
        for p in procs:
            if p.is_alive():
                p.terminate()
            p.join()
    return [packed[i] for i in range(sum(len(g) for g in groups))]


def _context() -> mp.context.BaseContext:
    """fork where available: workers start at once and need no importable __main__ (scripts, notebooks).

    The parent never creates a landmarker before forking, so no MediaPipe threads are inherited.
    """
    return mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")


def _mute_native_stderr() -> None:
    """A worker reports through its queue; MediaPipe's native log lines would only clutter the terminal."""
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)


def _worker(index: int, path: str, make_stage: Callable[[], Any], run: Callable[..., Iterator[Any]],
            pack: Callable[[list[Any]], Any], stretches: list[Stretch], first: int,
            messages: mp.Queue) -> None:
    """Process some stretches in order (`first` is the number of the first in the whole plan), sending
    back each one's kept frames' results, packed, as soon as it is done; errors go back whole."""
    _mute_native_stderr()
    try:
        pending = 0

        def tick(frames: int) -> None:
            nonlocal pending
            pending += frames
            if pending >= PROGRESS_EVERY:
                messages.put(("progress", index, pending))
                pending = 0

        for number, stretch in enumerate(stretches, start=first):
            part = pack(list(_stretch(open_video(path), make_stage, run, stretch, tick)))
            messages.put(("stretch", index, (number, part)))
        if pending:
            messages.put(("progress", index, pending))
        messages.put(("done", index, None))
    except FormcheckError as exc:
        messages.put(("error", index, exc))
    except Exception as exc:  # sent back whole so the parent reports it as an internal error
        messages.put(("error", index, RuntimeError(f"{type(exc).__name__}: {exc}")))
