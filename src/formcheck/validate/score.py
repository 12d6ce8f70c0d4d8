"""Compare one analysed clip with its ground truth.

Pure: reads `Truth` and what the pipeline reported (`Outcome`), no video, no rendering. A measured rep is
matched to the rendered rep whose lockout is nearest (within `MATCH_TOLERANCE_S`); metric errors are the
reported lockout value minus the truth at the rendered lockout. A null value counts against coverage, not
against the error, so the tables show both.

Cues, per rep and per set (the set's cues are the report's summary list), against the renderer's labels:
- given and expected: a hit; expected and not given: a miss, and an abstention (`blind`) when no rule could
  read the cue's metric at that rep (null or unsure);
- given and acceptable (the don't-care band between a cue's good limit and its fault threshold): neither a
  hit nor a false cue, only counted;
- given and neither: a false cue. A clip that must be refused expects no fault cue, so every fault cue
  given on it (when the tool wrongly accepted it) is false.
`not_side_view` is scored as the camera verdict, not as a cue: within 25° of side-on the clip must be
accepted, beyond 40° refused, in between either is right.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.measure import geometry
from formcheck.records import METRIC_KEYS
from formcheck.validate.truth import NOT_SIDE_VIEW, Truth

MATCH_TOLERANCE_S = 1.0
# Cues about the camera: scored as the view verdict, not as fault cues.
NON_FAULT_CUES = frozenset({NOT_SIDE_VIEW})
SET_LEVEL = " (set)"
# The per-cue tally: given when expected, expected and not given, given when forbidden, misses where the
# tool abstained (metric null or unsure), given where either answer is right.
CUE_FIELDS = ("hits", "misses", "false", "blind", "acceptable")
HITS, MISSES, FALSE, BLIND, ACCEPTABLE = range(len(CUE_FIELDS))
# Angles re-measured on the pose model's own joints, ignoring confidence, to show what a null avoided.
UNGUARDED = {"knee_angle_deg": ("hip", "knee", "ankle"), "hip_extension_deg": ("shoulder", "hip", "knee")}


@dataclass(frozen=True)
class OutcomeRep:
    """One rep as the pipeline reported it: lockout frame, metric values (None = null) and cue ids."""

    lockout_frame: int
    metrics: dict[str, float | None]
    cues: frozenset[str]
    # cue ids whose every rule could not read its metric here (null or unsure): the tool abstained
    blind: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Outcome:
    """What the pipeline made of a clip (the parts validation scores)."""

    fps: float
    detection_rate: float  # share of frames with a person
    side: str
    side_view: bool  # the tool accepted the clip as side-on
    reps: tuple[OutcomeRep, ...]
    set_cues: frozenset[str]
    hip_px: np.ndarray  # (frames, 2) the hip the metrics used, NaN where unknown
    plate_found: bool
    notes: tuple[str, ...] = ()
    joints_xy: dict[str, np.ndarray] = field(default_factory=dict)  # the pose model's joints, before repair
    tilt_feature: np.ndarray | None = None  # (frames,) the pelvic-tilt cue of `pelvis.hip_line_offset`
    elevation_deg: float | None = None  # the camera elevation the landmark biases followed


@dataclass(frozen=True)
class ClipScore:
    """One clip's comparison: view verdict, rep counts, per-metric lockout errors (None = null), cues."""

    name: str
    tags: dict[str, str]
    view: str  # the truth's "accept" | "either" | "refuse"
    accepted: bool  # the tool accepted the camera
    plated: bool  # the truth: plates on the bar
    reps_true: int
    reps_found: int
    detection_rate: float
    side_correct: bool
    plate_correct: bool | None  # None when the view was refused (no plate is searched then)
    errors: dict[str, list[float | None]]  # metric -> per true rep: reported - truth, None when null
    truth_values: dict[str, list[float]]  # metric -> the truth at those lockouts (aligned with `errors`)
    cue_counts: dict[str, list[int]]  # cue id (and "<id> (set)") -> CUE_FIELDS
    fault_free: bool  # the truth expects no fault cue anywhere in the clip
    cues_given: tuple[str, ...]  # sorted fault cue ids given anywhere in the clip
    false_cues: tuple[str, ...]  # sorted fault cue ids given somewhere they were forbidden
    hip_px_error: float | None = None  # median distance (px) of the hip used at lockouts from the true hip
    floor: dict[str, list[float]] = field(default_factory=dict)  # true 2D minus true sagittal, per lockout
    unguarded: dict[str, list[float]] = field(default_factory=dict)  # angles of the pose model's own joints
    # (no plate repair, no confidence check) minus truth, at the true lockouts: what a naive tool reports
    tilt: tuple[float, float] | None = None  # (mean pelvic-tilt cue, true tilt) over the lockouts
    elevation_deg: float | None = None  # the estimated camera elevation the landmark biases followed

    @property
    def view_correct(self) -> bool:
        """The camera verdict is right: accepted within 25°, refused beyond 40°, either in between."""
        return self.view == "either" or self.accepted == (self.view == "accept")

    @property
    def scored(self) -> bool:
        """Reps and lockout metrics count: a clip that must be accepted, or one in the band that was."""
        return self.view == "accept" or (self.view == "either" and self.accepted)

    @property
    def reps_exact(self) -> bool:
        return self.reps_found == self.reps_true

    def cue_total(self, column: int) -> int:
        """One column of the cue tally summed over every cue (rep and set level)."""
        return sum(row[column] for row in self.cue_counts.values())


def match_reps(found: list[int], true: list[int], tolerance: int) -> list[tuple[int, int]]:
    """Pairs (found index, true index) of lockout frames, nearest first, each used once, within tolerance."""
    pairs = sorted((abs(f - t), i, j) for i, f in enumerate(found) for j, t in enumerate(true))
    used_f: set[int] = set()
    used_t: set[int] = set()
    out = []
    for dist, i, j in pairs:
        if dist <= tolerance and i not in used_f and j not in used_t:
            out.append((i, j))
            used_f.add(i)
            used_t.add(j)
    return sorted(out)


def _fault_cues(cues: frozenset[str]) -> frozenset[str]:
    return cues - NON_FAULT_CUES


class _Tally:
    """Cue counts of one clip, built rep by rep (see the module docstring)."""

    def __init__(self) -> None:
        self.counts: dict[str, list[int]] = {}
        self.false: set[str] = set()

    def add(self, given: frozenset[str], expected: frozenset[str], acceptable: frozenset[str] = frozenset(),
            blind: frozenset[str] = frozenset(), suffix: str = "") -> None:
        given, expected = _fault_cues(given), _fault_cues(expected)
        for cue in given | expected:
            row = self.counts.setdefault(cue + suffix, [0] * len(CUE_FIELDS))
            if cue in expected:
                row[HITS if cue in given else MISSES] += 1
                row[BLIND] += cue not in given and cue in blind
            elif cue in acceptable:
                row[ACCEPTABLE] += 1
            else:
                row[FALSE] += 1
                self.false.add(cue)


def _cue_tally(outcome: Outcome, truth: Truth, pairs: list[tuple[int, int]]) -> _Tally:
    """Matched reps against their labels, extra reps against none, missed reps' cues as misses, then the
    set's summary list (set-level cues plus every rep's) against the set's labels."""
    tally = _Tally()
    for i, j in pairs:
        rep, want = outcome.reps[i], truth.reps[j]
        tally.add(rep.cues, want.cues, want.acceptable, rep.blind)
    matched_found, matched_true = {i for i, _ in pairs}, {j for _, j in pairs}
    for i, rep in enumerate(outcome.reps):
        if i not in matched_found:
            tally.add(rep.cues, frozenset())
    for j, want in enumerate(truth.reps):
        if j not in matched_true:
            tally.add(frozenset(), want.cues)
    summary = outcome.set_cues.union(*(rep.cues for rep in outcome.reps))
    blind_all = frozenset.intersection(*(rep.blind for rep in outcome.reps)) if outcome.reps else frozenset()
    tally.add(summary, truth.set_cues, truth.set_acceptable, blind_all, SET_LEVEL)
    return tally


def _lockout_errors(outcome: Outcome, truth: Truth, pairs: list[tuple[int, int]]
                    ) -> tuple[dict[str, list[float | None]], dict[str, list[float]]]:
    """Per metric and true rep (matched or missed): reported minus truth (None when null), and the truth."""
    errors: dict[str, list[float | None]] = {key: [] for key in METRIC_KEYS}
    values: dict[str, list[float]] = {key: [] for key in METRIC_KEYS}
    found_of = {j: i for i, j in pairs}
    for j, rep in enumerate(truth.reps):  # a rep the tool did not report has every metric unmeasured
        for key in METRIC_KEYS:
            want = truth.metric_at(key, rep.lockout_frame)
            if not np.isfinite(want):
                continue
            got = outcome.reps[found_of[j]].metrics.get(key) if j in found_of else None
            errors[key].append(None if got is None else float(got - want))
            values[key].append(want)
    return errors, values


def _hip_error(outcome: Outcome, truth: Truth, pairs: list[tuple[int, int]]) -> float | None:
    """Median distance (px) at the matched lockouts of the hip the tool used from the true hip."""
    dist = []
    for i, _ in pairs:
        frame = outcome.reps[i].lockout_frame
        used = outcome.hip_px[frame]
        if np.isfinite(used).all():
            dist.append(float(np.linalg.norm(used - truth.hip_px[frame])))
    return float(np.median(dist)) if dist else None


def _tilt(outcome: Outcome, truth: Truth) -> tuple[float, float] | None:
    """(mean pelvic-tilt cue, mean true tilt) at the true lockouts of a plate-free clip."""
    frames = [r.lockout_frame for r in truth.reps]
    if outcome.tilt_feature is None or not frames or truth.plates:
        return None
    feature = outcome.tilt_feature[frames]
    cue = float(np.nanmean(feature)) if np.isfinite(feature).any() else float("nan")
    return cue, float(np.nanmean(truth.metrics["pelvic_tilt_deg"][frames]))


def score_clip(name: str, tags: dict[str, str], outcome: Outcome, truth: Truth) -> ClipScore:
    """Compare what the pipeline reported with the rendered truth."""
    pairs = match_reps([r.lockout_frame for r in outcome.reps], [r.lockout_frame for r in truth.reps],
                       round(MATCH_TOLERANCE_S * outcome.fps))
    errors, values = _lockout_errors(outcome, truth, pairs)
    floor = {key: [truth.metric_at(key, r.lockout_frame, image=True) - truth.metric_at(key, r.lockout_frame)
                   for r in truth.reps] for key in METRIC_KEYS}
    tally = _cue_tally(outcome, truth, pairs)
    expected_any = _fault_cues(truth.set_cues) or any(_fault_cues(r.cues) for r in truth.reps)
    given_any = set(_fault_cues(outcome.set_cues)).union(*(_fault_cues(r.cues) for r in outcome.reps))
    return ClipScore(
        name=name, tags=tags, view=truth.view, accepted=outcome.side_view, plated=truth.plates,
        reps_true=len(truth.reps), reps_found=len(outcome.reps), detection_rate=outcome.detection_rate,
        side_correct=outcome.side == truth.side,
        plate_correct=outcome.plate_found == truth.plates if outcome.side_view else None,
        errors=errors, truth_values=values, cue_counts=tally.counts, fault_free=not expected_any,
        cues_given=tuple(sorted(given_any)), false_cues=tuple(sorted(tally.false)),
        hip_px_error=_hip_error(outcome, truth, pairs),
        floor={key: [e for e in errs if np.isfinite(e)] for key, errs in floor.items()},
        unguarded=_unguarded(outcome, truth), tilt=_tilt(outcome, truth),
        elevation_deg=None if outcome.elevation_deg is None else round(outcome.elevation_deg, 2))


def _unguarded(outcome: Outcome, truth: Truth) -> dict[str, list[float]]:
    """Knee and hip angles of the pose model's joints at the true lockouts, minus the truth."""
    if not all(n in outcome.joints_xy for names in UNGUARDED.values() for n in names):
        return {}
    out: dict[str, list[float]] = {"hip_used_extension_deg": []}
    for rep in truth.reps:  # the hip the tool used, between the true shoulder and knee: the hip's own share
        f = rep.lockout_frame
        value = float(geometry.hip_extension(truth.shoulder_px[f], outcome.hip_px[f], truth.knee_px[f]))
        if np.isfinite(value):
            out["hip_used_extension_deg"].append(value - truth.metric_at("hip_extension_deg", f, image=True))
    angle = {"knee_angle_deg": geometry.knee_angle, "hip_extension_deg": geometry.hip_extension}
    for key, names in UNGUARDED.items():
        errs = []
        for rep in truth.reps:
            f = rep.lockout_frame
            value = float(angle[key](*(outcome.joints_xy[n][f] for n in names)))
            if np.isfinite(value) and np.isfinite(truth.metric_at(key, f)):
                errs.append(value - truth.metric_at(key, f))
        out[key] = errs
    return out
