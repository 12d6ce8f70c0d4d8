"""The prose sections of docs/accuracy.md that explain what the numbers mean: plates, pelvic tilt, camera.

Figures about the grid are computed from the scored clips; the perspective offsets of the plate (measured
on rendered frames with the bar's true position, see `occlusion.py`) and the segmentation-outline check of
pelvic tilt (`TILT_OUTLINE_NOTE`) were measured once on the same renders.
"""

from __future__ import annotations

import numpy as np

from formcheck.validate.markdown import cues_table, floor_table
from formcheck.validate.pelvis import ACCEPT_MAE_DEG
from formcheck.validate.score import ClipScore, GridSummary, MetricSummary

# Measured once on the grid's renders (segmentation masks are not part of a validation run): the floor-side
# outline within 40 px of the hip, 15 degree tuck minus no tuck, per column.
TILT_OUTLINE_NOTE = ("floor-side outline within 40 px of the hip moved by at most 2 px between a 15° tuck "
                     "and none, the size of the mask's own edge noise; the renderer's skinning may soften "
                     "a real tuck, but a 2 px signal is not a 5° measurement.")


def _px(values: list[float]) -> str:
    return f"{float(np.median(values)):.1f} px" if values else "–"


def _deg(s: MetricSummary) -> str:
    return "–" if s.mae is None else f"{s.mae:.1f}° (n={s.n})"


def occlusion_section(summary: GridSummary, scores: list[ClipScore]) -> str:
    """How the hidden hip is handled, with the numbers that justify the nulls."""
    side_on = [s for s in scores if s.tags.get("view") != "oblique-refuse"]
    on = [s.hip_px_error for s in side_on if s.tags.get("plates") == "on" and s.hip_px_error is not None]
    off = [s.hip_px_error for s in side_on if s.tags.get("plates") != "on" and s.hip_px_error is not None]
    hip, knee = summary.unguarded.get("hip_extension_deg", {}), summary.unguarded.get("knee_angle_deg", {})
    lines = [
        "A plate hides the hips for the whole set. formcheck finds the plate (a circle of constant radius "
        "around the hips, `plates.py`) and treats every joint it hides as unknown for measuring: the hip is "
        "placed from the bar for counting and timing reps only, a knee the model drags onto the plate is "
        "held still at its clear position (also timing only), and every angle that needs the hip is "
        "reported as null with the reason. The shin does not need the hip: knee and ankle are read again "
        "around each lockout with the plate painted out (`second_look.py`), so the shin and the feet cues "
        "are given under a plate too.",
        "",
        f"Plate presence was right on {100 * summary.plate_accuracy:.0f}% of the side-on clips the camera "
        "check accepted. Distance of the "
        f"hip the tool used from the true hip joint at lockout: {_px(off)} without plates, {_px(on)} with "
        "plates (the bar-based placement).",
        "",
        "Why null rather than a number: measuring the angles on the pose model's own joints, as a naive "
        "tool does (no plate repair, no confidence check), gives these errors at lockout:",
        "",
        "| angle | without plates | with plates |",
        "|---|---|---|",
    ]
    for name, block in (("hip extension", hip), ("knee angle", knee)):
        if block:
            lines.append(f"| {name} | {_deg(block['no plates'])} | {_deg(block['plates'])} |")
    used = summary.unguarded.get("hip_used_extension_deg", {})
    if used:
        lines += ["", "And the hip formcheck places from the bar, set between the *true* shoulder and knee "
                  "(so only the hip's own error counts), would still be this far off in hip extension: "
                  f"{_deg(used['plates'])} with plates (the model's own hip without plates: "
                  f"{_deg(used['no plates'])})."]
    lines += [
        "",
        "The plate's centre is the bar axis, but the plate hangs ~0.6 m nearer the camera than the hip "
        "joint, so perspective shifts it from the hip by an amount set by the camera's height, tilt and "
        "yaw (measured on rendered frames of this grid's camera: about 5-7 px side-on and ~36 px at 15° "
        "yaw, i.e. several degrees of hip extension side-on and tens of degrees oblique). "
        "One view does not reveal the camera pose, so no fixed offset can undo it; the pose model's own "
        "hip and knee behind the plate were worse still: with the hips hidden it often labels the visible "
        "leg as the far one and folds the near leg onto the plate, and even taking the leg it drew away "
        "from the plate leaves knee angle 14.3°, shin 7.5° and hip extension 20.2° off at lockout "
        "(`python benchmarks/plated_landmarks.py`, 52 plated lockouts). "
        "From a single camera, hip-based angles with a plate in front of the hips are out of reach at "
        "±3°, so the tool says so instead of guessing.",
    ]
    return "\n".join(lines)


def _contrast(scores: list[ClipScore]) -> str:
    """The cue with and without the tuck, at the same (neutral) hip extension."""
    side_on = [s for s in scores if s.tilt and s.tags.get("view") != "oblique-refuse"]
    tuck = [s.tilt[0] for s in side_on if s.tags.get("fault") == "good"]
    flat = [s.tilt[0] for s in side_on if s.tags.get("fault") == "no_posterior_tilt"]
    if not tuck or not flat:
        return ""
    return (f" Side by side at the same hip extension, a 15° tuck and no tuck put the model's hip at "
            f"{np.mean(tuck):+.3f} and {np.mean(flat):+.3f} shoulder-knee lengths from the line (spread "
            f"across all tucked clips {np.std([s.tilt[0] for s in side_on if s.tilt[1] > 10]):.3f}): the cue "
            "follows hip extension and an arched back, not the tuck.")


def tilt_section(summary: GridSummary, scores: list[ClipScore]) -> str:
    """What the camera can tell about posterior pelvic tilt, in numbers."""
    fit = summary.tilt_fit
    if fit.n == 0:
        return "No clip without plates had a lockout to calibrate on."
    verdict = ("formcheck reports it" if fit.accepted else
               f"`pelvic_tilt_deg` is null in every report (target {ACCEPT_MAE_DEG:g}°)")
    return (
        "A posterior tilt turns the pelvis under the bar while shoulders, hip joints and knees can stay put, "
        "so none of the joint angles sees it. The one landmark cue a side camera has is how far the pose "
        "model's hip sits above or below the shoulder-knee line at lockout (`pelvis.hip_line_offset`), in "
        "case the model's hip follows the buttocks. Calibrated against the renderer's true tilt with "
        f"leave-one-out over {fit.n} plate-free side-on clips (tilts from -20° to +15°), it predicts tilt "
        f"with a mean error of {fit.loo_mae:.1f}°, against {fit.baseline_mae:.1f}° for always guessing "
        f"the average: {verdict}.{_contrast(scores)}\n\n"
        "The body outline was checked too: on MediaPipe's segmentation masks of the grid's lockout frames "
        f"(640x360, good form vs no tuck, both sides) the {TILT_OUTLINE_NOTE} With a plate the outline "
        "under the hips is behind the plate anyway. Posterior tilt is not visible from one side camera at "
        "the accuracy a cue needs, so formcheck does not give `no_posterior_tilt`.")


def cue_section(summary: GridSummary) -> str:
    """Cue accuracy (issue 5 item 5), per cue, with what drives the misses."""
    return (
        "Counted per rep (a rep the tool did not count misses its cues) and per set, where the set's "
        "cues are the report's summary list (set-level cues plus every rep's). A cue "
        "whose metric is null is not given (the rules abstain), so plated sets get no hip-based cues and "
        "`no_posterior_tilt` is never given; a clip whose camera is refused gets only `not_side_view`.\n\n"
        + cues_table(summary))


def sections(summary: GridSummary, scores: list[ClipScore]) -> dict[str, str]:
    """Titled paragraphs for the report."""
    return {
        "Cues": cue_section(summary),
        "Plates and the hidden hip": occlusion_section(summary, scores),
        "Posterior pelvic tilt": tilt_section(summary, scores),
        "What the camera itself costs": (
            "Error a perfect 2D landmark detector would still make at lockout, because the camera projects "
            "the body (perspective, 15° yaw) — the floor under any landmark-based number:\n\n"
            + floor_table(summary.floor)),
    }
