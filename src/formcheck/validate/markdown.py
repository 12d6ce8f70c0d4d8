"""docs/accuracy.md from a scored grid: the headline targets, the breakdown rows, the fitted constants and
every clip.

Pure text; the CLI writes it. Numbers are formatted here once so the README quotes the same table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.records import METRIC_KEYS
from formcheck.validate.constants import Constant
from formcheck.validate.score import ClipScore
from formcheck.validate.summary import (
    CUE_PRECISION_TARGET,
    CUE_RECALL_TARGET,
    FACTORS,
    LOADS,
    MAE_TARGETS,
    PELVIC_TILT_TARGET_DEG,
    PLATED_TARGETS,
    REPS_EXACT_TARGET,
    ROW_PRECISION_TARGET,
    SHORT,
    GridSummary,
    MetricSummary,
    Row,
)


@dataclass(frozen=True)
class Meta:
    """Where and how the table was made."""

    command: str
    date: str
    machine: str
    version: str
    seconds: float
    cached: int = 0  # clips whose render and observations were reused from the cache
    split: str = "check"


@dataclass(frozen=True)
class TargetRow:
    """One line of the targets table."""

    check: str
    target: str
    measured: str
    met: str


def _deg(x: float | None) -> str:
    return "–" if x is None else f"{x:.1f}°"


def _pct(x: float | None) -> str:
    return "–" if x is None or x != x else f"{100 * x:.0f}%"


def _ratio(x: float | None) -> str:
    return "–" if x is None else f"{x:.2f}"


def _yes(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def _reps(row: Row) -> str:
    return "–" if not row.scored else f"{_pct(row.reps_share)} ({row.reps_exact}/{row.scored})"


def _worst(rows: Sequence[Row], key: str) -> Row | None:
    measured = [r for r in rows if r.metrics[key]["plate-free"].mae is not None]
    return max(measured, key=lambda r: r.metrics[key]["plate-free"].mae or 0.0) if measured else None


def _row_name(row: Row) -> str:
    title = {f.tag: f.title.lower() for f in FACTORS}.get(row.factor, row.factor)
    return f"{title} {row.label}"


def _metric_target(summary: GridSummary, key: str) -> TargetRow:
    """Plate-free MAE overall and in the worst body row and the worst camera row."""
    limit, s = MAE_TARGETS[key], summary.metrics[key]["plate-free"]
    body = summary.rows.get("body", [])
    camera = [r for f in FACTORS if f.camera for r in summary.rows.get(f.tag, [])]
    worst = [(kind, _worst(rows, key)) for kind, rows in (("body", body), ("camera", camera))]
    parts = [f"{_deg(s.mae)} (n={s.n}, measured {_pct(s.coverage)})"]
    parts += [f"worst {kind} row: {_row_name(r)} {_deg(r.metrics[key]['plate-free'].mae)}"
              for kind, r in worst if r is not None]
    rows_ok = all((r.metrics[key]["plate-free"].mae or 0.0) <= limit for r in [*body, *camera])
    ok = s.mae is not None and s.mae <= limit and rows_ok
    return TargetRow(f"{SHORT[key]} MAE, plate-free lockouts", f"≤ {limit:g}° overall and in every body and "
                     "camera row", "; ".join(parts), _yes(ok))


def _reps_targets(summary: GridSummary) -> list[TargetRow]:
    o, loads = summary.overall, summary.loads
    rom = summary.rows.get("rom", [])
    by_load = "; ".join(f"{load} {_reps(row)}" for load, row in loads.items())
    ok_all = (o.reps_share or 0.0) >= REPS_EXACT_TARGET and all(
        (r.reps_share or 0.0) >= REPS_EXACT_TARGET for r in loads.values() if r.scored)
    rom_ok = all((r.reps_share or 0.0) >= REPS_EXACT_TARGET for r in rom if r.scored)
    return [
        TargetRow("reps exact, side-on clips", f"≥ {100 * REPS_EXACT_TARGET:.0f}%, plated and plate-free",
                  f"{_reps(o)}; {by_load}", _yes(ok_all)),
        TargetRow("reps exact in every range of motion", f"≥ {100 * REPS_EXACT_TARGET:.0f}%",
                  "; ".join(f"{r.label} {_reps(r)}" for r in rom), _yes(rom_ok)),
    ]


def _cue_targets(summary: GridSummary) -> list[TargetRow]:
    o = summary.overall
    rows = [r for f in FACTORS for r in summary.rows.get(f.tag, []) if r.precision is not None]
    low = sorted((r for r in rows if (r.precision or 0.0) < ROW_PRECISION_TARGET),
                 key=lambda r: r.precision or 0.0)
    low_text = (f"{len(low)} of {len(rows)} rows below: " + ", ".join(
        f"{_row_name(r)} {_ratio(r.precision)}" for r in low[:6]) + (" …" if len(low) > 6 else "")
                if low else f"all {len(rows)} rows at or above")
    by_load = "; ".join(f"{load} {_ratio(row.precision)}" for load, row in summary.loads.items())
    recall_load = "; ".join(f"{load} {_ratio(row.recall)}" for load, row in summary.loads.items())
    blind = o.cue_blind
    return [
        TargetRow("cue precision", f"≥ {CUE_PRECISION_TARGET:.2f}",
                  f"{_ratio(o.precision)} ({o.cue_hits} right, {o.cue_false} false; {by_load}; "
                  f"{o.cue_acceptable} more given in a don't-care band)",
                  _yes(None if o.precision is None else o.precision >= CUE_PRECISION_TARGET)),
        TargetRow("cue precision in every breakdown row", f"≥ {ROW_PRECISION_TARGET:.2f}", low_text,
                  _yes(not low)),
        TargetRow("cue recall (issue 5)", f"≥ {CUE_RECALL_TARGET:.2f}",
                  f"{_ratio(o.recall)} ({recall_load}); {_ratio(summary.recall_measured)} where the cue's "
                  f"metric was measured ({blind} of {o.cue_hits + o.cue_misses} expected cues were "
                  "abstentions on a null or unsure metric)",
                  _yes(None if o.recall is None else o.recall >= CUE_RECALL_TARGET)),
        TargetRow("fault cues on good-form clips", "0",
                  f"{len(summary.good_form_false)} of {summary.good_form_clips} clips", _yes(
                      not summary.good_form_false)),
    ]


def _plated_row(summary: GridSummary) -> TargetRow:
    parts, met = [], True
    for key in MAE_TARGETS:
        s = summary.metrics[key]["plated"]
        parts.append(f"{SHORT[key]} {_deg(s.mae)} on {_pct(s.coverage)}")
        if key in PLATED_TARGETS:
            limit, share = PLATED_TARGETS[key]
            met = met and s.mae is not None and s.mae <= limit and (s.coverage or 0.0) >= share
    target = "; ".join(f"{SHORT[k]} ≤ {limit:g}° on ≥ {share:.0%}"
                       for k, (limit, share) in PLATED_TARGETS.items())
    return TargetRow("plated lockouts: MAE on the measured share (issue 13)", target, "; ".join(parts),
                     _yes(met))


def target_rows(summary: GridSummary) -> list[TargetRow]:
    """The issue's targets against what the grid measured."""
    v = summary.view
    tilt = summary.metrics["pelvic_tilt_deg"]["all"]
    tilt_row = (TargetRow("pelvic tilt", f"≤ {PELVIC_TILT_TARGET_DEG:g}° or an honest null",
                          f"null on {tilt.n} lockouts", "null (see below)") if tilt.mae is None else
                TargetRow("pelvic tilt MAE", f"≤ {PELVIC_TILT_TARGET_DEG:g}°", _deg(tilt.mae),
                          _yes(tilt.mae <= PELVIC_TILT_TARGET_DEG)))
    return [
        *_reps_targets(summary),
        *(_metric_target(summary, key) for key in MAE_TARGETS),
        _plated_row(summary),
        tilt_row,
        *_cue_targets(summary),
        TargetRow("camera within ±25° accepted", "every clip", f"{v.accepted}/{v.must_accept}",
                  _yes(v.accepted == v.must_accept)),
        TargetRow("camera beyond 40° refused", "every clip", f"{v.refused}/{v.must_refuse}",
                  _yes(v.refused == v.must_refuse)),
    ]


def targets_table(summary: GridSummary) -> str:
    """The headline table (README quotes it)."""
    return table(["check", "target", "measured", "met"],
                 [[r.check, r.target, r.measured, r.met] for r in target_rows(summary)])


def _cell(s: MetricSummary) -> str:
    if not s.n:
        return ""
    count = f"{s.measured}" if s.measured == s.n else f"{s.measured}/{s.n}"
    return f"{_deg(s.mae)} ({count})"


def breakdown_table(rows: Sequence[Row]) -> str:
    """One factor's rows: clips, reps, plate-free then plated MAE per metric (measured lockouts), cues."""
    keys = list(MAE_TARGETS)
    header = ["", "clips", "reps exact", *(SHORT[k] for k in keys), *(f"plated {SHORT[k]}" for k in keys),
              "cue P", "cue R", "misses a target"]
    body = []
    for r in rows:
        cells = [_cell(r.metrics[k][load]) for load in LOADS for k in keys]
        body.append([("✗ " if r.misses else "") + r.label, str(r.clips), _reps(r), *cells,
                     _ratio(r.precision), _ratio(r.recall), ", ".join(r.misses) or "–"])
    return table(header, body)


def failing_list(summary: GridSummary) -> str:
    """Every breakdown row that misses a target, one line each."""
    if not summary.failing:
        return "No breakdown row misses a target."
    return "\n".join(f"- {_row_name(r)} ({r.clips} clips): {', '.join(r.misses)}" for r in summary.failing)


def metrics_table(summary: GridSummary) -> str:
    """Per-metric lockout error, split by plates."""
    rows = []
    for key in METRIC_KEYS:
        for subset, s in summary.metrics[key].items():
            bias = "–" if s.bias is None else f"{s.bias:+.1f}°"
            rows.append([key, subset, str(s.n), _pct(s.coverage), _deg(s.mae), bias, _deg(s.max_abs)])
    return table(["metric", "clips", "lockouts", "measured", "MAE", "mean error", "worst"], rows)


def _clip_mae(errors: list[float | None]) -> str:
    known = [abs(e) for e in errors if e is not None]
    return f"{sum(known) / len(known):.1f}" if known else ("null" if errors else "–")


def clips_table(scores: Sequence[ClipScore]) -> str:
    """One row per clip: its factors, the camera verdict, reps, per-metric mean error, cues."""
    rows = []
    for s in scores:
        t = s.tags
        verdict = ("accepted" if s.accepted else "refused") + ("" if s.view_correct else " **WRONG**")
        cues = s.cue_total
        rows.append([s.name, t.get("body", "?"), t.get("plates", "?"), f"{t.get('yaw', '?')}", verdict,
                     f"{s.reps_found}/{s.reps_true}", *(_clip_mae(s.errors[k]) for k in MAE_TARGETS),
                     ", ".join(s.cues_given) or "–", ", ".join(s.false_cues) or "–",
                     f"{cues(1)}/{cues(4)}"])
    return table(["clip", "body", "plates", "yaw", "camera", "reps", "knee", "shin", "hip ext", "neck",
                  "fault cues given", "false", "missed/don't-care"], rows)


def constants_table(rows: Sequence[tuple[Constant, float | int | str]],
                    fitted: dict[str, dict[str, object]] | None) -> str:
    """The registry of constants chosen from renders, with the tune fit's value where there is one."""
    out = []
    for constant, value in rows:
        fit = (fitted or {}).get(constant.name)
        tune = "–" if not fit else f"{fit['fitted']} (n={fit['n']})"
        shown = f"{value:g}" if isinstance(value, int | float) else str(value)
        out.append([f"`{constant.name}`", f"`{constant.module}`", shown + constant.unit, tune,
                    constant.origin, constant.what, constant.fitted_on])
    return table(["constant", "where", "value in the code", "tune fit", "origin", "what",
                  "chosen from / where fitted"], out)


def floor_table(summary: GridSummary) -> str:
    """Error a perfect 2D landmark detector would still make (projection with this camera), overall and
    per camera bucket: MAE (worst)."""
    keys = list(summary.floor)
    titles = {f.tag: f.title.lower() for f in FACTORS}

    def cells(floor: dict[str, MetricSummary]) -> list[str]:
        return [f"{_deg(floor[k].mae)} ({_deg(floor[k].max_abs)})" if floor[k].n else "" for k in keys]

    rows = [["all clips", str(summary.floor[keys[0]].n), *cells(summary.floor)]]
    for tag, values in summary.floor_rows.items():
        rows += [[f"{titles.get(tag, tag)} {value}", str(floor[keys[0]].n), *cells(floor)]
                 for value, floor in values.items() if floor[keys[0]].n]
    return table(["clips", "lockouts", *(SHORT[k] for k in keys)], rows)


def document(summary: GridSummary, scores: Sequence[ClipScore], meta: Meta, sections: dict[str, str]) -> str:
    """The whole docs/accuracy.md. `sections` are extra titled paragraphs (cues, constants, plates, tilt)."""
    split = ("the **check** split: bodies 8-23, which no constant was fitted on" if meta.split == "check"
             else "the **tune** split (bodies 0-7, where constants are fitted: not a check of anything)")
    parts = [
        "# Accuracy on rendered hip thrusts",
        "",
        f"Generated by `{meta.command}` on {meta.date} ({meta.machine}; formcheck {meta.version}; "
        f"{summary.clips} clips in {meta.seconds / 60:.1f} min, {meta.cached} of them rendered and observed "
        "by an earlier run and reused from the cache). Do not edit by hand: rerun the command.",
        "",
        f"The clips are {split}, drawn at random by `synth.randomize.grid` (docs/synth.md): body, range of "
        "motion, tempo, plates, room, light, camera height, distance, elevation, yaw, field of view, "
        "orientation, frame rate and compression all vary, and every block of 15 clips holds 5 good ones, "
        "one of each of 9 faults and one camera turned 45-75° away. Ground truth comes from the posed "
        "skeleton: errors are the value formcheck reports at each rep's lockout minus the true sagittal "
        "angle at the rendered lockout; a null value is not an error but lowers the measured share.",
        "",
        "Cues are scored against the renderer's labels, per rep and per set (the report's summary list): a "
        "cue is *expected* past its fault threshold, *forbidden* inside its good limit, and *acceptable* "
        "in the don't-care band between (given or not, both are right: neither a hit nor a false cue). An "
        "expected cue not given is a miss, and an abstention when its metric was null or unsure. The camera "
        "must be accepted within ±25° of side-on and refused beyond 40°; in between either is right. Reps "
        "and lockout metrics count on the clips that must be accepted; cues on every clip (a clip wrongly "
        "accepted gives false cues).",
        "",
        "## Targets",
        "",
        targets_table(summary),
        "",
        "## Rows that miss a target",
        "",
        "Targets per row: reps exact ≥ 98%; plate-free knee, shin and hip-extension MAE ≤ 3°, neck ≤ 5°, "
        "each measured on at least 90% of the row's plate-free lockouts; cue precision ≥ 0.90.",
        "",
        failing_list(summary),
        "",
        "## Breakdowns",
        "",
        "Each cell of a metric is its MAE at lockout with the number of lockouts measured (of all, when some "
        "were null). ✗ marks a row that misses a target. cue P / cue R: precision and recall of the cues "
        "in the row (rep and set level).",
    ]
    for factor in FACTORS:
        if summary.rows.get(factor.tag):
            parts += ["", f"### {factor.title}", "", breakdown_table(summary.rows[factor.tag])]
    if summary.plated_camera:
        parts += ["", "## Loaded sets by camera placement (how to film)", "",
                  "The plated clips alone, by where the camera stood: reps counted, lockout angles measured "
                  "behind the plate, cues right. README's \"How to film\" follows this table."]
        titles = {f.tag: f.title for f in FACTORS}
        for tag, rows in summary.plated_camera.items():
            parts += ["", f"### {titles[tag]}, plated clips", "", breakdown_table(rows)]
    parts += ["", "## Error at lockout, by metric", "", metrics_table(summary), "",
              f"Person detected in {_pct(summary.detection_rate)} of frames; near side right on "
              f"{_pct(summary.side_accuracy)} of side-on clips; plate presence right on "
              f"{_pct(summary.plate_accuracy)} of the clips accepted."]
    for title, text in sections.items():
        parts += ["", f"## {title}", "", text]
    parts += ["", "## Every clip", "",
              "Mean absolute error per clip at its lockouts (degrees; `null` = the tool reported no value); "
              "false: fault cues given where the truth forbids them.", "", clips_table(scores), ""]
    return "\n".join(parts)


def cues_table(summary: GridSummary) -> str:
    """Per cue id and load: given when due, missed (of which abstentions), false, don't-care."""
    rows = []
    for load, counts in summary.cue_table.items():
        for cue, (hits, misses, false, blind, acceptable) in counts.items():
            rows.append([cue, load, str(hits), str(misses), str(blind), str(false), str(acceptable)])
    return table(["cue", "clips", "given when due", "missed", "of those, metric null or unsure",
                  "given when forbidden", "given in the don't-care band"], rows)


README_START, README_END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"


def splice_readme(text: str, summary: GridSummary, meta: Meta) -> str:
    """`text` (a README) with the targets table between the accuracy markers; ValueError without them."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"expected {README_START} ... {README_END} markers in the README")
    failing = len(summary.failing)
    block = (f"{README_START}\n{targets_table(summary)}\n\n"
             f"{summary.clips} clips of the {meta.split} split, {meta.date}; {failing} breakdown rows miss a "
             "target. Per body, plate type, camera height, elevation, yaw, range of motion, fault and frame "
             "rate, per cue and per clip: docs/accuracy.md.\n")
    return text[:start] + block + text[end:]
