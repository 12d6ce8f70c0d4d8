"""The streaming engine every way in shares: fed one frame's observation at a time, it decides the side,
follows the plate, measures, counts and judges the reps, and at the end gives the set's `Analysis`.

- Live (`live=True`): after a short warm-up that decides the near side and whether a plate is in view,
  every update measures causally (`measure/stream.py`) and judges a rep as soon as its top can be judged,
  and again once it is complete; a cue is raised when first found, and paced for speaking.
- Offline: updates only collect; `finish` is the zero-phase refinement over the whole set: the view from
  every frame, the zero-phase joint filter, the plate's path tidied (`plate/track.py`), then
  `measure/clip.py`.
Both ways judge the complete reps with the same measuring, rep and rule code, so a clip fed either way
gives the same reps and the same cues per rep (tests/flows/test_engine.py checks it). A browser that runs
the pose model itself feeds observations without a plate, which is all it can see.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from formcheck.body.filters import filter_joints
from formcheck.body.joints import SEEN_HIP, near_side
from formcheck.body.keypoints import Keypoints
from formcheck.body.view import camera_elevation_deg, confirm_by_plate, elevation_note, estimate_view
from formcheck.errors import InputError
from formcheck.flows.tracking import Observation, ObservedClip
from formcheck.measure.clip import measure_clip
from formcheck.measure.lift import BAR, MIN_BAR_CONFIDENCE, MIN_BAR_SHARE, has_bar
from formcheck.measure.lockout import MeasureConfig
from formcheck.measure.stream import Measurer
from formcheck.plate.placement import hip_unreadable, repair_joints, repair_notes, visible_leg
from formcheck.plate.track import PlateTrack, refine, steady
from formcheck.records import Analysis, Cue, FrameSeries, RepSummary, RepVerdict, SourceInfo, ViewEstimate
from formcheck.rules import CueDebouncer, RulePack, evaluate_rep, evaluate_set

SIDES = ("auto", "left", "right")
# Below this share of frames with a person, there is nothing to judge.
MIN_DETECTION_RATE = 0.5
# Live: frames with a person seen before the near side and the plate are decided (about a second; the
# plate tracker confirms a plate in 8 frames). They are measured afterwards, CATCH_UP a frame, so that no
# single frame waits for the whole warm-up to be measured.
WARMUP_FRAMES = 30
CATCH_UP = 3
WARMING_UP = "finding the lifter"
# Offline, observations are packed into arrays this many at a time: a long video kept as an object per
# frame would take ~5 KB a frame.
PACK_EVERY = 256


@dataclass(frozen=True)
class EngineOptions:
    """How to judge: the rule pack, which side faces the camera, live or offline, measuring settings."""

    pack: RulePack
    side: str = "auto"  # "auto" | "left" | "right": the body side facing the camera
    live: bool = False
    measure: MeasureConfig = field(default_factory=MeasureConfig)

    def __post_init__(self) -> None:
        if self.side not in SIDES:
            raise ValueError(f"side: expected one of {SIDES}, got {self.side!r}")


@dataclass(frozen=True)
class EngineUpdate:
    """What one frame produced, for a live display. Offline updates only count the frames."""

    frame: int  # frames fed so far - 1
    t_ms: int
    phase: str  # `WARMING_UP`, or a `Phase` value
    rep_count: int
    side: str | None = None  # the near side, once decided
    metrics: dict[str, float] = field(default_factory=dict)  # this frame's values, NaN where unmeasured
    confidence: dict[str, float] = field(default_factory=dict)
    joints: Keypoints | None = None  # this frame's measured joints (near side, cleaned)
    judged: bool = False  # a rep was judged at this frame (its top, or its completion changed the cues)
    cues: tuple[Cue, ...] = ()  # that judgement's cues, most important first (empty: nothing to fix)
    say: Cue | None = None  # the cue to speak now, paced (`CueDebouncer`)
    verdicts: tuple[RepVerdict, ...] = ()  # reps completed at this frame, as the report judges them


@dataclass(frozen=True, eq=False)
class EngineResult:
    """The judged set, and what pictures of it need: the observed poses and the joints the metrics read."""

    analysis: Analysis
    pose: Keypoints  # MediaPipe's 33 points per frame, as observed
    joints: Keypoints  # near side, cleaned, repaired, with a "bar" point when a plate was found
    plate: PlateTrack
    # the camera elevation the landmark biases followed (`_measuring`); None with reps counted on a plate
    elevation_deg: float | None = None


class Engine:
    """One set, one frame at a time: `update(observation)` per frame, then `finish(source)`."""

    def __init__(self, options: EngineOptions) -> None:
        self.options = options
        self._observed: list[Observation] = []  # live: every frame; offline: those not packed yet
        self._packed: list[ObservedClip] = []  # offline: the earlier frames, as arrays
        self._fed = 0  # observations given
        self._last_ms: int | None = None
        self._found = 0  # observations with a person
        self._measured = 0  # live: observations measured so far (the rest wait in order)
        self._live: _LiveJudge | None = None

    def update(self, observation: Observation) -> EngineUpdate:
        """Consume the next frame's observation (timestamps increasing). Live, the update is that of the
        newest frame measured, which lags the one given while the warm-up frames are caught up on."""
        if self._last_ms is not None and observation.t_ms <= self._last_ms:
            raise ValueError(f"Engine.update: expected t_ms > {self._last_ms}, got {observation.t_ms}")
        self._last_ms = observation.t_ms
        self._observed.append(observation)
        self._found += bool(observation.pose.found[0])
        frame = self._fed
        self._fed += 1
        if not self.options.live:
            if len(self._observed) >= PACK_EVERY:
                self._packed.append(ObservedClip.of(self._observed))
                self._observed = []
            return EngineUpdate(frame, observation.t_ms, WARMING_UP, 0)
        if self._live is None:
            if self._found < WARMUP_FRAMES:
                return EngineUpdate(frame, observation.t_ms, WARMING_UP, 0)
            self._live = _LiveJudge(self.options, [o for o in self._observed if o.pose.found[0]])
        return _merged(self._measure(CATCH_UP))

    def _measure(self, most: int) -> list[EngineUpdate]:
        """Measure up to `most` of the frames waiting, oldest first."""
        assert self._live is not None
        steps = []
        while self._measured < len(self._observed) and len(steps) < most:
            steps.append(self._live.update(self._observed[self._measured], self._measured))
            self._measured += 1
        return steps

    def finish(self, source: SourceInfo, notes: tuple[str, ...] = ()) -> EngineResult:
        """The judged set. Raises `InputError` when there is nothing to judge (too few frames, nobody)."""
        observed = self._clip(source)
        pose, readings, painted = observed.pose, observed.plate, observed.painted
        view = _view(pose, self.options.side if self._live is None else self._live.side)
        if self._live is not None:
            self._measure(len(self._observed))
            series, reps = self._live.finish()
            elevation = self._live.elevation_deg
            joints, plate = self._live.joints(), self._live.plate(readings)
            view = confirm_by_plate(view, float(plate.found.mean()))
            plate_notes = self._live.notes(plate)
        else:
            # the plate vouches for the view by itself: the landmarks that place it on the hips are the ones
            # it may have thrown off
            view = confirm_by_plate(view, float(steady(readings).found.mean()))
            plate = refine(readings, near_side(pose, view.side))
            if not view.is_side_view:
                plate = PlateTrack.none(len(pose))
            joints, plate_notes = _offline_joints(pose, painted, plate, view.side, self.options.measure)
            bar = has_bar(joints)
            measuring = _measuring(self.options.measure, pose, view.side, bar)
            series, reps = measure_clip(joints, measuring)
            elevation = None if bar else measuring.elevation_deg
        steep = elevation_note(elevation) if view.is_side_view else None
        analysis = judge(series, reps, view, self.options.pack, replace(source, frames=len(pose)),
                         (*notes, *plate_notes, *([steep] if steep else [])))
        return EngineResult(analysis, pose, joints, plate, elevation)

    def _clip(self, source: SourceInfo) -> ObservedClip:
        """Every observation given, as one clip; `InputError` when they cannot make a set."""
        if self._fed < 2:
            raise InputError(f"{source.path}: only {self._fed} frame(s); a rep needs a video")
        parts = [*self._packed, *([ObservedClip.of(self._observed)] if self._observed else [])]
        clip = ObservedClip.concat(parts)
        if clip.pose.detection_rate < MIN_DETECTION_RATE:
            raise InputError(f"{source.path}: a person was found in only {clip.pose.detection_rate:.0%} of "
                             "frames; film the whole body from the side, well lit")
        return clip


def judge(series: FrameSeries, reps: Sequence[RepSummary], view: ViewEstimate, pack: RulePack,
          source: SourceInfo, notes: tuple[str, ...] = ()) -> Analysis:
    """The set's `Analysis` from its measured reps, judged by `pack`: what `Engine.finish` concludes, and
    what re-judging stored measurements concludes. No score when no angle was measured at any lockout
    (nothing was judged, so 100 would be a lie)."""
    verdict = evaluate_set(reps, view, pack)
    score = verdict.score if any(rep.measured for rep in reps) else None
    return Analysis(source=source, view=view, series=series, reps=verdict.reps, set_cues=verdict.set_cues,
                    score=score, notes=notes)


def _merged(updates: list[EngineUpdate]) -> EngineUpdate:
    """The last of several updates made at once (the warm-up frames measured late), keeping what any of
    them judged: the reps completed and the newest judgement and spoken cue."""
    last = updates[-1]
    judged = [u for u in updates if u.judged]
    spoken = [u.say for u in updates if u.say is not None]
    verdicts = tuple(v for u in updates for v in u.verdicts)
    if not judged:
        return replace(last, verdicts=verdicts)
    return replace(last, judged=True, cues=judged[-1].cues, say=spoken[-1] if spoken else None,
                   verdicts=verdicts)


def _view(pose: Keypoints, side: str) -> ViewEstimate:
    """The estimated view, with the side forced when the user said which side faces the camera."""
    view = estimate_view(pose)
    if side == "auto" or side == view.side:
        return view
    return replace(view, side=side, reason=f"side set by the user ({side}); estimated {view.side}")


def _measuring(config: MeasureConfig, pose: Keypoints, side: str, plated: bool) -> MeasureConfig:
    """The measuring settings for a set: unless reps are counted on a plate (`plated`, offline `has_bar`,
    live decided in the warm-up), with the camera's elevation as estimated from `pose` (the landmark biases
    follow it, `measure.metrics.landmark_bias_deg`)."""
    return config if plated else replace(config, elevation_deg=camera_elevation_deg(pose, side))


def measured_joints(pose: Keypoints, painted: np.ndarray, plate: PlateTrack, side: str) -> Keypoints:
    """The near side's joints as the pose model saw them: under a plate the leg drawn clear of it is the
    near one, and a hip under the plate (or under the paint that hid it) is unknown, but kept as `SEEN_HIP`
    for counting reps (its height follows the hips' even there, `measure/lift.torso_rise`)."""
    joints = near_side(visible_leg(pose, plate, side), side)
    joints = joints.with_point(SEEN_HIP, joints.xy_of("hip"), joints.conf_of("hip"))
    hidden = painted | plate.found
    return joints.with_point("hip", joints.xy_of("hip"), np.where(hidden, 0.0, joints.conf_of("hip")))


def _offline_joints(pose: Keypoints, painted: np.ndarray, plate: PlateTrack, side: str,
                    config: MeasureConfig) -> tuple[Keypoints, list[str]]:
    """Cleaned (zero-phase) and, under a plate, repaired joints with the bar, and notes on the repair."""
    joints = filter_joints(measured_joints(pose, painted, plate, side), config.filters, offline=True)
    unreadable = hip_unreadable(camera_elevation_deg(pose, side)) if plate.present else None
    joints, notes = repair_joints(joints, plate, painted=painted, unreadable=unreadable)
    if plate.present:
        joints = joints.with_point(BAR, plate.center, plate.confidence)
    return joints, notes


class _LiveJudge:
    """The live half of the engine: decided side and plate, causal measuring, judging at the top."""

    def __init__(self, options: EngineOptions, warmup: list[Observation]) -> None:
        self.options = options
        poses = Keypoints.concat([o.pose for o in warmup])
        self.side = _view(poses, options.side).side
        found = np.array([o.plate is not None for o in warmup])
        support = [o.plate.support for o in warmup if o.plate is not None]
        self.bar = bool(found.mean() >= MIN_BAR_SHARE and np.median(support) >= MIN_BAR_CONFIDENCE) \
            if support else False
        measuring = _measuring(options.measure, poses, self.side, self.bar)
        self.elevation_deg = None if self.bar else measuring.elevation_deg
        self.unreadable = hip_unreadable(camera_elevation_deg(poses, self.side)) if self.bar else None
        self.measurer = Measurer(measuring, bar=self.bar)
        self.debouncer = CueDebouncer()
        self.verdicts: list[RepVerdict] = []
        self._shown_for_top = False  # the current rep's top raised a cue
        self._joints: list[Keypoints] = []
        self._readings: list[bool] = []

    def update(self, observation: Observation, frame: int) -> EngineUpdate:
        plate = PlateTrack.from_readings([observation.plate])
        joints = measured_joints(observation.pose, np.array([observation.painted]), plate, self.side)
        if self.bar:  # the plate covers the hips all set long: the hip comes from the bar or is unknown
            joints = joints.with_point("hip", np.full((1, 2), np.nan), np.zeros(1))
            joints, _ = repair_joints(joints, plate, painted=np.array([observation.painted]),
                                      unreadable=self.unreadable)
            joints = joints.with_point(BAR, plate.center, plate.confidence)
        step = self.measurer.update(joints)
        self._joints.append(step.joints)
        cues: tuple[Cue, ...] = ()
        judged = False
        for top in step.tops:
            cues = evaluate_rep(top, self.options.pack, latched=self.debouncer.active).cues
            judged, self._shown_for_top = True, bool(cues)
        done = []
        for rep in step.reps:
            verdict = evaluate_rep(rep, self.options.pack)
            self.verdicts.append(verdict)
            done.append(verdict)
            if not self._shown_for_top and verdict.cues:
                cues, judged = verdict.cues, True  # the complete rep's edges moved a value past a threshold
            self._shown_for_top = False
        say = self.debouncer.update(cues, observation.t_ms / 1000.0) if judged else None
        return EngineUpdate(frame, observation.t_ms, step.phase.value, len(self.verdicts), self.side,
                            step.values, step.confidence, step.joints, judged, cues, say, tuple(done))

    def finish(self) -> tuple[FrameSeries, list[RepSummary]]:
        return self.measurer.finish()

    def joints(self) -> Keypoints:
        return Keypoints.concat(self._joints)

    def plate(self, readings: PlateTrack) -> PlateTrack:
        """The plate the set was measured with: the frames' readings, when reps were counted on the bar."""
        return readings if self.bar else PlateTrack.none(len(readings))

    def notes(self, plate: PlateTrack) -> list[str]:
        """What the report says about the plate (as the offline path says it)."""
        return repair_notes(self.joints(), plate, unreadable=self.unreadable)
