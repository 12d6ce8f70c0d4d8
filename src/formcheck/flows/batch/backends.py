"""Where a batch's jobs run: a local process pool, or Ray tasks on a local or remote cluster.

Both take jobs and hand back outcomes as they finish, keeping at most two jobs per worker in flight so
memory stays flat on a long batch. Workers only compute and stage files; the driver that iterates the
outcomes is the one writer of final outputs and of the database.

Local: `spawn`/`forkserver` processes, never `fork`, so no MediaPipe state is inherited; each worker creates
its own landmarker per job. A worker that dies (a decoder crash on a corrupt file) breaks the pool: the pool
is rebuilt and its unfinished jobs are tried once more, so the file at fault fails alone. As with any
spawned pool, a script that runs a batch itself needs the `if __name__ == "__main__":` guard.

Ray: one task per job (`num_cpus=1`). Without `address` a local cluster is started with `num_cpus=workers`.
A task whose machine cannot read the video's path gets its bytes from the object store.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import tempfile
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from formcheck.errors import InputError
from formcheck.flows.batch.jobs import AnalyseJob, Failed, Job, Outcome
from formcheck.flows.batch.work import run_job
from formcheck.quiet import native_stderr_silenced

IN_FLIGHT_PER_WORKER = 2
TICK_S = 0.5  # how often `run` calls its `tick` while it waits for jobs to finish
MAX_TRIES = 2  # a job in a pool that broke twice is the one breaking it
RAY_INSTALL = "pip install 'formcheck[ray]'"


class Backend(Protocol):
    """Runs jobs somewhere and yields their outcomes in the order they finish, calling `tick` every
    `TICK_S` seconds while it waits (the driver reads the workers' progress then)."""

    workers: int

    def run(self, jobs: Sequence[Job], tick: Callable[[], None] | None = None) -> Iterator[Outcome]: ...

    def close(self) -> None: ...


def _quiet_worker() -> None:
    """Workers report through their outcomes; MediaPipe's and FFmpeg's native log lines would only clutter
    the batch's progress bar, so file descriptor 2 goes to /dev/null in each worker."""
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)


class LocalBackend:
    """A pool of `workers` processes on this machine."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise InputError(f"--workers: expected at least 1, got {workers}")
        self.workers = workers
        method = "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"
        self._context = mp.get_context(method)
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(self.workers, mp_context=self._context, initializer=_quiet_worker)

    def run(self, jobs: Sequence[Job], tick: Callable[[], None] | None = None) -> Iterator[Outcome]:
        waiting = list(reversed(jobs))
        tries: dict[int, int] = {}
        running: dict[Future[Outcome], Job] = {}
        while waiting or running:
            while waiting and len(running) < IN_FLIGHT_PER_WORKER * self.workers:
                job = waiting.pop()
                tries[job.number] = tries.get(job.number, 0) + 1
                running[self._pool.submit(run_job, job)] = job
            done, _ = wait(running, timeout=TICK_S, return_when=FIRST_COMPLETED)
            if tick is not None:
                tick()
            broken = False
            for future in done:
                job = running.pop(future)
                try:
                    yield future.result()
                except BrokenProcessPool:
                    broken = True
                    if tries[job.number] >= MAX_TRIES:
                        yield Failed(job.number, "the worker analysing it died twice (a decoder crash?)")
                    else:
                        waiting.append(job)
            if broken:
                waiting.extend(running.values())  # the rest of the broken pool's jobs, tried again
                running.clear()
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = self._new_pool()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


def import_ray() -> Any:
    """The `ray` module, or InputError saying how to install it."""
    try:
        import ray
    except ImportError:
        raise InputError(f"--backend ray needs Ray, which is not installed: {RAY_INSTALL}") from None
    return ray


class RayBackend:
    """Ray tasks on a cluster: a local one started here (`address` None) or the one at `address`."""

    def __init__(self, workers: int, address: str | None = None) -> None:
        if workers < 1:
            raise InputError(f"--workers: expected at least 1, got {workers}")
        self._ray = ray = import_ray()
        self._started = not ray.is_initialized()
        if self._started:
            options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False,
                                       "configure_logging": False}
            try:
                with native_stderr_silenced():  # Ray's start-up notices; failures still raise
                    if address is None:
                        ray.init(num_cpus=workers, **options)
                    else:
                        ray.init(address=address, **options)
            except ConnectionError as exc:
                raise InputError(f"--address {address}: cannot reach a Ray cluster there ({exc})") from None
        self.workers = workers if address is None else max(1, int(ray.cluster_resources().get("CPU", 1)))
        self._remote = address is not None  # its machines may not see this one's files
        self._task = ray.remote(num_cpus=1, max_retries=1)(_ray_job)

    def run(self, jobs: Sequence[Job], tick: Callable[[], None] | None = None) -> Iterator[Outcome]:
        ray = self._ray
        waiting = list(reversed(jobs))
        running: dict[Any, Job] = {}
        while waiting or running:
            while waiting and len(running) < IN_FLIGHT_PER_WORKER * self.workers:
                job = waiting.pop()
                video = ray.put(Path(job.video).read_bytes()) if self._remote and _reads_video(job) else None
                running[self._task.remote(job, [video])] = job
            done, _ = ray.wait(list(running), num_returns=1, timeout=TICK_S)
            if tick is not None:
                tick()
            for ref in done:
                job = running.pop(ref)
                try:
                    yield ray.get(ref)
                except Exception as exc:  # the task or its worker died: that set fails, the batch goes on
                    yield Failed(job.number, f"Ray task failed: {type(exc).__name__}: {_first_line(exc)}")

    def close(self) -> None:
        if self._started:
            self._ray.shutdown()


def _reads_video(job: Job) -> bool:
    """Only analyses need the video itself; a re-judged set reads it only to draw, where it is visible."""
    return isinstance(job, AnalyseJob) and Path(job.video).is_file()


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""


def _ray_job(job: Job, video: list[Any]) -> Outcome:
    """A Ray task: run the job, from a local copy of the video when this machine cannot see its path.

    `video` wraps the object reference in a list so Ray does not fetch the bytes unless they are needed.
    """
    _quiet_worker()
    if not isinstance(job, AnalyseJob) or Path(job.video).is_file() or video[0] is None:
        return run_job(job)
    import ray

    with tempfile.TemporaryDirectory(prefix="formcheck-video-") as folder:
        copy = Path(folder) / Path(job.video).name
        copy.write_bytes(ray.get(video[0]))
        return run_job(replace(job, read_from=str(copy)))

