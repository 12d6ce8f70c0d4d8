"""Drawing the coach's view on a BGR frame: skeleton, angle labels, rep counter, phase and cue banner.

Pure drawing functions on a numpy image (modified in place), shared by the annotated video and the live
window, so they must stay within a few milliseconds per frame: no full-frame blending, only small regions.
Pixel coordinates are those of `PoseFrame.xy` (upright frame, x right, y down).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.pose.landmarks import N_LANDMARKS, SIDE_JOINTS
from formcheck.records import Severity

BGR = tuple[int, int, int]

NEAR_COLOR: BGR = (80, 220, 255)  # warm yellow: the measured side
FAR_COLOR: BGR = (110, 110, 110)  # grey: the hidden side, for context only
JOINT_COLOR: BGR = (255, 255, 255)
LABEL_COLOR: BGR = (255, 255, 255)
UNSURE_COLOR: BGR = (150, 150, 150)
SEVERITY_COLORS: dict[Severity, BGR] = {
    Severity.INFO: (230, 160, 60),  # blue
    Severity.WARNING: (40, 170, 255),  # amber
    Severity.ERROR: (60, 60, 230),  # red
}
FONT = cv2.FONT_HERSHEY_DUPLEX

# Segments of one side's skeleton, by joint name (landmarks.SIDE_JOINTS).
BONES = (("ear", "shoulder"), ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"),
         ("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"),
         ("ankle", "foot_index"))

# Which metric is written next to which joint, with a short name.
ANGLE_LABELS = (("knee_angle_deg", "knee", "knee"), ("hip_extension_deg", "hip", "hip"),
                ("neck_flexion_deg", "shoulder", "neck"))


@dataclass(frozen=True)
class OverlayState:
    """Everything drawn on one frame. `xy` (33, 2) is NaN where nobody was found."""

    xy: np.ndarray
    visibility: np.ndarray
    side: str = "left"
    metrics: Mapping[str, float | None] = field(default_factory=dict)  # None/NaN = unmeasured
    confidence: Mapping[str, float] = field(default_factory=dict)
    rep_count: int = 0
    phase: str | None = None
    cue: str | None = None
    cue_severity: Severity = Severity.WARNING

    def __post_init__(self) -> None:
        if self.xy.shape != (N_LANDMARKS, 2) or self.visibility.shape != (N_LANDMARKS,):
            raise ValueError(f"OverlayState: expected xy ({N_LANDMARKS}, 2) and visibility ({N_LANDMARKS},), "
                             f"got {self.xy.shape} and {self.visibility.shape}")
        if self.side not in SIDE_JOINTS:
            raise ValueError(f"OverlayState.side: expected one of {sorted(SIDE_JOINTS)}, got {self.side!r}")


def scale_of(image: np.ndarray) -> float:
    """Drawing scale: 1.0 for a 480-px-high frame, so lines and text look alike at any resolution."""
    return max(0.5, min(image.shape[:2]) / 480.0)


def _point(xy: np.ndarray, visibility: np.ndarray, index: int,
           min_visibility: float) -> tuple[int, int] | None:
    x, y = xy[index]
    if not (math.isfinite(x) and math.isfinite(y)) or visibility[index] < min_visibility:
        return None
    return round(x), round(y)


def draw_skeleton(image: np.ndarray, xy: np.ndarray, visibility: np.ndarray, side: str,
                  min_visibility: float = 0.3, scale: float | None = None) -> np.ndarray:
    """Near side bold with joints, far side thin grey; joints below `min_visibility` are left out.

    `scale` overrides the size of lines (default `scale_of(image)`)."""
    s = scale or scale_of(image)
    far = "right" if side == "left" else "left"
    for name, color, width in ((far, FAR_COLOR, 1), (side, NEAR_COLOR, 3)):
        joints = SIDE_JOINTS[name]
        pts = {j: _point(xy, visibility, joints[j], min_visibility) for j in joints}
        for a, b in BONES:
            pa, pb = pts[a], pts[b]
            if pa is not None and pb is not None:
                cv2.line(image, pa, pb, color, max(1, round(width * s)), cv2.LINE_AA)
        if name == side:
            for p in pts.values():
                if p is not None:
                    cv2.circle(image, p, max(2, round(4 * s)), JOINT_COLOR, -1, cv2.LINE_AA)
    return image


def _text_box(image: np.ndarray, text: str, org: tuple[int, int], scale: float, color: BGR,
              thickness: int = 1, pad: int = 4) -> None:
    """Text on a dark box (readable on any background); `org` is the box's top-left corner."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x0 = min(max(org[0], 0), max(image.shape[1] - w - 2 * pad, 0))
    y0 = min(max(org[1], 0), max(image.shape[0] - h - base - 2 * pad, 0))
    cv2.rectangle(image, (x0, y0), (x0 + w + 2 * pad, y0 + h + base + 2 * pad), (20, 20, 20), -1)
    cv2.putText(image, text, (x0 + pad, y0 + pad + h), FONT, scale, color, thickness, cv2.LINE_AA)


def format_metric(value: float | None, confidence: float, min_confidence: float = 0.5) -> tuple[str, bool]:
    """A metric as shown on screen and whether it is trusted: '?' when unmeasured, '92?' when unsure."""
    if value is None or not math.isfinite(value):
        return "?", False
    text = f"{value:.0f}"
    return (text, True) if confidence >= min_confidence else (text + "?", False)


def draw_angle_labels(image: np.ndarray, xy: np.ndarray, visibility: np.ndarray, side: str,
                      metrics: Mapping[str, float | None], confidence: Mapping[str, float],
                      min_confidence: float = 0.5, scale: float | None = None) -> np.ndarray:
    """Knee, hip and neck values beside their joints; unmeasured or low-confidence ones greyed.

    `scale` overrides the text size (default `scale_of(image)`)."""
    s = scale or scale_of(image)
    joints = SIDE_JOINTS[side]
    for key, joint, short in ANGLE_LABELS:
        if key not in metrics:
            continue
        p = _point(xy, visibility, joints[joint], 0.0)
        if p is None:
            continue
        text, trusted = format_metric(metrics[key], confidence.get(key, 0.0), min_confidence)
        color = LABEL_COLOR if trusted else UNSURE_COLOR
        _text_box(image, f"{short} {text}", (p[0] + round(10 * s), p[1] - round(28 * s)), 0.55 * s, color,
                  max(1, round(s)))
    return image


def draw_status(image: np.ndarray, rep_count: int, phase: str | None) -> np.ndarray:
    """Rep counter (large) and the current phase in the top-left corner."""
    s = scale_of(image)
    _text_box(image, f"REP {rep_count}", (round(10 * s), round(10 * s)), 1.1 * s, LABEL_COLOR,
              max(1, round(2 * s)), pad=round(6 * s))
    if phase:
        _text_box(image, phase.upper(), (round(10 * s), round(58 * s)), 0.6 * s, NEAR_COLOR,
                  max(1, round(s)), pad=round(4 * s))
    return image


def _fits(lines: list[str], max_width: int, scale: float, thickness: int) -> bool:
    return max(cv2.getTextSize(line, FONT, scale, thickness)[0][0] for line in lines) <= max_width


def _two_lines(text: str) -> list[str]:
    """`text` cut at the word boundary nearest its middle (one line when it has one word)."""
    words = text.split()
    if len(words) < 2:
        return [text]
    cut = min(range(1, len(words)), key=lambda i: abs(len(" ".join(words[:i])) - len(text) / 2))
    return [" ".join(words[:cut]), " ".join(words[cut:])]


def _fit_text(text: str, max_width: int, scale: float, thickness: int) -> tuple[list[str], float]:
    """One line shrunk by at most 20 %, else two lines shrunk as needed, to fit `max_width` pixels."""
    sc = scale
    while sc >= 0.8 * scale:
        if _fits([text], max_width, sc, thickness):
            return [text], sc
        sc *= 0.93
    lines, sc = _two_lines(text), scale
    while sc > 0.2 and not _fits(lines, max_width, sc, thickness):
        sc *= 0.93
    return lines, sc


def draw_cue_banner(image: np.ndarray, text: str, severity: Severity = Severity.WARNING) -> np.ndarray:
    """A large banner across the bottom (readable from a few metres), coloured by severity."""
    h, w = image.shape[:2]
    s = scale_of(image)
    thickness = max(1, round(2 * s))
    lines, scale = _fit_text(text, w - round(40 * s), 1.0 * s, thickness)
    line_h = cv2.getTextSize("Ag", FONT, scale, thickness)[0][1]
    gap = round(line_h * 0.6)
    band = len(lines) * line_h + (len(lines) + 1) * gap + round(8 * s)
    y0 = max(0, h - band)
    roi = image[y0:h]
    cv2.convertScaleAbs(roi, roi, 0.35)  # darken only the banner strip, in place
    cv2.rectangle(image, (0, y0), (round(12 * s), h), SEVERITY_COLORS[Severity(severity)], -1)
    y = y0 + gap + line_h
    for line in lines:
        cv2.putText(image, line, (round(24 * s), y), FONT, scale, (255, 255, 255), thickness, cv2.LINE_AA)
        y += line_h + gap
    return image


def draw_overlay(image: np.ndarray, state: OverlayState) -> np.ndarray:
    """Everything at once: the cue banner first (if any) so the skeleton's feet stay visible over it,
    then skeleton, angle labels, rep counter and phase."""
    if state.cue:
        draw_cue_banner(image, state.cue, state.cue_severity)
    draw_skeleton(image, state.xy, state.visibility, state.side)
    draw_angle_labels(image, state.xy, state.visibility, state.side, state.metrics, state.confidence)
    draw_status(image, state.rep_count, state.phase)
    return image
