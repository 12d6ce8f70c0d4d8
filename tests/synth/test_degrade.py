"""Degradations: off by default, reproducible by seed, bounded flicker."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.synth.degrade import make_degrader
from formcheck.synth.params import Look

FRAME = np.tile(np.linspace(0, 255, 64, dtype=np.uint8)[None, :, None], (48, 1, 3))


def test_clean_look_leaves_frames_alone() -> None:
    degrader = make_degrader(Look(), frames=5, seed=0)
    assert degrader.apply(FRAME, 3) is FRAME


@pytest.mark.parametrize("look", [Look(noise_sigma=5.0), Look(blur_sigma=1.5), Look(jpeg_quality=30),
                                  Look(light_noise=0.1)])
def test_each_degradation_changes_the_frame_reproducibly(look: Look) -> None:
    first = make_degrader(look, frames=10, seed=3).apply(FRAME, 7)
    again = make_degrader(look, frames=10, seed=3).apply(FRAME, 7)
    assert first.shape == FRAME.shape and first.dtype == np.uint8
    assert not np.array_equal(first, FRAME)
    np.testing.assert_array_equal(first, again)


def test_flicker_stays_within_twice_the_requested_amount() -> None:
    degrader = make_degrader(Look(light_noise=0.05), frames=300, seed=1)
    assert np.all(np.abs(degrader.gains - 1.0) <= 0.1 + 1e-12)
    assert np.std(degrader.gains) > 0.02
