"""Summarise scored clips: the grid's headline figures and the breakdown rows, each checked against the
issue's targets so a weak spot shows as a row.

Pure arithmetic over `ClipScore`s. Reps and lockout metrics count on the clips a side-view tool must accept
(`ClipScore.scored`); cues count on every clip (a clip wrongly accepted gives false cues); the camera
verdict counts on every clip.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

import numpy as np

from formcheck.records import METRIC_KEYS
from formcheck.synth.randomize import (
    BLOCK,
    CAMERA_HEIGHT_BUCKETS,
    ELEVATION_BUCKETS,
    FOV_BUCKETS,
    LIFTER_SIZE_BUCKETS,
    ROM_BUCKETS,
    YAW_BUCKETS,
)
from formcheck.validate.pelvis import TiltFit, fit_tilt
from formcheck.validate.score import ACCEPTABLE, BLIND, FALSE, HITS, MISSES, UNGUARDED, ClipScore

# Issue 11 "Done when" (check grid): reps exact on side-on clips; plate-free lockout MAE in every body and
# camera row; cue precision overall and in every row of the breakdown.
REPS_EXACT_TARGET = 0.98
MAE_TARGETS: dict[str, float] = {"knee_angle_deg": 3.0, "shin_from_vertical_deg": 3.0,
                                 "hip_extension_deg": 3.0, "neck_flexion_deg": 5.0}
PELVIC_TILT_TARGET_DEG = 5.0
# Plated lockouts (issue 13): metric -> (MAE limit in degrees, least share of lockouts measured).
PLATED_TARGETS: dict[str, tuple[float, float]] = {
    "knee_angle_deg": (5.0, 0.9), "hip_extension_deg": (5.0, 0.9), "neck_flexion_deg": (7.0, 0.8)}
CUE_PRECISION_TARGET = 0.95
ROW_PRECISION_TARGET = 0.9
CUE_RECALL_TARGET = 0.95  # issue 5 item 5; not among issue 11's targets
# A plate-free metric measured on fewer lockouts than this share of its row also misses (a null is safe,
# but plate-free lockouts are expected to be measured).
MIN_PLATE_FREE_COVERAGE = 0.9
LOADS = ("plate-free", "plated")
# The camera's own share of the error (a perfect 2D detector's), shown per bucket of these factors.
FLOOR_FACTORS = ("elevation", "yaw", "camera_height")
FLOOR_KEYS = ("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg")


@dataclass(frozen=True)
class MetricSummary:
    """Error of one metric over a set of lockouts: MAE over the non-null ones, and their share."""

    mae: float | None
    bias: float | None  # mean signed error: a constant offset shows up here
    max_abs: float | None
    coverage: float | None  # non-null share of lockouts that have a truth; None when there are none
    n: int  # lockouts with a truth

    @property
    def measured(self) -> int:
        return round((self.coverage or 0.0) * self.n)


def summarise_metric(errors: Sequence[float | None]) -> MetricSummary:
    """MAE, worst error and coverage of a list of per-lockout errors (None = reported null)."""
    if not errors:
        return MetricSummary(None, None, None, None, 0)
    known = np.array([e for e in errors if e is not None], float)
    if not known.size:
        return MetricSummary(None, None, None, 0.0, len(errors))
    return MetricSummary(float(np.abs(known).mean()), float(known.mean()), float(np.abs(known).max()),
                         known.size / len(errors), len(errors))


@dataclass(frozen=True)
class Factor:
    """A breakdown: the clip tag it groups by, its title, and the order of its values."""

    tag: str
    title: str
    order: tuple[str, ...] = ()  # known values in display order; others follow, sorted
    camera: bool = False  # a camera row (the MAE targets hold in every body and camera row)


FACTORS: tuple[Factor, ...] = (
    Factor("body", "Body"),
    Factor("plates", "Plate type", ("none", "black", "bumper", "iron")),
    Factor("camera_height", "Camera height", CAMERA_HEIGHT_BUCKETS[1], camera=True),
    Factor("elevation", "Camera elevation", ELEVATION_BUCKETS[1], camera=True),
    Factor("yaw", "Camera yaw", YAW_BUCKETS[1], camera=True),
    Factor("rom", "Range of motion", ROM_BUCKETS[1]),
    Factor("fault", "Fault", BLOCK[4:]),
    Factor("fps", "Frame rate", ("24", "30", "60")),
    Factor("fov", "Field of view", FOV_BUCKETS[1], camera=True),
    Factor("lifter_size", "Lifter size in the frame", LIFTER_SIZE_BUCKETS[1], camera=True),
    Factor("orientation", "Orientation", ("landscape", "portrait"), camera=True),
    Factor("background", "Room", ("plain", "textured", "gym")),
    Factor("plate_count", "Plates a side", ("0", "1", "2", "3")),
    Factor("bar_pad", "Bar pad", ("off", "on")),
    Factor("side", "Side facing the camera", ("left", "right")),
)
FACTOR_NAMES = tuple(f.tag for f in FACTORS)


@dataclass(frozen=True)
class Row:
    """One group of clips and how the tool did on it."""

    factor: str
    value: str  # the tag's value ("all" for the whole grid)
    label: str  # the value for people (a body also gets its sex and build)
    clips: int
    scored: int  # clips that count for reps and metrics (see `ClipScore.scored`)
    reps_exact: int  # of the scored clips
    metrics: dict[str, dict[str, MetricSummary]]  # metric -> "plate-free" | "plated" -> summary
    cue_hits: int
    cue_false: int
    cue_misses: int
    cue_blind: int  # misses where the tool abstained
    cue_acceptable: int  # cues given in a don't-care band
    camera: bool = False
    misses: tuple[str, ...] = ()  # the targets this row misses, in words

    @property
    def reps_share(self) -> float | None:
        return self.reps_exact / self.scored if self.scored else None

    @property
    def precision(self) -> float | None:
        given = self.cue_hits + self.cue_false
        return self.cue_hits / given if given else None

    @property
    def recall(self) -> float | None:
        wanted = self.cue_hits + self.cue_misses
        return self.cue_hits / wanted if wanted else None


def _errors(scores: Sequence[ClipScore], key: str, plated: bool) -> list[float | None]:
    return [e for s in scores if s.scored and s.plated == plated for e in s.errors[key]]


def row_of(factor: str, value: str, label: str, scores: Sequence[ClipScore], *, camera: bool = False,
           precision_target: float = ROW_PRECISION_TARGET) -> Row:
    """The row of these clips, with the targets it misses."""
    scored = [s for s in scores if s.scored]
    metrics = {key: {load: summarise_metric(_errors(scores, key, load == "plated")) for load in LOADS}
               for key in MAE_TARGETS}
    totals = [sum(s.cue_total(column) for s in scores) for column in (HITS, FALSE, MISSES, BLIND, ACCEPTABLE)]
    row = Row(factor, value, label, len(scores), len(scored), sum(s.reps_exact for s in scored), metrics,
              *totals, camera=camera)
    return replace(row, misses=row_misses(row, precision_target))


def row_misses(row: Row, precision_target: float = ROW_PRECISION_TARGET) -> tuple[str, ...]:
    """The targets a row misses: reps exact, plate-free MAE and coverage, cue precision."""
    out = []
    if row.reps_share is not None and row.reps_share < REPS_EXACT_TARGET:
        out.append(f"reps {100 * row.reps_share:.0f}%")
    unmeasured: dict[str, list[str]] = {}  # "measured k/n" -> the metrics short of coverage
    for key, limit in MAE_TARGETS.items():
        s = row.metrics[key]["plate-free"]
        if s.mae is not None and s.mae > limit:
            out.append(f"{SHORT[key]} {s.mae:.1f}°")
        if s.n and (s.coverage or 0.0) < MIN_PLATE_FREE_COVERAGE:
            unmeasured.setdefault(f"measured {s.measured}/{s.n}", []).append(SHORT[key])
    out += [f"{', '.join(names)} {share}" for share, names in unmeasured.items()]
    if row.precision is not None and row.precision < precision_target:
        out.append(f"cue precision {row.precision:.2f}")
    return tuple(out)


SHORT = {"knee_angle_deg": "knee", "shin_from_vertical_deg": "shin", "hip_extension_deg": "hip ext",
         "neck_flexion_deg": "neck", "pelvic_tilt_deg": "tilt"}


def _label(factor: str, value: str, members: Sequence[ClipScore]) -> str:
    if factor == "body" and members:
        tags = members[0].tags
        return f"{value} ({tags.get('sex', '?')}, {tags.get('build', '?')})"
    return value


def _value_order(factor: Factor, values: set[str]) -> list[str]:
    def key(value: str) -> tuple[int, float, str]:
        if value in factor.order:
            return (0, factor.order.index(value), "")
        try:
            return (1, float(value), "")
        except ValueError:
            return (2, 0.0, value)
    return sorted(values, key=key)


def breakdown(scores: Sequence[ClipScore], factor: Factor) -> list[Row]:
    """One row per value of the factor's tag."""
    groups: dict[str, list[ClipScore]] = {}
    for s in scores:
        groups.setdefault(s.tags.get(factor.tag, "?"), []).append(s)
    return [row_of(factor.tag, value, _label(factor.tag, value, groups[value]), groups[value],
                   camera=factor.camera) for value in _value_order(factor, set(groups))]


@dataclass(frozen=True)
class ViewCounts:
    """The camera verdicts: clips that must be accepted and were, that must be refused and were."""

    accepted: int
    must_accept: int
    refused: int
    must_refuse: int
    either: int  # clips in the 25-40° band, where both answers are right


@dataclass(frozen=True)
class GridSummary:
    """The grid's headline figures and its breakdown rows."""

    clips: int
    overall: Row  # every clip, against the overall targets
    metrics: dict[str, dict[str, MetricSummary]]  # every METRIC_KEYS metric -> "all" | LOADS -> summary
    rows: dict[str, list[Row]]  # factor tag -> rows
    view: ViewCounts
    loads: dict[str, Row]  # "plate-free" | "plated" -> the row of those clips
    good_form_clips: int
    good_form_false: tuple[str, ...]  # "clip: cue, cue" for every good-form clip given a forbidden cue
    cue_table: dict[str, dict[str, list[int]]]  # "plate-free" | "plated" -> cue id -> CUE_FIELDS
    floor: dict[str, MetricSummary]  # error of a perfect 2D detector (camera projection only)
    floor_rows: dict[str, dict[str, dict[str, MetricSummary]]]  # camera factor -> value -> metric -> floor
    unguarded: dict[str, dict[str, MetricSummary]]  # angles of the joints the model gave, nulls ignored
    tilt_fit: TiltFit
    detection_rate: float
    side_accuracy: float
    plate_accuracy: float
    failing: tuple[Row, ...] = field(default=())  # rows that miss a target, every factor
    plated_camera: dict[str, list[Row]] = field(default_factory=dict)  # camera factor -> rows of plated clips

    @property
    def recall_measured(self) -> float | None:
        """Recall over the expected cues whose metric the tool could read."""
        o = self.overall
        seen = o.cue_hits + o.cue_misses - o.cue_blind
        return o.cue_hits / seen if seen else None


def _share(flags: Sequence[bool]) -> float:
    return float(np.mean(flags)) if flags else float("nan")


def _sum_cues(scores: Sequence[ClipScore]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for s in scores:
        for cue, counts in s.cue_counts.items():
            total = out.setdefault(cue, [0] * len(counts))
            for k, value in enumerate(counts):
                total[k] += value
    return dict(sorted(out.items()))


def _metric_split(scores: Sequence[ClipScore], key: str, errors: Callable[[ClipScore], Sequence[float | None]]
                  ) -> dict[str, MetricSummary]:
    scored = [s for s in scores if s.scored]
    out = {"all": summarise_metric([e for s in scored for e in errors(s)])}
    for load in LOADS:
        out[load] = summarise_metric([e for s in scored if s.plated == (load == "plated") for e in errors(s)])
    return out


def _floor(scores: Sequence[ClipScore]) -> dict[str, MetricSummary]:
    """Per landmark metric, the error a perfect 2D detector would make on these clips' lockouts."""
    return {key: summarise_metric([e for s in scores for e in s.floor.get(key, [])]) for key in FLOOR_KEYS}


def summarise(scores: Sequence[ClipScore], factors: Sequence[Factor] = FACTORS) -> GridSummary:
    """Headline figures and breakdowns of a scored grid."""
    scored = [s for s in scores if s.scored]
    rows = {f.tag: breakdown(scores, f) for f in factors}
    good = [s for s in scored if s.fault_free]
    tilted = [s for s in scored if s.tilt]
    return GridSummary(
        clips=len(scores),
        overall=row_of("grid", "all", "all clips", scores, precision_target=CUE_PRECISION_TARGET),
        metrics={key: _metric_split(scores, key, lambda s, k=key: s.errors[k]) for key in METRIC_KEYS},
        rows=rows,
        view=ViewCounts(accepted=sum(s.accepted for s in scores if s.view == "accept"),
                        must_accept=sum(s.view == "accept" for s in scores),
                        refused=sum(not s.accepted for s in scores if s.view == "refuse"),
                        must_refuse=sum(s.view == "refuse" for s in scores),
                        either=sum(s.view == "either" for s in scores)),
        loads={load: row_of("load", load, load, [s for s in scores if s.plated == (load == "plated")])
               for load in LOADS},
        good_form_clips=len(good),
        good_form_false=tuple(f"{s.name}: {', '.join(s.false_cues)}" for s in good if s.false_cues),
        cue_table={load: _sum_cues([s for s in scores if s.plated == (load == "plated")]) for load in LOADS},
        floor=_floor(scored),
        floor_rows={tag: {row.value: _floor([s for s in scored if s.tags.get(tag) == row.value])
                          for row in rows[tag]} for tag in FLOOR_FACTORS if tag in rows},
        unguarded={key: _metric_split(scores, key, lambda s, k=key: s.unguarded.get(k, []))
                   for key in (*UNGUARDED, "hip_used_extension_deg")},
        tilt_fit=fit_tilt(np.array([s.tilt[0] for s in tilted]), np.array([s.tilt[1] for s in tilted])),
        detection_rate=float(np.mean([s.detection_rate for s in scores])) if scores else float("nan"),
        side_accuracy=_share([s.side_correct for s in scored]),
        plate_accuracy=_share([s.plate_correct for s in scored if s.plate_correct is not None]),
        failing=tuple(r for f in factors for r in rows[f.tag] if r.misses),
        plated_camera=plated_by_camera(scores, factors))


# The camera placements a person filming a loaded set chooses (README's "How to film").
FILMING_FACTORS = ("camera_height", "elevation", "yaw")


def plated_by_camera(scores: Sequence[ClipScore],
                     factors: Sequence[Factor] = FACTORS) -> dict[str, list[Row]]:
    """The plated clips broken down by where the camera stood: which placement serves a loaded set best."""
    plated = [s for s in scores if s.plated]
    return {f.tag: breakdown(plated, f) for f in factors if f.tag in FILMING_FACTORS and plated}
