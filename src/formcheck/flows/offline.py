"""One recorded set end to end: video -> landmarks -> view -> joints -> plate repair -> metrics -> cues.

`analyse_video` is what `formcheck analyze` and the validation grid run; `analyse_track` starts from landmarks
already extracted (a saved `.npz`, or the live loop's track) so every entry point judges with the same code.
Nothing here prints or writes files: the CLI draws progress and the report writers write.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from formcheck.body.filters import filter_joints
from formcheck.body.joints import Joints
from formcheck.body.view import confirm_by_plate, estimate_view
from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, open_video
from formcheck.errors import InputError
from formcheck.measure.clip import measure_clip
from formcheck.plate.finder import PlateTrack, track_plate_in_video
from formcheck.plate.placement import repair_joints
from formcheck.plate.second_look import look_again
from formcheck.pose.landmarks import PoseTrack
from formcheck.pose.parallel import track_parallel
from formcheck.records import Analysis, FrameSeries, RepSummary, SourceInfo, ViewEstimate
from formcheck.rules import RulePack, evaluate_set, load_rule_pack

SIDES = ("auto", "left", "right")
# Below this share of frames with a person, there is nothing to judge.
MIN_DETECTION_RATE = 0.5


@dataclass(frozen=True)
class PipelineOptions:
    """How to analyse: the pose model file, the rule pack, which side faces the camera, parallelism."""

    model: Path
    pack: RulePack
    side: str = "auto"  # "auto" | "left" | "right": the body side facing the camera
    workers: int | None = None  # pose-tracking processes; None = one per available core
    max_side: int = DEFAULT_MAX_SIDE

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"side: expected one of {SIDES}, got {self.side!r}")

    @classmethod
    def default(cls, model: Path, rules: Path | None = None, **kwargs: object) -> PipelineOptions:
        """Options with the shipped rule pack, extended by `rules` when given."""
        return cls(model=model, pack=load_rule_pack(rules), **kwargs)  # type: ignore[arg-type]


@dataclass(frozen=True)
class PipelineResult:
    """The judged set plus what pictures need: the raw landmarks and the joints the metrics read."""

    analysis: Analysis
    track: PoseTrack
    joints: Joints
    plate: PlateTrack


def analyse_video(video: FileSource | str | Path, options: PipelineOptions,
                  progress: Callable[[int], None] | None = None) -> PipelineResult:
    """Analyse a side-view video file. Raises InputError for unreadable input or a video with nobody in it."""
    source = video if isinstance(video, FileSource) else open_video(video)
    track = track_parallel(source, model=options.model, workers=options.workers, max_side=options.max_side,
                           progress=progress)
    notes = []
    if source.info.looks_truncated(len(track)):
        notes.append(f"decoded {len(track)} of the {source.info.frame_count} frames the file announces; "
                     "it looks truncated, so the end of the set may be missing")
    return analyse_track(track, source, options, notes=tuple(notes))


def analyse_track(track: PoseTrack, video: FileSource, options: PipelineOptions,
                  notes: tuple[str, ...] = ()) -> PipelineResult:
    """Judge a set from its landmarks; `video` is read again only to find the plates."""
    if len(track) < 2:
        raise InputError(f"{video.info.path}: only {len(track)} frame(s); a rep needs a video")
    if track.detection_rate < MIN_DETECTION_RATE:
        raise InputError(f"{video.info.path}: a person was found in only {track.detection_rate:.0%} of "
                         "frames; film the whole body from the side, well lit")
    view = _view(track, options.side)
    joints = filter_joints(Joints.from_track(track, view.side))
    # searched whatever the landmarks say of the view: a plate over the hips is what misleads them
    plate = track_plate_in_video(video.info.path, joints)
    view = confirm_by_plate(view, float(plate.found.mean()) if len(plate) else 0.0)
    if not view.is_side_view:
        plate = PlateTrack.none(len(track))
    joints, repair_notes = repair_joints(joints, plate)
    bar = (plate.center, plate.confidence) if plate.present else None
    series, reps = measure_clip(joints, bar=bar)
    if bar is not None and reps:
        joints, series, reps, note = _second_look(video, plate, joints, series, reps, options)
        repair_notes.append(note)
    verdict = evaluate_set(reps, view, options.pack)
    score = verdict.score if _anything_measured(reps) else None
    info = video.info
    source = SourceInfo(path=info.path, fps=info.fps, frames=len(track), width=info.width, height=info.height)
    analysis = Analysis(source=source, view=view, series=series, reps=verdict.reps,
                        set_cues=verdict.set_cues, score=score,
                        notes=(*notes, *repair_notes))
    return PipelineResult(analysis, track, joints, plate)


def _second_look(video: FileSource, plate: PlateTrack, joints: Joints, series: FrameSeries,
                 reps: list[RepSummary], options: PipelineOptions
                 ) -> tuple[Joints, FrameSeries, list[RepSummary], str]:
    """Measure the plated set again with knee and ankle from a look at its lockouts with the plate painted
    out (`second_look.py`). Reps are counted on the bar either way; should they differ, the first
    measurement stands."""
    looked = look_again(video.info.path, plate, joints, reps, model=options.model, max_side=options.max_side)
    series_again, again = measure_clip(looked, bar=(plate.center, plate.confidence))
    if [r.lockout_frame for r in again] != [r.lockout_frame for r in reps]:
        return joints, series, reps, "a second look with the plate painted out changed the reps: not used"
    note = ("knee and ankle at each lockout read again with the plate painted out: the shin is measured, "
            "angles at the hidden hip are not")
    return looked, series_again, again, note


def _anything_measured(reps: Sequence[RepSummary]) -> bool:
    """A score needs at least one angle measured at some lockout; 100 for an unseen set would be a lie."""
    return any(rep.measured for rep in reps)


def _view(track: PoseTrack, side: str) -> ViewEstimate:
    """The estimated view, with the side forced when the user said which side faces the camera."""
    view = estimate_view(track)
    if side == "auto" or side == view.side:
        return view
    return replace(view, side=side, reason=f"side set by the user ({side}); estimated {view.side}")
