"""The prose sections of docs/accuracy.md that explain what the numbers mean: cues, fitted constants,
plates, pelvic tilt, camera.

Figures about the grid are computed from the scored clips; the segmentation-outline check of pelvic tilt
(`TILT_OUTLINE_NOTE`) and the plated-landmark errors (`benchmarks/plated_landmarks.py`) were measured once,
on renders of the earlier fixed grid.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from formcheck.plate.placement import PAINTED_HIP_CONFIDENCE, READ_HIP_MAX_ELEVATION_DEG
from formcheck.records import TRUSTED_CONFIDENCE
from formcheck.validate.constants import TUNE_FIT, registry_rows
from formcheck.validate.markdown import constants_table, cues_table, floor_table
from formcheck.validate.pelvis import ACCEPT_MAE_DEG
from formcheck.validate.score import ClipScore
from formcheck.validate.summary import GridSummary, MetricSummary

# Measured once on the grid's renders (segmentation masks are not part of a validation run): the floor-side
# outline within 40 px of the hip, 15 degree tuck minus no tuck, per column.
TILT_OUTLINE_NOTE = ("floor-side outline within 40 px of the hip moved by at most 2 px between a 15° tuck "
                     "and none, the size of the mask's own edge noise; the renderer's skinning may soften "
                     "a real tuck, but a 2 px signal is not a 5° measurement.")


# Measured once on the tune split's plated lockouts (hips hidden, camera within 25° of side-on), with the true
# knee and ankle so that only the hip's placement counts: the leads of the plate issue that did not hold.
PLATE_LEADS_NOTE = (
    "Other ways to place the hidden hip were measured on the tune split's plated lockouts (192 lockouts, "
    "the knee and ankle taken from the truth, so only the hip counts; knee angle MAE) and did not hold: "
    "the plate's centre as the hip, 23.3°; a fixed offset from the bar in the torso's frame, 13.1°; that "
    "offset plus the bar moved along the body's left-right axis (from the pose model's world landmarks) "
    "and toward the image centre by a depth ratio of 0.7-0.9 (the plate nearer the camera than the hip), "
    "7.8-9.9°; the same with the *true* left-right axis of the shoulders, 5.6°. A free term pulling the "
    "hip toward the image centre fitted best (4.6°), but only because the renderer aims its camera at the "
    "hips, which a user's camera need not do, so it is not used. The pose model's own hip on the painted "
    "frame gave 6.8° over all those lockouts, from any camera height.")


def _px(values: list[float]) -> str:
    return f"{float(np.median(values)):.1f} px" if values else "–"


def _deg(s: MetricSummary) -> str:
    return "–" if s.mae is None else f"{s.mae:.1f}° (n={s.n})"


def occlusion_section(summary: GridSummary, scores: list[ClipScore]) -> str:
    """How the hidden hip is handled, with the numbers that justify the nulls."""
    scored = [s for s in scores if s.scored]
    on = [s.hip_px_error for s in scored if s.plated and s.hip_px_error is not None]
    off = [s.hip_px_error for s in scored if not s.plated and s.hip_px_error is not None]
    hip, knee = summary.unguarded.get("hip_extension_deg", {}), summary.unguarded.get("knee_angle_deg", {})
    plated = {key: summary.metrics[key]["plated"] for key in ("knee_angle_deg", "hip_extension_deg")}
    read = ", ".join(f"{name} {_deg(plated[key])}" for name, key in (
        ("knee", "knee_angle_deg"), ("hip extension", "hip_extension_deg")))
    lines = [
        "A plate hides the hips for the whole set. formcheck finds the plate and paints it out of the image "
        "the pose model sees; reps are counted from the bar (the plate's centre). Where the model then finds "
        "the hip on or beside the plate's disc, and the camera is about level with the hips (estimated "
        f"elevation at most {READ_HIP_MAX_ELEVATION_DEG:.0f}°, `plate/placement.py`), the knee angle and hip "
        f"extension are read from that hip with confidence {PAINTED_HIP_CONFIDENCE:g}: reported, but not "
        f"cued on (the rules on those angles ask {TRUSTED_CONFIDENCE:g}). Elsewhere they are null with the "
        "reason, and so is the neck under a plate "
        "(on the tune split its torso line read 17-20° low there, against the hip on the disc or beside it). "
        "The shin does not need the hip, so the shin and the feet cues are given under a plate too.",
        "",
        f"Those readings on this grid's plated lockouts, MAE (n measured): {read}. On the tune split, cueing "
        "on the hips read added 3 right cues (short lockouts) and 8 false ones (arches and feet too "
        "close on good reps, chin lifted from the neck), so it is not done. Trusting only the hips found "
        "beside the plate (beyond 1.2 radii of its centre) as clear ones called 3 more short lockouts and 4 "
        "more arches on the tune split with no false cue, but on the check split gave 3 right cues fewer "
        "and 4 false ones more, so it is not done either.",
        "",
        PLATE_LEADS_NOTE,
        "",
        f"Plate presence was right on {_pct(summary.plate_accuracy)} of the clips the camera check accepted. "
        f"Distance of the hip the tool used from the true hip joint at lockout (median over clips): "
        f"{_px(off)} without plates, {_px(on)} with plates.",
        "",
        "Why null rather than a number: the angles on the pose model's own joints, as a naive tool reads "
        "them (no plate repair, no confidence check), are this far off at lockout:",
        "",
        "| angle | without plates | with plates |",
        "|---|---|---|",
    ]
    for name, block in (("hip extension", hip), ("knee angle", knee)):
        if block:
            lines.append(f"| {name} | {_deg(block['plate-free'])} | {_deg(block['plated'])} |")
    used = summary.unguarded.get("hip_used_extension_deg", {})
    if used:
        lines += ["", "And the hip formcheck used, set between the *true* shoulder and knee (so only the "
                  "hip's own error counts), would be this far off in hip extension: "
                  f"{_deg(used['plated'])} with plates ({_deg(used['plate-free'])} without)."]
    return "\n".join(lines)


def _pct(x: float) -> str:
    return "–" if x != x else f"{100 * x:.0f}%"


def _contrast(scores: list[ClipScore]) -> str:
    """The cue with and without the tuck."""
    tilted = [s for s in scores if s.tilt and s.scored and np.isfinite(s.tilt[0])]
    tuck = [s.tilt[0] for s in tilted if s.tags.get("fault") == "good"]
    flat = [s.tilt[0] for s in tilted if s.tags.get("fault") == "no_posterior_tilt"]
    if not tuck or not flat:
        return ""
    return (f" Good clips (a 12-22° tuck) put the model's hip at {np.mean(tuck):+.3f} shoulder-knee lengths "
            f"from the line on average, clips without the tuck at {np.mean(flat):+.3f} (spread across the "
            f"tucked clips {np.std(tuck):.3f}).")


def tilt_section(summary: GridSummary, scores: list[ClipScore]) -> str:
    """What the camera can tell about posterior pelvic tilt, in numbers."""
    fit = summary.tilt_fit
    if fit.n == 0:
        return "No plate-free clip had a lockout to calibrate on."
    verdict = ("the landmark cue would be good enough to report" if fit.accepted else
               f"`pelvic_tilt_deg` stays null in every report (target {ACCEPT_MAE_DEG:g}°)")
    return (
        "A posterior tilt turns the pelvis under the bar while shoulders, hip joints and knees can stay put, "
        "so none of the joint angles sees it. The one landmark cue a side camera has is how far the pose "
        "model's hip sits above or below the shoulder-knee line at lockout (`pelvis.hip_line_offset`). "
        f"Calibrated against the renderer's true tilt with leave-one-out over {fit.n} plate-free side-on "
        f"clips of this grid, it predicts tilt with a mean error of {fit.loo_mae:.1f}°, against "
        f"{fit.baseline_mae:.1f}° for always guessing the average: {verdict}.{_contrast(scores)}\n\n"
        "The body outline was checked too, on MediaPipe's segmentation masks of the earlier fixed grid's "
        f"lockout frames (640x360, good form vs no tuck, both sides): the {TILT_OUTLINE_NOTE} "
        "Posterior tilt is not visible from one side camera at the accuracy a cue needs, so formcheck does "
        "not give `no_posterior_tilt`, and its expected cues count as abstentions.")


def cue_section(summary: GridSummary) -> str:
    """Cue accuracy per cue id, with what drives the misses."""
    return (
        "Counted per rep (a rep the tool did not count misses its cues; an extra rep's cues are false) and "
        "per set (`(set)`: the report's summary list). A cue whose metric is null or unsure is not given "
        "(the rules abstain), so plated sets get no hip-based cues and `no_posterior_tilt` is never given; "
        "a clip whose camera is refused gets only `not_side_view`.\n\n" + cues_table(summary))


def constants_section(fitted: dict[str, Any] | None) -> str:
    """The registry of constants chosen from renders (`validate/constants.py`), with the tune fit."""
    source = ("The tune fit column is the value `" + TUNE_FIT + "` found on the tune split (bodies 0-7); "
              "the code's value is what this grid ran with." if fitted else
              "No tune fit was given (`--tune-fit`), so only the code's values are listed.")
    return (
        "Every constant chosen from rendered clips, read from the code when this page was made. Issue 11 "
        "asks that each be fitted on the tune split only (bodies 0-7, seeds disjoint from the check split). "
        "*fitted*: chosen from renders; *article*: the article's or DESIGN.md's target; *article + margin*: "
        "a target moved by a margin chosen from render errors. Where the origin is not certain the last "
        "column says so. " + source + "\n\n" + constants_table(registry_rows(), fitted))


def sections(summary: GridSummary, scores: list[ClipScore], fitted: dict[str, Any] | None = None
             ) -> dict[str, str]:
    """Titled paragraphs for the report."""
    return {
        "Cues": cue_section(summary),
        "Fitted constants": constants_section(fitted),
        "Plates and the hidden hip": occlusion_section(summary, scores),
        "Posterior pelvic tilt": tilt_section(summary, scores),
        "What the camera itself costs": (
            "Error a perfect 2D landmark detector would still make at lockout, because the camera projects "
            "the body (perspective, up to 25° of yaw, -5..35° of elevation): the floor under any number "
            "read from landmarks in one image, MAE (worst), by camera bucket. Where it nears 3° the "
            "plate-free target cannot be met by better landmarks alone.\n\n" + floor_table(summary)),
    }
