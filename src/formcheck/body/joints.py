"""The near-side joints the metrics read, with a per-joint confidence — the hand-off between landmark
clean-up (filters, occlusion repair) and measuring.

Coordinates are image pixels (x right, y down) of the original upright frame; NaN where unknown.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from formcheck.pose.landmarks import SIDE_JOINTS, Landmark, PoseTrack

# Joints of the near side that measuring may read, plus three more points of the head: the far ear and both
# mouth corners are not joints, but the line from between the ears to between the mouth corners gives the
# head's own direction, which the neck metric needs (the shoulder->ear line turns only half as far, and
# one side's points alone are noisier; see metrics.py).
JOINT_NAMES = ("ear", "mouth", "shoulder", "elbow", "wrist", "hip", "knee", "ankle", "heel", "foot_index",
               "far_ear", "far_mouth")


def joint_landmarks(side: str) -> dict[str, Landmark]:
    """Landmark index of each of `JOINT_NAMES` seen from one body side (`far_*` are the other side's)."""
    if side not in SIDE_JOINTS:
        raise ValueError(f"side: expected one of {tuple(SIDE_JOINTS)}, got {side!r}")
    far = "right" if side == "left" else "left"
    return {**SIDE_JOINTS[side], "far_ear": SIDE_JOINTS[far]["ear"],
            "mouth": Landmark[f"MOUTH_{side.upper()}"], "far_mouth": Landmark[f"MOUTH_{far.upper()}"]}


@dataclass(frozen=True)
class Joints:
    """Near-side joints over a clip: `xy[name]` is (frames, 2) px, `conf[name]` is (frames,) in [0, 1]."""

    t_ms: np.ndarray  # (frames,) int64
    side: str  # "left" | "right": the body side facing the camera
    xy: dict[str, np.ndarray]
    conf: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        if self.side not in ("left", "right"):
            raise ValueError(f"Joints.side: expected 'left' or 'right', got {self.side!r}")
        n = self.t_ms.shape[0]
        for name in JOINT_NAMES:
            if name not in self.xy or name not in self.conf:
                raise ValueError(f"Joints: missing joint {name!r} (expected all of {JOINT_NAMES})")
            if self.xy[name].shape != (n, 2):
                raise ValueError(f"Joints.xy[{name!r}]: expected shape ({n}, 2), got {self.xy[name].shape}")
            if self.conf[name].shape != (n,):
                raise ValueError(f"Joints.conf[{name!r}]: expected shape ({n},), got {self.conf[name].shape}")

    def __len__(self) -> int:
        return int(self.t_ms.shape[0])

    def window(self, start: int, stop: int) -> Joints:
        """Frames [start, stop) only."""
        return Joints(self.t_ms[start:stop], self.side, {n: xy[start:stop] for n, xy in self.xy.items()},
                      {n: c[start:stop] for n, c in self.conf.items()})

    def with_joint(self, name: str, xy: np.ndarray, conf: np.ndarray) -> Joints:
        """A copy with one joint replaced (e.g. after occlusion repair)."""
        return replace(self, xy={**self.xy, name: xy}, conf={**self.conf, name: conf})

    @classmethod
    def from_track(cls, track: PoseTrack, side: str) -> Joints:
        """Raw near-side landmarks; confidence is MediaPipe's visibility (0 where nobody was found)."""
        idx = joint_landmarks(side)
        vis = track.visibility
        xy = {name: track.xy[:, idx[name], :].astype(float) for name in JOINT_NAMES}
        conf = {name: vis[:, idx[name]].astype(float) for name in JOINT_NAMES}
        return cls(track.t_ms.copy(), side, xy, conf)
