"""docs/accuracy.md from a scored grid: the targets, per-metric errors, reps, view, cues and every clip.

Pure text; the CLI writes it. Numbers are formatted here once so the README can quote the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from formcheck.records import METRIC_KEYS
from formcheck.validate.score import ClipScore, GridSummary, MetricSummary

# Issue 4 item 8: MAE targets at lockout (degrees), plates included.
MAE_TARGETS: dict[str, float] = {
    "knee_angle_deg": 3.0,
    "hip_extension_deg": 3.0,
    "shin_from_vertical_deg": 3.0,
    "neck_flexion_deg": 5.0,
    "pelvic_tilt_deg": 5.0,
}
CUE_TARGET = 0.95  # issue 5 item 5: cue precision and recall


@dataclass(frozen=True)
class Meta:
    """Where and how the table was made."""

    command: str
    date: str
    machine: str
    version: str
    seconds: float
    cached: int = 0  # clips whose render and landmarks were reused from the cache


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


def _metric_row(key: str, summary: MetricSummary) -> TargetRow:
    limit = MAE_TARGETS[key]
    if summary.mae is None:
        return TargetRow(f"{key} MAE at lockout", f"≤ {limit:g}° or an honest null",
                         f"null on {summary.n} lockouts", "null (see below)")
    met = summary.mae <= limit and (summary.coverage or 0) >= 0.999
    partial = summary.mae <= limit
    verdict = "yes" if met else ("on the measured ones; rest null" if partial else "no")
    return TargetRow(f"{key} MAE at lockout", f"≤ {limit:g}°",
                     f"{_deg(summary.mae)} (coverage {_pct(summary.coverage)}, n={summary.n})", verdict)


def target_rows(summary: GridSummary) -> list[TargetRow]:
    """The issue's targets against what the grid measured."""
    rows = [_metric_row(key, summary.metrics[key]["all"]) for key in METRIC_KEYS]
    rows.append(TargetRow("rep count exact", "every clip", _pct(summary.rep_count_exact),
                          "yes" if summary.rep_count_exact == 1.0 else "no"))
    rows.append(TargetRow("view refusal / acceptance correct", "every clip", _pct(summary.view_accuracy),
                          "yes" if summary.view_accuracy == 1.0 else "no"))
    for name, value in (("cue precision", summary.cue_precision), ("cue recall", summary.cue_recall)):
        rows.append(TargetRow(name, f"≥ {CUE_TARGET:.2f}", "–" if value is None else f"{value:.2f}",
                              "–" if value is None else ("yes" if value >= CUE_TARGET else "no")))
    seen = summary.cue_recall_measured
    rows.append(TargetRow(
        "cue recall where the cue's metric was measured", "(not a target)",
        "–" if seen is None else (f"{seen:.2f} ({summary.cues_expected - summary.cues_blind} of "
                                  f"{summary.cues_expected} expected cues; on the rest the metric was null)"),
        "–"))
    rows.append(TargetRow("fault cues on good-form clips", "0",
                          f"{summary.false_cues_on_good_form} on {summary.good_form_clips} clips",
                          "yes" if summary.false_cues_on_good_form == 0 else "no"))
    rows.append(TargetRow("same cues from either side, plates on/off", "every group",
                          f"{summary.consistent_groups}/{summary.groups} groups",
                          "yes" if summary.consistent_groups == summary.groups else "no"))
    return rows


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(r) + " |" for r in rows]
    return "\n".join(lines)


def targets_table(summary: GridSummary) -> str:
    """The headline table (README quotes it)."""
    return table(["check", "target", "measured", "met"],
                 [[r.check, r.target, r.measured, r.met] for r in target_rows(summary)])


def metrics_table(summary: GridSummary) -> str:
    """Per-metric lockout error, split by plates."""
    rows = []
    for key in METRIC_KEYS:
        for subset, s in summary.metrics[key].items():
            bias = "–" if s.bias is None else f"{s.bias:+.1f}°"
            rows.append([key, subset, str(s.n), _pct(s.coverage), _deg(s.mae), bias, _deg(s.max_abs)])
    return table(["metric", "clips", "lockouts", "coverage", "MAE", "mean error", "worst"], rows)


def clips_table(scores: list[ClipScore]) -> str:
    """One row per clip: tags, reps, view, plate, hip error, per-metric mean error, cues."""
    rows = []
    for s in scores:
        errs = []
        for key in ("knee_angle_deg", "hip_extension_deg", "shin_from_vertical_deg", "neck_flexion_deg"):
            known = [abs(e) for e in s.errors[key] if e is not None]
            errs.append(f"{sum(known) / len(known):.1f}" if known else ("null" if s.errors[key] else "–"))
        hip = "–" if s.hip_px_error is None else f"{s.hip_px_error:.1f}"
        rows.append([s.name, f"{s.reps_found}/{s.reps_true}", f"{s.detection_rate:.2f}",
                     "ok" if s.view_correct else "WRONG",
                     {True: "ok", False: "WRONG", None: "–"}[s.plate_correct], hip, *errs,
                     ", ".join(s.cues_given) or "–", f"{s.cue_misses}/{s.cue_false}"])
    return table(["clip", "reps", "detected", "view", "plate", "hip px err", "knee", "hip ext", "shin",
                  "neck", "fault cues given", "missed/false"], rows)


def floor_table(floor: dict[str, MetricSummary]) -> str:
    """Error a perfect 2D landmark detector would still make (projection with this camera)."""
    rows = [[key, str(s.n), _deg(s.mae), _deg(s.max_abs)] for key, s in floor.items()]
    return table(["metric", "lockouts", "MAE", "worst"], rows)


def document(summary: GridSummary, scores: list[ClipScore], meta: Meta, sections: dict[str, str]) -> str:
    """The whole docs/accuracy.md. `sections` are extra titled paragraphs (e.g. occlusion, pelvic tilt)."""
    parts = [
        "# Accuracy on rendered hip thrusts",
        "",
        f"Generated by `{meta.command}` on {meta.date} ({meta.machine}; formcheck {meta.version}; "
        f"{summary.clips} clips in {meta.seconds / 60:.1f} min, {meta.cached} of them rendered and tracked "
        "by an earlier run and reused from the cache). Do not edit by hand: rerun the command.",
        "",
        "Ground truth comes from the synthetic renderer (`formcheck.synth`): a MakeHuman body posed for each "
        "fault, rendered with a pinhole camera, with the true joint centres and the true sagittal angles "
        "logged per frame. Errors are the value formcheck reports at each rep's lockout minus the true "
        "sagittal angle at the rendered lockout; a null value is not an error but lowers coverage.",
        "",
        "## Targets",
        "",
        targets_table(summary),
        "",
        "## Error at lockout, by metric",
        "",
        metrics_table(summary),
        "",
        f"Reps counted exactly on {_pct(summary.rep_count_exact)} of side-on clips; person detected in "
        f"{_pct(summary.detection_rate)} of frames; camera accepted/refused correctly on "
        f"{_pct(summary.view_accuracy)} of clips; near side right on {_pct(summary.side_accuracy)}; "
        f"plate presence right on {_pct(summary.plate_accuracy)}.",
    ]
    if summary.inconsistent:
        parts += ["", "Groups whose cues differ between sides or plates: " + ", ".join(summary.inconsistent)]
    for title, text in sections.items():
        parts += ["", f"## {title}", "", text]
    parts += ["", "## Every clip", "",
              "Mean absolute error per clip at its lockouts (degrees; `null` = the tool reported no value), "
              "hip px err = distance of the hip the metrics used from the true hip joint centre.", "",
              clips_table(scores), ""]
    return "\n".join(parts)


def cues_table(summary: GridSummary) -> str:
    """Per cue id: given when due, missed (of which with the metric null), given when not due — by plates."""
    rows = []
    for subset, counts in summary.cues.items():
        for cue, (hits, misses, false, blind) in counts.items():
            rows.append([cue, subset, str(hits), str(misses), str(blind), str(false)])
    return table(["cue", "clips", "given when due", "missed", "of those, metric null", "given when not due"],
                 rows)


README_START, README_END = "<!-- accuracy:start -->", "<!-- accuracy:end -->"


def splice_readme(text: str, summary: GridSummary, meta: Meta) -> str:
    """`text` (a README) with the targets table between the accuracy markers; ValueError without them."""
    start, end = text.find(README_START), text.find(README_END)
    if start < 0 or end < start:
        raise ValueError(f"expected {README_START} ... {README_END} markers in the README")
    block = (f"{README_START}\n{targets_table(summary)}\n\n"
             f"{summary.clips} clips, {meta.date}; per metric, per cue and per clip: docs/accuracy.md.\n")
    return text[:start] + block + text[end:]
