"""A recorded landmark track as the live page's WebSocket messages: for tests and the latency benchmark.

The inverse of `live_engine.pose_frame`: pixels back to coordinates normalised by the frame size, as
MediaPipe Tasks for Web reports them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np

from formcheck.pose.landmarks import PoseTrack


def live_messages(track: PoseTrack) -> Iterator[dict[str, Any]]:
    """One DESIGN.md live message per frame of `track`; frames without a person send no landmarks."""
    size = np.array([track.width, track.height], dtype=float)
    for i in range(len(track)):
        frame = track.frame(i)
        message: dict[str, Any] = {"t_ms": frame.t_ms, "width": track.width, "height": track.height,
                                   "landmarks": [], "world": []}
        if frame.found:
            xy = frame.xy / size
            points = np.column_stack([xy, np.zeros(len(xy)), frame.visibility, frame.presence])
            message["landmarks"] = np.round(points, 5).tolist()
            if np.isfinite(frame.world).all():
                message["world"] = np.round(frame.world, 4).tolist()
        yield message
