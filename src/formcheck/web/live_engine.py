"""The live page's landmarks in, the streaming engine's verdict out: the one adapter between the WebSocket
and the analysis core.

The browser runs MediaPipe Tasks for Web and sends, per frame, DESIGN.md's message:
`{"t_ms", "landmarks": 33 x [x, y, z, visibility, presence] (x, y normalised to the frame),
"world": 33 x [x, y, z] (metres), "width", "height"}`. It gets back `{"rep", "phase", "metrics", "cue",
"say"}`: the rep count, the phase, the metrics at this frame, the cue on the banner and the cue to speak
now (paced by the engine's debouncer). Today the engine is `flows.live.LiveSession`; when the core's
streaming `Engine` lands, only this module changes.

The browser sends no pixels, so the live check for a plate over the hips cannot run here: a plated set
is judged as if no plate were there until the set is uploaded and analysed in full.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.flows.live import LiveSession
from formcheck.pose.landmarks import N_LANDMARKS, PoseFrame
from formcheck.rules import RulePack, load_rule_pack

MAX_SIDE_PX = 8192  # a frame size past this is not a camera's


def rule_pack(rules: Path | None = None) -> RulePack:
    """The rule pack live sets are judged by: the shipped one, extended by `rules` when given."""
    return load_rule_pack(rules)


class BadMessage(ValueError):
    """A landmark message that does not follow the contract; the reason says which part and why."""


def pose_frame(message: Any, index: int) -> PoseFrame:
    """The message as a `PoseFrame` in pixels; BadMessage naming the first thing that is wrong."""
    if not isinstance(message, dict):
        raise BadMessage(f"expected a JSON object, got {type(message).__name__}")
    t_ms, width, height = message.get("t_ms"), message.get("width"), message.get("height")
    if not isinstance(t_ms, int | float) or not math.isfinite(t_ms) or t_ms < 0:
        raise BadMessage(f"t_ms: expected a time in milliseconds, got {t_ms!r}")
    for name, size in (("width", width), ("height", height)):
        if not isinstance(size, int) or not 0 < size <= MAX_SIDE_PX:
            raise BadMessage(f"{name}: expected 1-{MAX_SIDE_PX} pixels, got {size!r}")
    landmarks = message.get("landmarks")
    if landmarks is None or landmarks == []:  # nobody in view this frame
        return PoseFrame.empty(index, round(t_ms))
    points = _array("landmarks", landmarks, 5)
    world = _array("world", message.get("world"), 3) if message.get("world") else np.full((N_LANDMARKS, 3),
                                                                                            np.nan)
    xy = points[:, :2] * np.array([width, height], dtype=float)
    return PoseFrame(index, round(t_ms), xy, np.clip(points[:, 3], 0, 1), np.clip(points[:, 4], 0, 1), world)


def _array(name: str, value: Any, columns: int) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError) as exc:
        raise BadMessage(f"{name}: expected {N_LANDMARKS} x {columns} numbers") from exc
    if array.shape != (N_LANDMARKS, columns):
        raise BadMessage(f"{name}: expected shape ({N_LANDMARKS}, {columns}), got {array.shape}")
    if not np.isfinite(array).all():
        raise BadMessage(f"{name}: expected finite numbers")
    return array


@dataclass
class LiveFeed:
    """One WebSocket's set: frames in order, each answered with what to show and say."""

    pack: RulePack = field(default_factory=lambda: load_rule_pack(None))
    side: str = "auto"
    _session: LiveSession = field(init=False)
    _frames: int = field(default=0, init=False)
    _last_ms: int = field(default=-1, init=False)
    _cue_ids: dict[str, str] = field(init=False)  # banner message -> cue id

    def __post_init__(self) -> None:
        self._session = LiveSession(self.pack, side=self.side)
        self._cue_ids = {rule.message: rule.cue for rule in self.pack.rules}

    def update(self, message: Any) -> dict[str, Any]:
        """Judge one frame; frames whose time does not move forward are answered but not judged."""
        pose = pose_frame(message, self._frames)
        if pose.t_ms <= self._last_ms:
            raise BadMessage(f"t_ms: expected a time after {self._last_ms}, got {pose.t_ms}")
        self._last_ms = pose.t_ms
        self._frames += 1
        state = self._session.update(pose, time.monotonic())
        overlay = state.overlay
        banner = None
        if overlay.cue is not None:
            banner = {"id": self._cue_ids.get(overlay.cue), "message": overlay.cue,
                      "severity": str(overlay.cue_severity)}
        say = None if state.say is None else {"id": state.say.id, "message": state.say.message}
        return {"t_ms": pose.t_ms, "rep": overlay.rep_count, "phase": overlay.phase,
                "metrics": {k: _number(v) for k, v in overlay.metrics.items()},
                "cue": banner, "say": say}


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 1)
