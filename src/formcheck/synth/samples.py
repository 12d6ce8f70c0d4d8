"""The committed sample clips of `sample_videos/`: their parameters, and the function that regenerates them.

Each sample is a short 640x360, 30 fps clip with three or four reps and its `.gt.json`; two show good
form, the others one clear fault each, from either side, with and without plates. All but the chin_lifted
clip hold the coached chin tuck (the default neck of +30°, inside docs/design.md's +10..+65 band). The rushed
clip also has a partial rep (hips rising under half way) that must not be counted. Rendering is
deterministic, so `formcheck synth --samples` reproduces the committed files from these definitions.
The README's quick start uses `good_form_left.mp4`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from formcheck.synth.clip import render_clip
from formcheck.synth.groundtruth import GroundTruth
from formcheck.synth.params import Look, SynthParams, Tempo

SAMPLE_TEMPO = Tempo(concentric_s=1.0, hold_s=0.8, eccentric_s=1.2)
_BASE = SynthParams(reps=3, tempo=SAMPLE_TEMPO, setup_s=1.0, bottom_pause_s=0.4, width=640, height=360,
                    fps=30.0)


def _sample(**changes: Any) -> SynthParams:
    """The common sample settings with some changed."""
    return dataclasses.replace(_BASE, **changes)


SAMPLES: dict[str, SynthParams] = {
    "good_form_left": _sample(
        side="left", seed=1, look=Look(shorts_rgb=(130, 130, 140), light_noise=0.03)),
    "good_form_right_plates": _sample(
        side="right", plates=True, yaw_deg=10.0, seed=2,
        look=Look(background="gym", shirt_rgb=(150, 40, 40), shorts_rgb=(30, 30, 70), plate_rgb=(40, 70, 160),
                  light_noise=0.03)),
    "feet_too_far_left_plates": _sample(
        side="left", plates=True, knee_at_top_deg=115.0, seed=3,
        look=Look(background="bright", shirt_rgb=(40, 110, 60), skin_rgb=(170, 120, 90), light_noise=0.03)),
    "incomplete_lockout_right": _sample(
        side="right", hip_ext_deg=160.0, seed=4,
        look=Look(background="blue", shirt_rgb=(200, 200, 200), shorts_rgb=(60, 60, 60), light_noise=0.03)),
    "chin_lifted_left": _sample(
        side="left", neck_deg=-30.0, seed=5,
        look=Look(background="dark", shirt_rgb=(220, 150, 40), floor_rgb=(90, 90, 96), light_noise=0.03,
                  jpeg_quality=60)),
    "rushed_reps_right": _sample(
        side="right", seed=6, reps=4, tempo=Tempo(0.5, 0.0, 0.6), partial_reps=1,
        look=Look(background="studio", shirt_rgb=(90, 90, 90), shorts_rgb=(20, 60, 110), light_noise=0.03)),
}

SampleProgress = Callable[[str, int, int], None]


def regenerate_samples(out_dir: Path, names: Sequence[str] | None = None,
                       progress: SampleProgress | None = None) -> dict[str, GroundTruth]:
    """Render the named samples (all by default) into `out_dir` as `<name>.mp4` + `<name>.gt.json`.

    `progress(name, frame, frames)` is called after every frame.
    """
    chosen = list(SAMPLES) if names is None else list(names)
    unknown = [n for n in chosen if n not in SAMPLES]
    if unknown:
        raise ValueError(f"unknown samples {unknown}; expected some of {', '.join(SAMPLES)}")
    out: dict[str, GroundTruth] = {}
    for name in chosen:
        def report(done: int, total: int, name: str = name) -> None:
            if progress is not None:
                progress(name, done, total)

        out[name] = render_clip(SAMPLES[name], Path(out_dir) / f"{name}.mp4", progress=report)
    return out
