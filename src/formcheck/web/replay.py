"""A recorded pose track as the live page's WebSocket messages: for tests and the latency benchmark.

The inverse of `live_engine.observation`: pixels back to coordinates normalised by the frame size, as
MediaPipe Tasks for Web reports them (the track's confidence is MediaPipe's visibility; it stands in for
presence too, which the engine does not read).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from formcheck.body.keypoints import Keypoints


def live_messages(pose: Keypoints, width: int, height: int) -> Iterator[dict[str, Any]]:
    """One DESIGN.md live message per frame of `pose` (MediaPipe's 33 points in pixels of a `width` x
    `height` frame); frames without a person send no landmarks."""
    size = np.array([width, height], dtype=float)
    for i in range(len(pose)):
        xy, confidence = pose.xy[i], pose.confidence[i]
        message: dict[str, Any] = {"t_ms": int(pose.t_ms[i]), "width": width, "height": height,
                                   "landmarks": [], "world": []}
        if np.isfinite(xy).all():
            points = np.column_stack([xy / size, np.zeros(len(xy)), confidence, confidence])
            message["landmarks"] = np.round(points, 5).tolist()
            if pose.world is not None and np.isfinite(pose.world[i]).all():
                message["world"] = np.round(pose.world[i], 4).tolist()
        yield message
