"""The batch driver: decide what each video needs, hand the work to a backend, and be the one writer.

For each video found (by content, see `inputs.py`), keyed by its content hash plus the formcheck, model and
rule-pack versions (`history.records.SetKey`):
- its key is stored and its report is in place: skipped as already done;
- its measurements are stored (same video, formcheck and model) under another rule pack: re-judged from
  them, without the pose model;
- otherwise: analysed.
With `rescore`, the client's other stored sets judged by another rule pack are re-judged too.

Outcomes come back from the workers; for each, the driver alone moves the staged outputs into place and then
commits the set's rows in one transaction (staging.py says why a kill at any moment leaves every set whole
and a rerun ends with each set exactly once). Nothing here prints: the caller gets events.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path

from formcheck import __version__
from formcheck.errors import FormcheckError
from formcheck.flows.batch.backends import Backend
from formcheck.flows.batch.inputs import discover, file_sha256
from formcheck.flows.batch.jobs import (
    AnalyseJob,
    Failed,
    Job,
    Judged,
    Outcome,
    RejudgeJob,
    Settings,
)
from formcheck.flows.batch.keys import model_id, rules_version
from formcheck.flows.batch.staging import StagingArea
from formcheck.flows.batch.work import PROGRESS_FILE, frames_done, video_frames
from formcheck.history.names import set_dirname
from formcheck.history.records import Client, Judgement, SetKey, SetRecord, StoredSet, check_session
from formcheck.history.store import HistoryStore, now_iso

REPORT_JSON = "report.json"
REPORT_HTML = "report.html"


class Status(StrEnum):
    """What became of one video."""

    ANALYSED = "analysed"
    REJUDGED = "re-judged"
    SKIPPED = "skipped"
    FAILED = "failed"


@dataclass(frozen=True)
class SetEvent:
    """One finished video: its status, a one-line detail (the reason, for a failure) and its report."""

    status: Status
    video: str
    detail: str
    frames: int = 0  # frames it adds to the batch's progress (0 when no work was done)
    report: Path | None = None


@dataclass(frozen=True)
class BatchRequest:
    """A batch: the inputs, whose sets they are, where outputs go, how to analyse."""

    inputs: tuple[Path, ...]
    client: str
    out: Path
    settings: Settings
    session: str | None = None  # YYYY-MM-DD for new sets; None: each video's modification date
    rescore: bool = False

    def __post_init__(self) -> None:
        if self.session is not None:
            check_session(self.session)
        if not self.inputs and not self.rescore:
            raise ValueError("BatchRequest.inputs: expected at least one file or folder (or rescore)")


@dataclass(frozen=True)
class BatchSummary:
    """Every video's fate, plus the files passed over and the dead runs' leftovers removed."""

    events: tuple[SetEvent, ...]
    ignored: int = 0
    cleaned: int = 0

    def count(self, status: Status) -> int:
        return sum(event.status is status for event in self.events)

    @property
    def failures(self) -> tuple[SetEvent, ...]:
        return tuple(event for event in self.events if event.status is Status.FAILED)

    @property
    def exit_code(self) -> int:
        """0 when every set was analysed or already done, 3 when some failed, 2 when none could be read."""
        if len(self.failures) == len(self.events):
            return 2
        return 3 if self.failures else 0


@dataclass
class _Planned:
    """A job and what the driver needs to file its outcome."""

    job: Job
    key: SetKey
    video: Path
    final: Path
    session: str
    recorded_at: str
    frames: int
    staged: Path = field(default=Path())


@dataclass
class _Plan:
    planned: list[_Planned] = field(default_factory=list)
    done: list[SetEvent] = field(default_factory=list)  # skipped and failed before any work


Started = Callable[[int, int], None]  # (frames to analyse, sets to analyse or re-judge)
Finished = Callable[[SetEvent], None]
Tracked = Callable[[int], None]  # frames just tracked by the workers


def run_batch(request: BatchRequest, store: HistoryStore, backend: Backend, started: Started | None = None,
              finished: Finished | None = None, tracked: Tracked | None = None) -> BatchSummary:
    """Run the batch to the end; one bad video never stops it (its reason is in the summary).

    Progress: `started` once with the frames to do, `tracked` with frames as the workers track them, and
    `finished` per video, whose event's `frames` are the rest of that video's frames."""
    client = store.ensure_client(request.client)
    found = discover(request.inputs, exclude=request.out)
    plan = _plan(request, store, client, found.videos)
    events = [SetEvent(Status.FAILED, str(r.path), r.reason) for r in found.rejected] + plan.done
    for event in events:
        if finished:
            finished(event)
    if started:
        started(sum(p.frames for p in plan.planned), len(plan.planned))
    with StagingArea(request.out) as staging:
        for p in plan.planned:
            p.staged = staging.new(f"{p.job.number:05d}")
            p.job = _with_staging(p.job, p.staged)
        by_number = {p.job.number: p for p in plan.planned}
        progress = _Progress(tracked)
        jobs = [p.job for p in _longest_first(plan.planned)]
        for outcome in backend.run(jobs, tick=lambda: progress.look(plan.planned)):
            planned = by_number[outcome.number]
            event = replace(_file(outcome, planned, store, client, staging),
                            frames=progress.rest(planned))
            events.append(event)
            if finished:
                finished(event)
    return BatchSummary(tuple(events), ignored=found.ignored, cleaned=staging.cleaned)


class _Progress:
    """Frames the workers have tracked, job by job, as the counts in their staging folders tell."""

    def __init__(self, tracked: Tracked | None) -> None:
        self._tracked = tracked
        self._seen: dict[int, int] = {}
        self._over: set[int] = set()

    def look(self, planned: Sequence[_Planned]) -> None:
        if self._tracked is None:
            return
        for p in planned:
            number = p.job.number
            if number in self._over or not isinstance(p.job, AnalyseJob):
                continue
            now = min(frames_done(p.staged), p.frames)
            if now > self._seen.get(number, 0):
                self._tracked(now - self._seen.get(number, 0))
                self._seen[number] = now

    def rest(self, planned: _Planned) -> int:
        """The job is over: its frames not reported yet."""
        self._over.add(planned.job.number)
        return max(0, planned.frames - self._seen.get(planned.job.number, 0))


def _longest_first(planned: list[_Planned]) -> list[_Planned]:
    """Analyses, longest video first, then the quick re-judgings: the last job to start is a short one, so
    no core idles long at the end while another finishes a long video."""
    return sorted(planned, key=lambda p: (isinstance(p.job, RejudgeJob), -p.frames, p.job.number))


def _with_staging(job: Job, staged: Path) -> Job:
    return replace(job, staging=str(staged))


def _plan(request: BatchRequest, store: HistoryStore, client: Client, videos: Sequence[Path]) -> _Plan:
    plan = _Plan()
    versions = (__version__, model_id(Path(request.settings.model)), rules_version(request.settings.pack))
    seen: dict[str, Path] = {}
    for video in videos:
        try:
            sha = file_sha256(video)
        except OSError as exc:
            plan.done.append(SetEvent(Status.FAILED, str(video), f"cannot be read ({exc.strerror or exc})"))
            continue
        if sha in seen:
            plan.done.append(SetEvent(Status.SKIPPED, str(video), f"the same video as {seen[sha]}"))
            continue
        seen[sha] = video
        _plan_video(plan, request, store.find_set(client.id, sha), client, video, SetKey(sha, *versions))
    if request.rescore:
        for stored in store.sets(client.id):
            if stored.record.key.video_sha256 not in seen:
                _plan_stored(plan, request, stored, versions)
    return plan


def _plan_video(plan: _Plan, request: BatchRequest, stored: StoredSet | None, client: Client, video: Path,
                key: SetKey) -> None:
    if stored is not None and _is_done(stored, key):
        plan.done.append(SetEvent(Status.SKIPPED, str(video), "already done",
                                  report=Path(stored.record.report_dir) / REPORT_HTML))
        return
    number = len(plan.planned) + len(plan.done)
    mtime = video.stat().st_mtime
    session = request.session or datetime.fromtimestamp(mtime).date().isoformat()
    recorded_at = datetime.fromtimestamp(mtime, UTC).replace(microsecond=0).isoformat()
    if stored is not None:
        final, session = Path(stored.record.report_dir), stored.session
    else:
        final = request.out / client.dirname / session / set_dirname(video.name, key.video_sha256)
    if stored is not None and stored.record.key.measured_by == key.measured_by:
        job: Job = RejudgeJob(number, str(video), "", request.settings, stored.record)
        frames = stored.record.frames
    else:
        try:
            frames = video_frames(video)
        except FormcheckError as exc:
            plan.done.append(SetEvent(Status.FAILED, str(video), _without_path(str(exc), video)))
            return
        job = AnalyseJob(number, str(video), "", request.settings)
    plan.planned.append(_Planned(job, key, video, final, session, recorded_at, frames))


def _plan_stored(plan: _Plan, request: BatchRequest, stored: StoredSet,
                 versions: tuple[str, str, str]) -> None:
    """--rescore on a set not among the inputs: re-judge it, or re-analyse it when its measurements are
    from another formcheck or model and its video is still where it was."""
    record = stored.record
    key = SetKey(record.key.video_sha256, *versions)
    if _is_done(stored, key):
        return
    video = Path(record.video_path)
    present = video.is_file() and file_sha256(video) == key.video_sha256
    number = len(plan.planned) + len(plan.done)
    final = Path(record.report_dir)
    if record.key.measured_by == key.measured_by:
        job: Job = RejudgeJob(number, str(video) if present else None, "", request.settings, record)
    elif present:
        job = AnalyseJob(number, str(video), "", request.settings)
    else:
        plan.done.append(SetEvent(Status.FAILED, record.video_path,
                                  "measured by another formcheck or pose model and the video is gone: "
                                  "cannot be re-judged"))
        return
    plan.planned.append(_Planned(job, key, video, final, stored.session, record.recorded_at, record.frames))


def _is_done(stored: StoredSet, key: SetKey) -> bool:
    return stored.record.key == key and (Path(stored.record.report_dir) / REPORT_JSON).is_file()


def _without_path(reason: str, video: Path) -> str:
    """A core error names the file first; the batch's line already does."""
    prefix = f"{video}: "
    return reason[len(prefix):] if reason.startswith(prefix) else reason


def _file(outcome: Outcome, planned: _Planned, store: HistoryStore, client: Client,
          staging: StagingArea) -> SetEvent:
    """Put one outcome's outputs in place and, for a judged set, commit it: the driver's only writes."""
    (planned.staged / PROGRESS_FILE).unlink(missing_ok=True)  # a killed worker's count is no output
    if outcome.files is not None:
        for name, data in outcome.files.items():
            (planned.staged / Path(name).name).write_bytes(data)
    video = str(planned.video)
    if isinstance(outcome, Failed):
        report = None
        if outcome.report:
            staging.discard(staging.place(planned.staged, planned.final))
            report = planned.final / REPORT_HTML
        return SetEvent(Status.FAILED, video, _without_path(outcome.reason, planned.video), report=report)
    old = staging.place(planned.staged, planned.final)
    record = _record(outcome, planned)
    store.save_set(client.id, planned.session, record)
    staging.discard(old)
    status = Status.REJUDGED if isinstance(planned.job, RejudgeJob) else Status.ANALYSED
    return SetEvent(status, video, _verdict(outcome.judgement), report=planned.final / REPORT_HTML)


def _record(outcome: Judged, planned: _Planned) -> SetRecord:
    return outcome.judgement.record(
        planned.key, video_path=str(planned.video.resolve()), video_name=planned.video.name,
        report_dir=str(planned.final.resolve()), recorded_at=planned.recorded_at, analysed_at=now_iso())


def _verdict(j: Judgement) -> str:
    """e.g. '3 reps, score 85/100, cues: chin_lifted'."""
    reps = len(j.reps)
    score = f"{j.score}/100" if j.score is not None else "n/a"
    cues = list(dict.fromkeys(c.cue for c in j.cues))
    said = f", cues: {', '.join(cues)}" if cues else ""
    return f"{reps} rep{'s' if reps != 1 else ''}, score {score}{said}"
