"""Drawing the coach's view on a BGR frame, from small annotators that live, the annotated video and the
report's key frames all compose: skeleton, plate, angle labels, rep counter and cue banner.

Each annotator draws one thing on the image (in place, and returns it) from a one-frame `Keypoints` or a few
values; `draw_frame` composes them from a `FrameView`. They must stay within a few milliseconds per frame:
no full-frame blending, only small regions. Pixels are the keypoints' (upright frame, x right, y down).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import cv2
import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.records import TRUSTED_CONFIDENCE, Severity

BGR = tuple[int, int, int]

NEAR_COLOR: BGR = (80, 220, 255)  # warm yellow: the measured side
FAR_COLOR: BGR = (110, 110, 110)  # grey: the hidden side, for context only
JOINT_COLOR: BGR = (255, 255, 255)
LABEL_COLOR: BGR = (255, 255, 255)
UNSURE_COLOR: BGR = (150, 150, 150)
PLATE_COLOR: BGR = (255, 180, 60)  # light blue: the plate as found, and the bar at its centre
PLACED_COLOR: BGR = (255, 120, 255)  # magenta: a joint placed rather than seen (the hip under a plate)
SEVERITY_COLORS: dict[Severity, BGR] = {
    Severity.INFO: (230, 160, 60),  # blue
    Severity.WARNING: (40, 170, 255),  # amber
    Severity.ERROR: (60, 60, 230),  # red
}
FONT = cv2.FONT_HERSHEY_DUPLEX

# Segments of one side's skeleton, by joint name (`body.joints.JOINT_NAMES`).
BONES = (("ear", "shoulder"), ("shoulder", "elbow"), ("elbow", "wrist"), ("shoulder", "hip"),
         ("hip", "knee"), ("knee", "ankle"), ("ankle", "heel"), ("heel", "foot_index"),
         ("ankle", "foot_index"))

# Which metric is written next to which joint, with a short name.
ANGLE_LABELS = (("knee_angle_deg", "knee", "knee"), ("hip_extension_deg", "hip", "hip"),
                ("neck_flexion_deg", "shoulder", "neck"))
# Below this confidence a joint is not drawn.
MIN_DRAWN_CONFIDENCE = 0.3


def scale_of(image: np.ndarray) -> float:
    """Drawing scale: 1.0 for a 480-px-high frame, so lines and text look alike at any resolution."""
    return max(0.5, min(image.shape[:2]) / 480.0)


def _point(joints: Keypoints, name: str, min_confidence: float) -> tuple[int, int] | None:
    if name not in joints.names:
        return None
    x, y = joints.xy_of(name)[0]
    if not (math.isfinite(x) and math.isfinite(y)) or joints.conf_of(name)[0] < min_confidence:
        return None
    return round(x), round(y)


def skeleton(image: np.ndarray, joints: Keypoints, *, near: bool = True, scale: float | None = None,
             min_confidence: float = MIN_DRAWN_CONFIDENCE) -> np.ndarray:
    """One side's bones from a frame of joints: the near (measured) side bold with its joints, the far
    side thin and grey for context. Joints below `min_confidence` are left out."""
    s = scale or scale_of(image)
    color, width = (NEAR_COLOR, 3) if near else (FAR_COLOR, 1)
    pts = {name: _point(joints, name, min_confidence) for name in joints.names}
    for a, b in BONES:
        pa, pb = pts.get(a), pts.get(b)
        if pa is not None and pb is not None:
            cv2.line(image, pa, pb, color, max(1, round(width * s)), cv2.LINE_AA)
    if near:
        for name, p in pts.items():
            if p is not None and any(name in bone for bone in BONES):
                cv2.circle(image, p, max(2, round(4 * s)), JOINT_COLOR, -1, cv2.LINE_AA)
    return image


def plate(image: np.ndarray, joints: Keypoints, radius: float, *, placed_hip: bool = True,
          scale: float | None = None) -> np.ndarray:
    """The plate as found (its rim, and the bar at its centre: the joints' "bar" point), and, with
    `placed_hip`, the hip placed from the bar, marked as placed rather than seen."""
    s = scale or scale_of(image)
    bar = _point(joints, "bar", 0.0)
    if bar is None or not math.isfinite(radius):
        return image
    cv2.circle(image, bar, round(radius), PLATE_COLOR, max(1, round(2 * s)), cv2.LINE_AA)
    cv2.drawMarker(image, bar, PLATE_COLOR, cv2.MARKER_CROSS, round(14 * s), max(1, round(2 * s)))
    hip = _point(joints, "hip", 0.0) if placed_hip else None
    if hip is not None:
        cv2.circle(image, hip, max(3, round(6 * s)), PLACED_COLOR, max(1, round(2 * s)), cv2.LINE_AA)
    return image


def _text_box(image: np.ndarray, text: str, org: tuple[int, int], scale: float, color: BGR,
              thickness: int = 1, pad: int = 4) -> None:
    """Text on a dark box (readable on any background); `org` is the box's top-left corner."""
    (w, h), base = cv2.getTextSize(text, FONT, scale, thickness)
    x0 = min(max(org[0], 0), max(image.shape[1] - w - 2 * pad, 0))
    y0 = min(max(org[1], 0), max(image.shape[0] - h - base - 2 * pad, 0))
    cv2.rectangle(image, (x0, y0), (x0 + w + 2 * pad, y0 + h + base + 2 * pad), (20, 20, 20), -1)
    cv2.putText(image, text, (x0 + pad, y0 + pad + h), FONT, scale, color, thickness, cv2.LINE_AA)


def format_metric(value: float | None, confidence: float,
                  min_confidence: float = TRUSTED_CONFIDENCE) -> tuple[str, bool]:
    """A metric as shown on screen and whether it is trusted: '?' when unmeasured, '92?' when unsure."""
    if value is None or not math.isfinite(value):
        return "?", False
    text = f"{value:.0f}"
    return (text, True) if confidence >= min_confidence else (text + "?", False)


def angle_labels(image: np.ndarray, joints: Keypoints, metrics: Mapping[str, float | None],
                 confidence: Mapping[str, float], *, min_confidence: float = TRUSTED_CONFIDENCE,
                 scale: float | None = None) -> np.ndarray:
    """Knee, hip and neck values beside their joints; unmeasured or low-confidence ones greyed."""
    s = scale or scale_of(image)
    for key, joint, short in ANGLE_LABELS:
        if key not in metrics:
            continue
        p = _point(joints, joint, 0.0)
        if p is None:
            continue
        text, trusted = format_metric(metrics[key], confidence.get(key, 0.0), min_confidence)
        color = LABEL_COLOR if trusted else UNSURE_COLOR
        _text_box(image, f"{short} {text}", (p[0] + round(10 * s), p[1] - round(28 * s)), 0.55 * s, color,
                  max(1, round(s)))
    return image


def rep_counter(image: np.ndarray, rep_count: int, phase: str | None) -> np.ndarray:
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


def cue_banner(image: np.ndarray, text: str, severity: Severity = Severity.WARNING) -> np.ndarray:
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


def latency(image: np.ndarray, latency_ms: float) -> np.ndarray:
    """Latency in the top-right corner, so a lifter can see when the feedback lags."""
    s = scale_of(image)
    text = f"{latency_ms:.0f} ms"
    (tw, _), _ = cv2.getTextSize(text, FONT, 0.55 * s, 1)
    _text_box(image, text, (image.shape[1] - tw - round(20 * s), round(10 * s)), 0.55 * s, LABEL_COLOR)
    return image


@dataclass(frozen=True, eq=False)
class FrameView:
    """Everything drawn on one frame: the near side's joints (what the metrics read) and, for context, the
    far side's, as one-frame `Keypoints` (None when nobody is seen), plus what to write."""

    joints: Keypoints | None
    far: Keypoints | None = None
    metrics: Mapping[str, float | None] = field(default_factory=dict)  # None/NaN = unmeasured
    confidence: Mapping[str, float] = field(default_factory=dict)
    rep_count: int = 0
    phase: str | None = None
    cue: str | None = None
    cue_severity: Severity = Severity.WARNING
    plate_radius: float = float("nan")  # px, when the joints carry the bar of a plate

    def __post_init__(self) -> None:
        for name in ("joints", "far"):
            points = getattr(self, name)
            if points is not None and len(points) != 1:
                raise ValueError(f"FrameView.{name}: expected one frame, got {len(points)}")


def draw_frame(image: np.ndarray, view: FrameView) -> np.ndarray:
    """Every annotator at once: the cue banner first (if any) so the feet stay visible over it, then the
    far side, the plate, the near side, the angle labels and the rep counter."""
    if view.cue:
        cue_banner(image, view.cue, view.cue_severity)
    if view.far is not None:
        skeleton(image, view.far, near=False)
    if view.joints is not None:
        plate(image, view.joints, view.plate_radius)
        skeleton(image, view.joints)
        angle_labels(image, view.joints, view.metrics, view.confidence)
    rep_counter(image, view.rep_count, view.phase)
    return image
