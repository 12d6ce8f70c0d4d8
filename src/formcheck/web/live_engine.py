"""The live page's landmarks in, the streaming engine's verdict out: the one adapter between the WebSocket
and the analysis core.

The browser runs MediaPipe Tasks for Web and sends, per frame, the design's message (docs/design.md):
`{"t_ms", "landmarks": 33 x [x, y, z, visibility, presence] (x, y normalised to the frame),
"world": 33 x [x, y, z] (metres), "width", "height"}`. It gets back the design's `{"rep", "phase",
"metrics", "cues"}` and more: the rep count, the phase, the metrics at this frame, the cues judged at this
frame (most important first; empty when no rep was judged here or it was good), whether a rep was
judged at this frame ("judged"), the cue on the banner ("cue": it stays up from one judged rep to the
next) and the cue to speak now ("say", paced by the engine). Each message becomes one `Observation`
for `flows.engine.Engine` (live): the pose as the pose adapter would record it (visibility is the
confidence), with no plate reading, since the browser sends no pixels: a plate over the hips is judged
as if absent until the saved set is analysed in full.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import MEDIAPIPE_NAMES, N_LANDMARKS
from formcheck.flows.engine import Engine, EngineOptions
from formcheck.flows.tracking import Observation
from formcheck.records import Cue
from formcheck.report.timeline import headline_cue
from formcheck.rules import RulePack, load_rule_pack

MAX_SIDE_PX = 8192  # a frame size past this is not a camera's


def rule_pack(rules: Path | None = None) -> RulePack:
    """The rule pack live sets are judged by: the shipped one, extended by `rules` when given."""
    return load_rule_pack(rules)


class BadMessage(ValueError):
    """A landmark message that does not follow the contract; the reason says which part and why."""


def observation(message: Any, index: int) -> Observation:
    """The message as one frame's `Observation`, in pixels; BadMessage naming the first thing wrong."""
    if not isinstance(message, dict):
        raise BadMessage(f"expected a JSON object, got {type(message).__name__}")
    t_ms, width, height = message.get("t_ms"), message.get("width"), message.get("height")
    if not isinstance(t_ms, int | float) or not math.isfinite(t_ms) or t_ms < 0:
        raise BadMessage(f"t_ms: expected a time in milliseconds, got {t_ms!r}")
    for name, size in (("width", width), ("height", height)):
        if not isinstance(size, int) or not 0 < size <= MAX_SIDE_PX:
            raise BadMessage(f"{name}: expected 1-{MAX_SIDE_PX} pixels, got {size!r}")
    xy = np.full((N_LANDMARKS, 2), np.nan)
    confidence = np.zeros(N_LANDMARKS)
    world = np.full((N_LANDMARKS, 3), np.nan)
    landmarks = message.get("landmarks")
    if landmarks:  # an empty list: nobody in view this frame
        points = _array("landmarks", landmarks, 5)
        xy = points[:, :2] * np.array([width, height], dtype=float)
        confidence = np.clip(points[:, 3], 0.0, 1.0)
        if message.get("world"):
            world = _array("world", message["world"], 3)
    pose = Keypoints(np.array([round(t_ms)]), xy[None], confidence[None], MEDIAPIPE_NAMES, world[None])
    return Observation(index, pose)


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

    pack: RulePack = field(default_factory=rule_pack)
    side: str = "auto"
    _engine: Engine = field(init=False)
    _frames: int = field(default=0, init=False)
    _last_ms: int = field(default=-1, init=False)
    _banner: Cue | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self._engine = Engine(EngineOptions(self.pack, side=self.side, live=True))

    def update(self, message: Any) -> dict[str, Any]:
        """Judge one frame; a frame whose time does not move forward is refused (BadMessage)."""
        seen = observation(message, self._frames)
        if seen.t_ms <= self._last_ms:
            raise BadMessage(f"t_ms: expected a time after {self._last_ms}, got {seen.t_ms}")
        self._last_ms = seen.t_ms
        self._frames += 1
        update = self._engine.update(seen)
        if update.judged:
            self._banner = headline_cue(update.cues)
        say = None if update.say is None else {"id": update.say.id, "message": update.say.message}
        return {"t_ms": seen.t_ms, "rep": update.rep_count, "phase": update.phase,
                "metrics": {k: _number(v) for k, v in update.metrics.items()},
                "cues": [_cue(c) for c in update.cues] if update.judged else [],
                "judged": update.judged, "cue": None if self._banner is None else _cue(self._banner),
                "say": say}


def _cue(cue: Cue) -> dict[str, str]:
    return {"id": cue.id, "message": cue.message, "severity": str(cue.severity)}


def _number(value: float | None) -> float | None:
    return None if value is None or not math.isfinite(value) else round(float(value), 1)
