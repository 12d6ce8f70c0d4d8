"""The validation grid: which clips to render (every fault, both sides, plates on and off, side-on and
15° oblique, two refusal angles, varied looks), and a render cache keyed by parameters.

A clip is cached under a hash of its parameters, so re-runs reuse renders and landmarks; after a change
to the renderer, `formcheck validate --fresh` draws them again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from formcheck.synth.groundtruth import SCHEMA
from formcheck.synth.params import Look, SynthParams, Tempo

# Fault name -> the SynthParams fields that produce it (the renderer's ground truth says which cues).
FAULTS: dict[str, dict[str, object]] = {
    "good": {},
    "feet_too_close": {"knee_at_top_deg": 65.0},
    "feet_too_far": {"knee_at_top_deg": 115.0},
    "incomplete_lockout": {"hip_ext_deg": 160.0},
    "lower_back_arch": {"hip_ext_deg": 200.0},
    "no_posterior_tilt": {"pelvic_tilt_deg": 0.0},
    "chin_lifted": {"neck_deg": -28.0},
    "chin_crushed": {"neck_deg": 28.0},
    "rushed_reps": {"tempo": Tempo(concentric_s=0.5, hold_s=0.0, eccentric_s=0.7)},
    "partial_rep": {"partial_reps": 1},
}

# Looks cycled through the grid: clothing, skin, background, plate colour, mild camera degradation.
LOOKS: tuple[Look, ...] = (
    Look(),
    Look(skin_rgb=(120, 84, 60), shirt_rgb=(180, 40, 40), shorts_rgb=(60, 60, 70), background="gym",
         plate_rgb=(170, 30, 30), noise_sigma=3.0),
    Look(skin_rgb=(236, 200, 170), shirt_rgb=(230, 230, 230), shorts_rgb=(30, 60, 120), background="bright",
         plate_rgb=(30, 60, 160), jpeg_quality=70),
    Look(skin_rgb=(160, 110, 80), shirt_rgb=(20, 20, 24), shorts_rgb=(120, 120, 60), background="dark",
         plate_rgb=(40, 120, 50), light_noise=0.05, floor_rgb=(90, 90, 95)),
    Look(skin_rgb=(200, 150, 120), shirt_rgb=(60, 150, 90), shorts_rgb=(20, 20, 20), background="blue",
         plate_rgb=(20, 20, 22), blur_sigma=0.8),
)

CLIP_DEFAULTS: dict[str, object] = {"reps": 2, "setup_s": 0.6, "width": 640, "height": 360, "fps": 30.0}
OBLIQUE_YAW_DEG = 15.0
REFUSAL_YAWS_DEG = (60.0, 75.0)


@dataclass(frozen=True)
class GridClip:
    """One clip of the grid: a readable name, tags for grouping the results, and its parameters."""

    name: str
    tags: dict[str, str]
    params: SynthParams


def _clip(fault: str, side: str, plates: bool, yaw: float, index: int, view: str,
          reps: int = 2) -> GridClip:
    params = SynthParams(**{**CLIP_DEFAULTS, **FAULTS[fault], "reps": reps}, side=side, plates=plates,
                         yaw_deg=yaw, look=LOOKS[index % len(LOOKS)], seed=index)  # type: ignore[arg-type]
    name = f"{fault}-{side[0]}-{'plates' if plates else 'bare'}-yaw{yaw:g}"
    tags = {"fault": fault, "side": side, "plates": "on" if plates else "off", "yaw": f"{yaw:g}",
            "view": view, "group": f"{fault}-yaw{yaw:g}"}
    return GridClip(name, tags, params)


def build_grid(quick: bool = False) -> list[GridClip]:
    """The full grid (52 clips), or a 5-clip smoke grid of one-rep clips that exercises every stage."""
    if quick:
        return [_clip("good", "left", False, 0.0, 0, "side", reps=1),
                _clip("good", "right", True, 0.0, 1, "side", reps=1),
                _clip("feet_too_far", "left", True, 0.0, 2, "side", reps=1),
                _clip("incomplete_lockout", "right", False, OBLIQUE_YAW_DEG, 3, "side", reps=1),
                _clip("good", "left", False, REFUSAL_YAWS_DEG[0], 4, "oblique-refuse", reps=1)]
    clips = []
    index = 0
    for fault in FAULTS:
        for side in ("left", "right"):
            for plates in (False, True):
                clips.append(_clip(fault, side, plates, 0.0, index, "side"))
                index += 1
        side = ("left", "right")[index % 2]
        clips.append(_clip(fault, side, index % 4 < 2, OBLIQUE_YAW_DEG, index, "side"))
        index += 1
    for k, yaw in enumerate(REFUSAL_YAWS_DEG):
        clips.append(_clip("good", ("left", "right")[k], bool(k), yaw, index + k, "oblique-refuse"))
    return clips


def clip_key(params: SynthParams) -> str:
    """Cache key of a clip: a hash of its parameters and the ground-truth schema."""
    text = json.dumps(dataclasses.asdict(params), sort_keys=True, default=str) + SCHEMA
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def cached_paths(clips: list[GridClip], cache_dir: Path) -> Iterator[tuple[GridClip, Path]]:
    """Each clip with the video path it is (or will be) cached at."""
    for clip in clips:
        yield clip, cache_dir / f"{clip.name}-{clip_key(clip.params)}.mp4"
