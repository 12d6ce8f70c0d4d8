"""Camera-like imperfections for rendered frames: light flicker, blur, sensor noise, JPEG compression.

Clean renders are too easy; these make tests meet the kinds of degradation real phone footage has.
All randomness comes from the clip's seed, so a clip is reproducible.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from formcheck.synth.params import Look

FLICKER_SMOOTHING_FRAMES = 15


@dataclass(frozen=True, eq=False)
class Degrader:
    """Applies a `Look`'s degradations to frame k of a clip of `frames` frames."""

    look: Look
    gains: np.ndarray  # (frames,) brightness multiplier per frame
    seed: int

    def __post_init__(self) -> None:
        if self.gains.ndim != 1:
            raise ValueError(f"Degrader.gains: expected a 1-D array, got shape {self.gains.shape}")

    def apply(self, image: np.ndarray, k: int) -> np.ndarray:
        """A degraded copy of a BGR uint8 frame (the input is returned as is when nothing is asked)."""
        look = self.look
        out = image
        if look.light_noise > 0 or look.noise_sigma > 0:
            work = image.astype(np.float32) * float(self.gains[k])
            if look.noise_sigma > 0:
                rng = np.random.default_rng([self.seed, k])
                work += rng.normal(0.0, look.noise_sigma, size=work.shape).astype(np.float32)
            out = np.clip(work, 0, 255).astype(np.uint8)
        if look.blur_sigma > 0:
            out = cv2.GaussianBlur(out, (0, 0), look.blur_sigma)
        if look.jpeg_quality:
            ok, encoded = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(look.jpeg_quality)])
            if not ok:
                raise ValueError("JPEG encoding of a rendered frame failed")
            decoded = cv2.imdecode(encoded, cv2.IMREAD_COLOR)
            if decoded is None:
                raise ValueError("JPEG decoding of a rendered frame failed")
            out = decoded
        return out


def make_degrader(look: Look, frames: int, seed: int) -> Degrader:
    """A degrader whose brightness drifts smoothly by about +-`light_noise` over the clip."""
    rng = np.random.default_rng([seed, 1])
    raw = rng.normal(0.0, 1.0, size=frames + FLICKER_SMOOTHING_FRAMES)
    kernel = np.ones(FLICKER_SMOOTHING_FRAMES) / FLICKER_SMOOTHING_FRAMES
    smooth = np.convolve(raw, kernel, mode="valid")[:frames]
    smooth = smooth / (np.std(smooth) + 1e-9)
    return Degrader(look=look, gains=1.0 + look.light_noise * np.clip(smooth, -2.0, 2.0), seed=seed)
