"""The near side's joints: the points of the body side facing the camera, which the metrics read.

`near_side` picks them out of a pose's 33 MediaPipe points into a `Keypoints` of their own names; later
stages add to it (the plate stage's "bar") or replace points in it (a hip placed from the bar).
Coordinates are image pixels of the upright frame (x right, y down); NaN with confidence 0 where unknown.
"""

from __future__ import annotations

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, SIDE_JOINTS, Landmark

SIDES = ("left", "right")
# Joints of the near side that measuring may read, plus three more points of the head: the far ear and both
# mouth corners are not joints, but the line from between the ears to between the mouth corners gives the
# head's own direction, which the neck metric needs (the shoulder->ear line turns only half as far, and
# one side's points alone are noisier; see measure/metrics.py).
JOINT_NAMES = ("ear", "mouth", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index",
               "far_ear", "far_mouth")
# The leg's points below the hip, which a plate can make the pose model swap between sides.
LOWER_LEG = ("knee", "ankle", "heel", "foot_index")
# The point that is the hip where the pose model put it, kept even where a plate hides the hip ("hip" is
# then placed, or unknown): its height still follows the hips' (`measure/lift.torso_rise`), and on frames
# with the plate painted out it is where the hip is read from (`plate/placement.repair_joints`).
SEEN_HIP = "seen_hip"
# The point that is the bar (the near plate's centre), in the frames where a plate is found.
BAR = "bar"


def other_side(side: str) -> str:
    """'left' <-> 'right'."""
    if side not in SIDES:
        raise ValueError(f"side: expected one of {SIDES}, got {side!r}")
    return "right" if side == "left" else "left"


def joint_landmarks(side: str) -> dict[str, Landmark]:
    """Landmark index of each of `JOINT_NAMES` seen from one body side (`far_*` are the other side's)."""
    far = other_side(side)
    return {**SIDE_JOINTS[side], "far_ear": SIDE_JOINTS[far]["ear"],
            "mouth": Landmark[f"MOUTH_{side.upper()}"], "far_mouth": Landmark[f"MOUTH_{far.upper()}"]}


def near_side(pose: Keypoints, side: str) -> Keypoints:
    """The joints of `JOINT_NAMES` seen from `side`, out of a pose's MediaPipe points."""
    if pose.names != MEDIAPIPE_NAMES:
        raise ValueError(f"near_side: expected a pose with MediaPipe's {len(MEDIAPIPE_NAMES)} points, got "
                         f"{len(pose.names)} points ({', '.join(pose.names[:4])}, ...)")
    idx = joint_landmarks(side)
    return pose.select([MEDIAPIPE_NAMES[idx[name]] for name in JOINT_NAMES], JOINT_NAMES)


def body_scale(joints: Keypoints) -> np.ndarray:
    """Per frame |shoulder->knee| + |knee->ankle| in px: the lifter's size from joints a plate does not
    hide (NaN where one is unknown)."""
    shoulder, knee, ankle = joints.xy_of("shoulder"), joints.xy_of("knee"), joints.xy_of("ankle")
    return np.linalg.norm(knee - shoulder, axis=-1) + np.linalg.norm(ankle - knee, axis=-1)
