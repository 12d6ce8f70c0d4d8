"""Uploaded sets waiting for, in and out of analysis: a FIFO queue in front of a small process pool.

One analysis process by default: each analysis already tracks the pose on every core, so two at once on a
2-core machine would only make both slower. Uploads that arrive meanwhile wait their turn ("queued", with
how many are ahead) rather than overload the machine. Progress comes back from the process through a
multiprocessing queue read by one thread, which hands it to the event loop; pages follow a job through
`wait_change` (server-sent events). A judged set is handed to `on_judged` (the server records it in the
history database); a job's state is kept in `sets/<id>/job.json`, so a restarted server still knows why an
upload failed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures as cf
import contextlib
import json
import multiprocessing as mp
import queue
import re
import secrets
import shutil
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from formcheck.body.view import HOW_TO_FILM
from formcheck.history.records import Judgement
from formcheck.web.settings import ServeSettings
from formcheck.web.worker import analyse_upload, start_worker

JOB_ID = re.compile(r"^[0-9a-f]{24}$")
JOB_FILE = "job.json"
STATUSES = ("queued", "running", "done", "failed")
# Files of an analysed set a browser may fetch, by name; nothing else in a set's folder is reachable.
SET_FILES = {"report.json": "application/json", "angles.csv": "text/csv; charset=utf-8",
             "report.html": "text/html; charset=utf-8", "annotated.mp4": "video/mp4"}


def new_job_id() -> str:
    """A server-made, unguessable id: 24 hex digits (96 random bits)."""
    return secrets.token_hex(12)


@dataclass(frozen=True)
class Job:
    """One uploaded set. `sha256` (the video's) names the set in URLs; `error_status` is the HTTP status a
    failure maps to: 422 for a video formcheck cannot judge, 500 for a server fault."""

    id: str
    client: str
    created: float
    size: int
    sha256: str
    name: str = ""  # the file's name in the browser: shown and stored as data, never a path
    status: str = "queued"
    stage: str = "waiting for its turn"
    done: int = 0
    total: int = 0
    error: str | None = None
    error_status: int | None = None
    refused: str | None = None  # analysed, but the camera was not side-on: why (the job then failed)
    files: tuple[str, ...] = ()
    summary: dict[str, Any] | None = None  # report.json's summary: rep_count, score, cues
    finished: float | None = None
    version: int = 0

    def __post_init__(self) -> None:
        if not JOB_ID.match(self.id):
            raise ValueError(f"Job.id: expected 24 hex digits, got {self.id!r}")
        if self.status not in STATUSES:
            raise ValueError(f"Job.status: expected one of {STATUSES}, got {self.status!r}")

    @property
    def over(self) -> bool:
        return self.status in ("done", "failed")

    def links(self) -> dict[str, str]:
        """URLs of the set's page and files, all under its client."""
        base = f"/clients/{quote(self.client, safe='')}/sets/{self.sha256}"
        links = {"page": base}
        links.update({name: f"{base}/files/{name}" for name in self.files if name in SET_FILES})
        return links

    def public(self, ahead: int = 0) -> dict[str, Any]:
        """What `GET /api/jobs/{id}` and the progress events say about the job."""
        out: dict[str, Any] = {"job": self.id, "set": self.sha256, "client": self.client, "video": self.name,
                               "status": self.status, "stage": self.stage, "done": self.done,
                               "total": self.total,
                               "progress": round(self.done / self.total, 3) if self.total else 0.0}
        if self.status == "queued":
            out["ahead"] = ahead
        if self.error is not None:
            out["error"] = self.error
        if self.refused is not None:
            out["refused"] = self.refused
        if self.files:  # a refused view still has a report that says why
            out["links"] = self.links()
        if self.status == "done":
            out["summary"] = self.summary
        return out


OnJudged = Callable[["Job", Judgement, Path], Awaitable[None]]  # (job, its judged set, the uploaded video)


class JobQueue:
    """Jobs by id, the process pool that analyses them and the thread that relays their progress."""

    def __init__(self, settings: ServeSettings, model: Path, on_judged: OnJudged) -> None:
        self.settings = settings
        self.model = model
        self._on_judged = on_judged
        self._jobs: dict[str, Job] = {}
        self._order: list[str] = []  # queued job ids, oldest first
        self._changed: asyncio.Condition | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ctx = mp.get_context("spawn")  # a fresh interpreter: nothing of the server's loop inherited
        self._progress: Any = None
        self._pool: cf.ProcessPoolExecutor | None = None
        self._stop = threading.Event()
        self._relay: threading.Thread | None = None

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._changed = asyncio.Condition()
        self.settings.sets_dir.mkdir(parents=True, exist_ok=True)
        self._progress = self._ctx.Queue()
        self._pool = self._new_pool()
        self._relay = threading.Thread(target=self._relay_progress, name="formcheck-progress", daemon=True)
        self._relay.start()
        self.load()

    async def stop(self) -> None:
        self._stop.set()
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
        if self._relay is not None:
            self._relay.join(timeout=2.0)

    def _new_pool(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(self.settings.workers, mp_context=self._ctx, initializer=start_worker,
                                      initargs=(self._progress,))

    # ------------------------------------------------------------ queries

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id) if JOB_ID.match(job_id) else None

    def unfinished(self, client: str) -> list[Job]:
        """The client's uploads that are not (or not yet) sets: queued, running or failed; newest first."""
        return sorted((j for j in self._jobs.values() if j.client == client and j.status != "done"),
                      key=lambda j: -j.created)

    def latest(self, client: str, video_sha256: str) -> Job | None:
        """The client's newest upload of this video, if the server still knows it."""
        mine = [j for j in self._jobs.values() if j.client == client and j.sha256 == video_sha256]
        return max(mine, key=lambda j: j.created, default=None)

    def in_flight(self, client: str, video_sha256: str) -> Job | None:
        """The client's upload of this video that is queued or running: a second upload joins it."""
        job = self.latest(client, video_sha256)
        return job if job is not None and not job.over else None

    def clients(self) -> list[str]:
        return sorted({j.client for j in self._jobs.values()}, key=str.casefold)

    def ahead(self, job_id: str) -> int:
        return self._order.index(job_id) if job_id in self._order else 0

    def folder(self, job_id: str) -> Path:
        """The set's folder: the data dir's `sets/` plus a server-made id, never a name a user typed."""
        if not JOB_ID.match(job_id):
            raise ValueError(f"expected a job id of 24 hex digits, got {job_id!r}")
        return self.settings.sets_dir / job_id

    async def wait_change(self, job_id: str, version: int, timeout_s: float) -> Job | None:
        """The job once its version differs from `version` (or as it is after `timeout_s`)."""
        assert self._changed is not None
        async with self._changed:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._changed.wait_for(
                    lambda: (j := self._jobs.get(job_id)) is None or j.version != version), timeout_s)
        return self._jobs.get(job_id)

    # ------------------------------------------------------------ changes

    async def add_finished(self, job: Job) -> None:
        """Keep a job that needs no analysis (its set is already stored), so pages can follow it."""
        if not job.over:
            raise ValueError(f"add_finished: expected a done or failed job, got {job.status!r}")
        await self._set(job)

    async def submit(self, job: Job, video: Path) -> None:
        """Queue an uploaded, checked video for analysis."""
        assert self._pool is not None
        self._order.append(job.id)
        await self._set(job)
        work = (analyse_upload, job.id, str(video), str(self.folder(job.id)), str(self.model),
                str(self.settings.rules) if self.settings.rules else None)
        try:
            future = self._pool.submit(*work)
        except cf.process.BrokenProcessPool:  # the last analysis took the process down: start a new one
            self._pool = self._new_pool()
            future = self._pool.submit(*work)
        asyncio.wrap_future(future).add_done_callback(
            lambda f: asyncio.ensure_future(self._finished(job.id, video, f)))

    async def _finished(self, job_id: str, video: Path, future: asyncio.Future) -> None:
        job = self._jobs[job_id]
        self._forget_order(job_id)
        video.unlink(missing_ok=True)  # the annotated video is what the set keeps
        now = time.time()
        try:
            result = future.result()
        except cf.process.BrokenProcessPool:
            self._pool = self._new_pool()
            job = replace(job, status="failed", error="the analysis process stopped unexpectedly; upload "
                                                      "the video again", error_status=500, finished=now)
        except Exception as exc:  # a fault of the server, not of the video: logged, reported as such
            job = replace(job, status="failed", error=f"internal error: {type(exc).__name__}: {exc}",
                          error_status=500, finished=now)
        else:
            if result["ok"] and result["refused"]:  # a report that says why, but the set is not judged
                job = replace(job, status="failed", error=f"the camera is not side-on ({result['refused']}), "
                              f"so no cues were given; {HOW_TO_FILM}", error_status=422,
                              refused=result["refused"], files=tuple(result["files"]), finished=now)
            elif result["ok"]:
                job = await self._record(job, result["judgement"], video, tuple(result["files"]), now)
            else:
                job = replace(job, status="failed", error=result["error"], error_status=422, finished=now)
        await self._set(job)

    async def _record(self, job: Job, judgement: Judgement, video: Path, files: tuple[str, ...],
                      now: float) -> Job:
        """A judged set, done once it is recorded; a set the history could not take is a server fault."""
        try:
            await self._on_judged(job, judgement, video)
        except Exception as exc:
            return replace(job, status="failed", error="the set was analysed but could not be recorded in "
                           f"the history ({type(exc).__name__}: {exc})", error_status=500, finished=now)
        return replace(job, status="done", stage="done", done=job.total, files=files,
                       summary=self._summary(job.id), finished=now)

    def _summary(self, job_id: str) -> dict[str, Any] | None:
        try:
            report = json.loads((self.folder(job_id) / "report.json").read_text())
        except (OSError, ValueError):
            return None
        summary = report.get("summary", {})
        return {"rep_count": summary.get("rep_count"), "score": summary.get("score"),
                "cues": summary.get("cues", [])}

    def _forget_order(self, job_id: str) -> None:
        if job_id in self._order:
            self._order.remove(job_id)

    async def _set(self, job: Job) -> None:
        """Store a new state of a job, persist it, and wake everyone following it."""
        assert self._changed is not None
        previous = self._jobs.get(job.id)
        job = replace(job, version=(previous.version + 1) if previous else 0)
        self._jobs[job.id] = job
        if job.over or previous is None:
            self._save(job)
        async with self._changed:
            self._changed.notify_all()

    def _relay_progress(self) -> None:
        """Thread: move progress messages from the analysis process into the event loop."""
        while not self._stop.is_set():
            try:
                job_id, stage, done, total = self._progress.get(timeout=0.5)
            except queue.Empty:
                continue
            except (EOFError, OSError):
                return
            assert self._loop is not None
            asyncio.run_coroutine_threadsafe(self._on_progress(job_id, stage, done, total), self._loop)

    async def _on_progress(self, job_id: str, stage: str, done: int, total: int) -> None:
        job = self._jobs.get(job_id)
        if job is None or job.over:
            return
        self._forget_order(job_id)
        await self._set(replace(job, status="running", stage=stage, done=done, total=max(total, done)))

    # ------------------------------------------------------------ persistence and cleanup

    def _save(self, job: Job) -> None:
        folder = self.folder(job.id)
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{JOB_FILE}.tmp"
        tmp.write_text(json.dumps(asdict(job), indent=2) + "\n")
        tmp.replace(folder / JOB_FILE)

    def load(self) -> None:
        """Sets from earlier runs; one that was still waiting when the server stopped is marked failed."""
        for path in sorted(self.settings.sets_dir.glob(f"*/{JOB_FILE}")):
            try:
                raw = json.loads(path.read_text())
                raw["files"] = tuple(raw.get("files", ()))
                job = Job(**raw)
            except (OSError, ValueError, TypeError):
                continue
            if not job.over:
                job = replace(job, status="failed", error="the server stopped before this set was analysed; "
                                                          "upload it again", error_status=422,
                              finished=time.time())
                self._save(job)
            self._jobs[job.id] = job

    def sweep(self, now: float | None = None) -> list[str]:
        """Delete what is no longer wanted; returns the removed paths (relative to the data dir).

        - uploads still streaming after `partial_max_age_s` (the client went away);
        - failed sets after `partial_max_age_s`;
        - analysed sets' files after `keep_days` (never when it is 0): the set stays in the history, its
          page says its files are gone.
        """
        now = time.time() if now is None else now
        s = self.settings
        removed = []
        if s.uploads_dir.is_dir():
            for part in s.uploads_dir.iterdir():
                if now - part.stat().st_mtime > s.partial_max_age_s:
                    part.unlink(missing_ok=True)
                    removed.append(f"uploads/{part.name}")
        for job in list(self._jobs.values()):
            if not job.over or job.finished is None:
                continue
            age = now - job.finished
            expired = (job.status == "failed" and age > s.partial_max_age_s) or \
                (job.status == "done" and s.keep_days > 0 and age > s.keep_days * 86400)
            if expired:
                shutil.rmtree(self.folder(job.id), ignore_errors=True)
                del self._jobs[job.id]
                removed.append(f"sets/{job.id}")
        return removed

