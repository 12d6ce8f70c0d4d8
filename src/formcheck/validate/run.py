"""Evaluate one grid clip: render it (cached), observe it (cached), run the pipeline, score it.

Uses `flows.offline.analyse_observed`, the very engine `formcheck analyze` runs, so the grid scores what
users get; the tracking pass's observations are cached beside each clip.
Module-level functions only, so clips can run in worker processes.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.body.filters import filter_joints
from formcheck.body.joints import near_side
from formcheck.capture.video import open_video
from formcheck.errors import InputError
from formcheck.flows.engine import EngineResult
from formcheck.flows.offline import PipelineOptions, analyse_observed
from formcheck.flows.tracking import TRACKING_VERSION, ObservedClip, TrackingOptions, observe_video
from formcheck.records import METRIC_KEYS, RepSummary
from formcheck.rules import RulePack, RulePhase, can_read, load_rule_pack
from formcheck.rules.engine import implausible
from formcheck.synth.clip import render_clip
from formcheck.synth.groundtruth import ground_truth_path
from formcheck.synth.randomize import SampledClip
from formcheck.validate.pelvis import hip_line_offset
from formcheck.validate.score import ClipScore, Outcome, OutcomeRep, score_clip
from formcheck.validate.truth import load_truth


@dataclass(frozen=True)
class ClipJob:
    """What a worker needs for one clip (picklable)."""

    clip: SampledClip
    video: Path
    model: Path
    rules: Path | None = None


def ensure_rendered(job: ClipJob) -> Path:
    """The clip's ground-truth path, rendering the clip first unless it is cached."""
    truth = ground_truth_path(job.video)
    if not truth.is_file() or not job.video.is_file():
        render_clip(job.clip.params, job.video)
    return truth


def ensure_observed(job: ClipJob) -> ObservedClip:
    """The clip's tracking-pass observations, from the cache beside the render when the same pose model and
    the same tracking pass (`TRACKING_VERSION`) made them."""
    cached = job.video.with_suffix(f".{job.model.stem}.observed-v{TRACKING_VERSION}.npz")
    if cached.is_file():
        return ObservedClip.load(cached)
    clip = observe_video(job.video, TrackingOptions(job.model), workers=1)
    info = open_video(job.video).info
    clip.save(cached, fps=info.fps, width=info.width, height=info.height)
    return clip


def blind_cues(rep: RepSummary, pack: RulePack) -> frozenset[str]:
    """Lockout cue ids none of whose rules could read its metric at this rep (null, or below the rule's
    confidence), or every lockout cue when the rep was not judged at all (a reading outside the pack's
    plausible ranges): there the tool abstained rather than judged the form good."""
    skipped = implausible(rep, pack) is not None
    readable: dict[str, bool] = {}
    for rule in pack.rules:
        if rule.enabled and rule.phase is RulePhase.LOCKOUT:
            seen = not skipped and can_read(rule.test, rep.metrics)
            readable[rule.cue] = readable.get(rule.cue, False) or seen
    return frozenset(cue for cue, seen in readable.items() if not seen)


def outcome_of(result: EngineResult, pack: RulePack) -> Outcome:
    """The parts of a pipeline result that validation scores."""
    analysis, joints = result.analysis, result.joints
    reps = tuple(OutcomeRep(lockout_frame=v.rep.lockout_frame,
                            metrics={k: v.rep.metrics[k].value for k in METRIC_KEYS},
                            cues=frozenset(c.id for c in v.cues), blind=blind_cues(v.rep, pack))
                 for v in analysis.reps)
    hip = np.where((joints.conf_of("hip") > 0)[:, None], joints.xy_of("hip"), np.nan)
    raw = filter_joints(near_side(result.pose, analysis.view.side))
    return Outcome(fps=analysis.source.fps, detection_rate=result.pose.detection_rate,
                   side=analysis.view.side, side_view=analysis.view.is_side_view,
                   reps=reps if analysis.view.is_side_view else (),
                   set_cues=frozenset(c.id for c in analysis.set_cues), hip_px=hip,
                   plate_found=result.plate.present, notes=analysis.notes,
                   joints_xy={n: raw.xy_of(n) for n in ("shoulder", "hip", "knee", "ankle")},
                   tilt_feature=None if result.plate.present else hip_line_offset(raw),
                   elevation_deg=result.elevation_deg)


def _nothing_found(clip: ObservedClip, fps: float, why: str) -> Outcome:
    n = len(clip)
    return Outcome(fps=fps, detection_rate=clip.pose.detection_rate, side="left", side_view=False, reps=(),
                   set_cues=frozenset(), hip_px=np.full((n, 2), np.nan), plate_found=False, notes=(why,))


def evaluate_clip(job: ClipJob) -> ClipScore:
    """Render (or reuse), analyse and score one clip."""
    truth = load_truth(ensure_rendered(job))
    clip = ensure_observed(job)
    options = PipelineOptions(model=job.model, pack=load_rule_pack(job.rules), workers=1)
    source = open_video(job.video)
    try:
        outcome = outcome_of(analyse_observed(clip, source, options), options.pack)
    except InputError as exc:  # the engine refused the clip (e.g. nobody found): scored as such
        outcome = _nothing_found(clip, source.info.fps, str(exc))
    return score_clip(job.clip.name, {**job.clip.tags, "split": job.clip.split}, outcome, truth)
