"""Evaluate one grid clip: render it (cached), track landmarks (cached), run the pipeline, score it.

Uses `pipeline.analyse_track`, the very code `formcheck analyze` runs, so the grid scores what users get.
Module-level functions only, so clips can run in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.body.filters import filter_joints
from formcheck.body.joints import Joints
from formcheck.capture.video import open_video
from formcheck.errors import InputError
from formcheck.flows.offline import PipelineOptions, PipelineResult, analyse_track
from formcheck.pose.estimator import track_video
from formcheck.pose.landmarks import PoseTrack
from formcheck.records import METRIC_KEYS, RepSummary
from formcheck.rules import RulePack, RulePhase, can_read, load_rule_pack
from formcheck.synth.clip import render_clip
from formcheck.synth.groundtruth import ground_truth_path
from formcheck.validate.grid import GridClip
from formcheck.validate.pelvis import hip_line_offset
from formcheck.validate.score import ClipScore, Outcome, OutcomeRep, score_clip
from formcheck.validate.truth import load_truth


@dataclass(frozen=True)
class ClipJob:
    """What a worker needs for one clip (picklable)."""

    clip: GridClip
    video: Path
    model: Path
    rules: Path | None = None


def ensure_rendered(job: ClipJob) -> Path:
    """The clip's ground-truth path, rendering the clip first unless it is cached."""
    truth = ground_truth_path(job.video)
    if not truth.is_file() or not job.video.is_file():
        render_clip(job.clip.params, job.video)
    return truth


def ensure_track(job: ClipJob) -> PoseTrack:
    """Landmarks of the clip, from the cache beside it when the same model made them."""
    cached = job.video.with_suffix(f".{job.model.stem}.npz")
    if cached.is_file():
        return PoseTrack.load(cached)
    track = track_video(job.video, model=job.model)
    track.save(cached)
    return track


def blind_cues(rep: RepSummary, pack: RulePack) -> frozenset[str]:
    """Lockout cue ids none of whose rules could read its metric at this rep (null, or below the rule's
    confidence): there the tool abstained rather than judged the form good."""
    readable: dict[str, bool] = {}
    for rule in pack.rules:
        if rule.enabled and rule.phase is RulePhase.LOCKOUT:
            readable[rule.cue] = readable.get(rule.cue, False) or can_read(rule.test, rep.metrics)
    return frozenset(cue for cue, seen in readable.items() if not seen)


def outcome_of(result: PipelineResult, pack: RulePack) -> Outcome:
    """The parts of a pipeline result that validation scores."""
    analysis, joints = result.analysis, result.joints
    reps = tuple(OutcomeRep(lockout_frame=v.rep.lockout_frame,
                            metrics={k: v.rep.metrics[k].value for k in METRIC_KEYS},
                            cues=frozenset(c.id for c in v.cues), blind=blind_cues(v.rep, pack))
                 for v in analysis.reps)
    hip = np.where((joints.conf["hip"] > 0)[:, None], joints.xy["hip"], np.nan)
    raw = filter_joints(Joints.from_track(result.track, analysis.view.side))
    return Outcome(fps=analysis.source.fps, detection_rate=result.track.detection_rate,
                   side=analysis.view.side, side_view=analysis.view.is_side_view,
                   reps=reps if analysis.view.is_side_view else (),
                   set_cues=frozenset(c.id for c in analysis.set_cues), hip_px=hip,
                   plate_found=result.plate.present, notes=analysis.notes,
                   joints_xy={n: raw.xy[n] for n in ("shoulder", "hip", "knee", "ankle")},
                   tilt_feature=None if result.plate.present else hip_line_offset(raw))


def _nothing_found(track: PoseTrack, why: str) -> Outcome:
    n = len(track)
    return Outcome(fps=track.fps, detection_rate=track.detection_rate, side="left", side_view=False, reps=(),
                   set_cues=frozenset(), hip_px=np.full((n, 2), np.nan), plate_found=False, notes=(why,))


def evaluate_clip(job: ClipJob) -> ClipScore:
    """Render (or reuse), analyse and score one clip."""
    truth = load_truth(ensure_rendered(job))
    track = ensure_track(job)
    options = PipelineOptions(model=job.model, pack=load_rule_pack(job.rules), workers=1)
    try:
        outcome = outcome_of(analyse_track(track, open_video(job.video), options), options.pack)
    except InputError as exc:  # the pipeline refused the clip (e.g. nobody found): scored as such
        outcome = _nothing_found(track, str(exc))
    return score_clip(job.clip.name, job.clip.tags, outcome, truth)
