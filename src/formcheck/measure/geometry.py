"""Angles of the side-view metrics, as pure vectorised numpy (no cv2, no mediapipe).

Every function takes points as arrays whose last axis is (x, y) in IMAGE pixels (x right, y down) and
broadcasts over any leading axes, so one call handles a frame or a whole clip. NaN in, NaN out.
Internally points are flipped to y-up so that "above" means toward the ceiling, as in docs/design.md.
All results are in degrees. Angles come from `atan2(cross, dot)`, which stays accurate near 0 and 180.
"""

from __future__ import annotations

import numpy as np

ArrayLike = np.ndarray


def _up(p: ArrayLike) -> np.ndarray:
    """Image (x right, y down) -> y-up coordinates."""
    p = np.asarray(p, dtype=float)
    return np.stack([p[..., 0], -p[..., 1]], axis=-1)


def _cross(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]


def _dot(u: np.ndarray, v: np.ndarray) -> np.ndarray:
    return u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]


def signed_angle(u: ArrayLike, v: ArrayLike) -> np.ndarray:
    """Angle from vector u to vector v in y-up coordinates, counter-clockwise positive, in (-180, 180].

    Inputs are image-space vectors (y down); they are flipped before measuring.
    """
    uu, vv = _up(u), _up(v)
    return np.degrees(np.arctan2(_cross(uu, vv), _dot(uu, vv)))


def interior_angle(a: ArrayLike, b: ArrayLike, c: ArrayLike) -> np.ndarray:
    """Unsigned angle a-b-c at vertex b, in [0, 180]. A right angle gives 90."""
    a, b, c = (np.asarray(p, dtype=float) for p in (a, b, c))
    return np.abs(signed_angle(a - b, c - b))


def knee_angle(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike) -> np.ndarray:
    """`knee_angle_deg`: interior angle H-K-A; 180 = straight leg, the article's target at the top is 90."""
    return interior_angle(hip, knee, ankle)


def shin_from_vertical(hip: ArrayLike, knee: ArrayLike, ankle: ArrayLike) -> np.ndarray:
    """`shin_from_vertical_deg`: tilt of the knee->ankle segment from vertical, in (-180, 180].

    0 = vertical shin. Positive when the ankle lies farther from the hips (horizontally) than the knee —
    feet placed too far out; negative when the feet are tucked in too close.
    """
    h, k, a = _up(hip), _up(knee), _up(ankle)
    away = np.sign(k[..., 0] - h[..., 0])  # +1 when the knee is to the right of the hip
    away = np.where(away == 0, 1.0, away)
    out = (a[..., 0] - k[..., 0]) * away  # ankle's horizontal offset beyond the knee, away from the hips
    down = k[..., 1] - a[..., 1]  # how far the ankle is below the knee
    return np.degrees(np.arctan2(out, down))


def hip_extension(shoulder: ArrayLike, hip: ArrayLike, knee: ArrayLike) -> np.ndarray:
    """`hip_extension_deg`: angle S-H-K measured on the floor side, in [0, 360).

    180 = shoulder, hip and knee in line; above 180 the hips sit above that line (over-arching);
    below 180 they sag short of full extension.
    """
    s, h, k = _up(shoulder), _up(hip), _up(knee)
    theta = np.degrees(np.arctan2(np.abs(_cross(s - h, k - h)), _dot(s - h, k - h)))
    # Is the hip above the shoulder->knee line? Orient the line left-to-right before asking.
    direction = np.sign(k[..., 0] - s[..., 0])
    direction = np.where(direction == 0, 1.0, direction)
    above = _cross(k - s, h - s) * direction > 0
    return np.where(above, 360.0 - theta, theta)


def head_torso_angle(ear: ArrayLike, shoulder: ArrayLike, hip: ArrayLike) -> np.ndarray:
    """Signed angle of the head line (shoulder->ear) against the torso line (hip->shoulder), in (-180, 180].

    Positive when the head is rotated toward the front of the body (chin toward the chest), taking the front
    to be the side of the torso that faces the ceiling, as it does throughout a hip thrust or glute bridge.
    0 means the ear lies on the torso line's extension; a measuring stage subtracts the neutral offset of
    the landmarks it uses to get `neck_flexion_deg`.
    """
    torso = np.asarray(shoulder, float) - np.asarray(hip, float)
    head = np.asarray(ear, float) - np.asarray(shoulder, float)
    ccw = signed_angle(torso, head)
    # Turning a rightward-pointing torso counter-clockwise turns it toward the ceiling (the front);
    # for a leftward torso the front is clockwise. Flip so that "toward the front" is positive.
    t = _up(torso)
    front_is_ccw = t[..., 0] >= 0
    return np.where(front_is_ccw, ccw, -ccw)


def segment_angle(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Direction of the segment a->b above the horizontal, in (-180, 180], counter-clockwise positive."""
    d = _up(np.asarray(b, float) - np.asarray(a, float))
    return np.degrees(np.arctan2(d[..., 1], d[..., 0]))


def elevation(a: ArrayLike, b: ArrayLike) -> np.ndarray:
    """Slope of the line a->b above the horizontal, in [-90, 90], whichever way it points sideways: positive
    when b is above a, so a side view gives the same reading with the lifter facing left or right."""
    d = _up(np.asarray(b, float) - np.asarray(a, float))
    return np.degrees(np.arctan2(d[..., 1], np.abs(d[..., 0])))
