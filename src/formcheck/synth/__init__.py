"""Synthetic ground-truth videos: a posed MakeHuman body in a hip-thrust scene, rendered in software.

The public API (imported lazily, so reading ground truth does not load the numba rasteriser):
`render_clip(params, out_path) -> GroundTruth`, `load_ground_truth(path)`, `SynthParams`, `Tempo`,
`Look`, `GroundTruth`, `SAMPLES` and `regenerate_samples`, and the randomised validation clips
`sample_params(seed, split)`, `grid(split, n)` and `SampledClip`. Rendering needs the `synth` extra.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "render_clip": "formcheck.synth.clip",
    "load_ground_truth": "formcheck.synth.groundtruth",
    "GroundTruth": "formcheck.synth.groundtruth",
    "SynthParams": "formcheck.synth.params",
    "Tempo": "formcheck.synth.params",
    "Look": "formcheck.synth.params",
    "SAMPLES": "formcheck.synth.samples",
    "regenerate_samples": "formcheck.synth.samples",
    "sample_params": "formcheck.synth.randomize",
    "grid": "formcheck.synth.randomize",
    "SampledClip": "formcheck.synth.randomize",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import a public name's module on first use."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'formcheck.synth' has no attribute {name!r}; expected one of "
                             f"{', '.join(__all__)}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
