"""The 33 points of MediaPipe's BlazePose topology: their indices, names and the joints of each body side.

The pose adapter fills a `Keypoints` with these names (`MEDIAPIPE_NAMES`); the body stage reads them by
index (`Landmark`) to pick the side of the body that faces the camera.
"""

from __future__ import annotations

from enum import IntEnum

N_LANDMARKS = 33


class Landmark(IntEnum):
    """MediaPipe BlazePose landmark indices."""

    NOSE = 0
    LEFT_EYE_INNER = 1
    LEFT_EYE = 2
    LEFT_EYE_OUTER = 3
    RIGHT_EYE_INNER = 4
    RIGHT_EYE = 5
    RIGHT_EYE_OUTER = 6
    LEFT_EAR = 7
    RIGHT_EAR = 8
    MOUTH_LEFT = 9
    MOUTH_RIGHT = 10
    LEFT_SHOULDER = 11
    RIGHT_SHOULDER = 12
    LEFT_ELBOW = 13
    RIGHT_ELBOW = 14
    LEFT_WRIST = 15
    RIGHT_WRIST = 16
    LEFT_PINKY = 17
    RIGHT_PINKY = 18
    LEFT_INDEX = 19
    RIGHT_INDEX = 20
    LEFT_THUMB = 21
    RIGHT_THUMB = 22
    LEFT_HIP = 23
    RIGHT_HIP = 24
    LEFT_KNEE = 25
    RIGHT_KNEE = 26
    LEFT_ANKLE = 27
    RIGHT_ANKLE = 28
    LEFT_HEEL = 29
    RIGHT_HEEL = 30
    LEFT_FOOT_INDEX = 31
    RIGHT_FOOT_INDEX = 32


# Joints of one body side used by the metrics, by side name.
SIDE_JOINTS: dict[str, dict[str, Landmark]] = {
    side: {
        "ear": Landmark[f"{side.upper()}_EAR"],
        "shoulder": Landmark[f"{side.upper()}_SHOULDER"],
        "elbow": Landmark[f"{side.upper()}_ELBOW"],
        "wrist": Landmark[f"{side.upper()}_WRIST"],
        "hip": Landmark[f"{side.upper()}_HIP"],
        "knee": Landmark[f"{side.upper()}_KNEE"],
        "ankle": Landmark[f"{side.upper()}_ANKLE"],
        "heel": Landmark[f"{side.upper()}_HEEL"],
        "foot_index": Landmark[f"{side.upper()}_FOOT_INDEX"],
    }
    for side in ("left", "right")
}

# Point names of a pose `Keypoints`, in index order: "nose", "left_eye_inner", ..., "right_foot_index".
MEDIAPIPE_NAMES: tuple[str, ...] = tuple(landmark.name.lower() for landmark in Landmark)
