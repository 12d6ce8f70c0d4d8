"""Compare one analysed clip with its ground truth, and summarise a grid of them.

Pure: reads `Truth` and what the pipeline reported (`Outcome`), no video, no rendering. A measured rep is
matched to the rendered rep whose lockout is nearest (within `MATCH_TOLERANCE_S`); metric errors are the
reported lockout value minus the truth at the rendered lockout. A null value counts against coverage, not
against the error, so the table shows both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from formcheck.measure import geometry
from formcheck.records import METRIC_KEYS
from formcheck.validate.pelvis import TiltFit, fit_tilt
from formcheck.validate.truth import Truth

MATCH_TOLERANCE_S = 1.0
# Cues the tool gives when it refuses or about the camera: not fault cues, not scored as such.
NON_FAULT_CUES = frozenset({"not_side_view"})
SET_LEVEL = " (set)"
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


@dataclass(frozen=True)
class ClipScore:
    """One clip's comparison: rep counts, per-metric lockout errors (None = reported null), cues."""

    name: str
    tags: dict[str, str]
    reps_true: int
    reps_found: int
    detection_rate: float
    view_correct: bool
    side_correct: bool
    plate_correct: bool | None  # None when the view was refused (no plate is searched then)
    errors: dict[str, list[float | None]]  # metric -> per matched rep: reported - truth, None when null
    cue_hits: int  # expected fault cues given (per rep, plus set level)
    cue_misses: int  # expected fault cues not given (a rep the tool missed misses its cues)
    cue_blind_misses: int  # of those, the ones whose metric was null or unsure at that rep (abstentions)
    cue_false: int  # fault cues given that the truth does not call for
    fault_free: bool  # the truth expects no fault cue anywhere in the clip
    cues_given: tuple[str, ...]  # sorted fault cue ids given anywhere in the clip (for consistency checks)
    hip_px_error: float | None  # median distance (px) of the hip used at lockouts from the true hip
    floor: dict[str, list[float]] = field(default_factory=dict)  # true 2D minus true sagittal, per lockout
    unguarded: dict[str, list[float]] = field(default_factory=dict)  # angles of the pose model's own joints
    # (no plate repair, no confidence check) minus truth, at the true lockouts: what a naive tool reports
    tilt: tuple[float, float] | None = None  # (mean pelvic-tilt cue, true tilt) over the lockouts
    # cue id -> [hits, misses, false, misses where the tool abstained because the metric was null or unsure]
    cue_counts: dict[str, list[int]] = field(default_factory=dict)


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


def _cue_counts(outcome: Outcome, truth: Truth, pairs: list[tuple[int, int]]) -> dict[str, list[int]]:
    """Per cue id, [hits, misses, false] over the reps (matched, extra or missed); the set's summary cues
    (set-level plus every rep's, as report.json's summary lists them) under "<id> (set)"."""
    counts: dict[str, list[int]] = {}

    def tally(given: frozenset[str], want: frozenset[str], suffix: str = "",
              blind: frozenset[str] = frozenset()) -> None:
        for cue in given | want:
            row = counts.setdefault(cue + suffix, [0, 0, 0, 0])
            row[0 if cue in given and cue in want else (1 if cue in want else 2)] += 1
            row[3] += cue in want and cue not in given and cue in blind

    matched_found = {i for i, _ in pairs}
    for i, j in pairs:
        tally(_fault_cues(outcome.reps[i].cues), _fault_cues(truth.reps[j].cues), blind=outcome.reps[i].blind)
    for i, rep in enumerate(outcome.reps):
        if i not in matched_found:
            tally(_fault_cues(rep.cues), frozenset())
    for j in range(len(truth.reps)):
        if j not in {t for _, t in pairs}:
            tally(frozenset(), _fault_cues(truth.reps[j].cues))
    # The set's cues are the report's summary list: its set-level cues plus every rep's.
    summary = outcome.set_cues.union(*(rep.cues for rep in outcome.reps))
    blind_all = frozenset.intersection(*(rep.blind for rep in outcome.reps)) if outcome.reps else frozenset()
    tally(_fault_cues(summary), _fault_cues(truth.set_cues), SET_LEVEL, blind_all)
    return counts


def score_clip(name: str, tags: dict[str, str], outcome: Outcome, truth: Truth) -> ClipScore:
    """Compare what the pipeline reported with the rendered truth."""
    tolerance = round(MATCH_TOLERANCE_S * outcome.fps)
    pairs = match_reps([r.lockout_frame for r in outcome.reps], [r.lockout_frame for r in truth.reps],
                       tolerance)
    errors: dict[str, list[float | None]] = {key: [] for key in METRIC_KEYS}
    hip_err = []
    matched_true = {j for _, j in pairs}
    for j, rep in enumerate(truth.reps):  # a rep the tool did not report has every metric unmeasured
        if j not in matched_true:
            for key in METRIC_KEYS:
                if np.isfinite(truth.metric_at(key, rep.lockout_frame)):
                    errors[key].append(None)
    for i, j in pairs:
        frame = truth.reps[j].lockout_frame
        for key in METRIC_KEYS:
            want = truth.metric_at(key, frame)
            got = outcome.reps[i].metrics.get(key)
            if np.isfinite(want):
                errors[key].append(None if got is None else float(got - want))
        used = outcome.hip_px[outcome.reps[i].lockout_frame]
        if np.isfinite(used).all():
            hip_err.append(float(np.linalg.norm(used - truth.hip_px[outcome.reps[i].lockout_frame])))
    floor = {key: [truth.metric_at(key, r.lockout_frame, image=True) - truth.metric_at(key, r.lockout_frame)
                   for r in truth.reps] for key in METRIC_KEYS}
    floor = {key: [e for e in errs if np.isfinite(e)] for key, errs in floor.items()}
    cue_counts = _cue_counts(outcome, truth, pairs)
    hits, misses, false, blind = (sum(row[k] for row in cue_counts.values()) for k in range(4))
    unguarded = _unguarded(outcome, truth)
    tilt = None
    frames = [r.lockout_frame for r in truth.reps]
    if outcome.tilt_feature is not None and frames and not truth.plates:
        cue = float(np.nanmean(outcome.tilt_feature[frames])) if np.isfinite(
            outcome.tilt_feature[frames]).any() else float("nan")
        tilt = (cue, float(np.nanmean(truth.metrics["pelvic_tilt_deg"][frames])))
    expected_any = _fault_cues(truth.set_cues) or any(_fault_cues(r.cues) for r in truth.reps)
    given_any = set(_fault_cues(outcome.set_cues)).union(*(_fault_cues(r.cues) for r in outcome.reps))
    return ClipScore(
        name=name, tags=tags, reps_true=len(truth.reps), reps_found=len(outcome.reps),
        detection_rate=outcome.detection_rate, view_correct=outcome.side_view == truth.side_view,
        side_correct=outcome.side == truth.side,
        plate_correct=outcome.plate_found == truth.plates if outcome.side_view else None,
        errors=errors, cue_hits=hits, cue_misses=misses, cue_false=false, cue_blind_misses=blind,
        fault_free=not expected_any,
        cues_given=tuple(sorted(given_any)),
        hip_px_error=float(np.median(hip_err)) if hip_err else None, floor=floor, unguarded=unguarded,
        tilt=tilt, cue_counts=cue_counts)


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


@dataclass(frozen=True)
class MetricSummary:
    """Error of one metric over a set of lockouts: MAE over the non-null ones, and their share."""

    mae: float | None
    bias: float | None  # mean signed error: a constant offset shows up here
    max_abs: float | None
    coverage: float | None  # non-null share of lockouts that have a truth; None when there are none
    n: int  # lockouts with a truth


def summarise_metric(errors: list[float | None]) -> MetricSummary:
    """MAE, worst error and coverage of a list of per-lockout errors (None = reported null)."""
    if not errors:
        return MetricSummary(None, None, None, None, 0)
    known = np.array([e for e in errors if e is not None], float)
    if not known.size:
        return MetricSummary(None, None, None, 0.0, len(errors))
    return MetricSummary(float(np.abs(known).mean()), float(known.mean()), float(np.abs(known).max()),
                         known.size / len(errors), len(errors))


@dataclass(frozen=True)
class GridSummary:
    """The grid's headline figures."""

    clips: int
    metrics: dict[str, dict[str, MetricSummary]]  # metric -> {"all", "plates", "no plates"} -> summary
    floor: dict[str, MetricSummary]  # metric -> error of a perfect 2D detector (camera projection only)
    unguarded: dict[str, dict[str, MetricSummary]]  # knee/hip angle of the joints used, nulls ignored
    tilt_fit: TiltFit  # the landmark pelvic-tilt cue calibrated on the clips without plates
    cues: dict[str, dict[str, list[int]]]  # "plates"/"no plates" -> cue id -> [hits, misses, false, blind]
    rep_count_exact: float
    detection_rate: float
    view_accuracy: float
    side_accuracy: float
    plate_accuracy: float
    cue_precision: float | None
    cue_recall: float | None
    cue_recall_measured: float | None  # recall over the expected cues whose metric the tool measured
    cues_expected: int
    cues_blind: int  # expected cues the tool abstained on (metric null or unsure)
    false_cues_on_good_form: int
    good_form_clips: int
    consistent_groups: int
    groups: int
    inconsistent: tuple[str, ...] = field(default=())


def _plate_split(scores: list[ClipScore]) -> dict[str, list[ClipScore]]:
    return {"all": scores, "plates": [s for s in scores if s.tags.get("plates") == "on"],
            "no plates": [s for s in scores if s.tags.get("plates") != "on"]}


def _sum_cues(scores: list[ClipScore]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for s in scores:
        for cue, row in s.cue_counts.items():
            total = out.setdefault(cue, [0, 0, 0, 0])
            for k in range(4):
                total[k] += row[k]
    return dict(sorted(out.items()))


def _share(flags: list[bool]) -> float:
    return float(np.mean(flags)) if flags else float("nan")


def summarise(scores: list[ClipScore]) -> GridSummary:
    """Headline figures over the accepted (side-view) clips; view accuracy over all clips."""
    side_on = [s for s in scores if s.tags.get("view") != "oblique-refuse"]
    metrics = {key: {name: summarise_metric([e for s in subset for e in s.errors[key]])
                     for name, subset in _plate_split(side_on).items()} for key in METRIC_KEYS}
    hits = sum(s.cue_hits for s in side_on)
    given = hits + sum(s.cue_false for s in side_on)
    wanted = hits + sum(s.cue_misses for s in side_on)
    seen = wanted - sum(s.cue_blind_misses for s in side_on)  # expected cues whose metric was measured
    good = [s for s in side_on if s.fault_free]
    groups, bad = _consistency(side_on)
    return GridSummary(
        clips=len(scores), metrics=metrics,
        floor={key: summarise_metric([e for s in side_on for e in s.floor.get(key, [])])
               for key in METRIC_KEYS},
        unguarded={key: {name: summarise_metric([e for s in subset for e in s.unguarded.get(key, [])])
                         for name, subset in _plate_split(side_on).items()}
                   for key in (*UNGUARDED, "hip_used_extension_deg")},
        cues={name: _sum_cues(subset) for name, subset in _plate_split(side_on).items() if name != "all"},
        tilt_fit=fit_tilt(np.array([s.tilt[0] for s in side_on if s.tilt]),
                          np.array([s.tilt[1] for s in side_on if s.tilt])),
        rep_count_exact=_share([s.reps_found == s.reps_true for s in side_on]),
        detection_rate=float(np.mean([s.detection_rate for s in scores])) if scores else float("nan"),
        view_accuracy=_share([s.view_correct for s in scores]),
        side_accuracy=_share([s.side_correct for s in side_on]),
        plate_accuracy=_share([s.plate_correct for s in side_on if s.plate_correct is not None]),
        cue_precision=hits / given if given else None, cue_recall=hits / wanted if wanted else None,
        cue_recall_measured=hits / seen if seen else None, cues_expected=wanted, cues_blind=wanted - seen,
        false_cues_on_good_form=sum(len(s.cues_given) for s in good), good_form_clips=len(good),
        consistent_groups=groups - len(bad), groups=groups, inconsistent=tuple(bad))


def _consistency(scores: list[ClipScore]) -> tuple[int, list[str]]:
    """Clips of one fault/yaw/seed group (sides x plates) should give the same cues: (groups, bad ones)."""
    by_group: dict[str, list[ClipScore]] = {}
    for s in scores:
        if "group" in s.tags:
            by_group.setdefault(s.tags["group"], []).append(s)
    bad = [g for g, members in by_group.items()
           if len(members) > 1 and len({m.cues_given for m in members}) > 1]
    return sum(1 for m in by_group.values() if len(m) > 1), sorted(bad)
