"""The prose sections of docs/accuracy.md that explain what the numbers mean: plates, pelvic tilt, camera.

Figures about the grid are computed from the scored clips; the perspective offsets of the plate are the
ones measured on rendered frames with the bar's true position (see `occlusion.py`).
"""

from __future__ import annotations

import numpy as np

from formcheck.pelvis import ACCEPT_MAE_DEG
from formcheck.validate.markdown import floor_table
from formcheck.validate.score import ClipScore, GridSummary, MetricSummary


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
        "placed from the bar for counting and timing reps only, a knee the plate drags is rebuilt from the "
        "planted ankle and segment lengths (also timing only), and every angle that needs the hip is "
        "reported as null with the reason.",
        "",
        f"Plate presence was right on {100 * summary.plate_accuracy:.0f}% of side-on clips. Distance of the "
        f"hip the tool used from the true hip joint at lockout: {_px(off)} without plates, {_px(on)} with "
        "plates (the bar-based placement).",
        "",
        "Why null rather than a number: measuring the angles on those joints anyway (ignoring their "
        "confidence) would give these errors at lockout:",
        "",
        "| angle | without plates | with plates |",
        "|---|---|---|",
    ]
    for name, block in (("hip extension", hip), ("knee angle", knee)):
        if block:
            lines.append(f"| {name} | {_deg(block['no plates'])} | {_deg(block['plates'])} |")
    lines += [
        "",
        "The plate's centre is the bar axis, but the plate hangs ~0.6 m nearer the camera than the hip "
        "joint, so perspective shifts it from the hip by an amount set by the camera's height, tilt and "
        "yaw (measured on rendered frames of this grid's camera: about 5-7 px side-on and ~36 px at 15° "
        "yaw, i.e. several degrees of hip extension side-on and tens of degrees oblique). "
        "One view does not reveal the camera pose, so no fixed offset can undo it; the pose model's own "
        "hip and knee behind the plate were worse still. "
        "From a single camera, hip-based angles with a plate in front of the hips are out of reach at "
        "±3°, so the tool says so instead of guessing.",
    ]
    return "\n".join(lines)


def tilt_section(summary: GridSummary) -> str:
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
        f"the average: {verdict}. The segmentation outline of the glutes is hidden by the plate in plated "
        "sets and was not pursued further; posterior tilt is not visible from one side camera at the "
        "accuracy a cue needs.")


def sections(summary: GridSummary, scores: list[ClipScore]) -> dict[str, str]:
    """Titled paragraphs for the report."""
    return {
        "Plates and the hidden hip": occlusion_section(summary, scores),
        "Posterior pelvic tilt": tilt_section(summary),
        "What the camera itself costs": (
            "Error a perfect 2D landmark detector would still make at lockout, because the camera projects "
            "the body (perspective, 15° yaw) — the floor under any landmark-based number:\n\n"
            + floor_table(summary.floor)),
    }
