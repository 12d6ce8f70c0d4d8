"""What a batch worker does with one job, and the batch's only door into the analysis core.

Every import of the pipeline (`analyse_video`, `PipelineOptions`, `write_outputs`, the engine's `judge`) is
here, so that a change in the core's layout is a change of a few lines here.

- An analysis runs exactly what `formcheck analyze` runs (on one core: a video's observations do not depend
  on how many cores track it) and writes its outputs with the same `write_outputs`, so report.json is the
  same byte for byte. One landmarker per job: the batch gets its
  parallelism from running jobs side by side, one per core, each landmarker created inside its worker.
- Re-judging rebuilds the set's `Analysis` from the stored reps, view and per-frame measurements with the
  engine's own `judge` and the current rule pack, without the pose model, and rewrites every output; when the
  video is gone the report has no pictures and says so in its notes.
"""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from formcheck.body.view import HOW_TO_FILM
from formcheck.capture.video import open_video
from formcheck.errors import FormcheckError
from formcheck.flows.batch.jobs import AnalyseJob, Failed, Job, Judged, Outcome, RejudgeJob
from formcheck.flows.engine import EngineResult, judge
from formcheck.flows.offline import PipelineOptions, analyse_video
from formcheck.flows.outputs import write_outputs
from formcheck.history.convert import judgement, pack_measurements, rep_summaries, unpack_measurements
from formcheck.records import SourceInfo, ViewEstimate

# A worker keeps the count of frames it has tracked in this file of its staging folder, for the driver's
# progress bar; it is gone before the folder is handed back.
PROGRESS_FILE = ".frames"
PROGRESS_EVERY = 10  # frames between updates of the count

NOT_SIDE_ON = "the camera is not side-on{reason}, so no cues were given (report says why); " + HOW_TO_FILM


def video_frames(path: str | Path) -> int:
    """Check that a video opens and decodes a first frame; its claimed frame count. InputError if not."""
    source = open_video(path)
    source.close()
    return source.info.frame_count


def run_job(job: Job) -> Outcome:
    """Do one job; every error becomes a `Failed` with its one-line reason (a batch goes on)."""
    try:
        return _analyse(job) if isinstance(job, AnalyseJob) else _rejudge(job)
    except FormcheckError as exc:
        return Failed(job.number, str(exc))
    except Exception as exc:  # one bad file must not stop the batch: its reason is reported instead
        return Failed(job.number, f"internal error: {type(exc).__name__}: {exc}")


def _analyse(job: AnalyseJob) -> Outcome:
    s = job.settings
    source = open_video(job.read_from or job.video)
    options = PipelineOptions(Path(s.model), s.pack, side=s.side, workers=1, max_side=s.max_side)
    with _FrameCount(Path(job.staging) / PROGRESS_FILE) as count:
        result = analyse_video(source, options, progress=count)
    if job.read_from is not None:  # read from a copy on this machine: reports name the original
        analysis = result.analysis
        result = replace(result, analysis=replace(analysis, source=replace(analysis.source, path=job.video)))
    with _output_folder(job.staging) as (folder, sent):
        write_outputs(result, source, folder, s.pack, video=s.video)
    analysis = result.analysis
    if not analysis.view.is_side_view:
        reason = f" ({analysis.view.reason})" if analysis.view.reason else ""
        return Failed(job.number, NOT_SIDE_ON.format(reason=reason), report=True, files=sent.files)
    blob = pack_measurements(analysis.series, result.pose, result.joints, result.plate)
    return Judged(job.number, judgement(analysis, blob), sent.files)


def _rejudge(job: RejudgeJob) -> Outcome:
    s, stored = job.settings, job.stored
    measured = unpack_measurements(stored.measurements)
    view = ViewEstimate(stored.side, True, stored.view_confidence, stored.view_reason)
    source_info = SourceInfo(job.video or stored.video_path, stored.fps, stored.frames, stored.width,
                             stored.height)
    analysis = judge(measured.series, rep_summaries(stored.reps), view, s.pack, source_info, stored.notes)
    result = EngineResult(analysis, measured.pose, measured.joints, measured.plate)
    source = open_video(job.video) if job.video is not None else None
    gone = f"re-judged from stored measurements; the video is no longer at {stored.video_path}"
    with _output_folder(job.staging) as (folder, sent):
        write_outputs(result, source, folder, s.pack, video=s.video, no_source=gone)
    return Judged(job.number, judgement(analysis, stored.measurements), sent.files)


class _FrameCount:
    """Counts tracked frames into a small file the driver reads; nothing at all when the staging folder is
    not visible here (a remote Ray node). The file is removed on exit."""

    def __init__(self, path: Path) -> None:
        self._path = path if path.parent.is_dir() else None
        self._done = 0

    def __enter__(self) -> _FrameCount:
        return self

    def __call__(self, frames: int) -> None:
        self._done += frames
        if self._path is not None and self._done % PROGRESS_EVERY == 0:
            self._path.write_text(f"{self._done}\n")

    def __exit__(self, *exc: object) -> None:
        if self._path is not None:
            self._path.unlink(missing_ok=True)


def frames_done(staging: Path) -> int:
    """The frames a worker has tracked for the job staged in `staging` so far (0 when unknown)."""
    try:
        return int((staging / PROGRESS_FILE).read_text())
    except (OSError, ValueError):  # not started, finished, or caught mid-write: the next look will tell
        return 0


@dataclass
class _Sent:
    """The outputs read back for the driver, when they could not be written into its staging folder."""

    files: dict[str, bytes] | None = None


@contextlib.contextmanager
def _output_folder(staging: str) -> Iterator[tuple[Path, _Sent]]:
    """The staging folder when this machine sees it; else a private temporary folder whose files are read
    back into memory for the driver to write, then removed."""
    sent = _Sent()
    if Path(staging).is_dir():
        yield Path(staging), sent
        return
    private = Path(tempfile.mkdtemp(prefix="formcheck-set-"))
    try:
        yield private, sent
        sent.files = {p.name: p.read_bytes() for p in sorted(private.iterdir()) if p.is_file()}
    finally:
        shutil.rmtree(private, ignore_errors=True)
