"""Which side of the body faces the camera, and whether the camera films it side-on at all.

Two independent estimates of the camera's angle off side-on ("yaw"), per frame, from the body's
left-right axis (shoulder to shoulder, hip to hip), which is horizontal whatever the torso does, so a
reclined hip-thrust body is judged like a standing one:
- world: MediaPipe's world landmarks are metric and camera-aligned; side-on, the left-right axis points
  along the camera's depth axis (z), so its angle to that axis is the yaw;
- image: side-on, left and right landmarks overlap in the picture; their pixel separation, against the
  axis's length in metres times the frame's pixels per metre (fitted from world x, y to pixels over the
  body core), is sin(yaw).
The near side is the one with the smaller world z (closer to the camera), with visibility as tie-break.

A weight plate over the hips spoils both estimates: on the validation grid, plated lifts filmed 15° off
side-on read 34-59° and one filmed 75° off read 33°. The plate itself is the better witness then
(`confirm_by_plate`): the near plate is a disc square to the bar, so it is found as a circle on the hips
in nearly every frame only when the camera looks along the bar; turned further, it is an ellipse beside
the body and the plate finder sees at most the far plate peeking out now and then.
"""

from __future__ import annotations

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import Landmark
from formcheck.records import ViewEstimate

# What a refused set is told, wherever it was refused (analyze, batch, the web upload); README "How to film"
# has the measurements behind the loaded-set advice.
HOW_TO_FILM = ("film from the side: camera square to the bench, about 3 m away, at hip height (with "
               "plates on the bar: at knee height or lower), with the whole body in frame")
# Beyond this angle off side-on the projected joint angles are no longer trustworthy enough to coach.
SIDE_VIEW_MAX_YAW_DEG = 30.0
# The landmark estimate of the yaw (`frame_yaw_deg`, a clip's median) reads high on real side-on renders:
# by a median of 7° on the tune grid's 56 clips filmed within 25° of side-on (10th-90th percentile -6° to
# +21°; MediaPipe's depth makes the far shoulder and hip stand out). It is taken off before the limit.
YAW_ESTIMATE_BIAS_DEG = 7.0
# Full confidence needs the median yaw this far from the limit; closer calls are less certain.
CONFIDENT_MARGIN_DEG = 15.0
# Fewer frames with a person than this scale the confidence down proportionally.
MIN_FRAMES_FOR_CONFIDENCE = 10
# Near-side votes need the sides' mean world depth to differ by at least this much (metres); closer
# than that, the side with the more visible limbs wins the frame.
DEPTH_TIE_M = 0.01
# A near side chosen by fewer than this share of frames is reported as uncertain.
SIDE_AGREEMENT_MIN = 0.8
# A plate found on the hips in at least this share of frames vouches for a side-on camera. Nothing can
# hide the near plate, so a real one shows in nearly every frame: 0.81-1.00 on the grid's plated clips
# filmed 0-25° off side-on, against 0.57-0.63 for the far plate glimpsed behind the knees 35-45° off.
PLATE_SIDE_VIEW_MIN_PRESENCE = 0.8
# Confidence in a side-on verdict that rests on the plate rather than on the landmarks.
PLATE_SIDE_VIEW_CONFIDENCE = 0.6

_LEFT_RIGHT_AXES = (
    (Landmark.LEFT_SHOULDER, Landmark.RIGHT_SHOULDER),
    (Landmark.LEFT_HIP, Landmark.RIGHT_HIP),
)
_SIDE_PAIRS = tuple(
    (Landmark[f"LEFT_{joint}"], Landmark[f"RIGHT_{joint}"])
    for joint in ("SHOULDER", "ELBOW", "WRIST", "HIP", "KNEE", "ANKLE", "HEEL", "FOOT_INDEX")
)
_LIMB_PAIRS = _SIDE_PAIRS[1:3] + _SIDE_PAIRS[4:]  # limbs hide behind the body when on the far side
_CORE_PAIRS = (_SIDE_PAIRS[0], *_SIDE_PAIRS[3:6])  # shoulders, hips, knees, ankles


def _pixels_per_metre(xy: np.ndarray, world: np.ndarray) -> np.ndarray:
    """(frames,) least-squares scale from world x, y to pixels over the body core (both camera-aligned)."""
    core = [joint for pair in _CORE_PAIRS for joint in pair]
    px = xy[:, core] - xy[:, core].mean(axis=1, keepdims=True)
    metres = world[:, core, 0:2] - world[:, core, 0:2].mean(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.sum(px * metres, axis=(1, 2)) / np.sum(metres * metres, axis=(1, 2))


def _world(pose: Keypoints) -> np.ndarray:
    """(frames, 33, 3) world positions, NaN where the pose model gave none."""
    return pose.world if pose.world is not None else np.full((*pose.xy.shape[:2], 3), np.nan)


def frame_yaw_deg(pose: Keypoints) -> np.ndarray:
    """(frames,) estimated angle of the camera off side-on, degrees 0..90; NaN where nobody was found."""
    xy = pose.xy
    world = _world(pose)
    scale = _pixels_per_metre(xy, world)
    estimates = []
    for left, right in _LEFT_RIGHT_AXES:
        axis = world[:, left] - world[:, right]
        estimates.append(np.degrees(np.arctan2(np.hypot(axis[:, 0], axis[:, 1]), np.abs(axis[:, 2]))))
        face_on_px = scale * np.linalg.norm(axis, axis=1)  # the axis's pixel length if seen face-on
        seen_px = np.linalg.norm(xy[:, left] - xy[:, right], axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            estimates.append(np.degrees(np.arcsin(np.clip(seen_px / face_on_px, 0.0, 1.0))))
    return _mean_where_all_known(estimates)


def frame_elevation_deg(pose: Keypoints, side: str) -> np.ndarray:
    """(frames,) estimated angle the camera looks down on the lifter, degrees (negative looking up); NaN
    where nobody was found. The body's left-right axis is level, so seen from above its far end (far
    shoulder, far hip) is drawn higher than its near end by the axis's face-on pixel length (world length
    times pixels per metre, as in `frame_yaw_deg`) times sin(elevation). On the tune renders without
    plates the clip's median follows the camera's true elevation with a correlation of 0.93 (and reads
    about 2° high); a plate over the hips hides the far hip and makes it much worse (0.74)."""
    if side not in ("left", "right"):
        raise ValueError(f"side: expected 'left' or 'right', got {side!r}")
    xy = pose.xy
    world = _world(pose)
    scale = _pixels_per_metre(xy, world)
    estimates = []
    for left, right in _LEFT_RIGHT_AXES:
        near, far = (left, right) if side == "left" else (right, left)
        face_on_px = scale * np.linalg.norm(world[:, far] - world[:, near], axis=1)
        drop_px = xy[:, near, 1] - xy[:, far, 1]  # image y grows downward: the far end drawn higher
        with np.errstate(invalid="ignore", divide="ignore"):
            estimates.append(np.degrees(np.arcsin(np.clip(drop_px / face_on_px, -1.0, 1.0))))
    return _mean_where_all_known(estimates)


def _mean_where_all_known(estimates: list[np.ndarray]) -> np.ndarray:
    """(frames,) the mean of per-frame estimates, NaN in frames where any of them is unknown."""
    stacked = np.stack(estimates, axis=1)
    found = np.isfinite(stacked).all(axis=1)
    mean = np.full(stacked.shape[0], np.nan)
    mean[found] = stacked[found].mean(axis=1)
    return mean


# A camera estimated to look down on the lifter by this much or more gets a note in the report: on the check
# renders without plates, cameras 10-20° above the lifter gave knee and hip-extension errors twice those of
# level ones (6.6° and 6.5° against 3.2° and 3.5°, docs/accuracy.md "Camera elevation") and the cue precision
# fell from 0.95 to 0.81. The estimate reads about 2° high, so 15° is well inside that band.
STEEP_ELEVATION_DEG = 15.0


def elevation_note(elevation_deg: float | None) -> str | None:
    """What the report says of a camera that looks down steeply on the lifter (None: nothing to say)."""
    if elevation_deg is None or elevation_deg < STEEP_ELEVATION_DEG:
        return None
    return (f"the camera looks down on the lifter by about {elevation_deg:.0f}° (estimated from the far "
            "shoulder and hip): from above the knee and hip angles read less exactly; a camera level with "
            "the hips measures best")


def camera_elevation_deg(pose: Keypoints, side: str) -> float:
    """A clip's estimated camera elevation (`frame_elevation_deg`, the median over frames); 0 when no
    frame gives one (the pose model gave no world landmarks, or nobody was found): level, as assumed
    before there was an estimate."""
    elevation = frame_elevation_deg(pose, side)
    known = elevation[np.isfinite(elevation)]
    return float(np.median(known)) if known.size else 0.0


def frame_near_side(pose: Keypoints) -> np.ndarray:
    """(frames,) +1 where the left side is nearer the camera, -1 for the right, 0 where nobody was found."""
    world_z = _world(pose)[:, :, 2]
    visibility = pose.confidence
    left = [pair[0] for pair in _SIDE_PAIRS]
    right = [pair[1] for pair in _SIDE_PAIRS]
    depth_gap = np.mean(world_z[:, right] - world_z[:, left], axis=1)  # > 0: left is closer
    limb_left = [pair[0] for pair in _LIMB_PAIRS]
    limb_right = [pair[1] for pair in _LIMB_PAIRS]
    visibility_gap = np.mean(visibility[:, limb_left] - visibility[:, limb_right], axis=1)
    vote = np.where(np.abs(depth_gap) >= DEPTH_TIE_M, np.sign(depth_gap), np.sign(visibility_gap))
    vote = np.where(vote == 0, 1.0, vote)  # a perfect tie: any side, it is a coin toss
    return np.where(pose.found & np.isfinite(depth_gap), vote, 0.0).astype(int)


def _side(votes: np.ndarray) -> tuple[str, float]:
    """The near side by majority and the share of frames that agree with it."""
    left_share = float(np.mean(votes > 0))
    return ("left", left_share) if left_share >= 0.5 else ("right", 1.0 - left_share)


def estimate_view(pose: Keypoints) -> ViewEstimate:
    """Near side, side-on or not, and a 0..1 confidence in that verdict, from a clip of MediaPipe poses."""
    yaw = frame_yaw_deg(pose)
    measured = np.isfinite(yaw)
    if not measured.any():
        return ViewEstimate("left", False, 0.0, "no person was found, so the camera angle is unknown")
    yaw = yaw[measured]
    side, side_agreement = _side(frame_near_side(pose)[measured])
    yaw = yaw - YAW_ESTIMATE_BIAS_DEG
    median_yaw = max(0.0, float(np.median(yaw)))
    is_side_view = median_yaw <= SIDE_VIEW_MAX_YAW_DEG
    agreement = float(np.mean((yaw <= SIDE_VIEW_MAX_YAW_DEG) == is_side_view))
    margin = min(1.0, abs(median_yaw - SIDE_VIEW_MAX_YAW_DEG) / CONFIDENT_MARGIN_DEG)
    coverage = min(1.0, yaw.size / MIN_FRAMES_FOR_CONFIDENCE)
    confidence = agreement * (0.5 + 0.5 * margin) * coverage
    reason = None
    if not is_side_view:
        reason = (f"the camera looks about {median_yaw:.0f}° off side-on (at most "
                  f"{SIDE_VIEW_MAX_YAW_DEG:.0f}° is usable): film from the side")
    elif side_agreement < SIDE_AGREEMENT_MIN:
        confidence *= side_agreement
        reason = f"unclear which side faces the camera ({side} in {side_agreement:.0%} of frames)"
    return ViewEstimate(side, is_side_view, round(float(np.clip(confidence, 0.0, 1.0)), 3), reason)


def confirm_by_plate(view: ViewEstimate, plate_presence: float) -> ViewEstimate:
    """The view, turned side-on when the landmarks refused it but a plate sat round on the hips in at
    least `PLATE_SIDE_VIEW_MIN_PRESENCE` of the frames (`plate_presence`, 0..1): the plate disturbed the
    landmarks, and its round face shows the camera looks along the bar."""
    if not 0.0 <= plate_presence <= 1.0:
        raise ValueError(f"plate_presence: expected 0..1, got {plate_presence}")
    if view.is_side_view or plate_presence < PLATE_SIDE_VIEW_MIN_PRESENCE:
        return view
    reason = (f"side-on judged from the plate, round on the hips in {plate_presence:.0%} of frames (the "
              "landmarks, disturbed by the plate, looked turned)")
    return ViewEstimate(view.side, True, PLATE_SIDE_VIEW_CONFIDENCE, reason)
